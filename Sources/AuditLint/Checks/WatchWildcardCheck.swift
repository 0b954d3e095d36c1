import AuditRules

/// AUR004: wildcards in a watched path.
public struct WatchWildcardCheck: LintCheck {
    public init() {}
    public let code = "AUR004"
    public let name = "watch-wildcard"
    public let family = CheckFamily.watches
    public let summary = "watched path contains * or ?"
    public let rationale = """
        Watches take no glob patterns: `-w /etc/cron.*` watches a file literally named `cron.*`. \
        auditctl only warns ("wildcard notation is not supported"). Watch the parent directory or \
        list each path.
        """
    public let examples = [
        LintExample("-w ↓/etc/cron.* -p wa\n", triggers: true),
        LintExample("-a always,exit -F arch=b64 -S openat -F path=↓/home/?/x -k x\n", triggers: true),
        LintExample("-w /etc/cron.d -p wa\n", triggers: false),
    ]

    public func findings(in file: RuleFile, context: LintContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        let statements = file.statements
        for i in statements.indices {
            statements[i].forEachWatchedPath { p in
                guard p.value.contains(UInt8(ascii: "*")) || p.value.contains(UInt8(ascii: "?")) else { return }
                out.append(finding(.warning, "wildcards are not expanded in watched paths: the kernel watches the literal name",
                                   at: p.location, length: p.length, line: statements[i].text))
            }
        }
        return out
    }
}
