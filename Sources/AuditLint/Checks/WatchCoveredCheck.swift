import AuditRules

/// AUR505: a watch that adds nothing because a directory watch above it already records it.
public struct WatchCoveredCheck: PerTargetCheck {
    public init() {}
    public let code = "AUR505"
    public let name = "watch-covered-by-directory"
    public let family = CheckFamily.ruleSet
    public let findingSeverity: Severity? = .warning
    public let summary = "watch inside a directory watch with the same key and at least its permissions"
    public let rationale = """
        A watch on a directory (-w /etc/ssh, or -F dir=) is recursive: the kernel attaches it to the \
        whole tree (audit_tree.c) and records every access below it with the given permissions. A \
        second watch on a path inside that tree, with permissions the directory watch already has \
        and the same key, records the same events under the same key: it only costs a rule and an \
        inode mark. With a different key it is not redundant (the key of the last matching rule is \
        the one recorded), so it is left alone. Whether a path is a directory is decided by stat() \
        on this host, as auditctl does (--no-host-checks treats every watch as a file).
        """
    public let examples = [
        LintExample("-w /etc -p wa -k etc\n↓-w /etc/passwd -p wa -k etc\n", triggers: true),
        LintExample("↓-w /etc/passwd -p w -k etc\n-w /etc -p rwa -k etc\n", triggers: true),
        LintExample("-w /etc -p wa -k etc\n-w /etc/passwd -p wa -k identity\n", triggers: false),
        LintExample("-w /etc -p w -k etc\n-w /etc/passwd -p wa -k etc\n", triggers: false),
        LintExample("-w /etc -p wa -k etc\n-w /etcetera/x -p wa -k etc\n", triggers: false),
    ]

    struct Watch {
        var path: RulesText
        var isDirectory: Bool
        var perm: UInt32
        var key: RulesText?
        /// The rule's position in its set (the rule itself is read again only for a finding).
        var position: Int
        var source: SourceLocation?
    }

    static func watch(_ rule: KernelRule, at position: Int) -> Watch? {
        guard rule.list == .exit, rule.action == .always else { return nil }
        var path: RulesText?, isDirectory = false, perm: UInt32 = 0xF
        for f in rule.fields {
            switch f.id {
            case FieldID.path: path = f.string
            case FieldID.dir: path = f.string; isDirectory = true
            case FieldID.perm: perm = f.value
            case FieldID.key: break
            default: return nil
            }
        }
        guard let path else { return nil }
        return Watch(path: path, isDirectory: isDirectory, perm: perm, key: rule.key, position: position, source: rule.sourceLocation)
    }

    public func check(_ set: CompiledRuleSet, context: LintContext, report: (SourceLocation, () -> Diagnostic) -> Void) {
        // Only a directory watch covers another: without a dir field no rule is made whole.
        let rules = set.rules
        guard rules.indices.contains(where: { rules.hasFields(at: $0, .dirField) }) else { return }
        let watches = set.rules.enumerated().compactMap { Self.watch($1, at: $0) }
        let directories = watches.filter(\.isDirectory)
        for w in watches {
            guard let location = w.source else { continue }
            guard let cover = directories.first(where: { d in
                let inside: RulesText = d.path.last == UInt8(ascii: "/") ? d.path : d.path + "/"
                return d.source != w.source && w.path.starts(with: inside)
                    && w.perm & d.perm == w.perm && w.key == d.key
            }), let at = cover.source else { continue }
            report(location) {
                finding(.warning, "this watch adds nothing: the directory watch on \(message: cover.path) (line \(at.line)\(at.file == location.file ? "" : " of \(at.file)")) already records \(message: w.path) with these permissions and the same key",
                        at: location, length: 2, line: set.rules[w.position].provenance?.text)
            }
        }
    }
}
