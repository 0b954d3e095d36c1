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
        file.statements.flatMap { s in
            s.watchedPaths.filter { $0.value.contains(UInt8(ascii: "*")) || $0.value.contains(UInt8(ascii: "?")) }.map {
                finding(.warning, "wildcards are not expanded in watched paths: the kernel watches the literal name",
                        at: $0.location, length: $0.length, line: s.text)
            }
        }
    }
}
