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
            // The rule's `arch=` clauses found by index, no array made (nearly every rule has one).
            var firstIndex: Int?, secondIndex: Int?, same = true
            for i in r.fields.indices where !r.fields[i].isComparison && r.fields[i].name.value == "arch" && r.fields[i].op.value == .equal {
                guard let f = firstIndex else { firstIndex = i; continue }
                if secondIndex == nil { secondIndex = i }
                if r.fields[i].value != r.fields[f].value { same = false }
            }
            guard let firstIndex, let secondIndex else { return nil }
            let first = r.fields[firstIndex], second = r.fields[secondIndex]
            return finding(.warning, same ? "arch=\(message: second.rawValue.value) is given twice" : "a rule cannot match arch=\(message: first.rawValue.value) and arch=\(message: second.rawValue.value) at once: it never fires",
                           at: second.name.location, length: second.name.length, line: s.text)
        }
    }
}
