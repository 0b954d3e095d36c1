import AuditRules

/// AUR507: a backlog limit (-b) smaller than a burst of the rule set's events needs.
public struct BacklogTooSmallCheck: PerTargetCheck {
    public init() {}
    public let code = "AUR507"
    public let name = "backlog-too-small"
    public let family = CheckFamily.ruleSet
    public let summary = "-b smaller than four records for each always rule"
    public let rationale = """
        The kernel queues records for auditd in a backlog of at most -b records (64 when never set). \
        When it is full, new records are lost and the failure mode (-f) applies: a printk, or a \
        panic with -f 2 ("audit: backlog limit exceeded"). One event of a syscall rule is several \
        records (SYSCALL, CWD, a PATH per file, PROCTITLE, EOE), so a backlog smaller than four \
        records for each always rule overflows as soon as the rules fire together, as at boot or \
        under load. audit-userspace's own base rules set -b 8192. Raise -b (memory cost: one \
        record buffer per queued record).
        """
    public let examples = [
        LintExample("↓-b 8\n-a always,exit -F arch=b64 -S execve -k exec\n-a always,exit -F arch=b64 -S openat -F exit=-EACCES -k access\n-w /etc/passwd -p wa -k identity\n", triggers: true),
        LintExample("-b 8192\n-a always,exit -F arch=b64 -S execve -k exec\n-w /etc/passwd -p wa -k identity\n", triggers: false),
        LintExample("-b 64\n-w /etc/passwd -p wa -k identity\n", triggers: false),
    ]

    static let recordsPerRule = 4

    public func check(_ set: CompiledRuleSet, context: LintContext, report: (SourceLocation, () -> Diagnostic) -> Void) {
        guard let last = set.result.settings.last(where: { if case .backlogLimit = $0.setting { return true } else { return false } }),
              case .backlogLimit(let limit) = last.setting, limit > 0 else { return }
        let always = set.rules.indices.reduce(0) { n, i in
            let (list, action) = set.rules.listAndAction(at: i)
            return n + (action == .always && list != .exclude ? 1 : 0)
        }
        let needed = always * Self.recordsPerRule
        guard Int(limit) < needed else { return }
        let location = SourceLocation(file: last.provenance.file, line: last.provenance.line, column: 1)
        report(location) {
            finding(.warning, "-b \(limit) holds fewer than \(Self.recordsPerRule) records for each of the \(always) always rules: a burst overflows the backlog and loses events; raise it to at least \(needed) (8192 is common)",
                    at: location, length: 2, line: last.provenance.text)
        }
    }
}
