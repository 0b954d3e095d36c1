import AuditRules

/// AUR001: a syscall rule without `-F arch=`.
public struct MissingArchCheck: LintCheck {
    public init() {}
    public let code = "AUR001"
    public let name = "missing-arch"
    public let family = CheckFamily.syscalls
    public let summary = "syscall rule without -F arch="
    public let rationale = """
        Without an arch field auditctl resolves syscall names with the host's 64-bit table and the \
        kernel applies those numbers to every ABI: on x86_64, `-S open` (2) also matches 32-bit \
        processes calling fork (2). Write one rule with -F arch=b64 and one with -F arch=b32.
        """
    public let examples = [
        LintExample("-a always,exit -S ↓openat -k files\n", triggers: true),
        LintExample("-a always,exit -S ↓59 -k exec\n", triggers: true),
        LintExample("-a always,exit -F arch=b64 -S openat -k files\n", triggers: false),
        LintExample("-a always,exit -S all -F auid=0\n", triggers: false),
        LintExample("-w /etc/passwd -p wa\n", triggers: false),
    ]

    public func findings(in file: RuleFile, context: LintContext) -> [Diagnostic] {
        file.statements.compactMap { s in
            guard case .rule(let r) = s.kind, r.command != .delete,
                  !r.fields.contains(where: { $0.name.value == "arch" && !$0.isComparison }),
                  let first = r.syscalls.first(where: { $0.value != .all }) else { return nil }
            return finding(.warning, "syscall rule without -F arch=: the host's 64-bit syscall numbers are applied to 32-bit processes too (32/64 bit mismatch); add -F arch=b64 and a copy with -F arch=b32",
                           at: first.location, length: first.length, line: s.text)
        }
    }
}
