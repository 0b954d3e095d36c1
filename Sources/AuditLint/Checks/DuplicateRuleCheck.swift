import AuditRules
import Syscalls

/// AUR005: the same kernel rule added twice.
public struct DuplicateRuleCheck: PerTargetCheck {
    public init() {}
    public let code = "AUR005"
    public let name = "duplicate-rule"
    public let family = CheckFamily.ruleSet
    public let findingSeverity: Severity? = .error
    public let summary = "rule already added earlier in the input"
    public let rationale = """
        The kernel refuses a rule equal to one it holds ("Rule exists"), and a plain `auditctl -R` \
        stops there, leaving the rest of the file unloaded. Rules are compared as each target's \
        auditctl loads them: a comma list and repeated -S are the same rule, so are a name and its \
        number, arch=b64 and arch=x86_64 on x86_64, and a watch and the equivalent -F path=/-F perm= \
        exit rule; an arch-less rule is one rule without an arch field, not the -F arch=b64 rule. \
        -d, -W, -D and -D -k delete what they match.
        """
    public let examples = [
        LintExample("-a always,exit -F arch=b64 -S open,openat -k a\n↓-a always,exit -F arch=b64 -S openat -S open -k a\n", triggers: true),
        LintExample("-w /etc/hosts -p wa -k net\n↓-a always,exit -F path=/etc/hosts -F perm=wa -k net\n", triggers: true),
        LintExample("-a always,exit -F arch=b64 -S open -k a\n↓-a always,exit -F arch=b64 -S 2 -k a\n", triggers: true),
        LintExample("-a always,exit -F arch=b64 -S openat -k a\n↓-a always,exit -F arch=x86_64 -S openat -k a\n", triggers: true),
        LintExample("-a always,exit -F arch=b64 -S open -k a\n-a always,exit -F arch=b32 -S open -k a\n", triggers: false),
        LintExample("-a always,exit -S openat -k a\n-a always,exit -F arch=b64 -S openat -k a\n", triggers: false),
        LintExample("-a always,exit -F arch=b64 -S openat -k a\n-D -k a\n-a always,exit -F arch=b64 -S openat -k a\n", triggers: false),
        LintExample("-a always,exit -F arch=b64 -S open -k a\n-D\n-a always,exit -F arch=b64 -S open -k a\n", triggers: false),
    ]

    /// The compiler keeps the kernel's rule set as each target's loader builds it and skips a rule
    /// it already holds: each skip is a finding, naming the targets when not all of them.
    public func check(_ set: CompiledRuleSet, context: LintContext, report: (SourceLocation, () -> Diagnostic) -> Void) {
        for r in set.result.repeated {
            report(r.location) {
                let first = "line \(r.firstLine)\(r.firstFile == r.location.file ? "" : " of \(r.firstFile)")"
                let message = r.isWatch ? "this watch equals the rule on \(first); the kernel refuses it (Rule exists)"
                    : "this rule equals the one on \(first); the kernel refuses it (Rule exists)"
                return finding(.error, message, at: r.location, length: 2, line: r.sourceLine)
            }
        }
    }
}
