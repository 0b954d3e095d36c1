import AuditRules

/// AUR009: `-D` after rules were added.
public struct DeleteAllMidFileCheck: StreamedCheck {
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

    public func makeStream(context: LintContext) -> any CheckStream { Stream(check: self) }

    /// How many rules were added since the input's start or its last bare `-D`.
    final class Stream: CheckStream {
        let check: DeleteAllMidFileCheck
        var added = 0

        init(check: DeleteAllMidFileCheck) { self.check = check }

        func feed(_ chunk: RuleFile) -> [Diagnostic] {
            var out: [Diagnostic] = []
            for s in chunk.statements {
                switch s.kind {
                case .rule(let r) where r.command != .delete: added += 1
                case .watch(let w) where !w.remove: added += 1
                case .deleteAll(nil):
                    if added > 0 {
                        out.append(check.finding(.warning, "-D deletes the \(added) rule\(added == 1 ? "" : "s") added before it in this input",
                                                 at: s.location, length: 2, line: s.text))
                    }
                    added = 0
                default: break
                }
            }
            return out
        }

        func finish() -> [Diagnostic] { [] }
    }
}
