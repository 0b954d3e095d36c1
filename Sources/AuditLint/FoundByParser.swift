import AuditRules
import Syscalls

/// A code that the parser, the input reader or the compiler reports, documented like a check:
/// lint finds it by parsing; a `.compile` code is what `aurules compile` reports for each target.
public struct FoundByParser: LintCheck {
    public enum Stage: String, Sendable { case parse, compile }

    public let code: String
    public let name: String
    public let family: CheckFamily
    public let stage: Stage
    public let summary: String
    public let rationale: String
    public let examples: [LintExample]

    init(_ code: DiagnosticCode, _ name: String, _ family: CheckFamily, _ stage: Stage = .parse,
         summary: String, rationale: String, examples: [LintExample]) {
        self.code = code.rawValue
        self.name = name
        self.family = family
        self.stage = stage
        self.summary = summary
        self.rationale = rationale
        self.examples = examples
    }

    public func findings(in file: RuleFile, context: LintContext) -> [Diagnostic] {
        switch stage {
        case .parse:
            return file.diagnostics.filter { $0.code == code }
        case .compile:
            // What `aurules compile` reports for each target: its per-ABI output, not the as-loaded
            // view lint's own checks judge (where, say, a name no ABI rule keeps is a loader refusal).
            var out: [Diagnostic] = []
            for var target in context.compileTargets {
                target.archless = .perABI
                for d in Compiler(target: target).compile(file).diagnostics where d.code == code && !out.contains(d) { out.append(d) }
            }
            return out
        }
    }
}
