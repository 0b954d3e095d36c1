import AuditRules

/// AUR003: `..` in a watched path.
public struct WatchRelativePathCheck: LintCheck {
    public init() {}
    public let code = "AUR003"
    public let name = "watch-dotdot"
    public let family = CheckFamily.watches
    public let summary = "watched path contains '..'"
    public let rationale = """
        The kernel does not resolve `..` in watch paths: it watches the literal name, which usually \
        never matches. auditctl only warns ("relative path notation is not supported"). Write the \
        canonical absolute path.
        """
    public let examples = [
        LintExample("-w ↓/etc/../etc/shadow -p wa\n", triggers: true),
        LintExample("-a always,exit -F arch=b64 -S openat -F dir=↓/var/log/.. -k logs\n", triggers: true),
        LintExample("-w /etc/shadow -p wa\n", triggers: false),
        LintExample("-w /srv/app..old -p wa\n", triggers: false),
    ]

    /// Whether a component of `path` (between slashes) is `..`, read in place.
    static func hasParentComponent(_ path: RulesText) -> Bool {
        path.withBytes { bytes in
            var start = 0
            for i in 0 ... bytes.count where i == bytes.count || bytes[i] == UInt8(ascii: "/") {
                if i - start == 2 && bytes[start] == UInt8(ascii: ".") && bytes[start + 1] == UInt8(ascii: ".") { return true }
                start = i + 1
            }
            return false
        }
    }

    public func findings(in file: RuleFile, context: LintContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        let statements = file.statements
        for i in statements.indices {
            statements[i].forEachWatchedPath { p in
                guard Self.hasParentComponent(p.value) else { return }
                out.append(finding(.warning, "'..' in a watched path is not resolved: the kernel watches the literal name",
                                   at: p.location, length: p.length, line: statements[i].text))
            }
        }
        return out
    }
}
