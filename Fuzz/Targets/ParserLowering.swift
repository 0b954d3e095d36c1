import AuditRules
import Foundation
import Syscalls

// The rule parser with lowering: any bytes are parsed and compiled for several targets, the
// output rendered, and every compiled rule round-tripped through the wire encoding.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzParserLowering(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = text(data, size)
    // One parse per host kind: `b64` is an error on 32-bit machines. The 32-bit parse accepts
    // every syscall name (the compiler then rejects unknown ones): the parser's did-you-mean
    // search over all names would otherwise take most of the time of each run.
    let host64 = RuleParser.parse(text: input, file: "fuzz.rules", options: ParseOptions(resolver: nil, hostMachine: .x86_64))
    let host32 = RuleParser.parse(text: input, file: "fuzz.rules", options: ParseOptions(resolver: nil, hostMachine: .i386, isKnownSyscall: nil))
    for parsed in [host64, host32] {
        for d in parsed.diagnostics where d.location.line < 1 || d.location.column < 1 {
            violated("diagnostic without a location", d.message)
        }
    }
    for target in compileTargets {
        let parsed = target.machine == .i386 ? host32 : host64
        let compiled = Compiler(target: target).compile(parsed)
        _ = RulesFileWriter(target: target).render(compiled)
        _ = DiagnosticRenderer.text(compiled.diagnostics)
        checkWire(compiled.rules)
    }
    _ = DiagnosticRenderer.text(host64.diagnostics)
    return 0
}
