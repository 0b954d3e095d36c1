import AuditLint
import AuditRules
import Foundation
import Syscalls

// fmt's properties on every input lint accepts (no errors): fmt(fmt(x)) == fmt(x), fmt(x)
// parses and lints without errors, and compile(fmt(x)) == compile(x) (rules, settings,
// deletions, loader options, error count).
// Input: `RulesInput` (Support.swift): byte 0 picks the compile target of the comparison, one
// per execution (0 x86_64 newest with auditctl 3.0.9, 1 aarch64 5.4 with 4.2, 2 i386 4.19);
// byte 1 stretches the text (a PATH_MAX path, 512 statements); the rest is the rules text.
// Lint resolves user and group names from a fixed table (`users`), not this host's files.

/// Names lint's compilations resolve: a few of a usual host, fixed so that no execution reads
/// /etc/passwd or /etc/group and every host fuzzes the same.
let users = StaticUserResolver(users: ["root": 0, "daemon": 1, "bin": 2, "nobody": 65534, "user": 1000],
                               groups: ["root": 0, "daemon": 1, "bin": 2, "adm": 4, "nogroup": 65534, "user": 1000])
let context = LintContext(checkHost: false, hostMachine: .x86_64, userResolver: users)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFmtRoundTrip(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let fuzzed = RulesInput(data, size, configurations: compileTargets.count) else { return 0 }
    StretchStats.measure(fuzzed.stretch) { check(fuzzed) }
    return 0
}

func check(_ fuzzed: RulesInput) {
    let input = fuzzed.text
    let options = ParseOptions(resolver: nil, hostMachine: .x86_64)
    let parsed = RuleParser.parse(text: input, file: "fuzz.rules", options: options)
    guard !Linter.lint(parsed, context: context).contains(where: { $0.severity == .error }) else { return }
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
    let target = compileTargets[fuzzed.configuration]
    let a = Meaning(Compiler(target: target).compile(parsed))
    let b = Meaning(Compiler(target: target).compile(reparsed))
    if a != b {
        violated("compile(fmt(x)) != compile(x) for \(target.machine) \(target.kernel) \(target.auditVersion)",
                 "input: \(input.debugDescription)\nfmt: \(formatted.debugDescription)")
    }
}
