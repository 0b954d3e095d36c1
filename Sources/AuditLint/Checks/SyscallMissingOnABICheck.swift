import AuditRules
import Syscalls

/// AUR007: a syscall name that some target ABI does not have.
public struct SyscallMissingOnABICheck: LintCheck {
    public init() {}
    public let code = "AUR007"
    public let name = "syscall-missing-on-abi"
    public let summary = "syscall does not exist on some target ABIs"
    public let rationale = """
        Syscall sets differ between ABIs: aarch64 and riscv64 have no open, stat or fork, i386 \
        reaches sockets through socketcall, s390x has no mmap2. auditctl refuses a rule naming a \
        syscall its machine lacks ("Syscall name unknown"), so a rules file shared across a fleet \
        breaks on some hosts, or silently audits less there. The finding names the ABIs and the \
        equivalent syscalls that exist on them.
        """
    public let examples = [
        LintExample("-a always,exit -F arch=b64 -S open -k files\n", triggers: true),
        LintExample("-a always,exit -F arch=b32 -S socketcall -k net\n", triggers: true),
        LintExample("-a always,exit -F arch=b64 -S openat,execve -k files\n", triggers: false),
        LintExample("-a always,exit -F arch=x86_64 -S open -k files\n", triggers: false),
    ]

    public func findings(in file: RuleFile, context: LintContext) -> [Diagnostic] {
        let db = context.database
        let kernel = context.release
        var tables: [ABI: SyscallTable] = [:]
        for abi in ABI.allCases { tables[abi] = db.table(abi, at: kernel) }
        var out: [Diagnostic] = []
        // The answer for a name on a set of ABIs, worked out once: rule files repeat the same
        // few names thousands of times, and each answer scans the tables.
        var answers: [String: String?] = [:]
        for s in file.statements {
            guard case .rule(let r) = s.kind, r.command != .delete else { continue }
            let abis = targetABIs(r, context: context, db: db, kernel: kernel)
            for call in r.syscalls {
                guard case .name(let name) = call.value else { continue }
                let key = abis.map(\.rawValue).joined(separator: ",") + "\u{0}" + name
                let details: String?
                if let known = answers[key] {
                    details = known
                } else {
                    details = missingDetails(name, abis: abis, tables: tables, db: db, kernel: kernel, versions: context.auditVersions)
                    answers[key] = .some(details)
                }
                guard let details else { continue }
                out.append(finding(.warning, "syscall '\(name)' does not exist on \(details) at kernel \(kernel)",
                                   at: call.location, length: call.length, line: s.text))
            }
        }
        return out
    }

    /// "aarch64 (has openat, openat2); ..." for the ABIs that lack `name`, nil when none does
    /// (or when no ABI knows the name: that is the parser's error, not this check's).
    private func missingDetails(_ name: String, abis: [ABI], tables: [ABI: SyscallTable], db: SyscallDatabase,
                                kernel: KernelVersion, versions: [AuditVersion]) -> String? {
        guard db.isKnownOnAnyABI(name) else { return nil }
        let missing = abis.filter { abi in
            guard let table = tables[abi] else { return false }
            if table.contains(name.lowercased()) { return false }
            return !versions.contains { v in
                db.kernelName(libaudit: name.lowercased(), abi: abi, version: v).map(table.contains) ?? false
            }
        }
        guard !missing.isEmpty else { return nil }
        return missing.map { abi -> String in
            let eq = db.equivalents(of: name, on: abi, at: kernel)
            return eq.isEmpty ? abi.rawValue : "\(abi.rawValue) (has \(eq.joined(separator: ", ")))"
        }.joined(separator: "; ")
    }

    /// The ABIs the rule applies to on the target machines: the one its arch field names, or
    /// both of each machine's ABIs when it has none.
    func targetABIs(_ r: RuleStatement, context: LintContext, db: SyscallDatabase, kernel: KernelVersion) -> [ABI] {
        let arch = r.fields.first { !$0.isComparison && $0.name.value == "arch" && $0.op.value == .equal }
        var out: [ABI] = []
        func add(_ abi: ABI?) { if let abi, !out.contains(abi) { out.append(abi) } }
        if case .arch(let selector)? = arch?.value {
            switch selector {
            case .machine(let m): add(db.abis(for: m, at: kernel).b64 ?? db.abis(for: m, at: kernel).b32)
            case .raw(let value): add(ABI.allCases.first { $0.auditArch == value && $0 != .x32 })
            case .b64: for m in context.targets { add(db.abis(for: m, at: kernel).b64) }
            case .b32: for m in context.targets { add(db.abis(for: m, at: kernel).b32) }
            }
        } else {
            for m in context.targets {
                let pair = db.abis(for: m, at: kernel)
                add(pair.b64)
                add(pair.b32)
            }
        }
        return out
    }
}
