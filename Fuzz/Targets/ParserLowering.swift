import AuditRules
import Foundation
import Syscalls

// The rule parser with lowering: any bytes are parsed and compiled, the output rendered, and
// every compiled rule round-tripped through the wire encoding. Every diagnostic must be located.
// Input: `RulesInput` (Support.swift): byte 0 picks the configuration, one per execution:
//   0  parsed for a 64-bit host (x86_64), compiled for x86_64, newest kernel, auditctl 3.0.9;
//   1  parsed for a 64-bit host, compiled for aarch64 5.4, auditctl 4.2;
//   2  parsed for a 32-bit host (i386, `b64` is an error there), compiled for i386 4.19.
// Byte 1 stretches the text (a PATH_MAX path, 512 statements); the rest is the rules text.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzParserLowering(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let input = RulesInput(data, size, configurations: compileTargets.count) else { return 0 }
    StretchStats.measure(input.stretch) { check(input) }
    return 0
}

func check(_ input: RulesInput) {
    let target = compileTargets[input.configuration]
    // The 32-bit parse accepts every syscall name (the compiler then rejects unknown ones).
    let options = target.machine == .i386 ? ParseOptions(resolver: nil, hostMachine: .i386, isKnownSyscall: nil)
                                          : ParseOptions(resolver: nil, hostMachine: .x86_64)
    let parsed = RuleParser.parse(text: input.text, file: "fuzz.rules", options: options)
    for d in parsed.diagnostics where d.location.line < 1 || d.location.column < 1 {
        violated("diagnostic without a location", d.message)
    }
    let compiled = Compiler(target: target).compile(parsed)
    _ = RulesFileWriter(target: target).render(compiled)
    _ = DiagnosticRenderer.text(compiled.diagnostics)
    checkWire(compiled.rules)
    _ = DiagnosticRenderer.text(parsed.diagnostics)
}
