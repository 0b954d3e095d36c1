import AuditRules
import Foundation
import Syscalls

/// AUR005: the same kernel rule added twice.
public struct DuplicateRuleCheck: LintCheck {
    public init() {}
    public let code = "AUR005"
    public let name = "duplicate-rule"
    public let family = CheckFamily.ruleSet
    public let summary = "rule already added earlier in the input"
    public let rationale = """
        The kernel refuses a rule equal to one it holds ("Rule exists"), and a plain `auditctl -R` \
        stops there, leaving the rest of the file unloaded. A comma list and repeated -S are the same \
        rule, and so are a watch and the equivalent -F path=/-F perm= exit rule.
        """
    public let examples = [
        LintExample("-a always,exit -F arch=b64 -S open,openat -k a\n↓-a always,exit -F arch=b64 -S openat -S open -k a\n", triggers: true),
        LintExample("-w /etc/hosts -p wa -k net\n↓-a always,exit -F path=/etc/hosts -F perm=wa -k net\n", triggers: true),
        LintExample("-a always,exit -F arch=b64 -S open -k a\n↓-a always,exit -F arch=b64 -S 2 -k a\n", triggers: true),
        LintExample("-a always,exit -F arch=b64 -S open -k a\n-a always,exit -F arch=b32 -S open -k a\n", triggers: false),
        LintExample("-a always,exit -F arch=b64 -S open -k a\n-D\n-a always,exit -F arch=b64 -S open -k a\n", triggers: false),
    ]

    struct Identity: Hashable {
        var list: FilterList
        var action: RuleAction
        var syscalls: Set<RulesText>
        var fields: [RulesText]
        var key: RulesText
    }

    public func findings(in file: RuleFile, context: LintContext) -> [Diagnostic] {
        let db = context.database
        var tables: [ABI: SyscallTable] = [:]
        for abi in ABI.allCases { tables[abi] = db.table(abi, at: context.release) }
        var seen: [Identity: SourceLocation] = [:]
        var out: [Diagnostic] = []
        for s in file.statements {
            switch s.kind {
            case .deleteAll(nil):
                seen.removeAll()
            case .rule(let r):
                let id = identity(r, host: context.hostMachine, tables: tables, db: db)
                if r.command == .delete { seen[id] = nil; continue }
                if let first = seen[id] {
                    out.append(finding(.error, "this rule equals the one on line \(first.line)\(first.file == s.location.file ? "" : " of \(first.file)"); the kernel refuses it (Rule exists)",
                                       at: s.location, length: 2, line: s.text))
                } else { seen[id] = s.location }
            case .watch(let w):
                let id = identity(w, checkHost: context.checkHost)
                if w.remove { seen[id] = nil; continue }
                if let first = seen[id] {
                    out.append(finding(.error, "this watch equals the rule on line \(first.line)\(first.file == s.location.file ? "" : " of \(first.file)"); the kernel refuses it (Rule exists)",
                                       at: s.location, length: 2, line: s.text))
                } else { seen[id] = s.location }
            default:
                break
            }
        }
        return out
    }

    func identity(_ r: RuleStatement, host: Machine, tables: [ABI: SyscallTable], db: SyscallDatabase) -> Identity {
        let table = syscallABI(for: r, host: host, db: db).flatMap { tables[$0] }
        var names = Set(r.syscalls.map { s -> RulesText in
            switch s.value {
            case .name(let written):
                // A name and its number set the same bit: compare numbers where the table knows the name.
                guard let n = written.lowercasedASCII.asciiName else { return written }
                if let number = table?.number(of: n) { return RulesText("#\(number)") }
                for v in AuditVersion.allCases {
                    if let abi = table?.abi, let k = db.kernelName(libaudit: n, abi: abi, version: v),
                       let number = table?.number(of: k) { return RulesText("#\(number)") }
                }
                return RulesText(n)
            case .number(let n): return RulesText("#\(n)")
            case .all: return "all"
            }
        })
        if names.contains("all") || (names.isEmpty && r.list.value != .task) { names = ["all"] }
        return Identity(list: r.list.value, action: r.action.value, syscalls: names,
                        fields: r.fields.map(describe), key: Self.joined(r.keys))
    }

    func identity(_ w: WatchStatement, checkHost: Bool) -> Identity {
        let dir = checkHost && w.path.value.withCString(HostFacts.isDirectory)
        let perms = String(describing: (w.permissions.map { Permissions(letters: $0.value) ?? [] } ?? .all).rawValue)
        let fields = [RulesText(dir ? "dir=" : "path=") + w.path.value, RulesText("perm=\(perms)")] + w.fields.map(describe)
        return Identity(list: .exit, action: .always, syscalls: ["all"], fields: fields, key: Self.joined(w.keys))
    }

    /// The keys as the kernel holds them, joined with 0x01.
    static func joined(_ keys: [Located<RulesText>]) -> RulesText {
        var out: [UInt8] = []
        for (i, k) in keys.enumerated() {
            if i > 0 { out.append(0x01) }
            out += k.value.bytes
        }
        return RulesText(out)
    }

    /// The ABI auditctl resolves the rule's names with: its arch's, else the host's 64-bit one.
    func syscallABI(for r: RuleStatement, host: Machine, db: SyscallDatabase) -> ABI? {
        let kernel = db.newestRelease
        let pair = db.abis(for: host, at: kernel)
        var abi = pair.b64 ?? pair.b32
        if case .arch(let selector)? = r.fields.first(where: { !$0.isComparison && $0.name.value == "arch" })?.value {
            switch selector {
            case .b64: abi = pair.b64
            case .b32: abi = pair.b32
            case .machine(let m): abi = db.abis(for: m, at: kernel).b64 ?? db.abis(for: m, at: kernel).b32
            case .raw(let value): abi = ArchName.byAuditArch(value)?.abi
            }
        }
        return abi
    }

    func describe(_ f: FieldClause) -> RulesText {
        if f.isComparison { return RulesText("C") + Self.identity(of: f.value) + RulesText(f.op.value.rawValue) }
        let head = RulesText(f.name.value + f.op.value.rawValue)
        switch f.value {
        case .string(let s): return head + trimmed(s, f.name.value)
        case .permissions(let p): return head + RulesText("\(p.rawValue)")
        default: return head + Self.identity(of: f.value)
        }
    }

    /// Distinct text for distinct values, without the reflection that interpolating an enum
    /// uses (a third of the time of linting 100,000 rules).
    static func identity(of value: FieldValue) -> RulesText {
        switch value {
        case .number(let n): return RulesText("#\(n)")
        case .string(let s): return "s:" + s
        case .arch(.b32): return "arch:b32"
        case .arch(.b64): return "arch:b64"
        case .arch(.machine(let m)): return RulesText("arch:" + m.rawValue)
        case .arch(.raw(let v)): return RulesText("arch:#\(v)")
        case .userName(let u): return "user:" + u
        case .groupName(let g): return "group:" + g
        case .comparison(let c): return RulesText("compare:\(c)")
        case .permissions(let p): return RulesText("perm:\(p.rawValue)")
        }
    }

    func trimmed(_ s: RulesText, _ field: String) -> RulesText {
        guard field == "dir" || field == "path" else { return s }
        var end = s.count
        while end > 1 && s[end - 1] == UInt8(ascii: "/") { end -= 1 }
        return end == s.count ? s : RulesText(s.prefix(end))
    }

}
