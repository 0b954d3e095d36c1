import AuditRules

/// AUR009: `-D` after rules were added.
public struct DeleteAllMidFileCheck: LintCheck {
    public init() {}
    public let code = "AUR009"
    public let name = "delete-all-after-rules"
    public let family = CheckFamily.ruleSet
    public let summary = "-D deletes rules added earlier in the same input"
    public let rationale = """
        A bare -D deletes every loaded rule. Written after rules (often the result of concatenating \
        files that each start with -D), it silently discards everything added before it. augenrules \
        keeps only the last bare -D and moves it first; a plain file is loaded in order.
        """
    public let examples = [
        LintExample("-D\n-w /etc/passwd -p wa\n↓-D\n-w /etc/group -p wa\n", triggers: true),
        LintExample("-D\n-b 8192\n-w /etc/passwd -p wa\n", triggers: false),
        LintExample("-w /etc/passwd -p wa -k id\n-D -k other\n", triggers: false),
    ]

    public func findings(in file: RuleFile, context: LintContext) -> [Diagnostic] {
        var added = 0
        var out: [Diagnostic] = []
        for s in file.statements {
            switch s.kind {
            case .rule(let r) where r.command != .delete: added += 1
            case .watch(let w) where !w.remove: added += 1
            case .deleteAll(nil):
                if added > 0 {
                    out.append(finding(.warning, "-D deletes the \(added) rule\(added == 1 ? "" : "s") added before it in this input",
                                       at: s.location, length: 2, line: s.text))
                }
                added = 0
            default: break
            }
        }
        return out
    }
}
