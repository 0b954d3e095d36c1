import AuditLint
import AuditRules
import Foundation
import Syscalls

// fmt's properties on every input lint accepts (no errors): fmt(fmt(x)) == fmt(x), fmt(x)
// parses without errors, and compile(fmt(x)) == compile(x) for every target.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFmtRoundTrip(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = text(data, size)
    let options = ParseOptions(resolver: nil, hostMachine: .x86_64)
    let parsed = RuleParser.parse(text: input, file: "fuzz.rules", options: options)
    let context = LintContext(checkHost: false, hostMachine: .x86_64)
    guard !Linter.lint(parsed, context: context).contains(where: { $0.severity == .error }) else { return 0 }
    let formatted = RuleFormatter.format(parsed)
    let reparsed = RuleParser.parse(text: formatted, file: "fuzz.rules", options: options)
    if let error = reparsed.diagnostics.first(where: { $0.severity == .error }) {
        violated("fmt output has errors: \(error.message)", "input: \(input.debugDescription)\nfmt: \(formatted.debugDescription)")
    }
    let again = RuleFormatter.format(reparsed)
    if again != formatted {
        violated("fmt is not idempotent", "input: \(input.debugDescription)\nfmt: \(formatted.debugDescription)\nfmt(fmt): \(again.debugDescription)")
    }
    if Linter.lint(reparsed, context: context).contains(where: { $0.severity == .error }) {
        violated("lint rejects fmt's output of an input it accepts", "input: \(input.debugDescription)\nfmt: \(formatted.debugDescription)")
    }
    for target in compileTargets {
        let a = Meaning(Compiler(target: target).compile(parsed))
        let b = Meaning(Compiler(target: target).compile(reparsed))
        if a != b {
            violated("compile(fmt(x)) != compile(x) for \(target.machine) \(target.kernel) \(target.auditVersion)",
                     "input: \(input.debugDescription)\nfmt: \(formatted.debugDescription)")
        }
    }
    return 0
}
