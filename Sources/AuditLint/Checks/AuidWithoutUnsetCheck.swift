import AuditRules

/// AUR503: `auid>=1000` (or `auid>N`) without `auid!=unset`.
public struct AuidWithoutUnsetCheck: LintCheck {
    public init() {}
    public let code = "AUR503"
    public let name = "auid-without-unset"
    public let family = CheckFamily.ruleSet
    public let summary = "auid>=N without auid!=unset also matches processes no user logged in to"
    public let rationale = """
        A process that no login started (a daemon, a boot script, a container's init) has the \
        login uid unset, which the kernel stores as 4294967295 ((uid_t)-1, AUDIT_UID_UNSET). That \
        value is >= 1000, so `-F auid>=1000` alone matches every such process too, and a rule meant \
        for interactive users floods the log with system activity. Add `-F auid!=unset` (auditctl \
        stores it as auid!=4294967295, listed as auid!=-1), as the audit-userspace sample rules do.
        """
    public let examples = [
        LintExample("-a always,exit -F arch=b64 -S execve -F ↓auid>=1000 -k exec\n", triggers: true),
        LintExample("-a always,exit -F arch=b64 -S unlinkat -F ↓auid>500 -k delete\n", triggers: true),
        LintExample("-a always,exit -F arch=b64 -S execve -F auid>=1000 -F auid!=unset -k exec\n", triggers: false),
        LintExample("-a always,exit -F arch=b64 -S execve -F auid>=1000 -F auid!=4294967295 -k exec\n", triggers: false),
        LintExample("-a always,exit -F arch=b64 -S execve -F auid>=1000 -F auid<=60000 -k exec\n", triggers: false),
        LintExample("-a never,exit -F arch=b64 -S execve -F auid>=1000\n", triggers: false),
    ]

    static let unset: UInt32 = 0xFFFF_FFFF

    public func findings(in file: RuleFile, context: LintContext) -> [Diagnostic] {
        file.statements.compactMap { s -> Diagnostic? in
            guard case .rule(let r) = s.kind, r.command != .delete, r.action.value == .always else { return nil }
            let auid = r.fields.filter { !$0.isComparison && $0.name.value == "auid" }
            guard let lower = auid.first(where: { f in
                guard case .number(let n) = f.value, n < Self.unset else { return false }
                return f.op.value == .greaterOrEqual || f.op.value == .greaterThan
            }) else { return nil }
            let excludesUnset = auid.contains { f in
                guard case .number(let n) = f.value else { return false }
                switch f.op.value {
                case .notEqual: return n == Self.unset
                case .lessThan: return true
                case .lessOrEqual: return n < Self.unset
                default: return false
                }
            }
            guard !excludesUnset else { return nil }
            return finding(.warning, "auid\(lower.op.value.rawValue)\(message: lower.rawValue.value) also matches processes with no login uid (unset is 4294967295): add -F auid!=unset",
                           at: lower.name.location, length: lower.name.length + lower.op.length + lower.rawValue.length, line: s.text)
        }
    }
}
