import AuditRules

/// AUR008: statements after `-e 2`.
public struct ChangesAfterImmutableCheck: StreamedCheck {
    public init() {}
    public let code = "AUR008"
    public let name = "changes-after-immutable"
    public let family = CheckFamily.ruleSet
    public let summary = "rules or settings after -e 2"
    public let rationale = """
        `-e 2` makes the audit configuration immutable until reboot: every rule or setting after it \
        is refused ("The audit system is in immutable mode"). augenrules moves the last -e of a \
        rules.d directory to the end, but a plain rules file is loaded in order. Put -e 2 last.
        """
    public let examples = [
        LintExample("-e 2\n↓-w /etc/passwd -p wa\n", triggers: true),
        LintExample("-w /etc/passwd -p wa\n-e 2\n", triggers: false),
        LintExample("-e 1\n-w /etc/passwd -p wa\n", triggers: false),
    ]

    public func makeStream(context: LintContext) -> any CheckStream { Stream(check: self) }

    /// The first `-e 2`, then the first statement after it and how many follow it.
    final class Stream: CheckStream {
        let check: ChangesAfterImmutableCheck
        var lock: SourceLocation?
        var first: (location: SourceLocation, text: RulesText)?
        var after = 0

        init(check: ChangesAfterImmutableCheck) { self.check = check }

        func feed(_ chunk: RuleFile) -> [Diagnostic] {
            for s in chunk.statements {
                guard lock != nil else {
                    if case .setting(.enabled(2)) = s.kind { lock = s.location }
                    continue
                }
                if case .loaderOption = s.kind { continue }
                after += 1
                if first == nil { first = (s.location, s.text) }
            }
            return []
        }

        func finish() -> [Diagnostic] {
            guard let at = lock, let first else { return [] }
            let more = after > 1 ? " (and \(after - 1) more after it)" : ""
            return [check.finding(.error, "-e 2 on line \(at.line)\(at.file == first.location.file ? "" : " of \(at.file)") makes the configuration immutable: the kernel refuses this\(more)",
                                  at: first.location, length: 2, line: first.text)]
        }
    }
}
