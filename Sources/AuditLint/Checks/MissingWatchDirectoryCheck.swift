import AuditRules
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import Syscalls

/// AUR006: a watch the kernel of this host would refuse with ENOENT.
public struct MissingWatchDirectoryCheck: LintCheck {
    public init() {}
    public let code = "AUR006"
    public let name = "missing-watch-directory"
    public let family = CheckFamily.host
    public let summary = "watched path's directory does not exist on this host"
    public let rationale = """
        The kernel needs the parent directory of a watched file (and the directory itself for \
        -F dir=) to exist when the rule is added; otherwise it answers ENOENT and a plain \
        `auditctl -R` stops at that line. Only this host can tell: rules meant for other hosts may \
        be fine there.
        """
    public let examples = [
        LintExample("-w ↓/nonexistent-aurules-dir/file -p wa\n", triggers: true),
        LintExample("-a always,exit -F dir=↓/nonexistent-aurules-dir -F perm=wa -k x\n", triggers: true),
        LintExample("-w /etc/passwd -p wa\n", triggers: false),
        LintExample("-w /etc/no-such-file-here -p wa\n", triggers: false),
    ]

    public func findings(in file: RuleFile, context: LintContext) -> [Diagnostic] {
        guard context.checkHost else { return [] }
        var out: [Diagnostic] = []
        for s in file.statements {
            var targets: [(Located<RulesText>, needsItself: Bool)] = []
            switch s.kind {
            case .watch(let w) where !w.remove:
                targets.append((w.path, false))
                targets += w.fields.filter { !$0.isComparison && ["path", "dir"].contains($0.name.value) }.map { ($0.rawValue, $0.name.value == "dir") }
            case .rule(let r) where r.command != .delete:
                targets += r.fields.filter { !$0.isComparison && ["path", "dir"].contains($0.name.value) }.map { ($0.rawValue, $0.name.value == "dir") }
            default:
                continue
            }
            for (path, needsItself) in targets where path.value.first == UInt8(ascii: "/") {
                let isDirectory = path.value.withCString(HostFacts.isDirectory)
                if needsItself {
                    if !isDirectory {
                        out.append(finding(.warning, "directory \(message: path.value) does not exist on this host: the kernel refuses the rule (ENOENT)",
                                           at: path.location, length: path.length, line: s.text, hostDependent: true))
                    }
                    continue
                }
                if isDirectory { continue }
                let parent = Self.parent(of: path.value)
                if !parent.withCString(HostFacts.isDirectory) {
                    out.append(finding(.warning, "directory \(message: parent) does not exist on this host: the kernel refuses the watch (ENOENT)",
                                       at: path.location, length: path.length, line: s.text, hostDependent: true))
                }
            }
        }
        return out
    }

    /// The directory a path names an entry of (`/a` for `/a/b` and `/a/b/`, `/` for `/a`), by bytes.
    static func parent(of path: RulesText) -> RulesText {
        var end = path.count
        while end > 1 && path[end - 1] == UInt8(ascii: "/") { end -= 1 }
        while end > 0 && path[end - 1] != UInt8(ascii: "/") { end -= 1 }
        while end > 1 && path[end - 1] == UInt8(ascii: "/") { end -= 1 }
        return end == 0 ? "/" : RulesText(path.prefix(end))
    }
}
