import AuditRules

/// AUR010: more than one `arch=` in a rule.
public struct ConflictingArchCheck: LintCheck {
    public init() {}
    public let code = "AUR010"
    public let name = "conflicting-arch"
    public let family = CheckFamily.fields
    public let summary = "rule has more than one arch= field"
    public let rationale = """
        All fields of a rule must match. Two different `-F arch=` values can never both hold, so \
        the rule never fires; the same value twice only wastes a field. auditctl also resolves \
        syscall names with the last arch given. Write one rule per arch.
        """
    public let examples = [
        LintExample("-a always,exit -F arch=b64 -F ↓arch=b32 -S execve -k exec\n", triggers: true),
        LintExample("-a always,exit -F arch=b64 -S execve -k exec\n-a always,exit -F arch=b32 -S execve -k exec\n", triggers: false),
    ]

    public func findings(in file: RuleFile, context: LintContext) -> [Diagnostic] {
        file.statements.compactMap { s in
            guard case .rule(let r) = s.kind else { return nil }
            let arches = r.fields.filter { !$0.isComparison && $0.name.value == "arch" && $0.op.value == .equal }
            guard arches.count > 1 else { return nil }
            let second = arches[1]
            let same = arches.allSatisfy { $0.value == arches[0].value }
            return finding(.warning, same ? "arch=\(message: second.rawValue.value) is given twice" : "a rule cannot match arch=\(message: arches[0].rawValue.value) and arch=\(message: second.rawValue.value) at once: it never fires",
                           at: second.name.location, length: second.name.length, line: s.text)
        }
    }
}
