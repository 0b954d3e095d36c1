import AuditRules

/// AUR008: statements after `-e 2`.
public struct ChangesAfterImmutableCheck: LintCheck {
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

    public func findings(in file: RuleFile, context: LintContext) -> [Diagnostic] {
        guard let lock = file.statements.firstIndex(where: {
            if case .setting(.enabled(2)) = $0.kind { return true } else { return false }
        }) else { return [] }
        let after = file.statements[(lock + 1)...].filter {
            if case .loaderOption = $0.kind { return false } else { return true }
        }
        guard let first = after.first else { return [] }
        let at = file.statements[lock].location
        let more = after.count > 1 ? " (and \(after.count - 1) more after it)" : ""
        return [finding(.error, "-e 2 on line \(at.line)\(at.file == first.location.file ? "" : " of \(at.file)") makes the configuration immutable: the kernel refuses this\(more)",
                        at: first.location, length: 2, line: first.text)]
    }
}
