import AuditRules

/// AUR011: an exit rule that records every syscall of every process.
public struct AuditsEverythingCheck: LintCheck {
    public init() {}
    public let code = "AUR011"
    public let name = "audits-every-syscall"
    public let family = CheckFamily.ruleSet
    public let summary = "always rule on every syscall with no filter"
    public let rationale = """
        An `always,exit` rule with no -S (or -S all) and no field other than arch and key makes \
        the kernel write a record for every syscall of every process: the backlog fills, events \
        are lost or the system slows down (with -f 2 it can panic). Add -S or a filtering field \
        (auid, exe, path, ...). Rules on arch=b32 alone are left alone: on 64-bit hosts they are         the usual way to report any use of the 32-bit ABI.
        """
    public let examples = [
        LintExample("-a ↓always,exit -F arch=b64\n", triggers: true),
        LintExample("-a ↓always,exit -F arch=b64 -S all -k everything\n", triggers: true),
        LintExample("-a always,exit -F arch=b64 -S all -F auid=1000 -k user1000\n", triggers: false),
        LintExample("-a never,exit -F arch=b64 -S all -F exe=/usr/bin/noisy\n", triggers: false),
        LintExample("-a always,exit -F arch=b64 -S execve -k exec\n", triggers: false),
        LintExample("-a always,exit -F arch=b32 -S all -k 32bit-abi\n", triggers: false),
    ]

    public func findings(in file: RuleFile, context: LintContext) -> [Diagnostic] {
        file.statements.compactMap { s in
            guard case .rule(let r) = s.kind, r.command != .delete, r.list.value == .exit, r.action.value == .always,
                  r.syscalls.isEmpty || r.syscalls.contains(where: { $0.value == .all }),
                  r.fields.allSatisfy({ !$0.isComparison && $0.name.value == "arch" }),
                  !r.fields.contains(where: { $0.value == .arch(.b32) }) else { return nil }
            return finding(.warning, "this rule records every syscall of every process: add -S or a filtering field",
                           at: r.action.location, length: r.action.length + r.list.length + 1, line: s.text)
        }
    }
}
