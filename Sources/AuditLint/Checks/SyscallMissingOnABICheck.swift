import AuditRules
import Syscalls

/// AUR007: a syscall name that some target does not have. An error where the target's loader
/// (auditctl/libaudit of the audit release named) refuses the line; a warning where the loader
/// takes the name but the ABI's kernel table lacks the syscall.
public struct SyscallMissingOnABICheck: LintCheck {
    public init() {}
    public let code = "AUR007"
    public let name = "syscall-missing-on-abi"
    public let family = CheckFamily.syscalls
    public let summary = "syscall or arch that some target does not have"
    public let rationale = """
        Syscall sets differ between ABIs and between audit releases. auditctl resolves each name \
        with its own libaudit's table for the rule's ABI (the -F arch machine, or the host's), and \
        refuses the whole line when that table lacks the name ("Syscall name unknown"): x86_64 has \
        no stime, aarch64 no open, libaudit 3.0.9 does not know fchmodat2 and spells i386's \
        kexec_load sys_kexec_load. It also refuses an arch the machine cannot take (arch=b32 on \
        ppc64le, any arch on riscv64 before audit 4.1). Those are errors for that target; a name \
        the loader knows but the kernel table of the ABI lacks (the rule then audits nothing \
        there) is a warning. Targets are --target machines crossed with every --audit-version \
        given (default: the installed libaudit, else the newest release aurules knows); each \
        finding names the machine, ABI and audit release, and the equivalent syscalls the ABI has.
        """
    public let examples = [
        LintExample("-a always,exit -F arch=b64 -S ↓open -k files\n", triggers: true),
        LintExample("-a always,exit -F arch=↓b32 -S ↓socketcall -k net\n", triggers: true),
        LintExample("-a always,exit -F arch=b64 -S openat,execve -k files\n", triggers: false),
        LintExample("-a always,exit -F arch=x86_64 -S open -k files\n", triggers: false),
    ]

    public func findings(in file: RuleFile, context: LintContext) -> [Diagnostic] {
        let db = context.database
        let kernel = context.release
        var tables: [ABI: SyscallTable] = [:]
        for abi in ABI.allCases { tables[abi] = db.table(abi, at: kernel) }
        var out: [Diagnostic] = []
        // Answers per (rule arch, name), worked out once: rule files repeat the same few names
        // thousands of times.
        var answers: [String: (Severity, String)?] = [:]
        for s in file.statements {
            guard case .rule(let r) = s.kind, r.command != .delete else { continue }
            let arch = r.fields.first { !$0.isComparison && $0.name.value == "arch" && $0.op.value == .equal }
            let selector: ArchSelector? = if case .arch(let sel)? = arch?.value { sel } else { nil }
            let targets = resolvedTargets(selector, context: context)
            let refusals = targets.compactMap { t -> String? in
                if case .failure(let e) = t.abi { return "\(e.detail) (\(t.loader): \"\(e.text)\")" }
                return nil
            }
            if !refusals.isEmpty, let arch {
                out.append(finding(.error, unique(refusals).joined(separator: "; "), at: arch.rawValue.location, length: arch.rawValue.length, line: s.text))
            }
            let reachable = targets.compactMap { t -> (Machine, AuditVersion, ABI)? in
                if case .success(let abi) = t.abi { return (t.machine, t.loader, abi) }
                return nil
            }
            if arch == nil && reachable.count < targets.count && !r.syscalls.isEmpty {
                out.append(finding(.error, unique(refusals).joined(separator: "; "), at: r.syscalls[0].location, length: r.syscalls[0].length, line: s.text))
            }
            for call in r.syscalls {
                // Syscall names are ASCII: any other word is the parser's error.
                guard case .name(let written) = call.value, let name = written.asciiName else { continue }
                let key = "\(String(describing: selector))\u{0}\(name)"
                let answer: (Severity, String)?
                if let known = answers[key] {
                    answer = known
                } else {
                    answer = verdict(name, reachable: reachable, tables: tables, db: db, kernel: kernel)
                    answers[key] = .some(answer)
                }
                guard let (severity, message) = answer else { continue }
                out.append(finding(severity, message, at: call.location, length: call.length, line: s.text))
            }
        }
        return out
    }

    private func unique(_ xs: [String]) -> [String] {
        var seen = Set<String>()
        return xs.filter { seen.insert($0).inserted }
    }

    /// An error naming every (machine, ABI, audit release) whose loader refuses `name`; else a
    /// warning naming the ABIs whose kernel table lacks it; nil when every target has it (or when
    /// no ABI knows the name at all: that is the parser's error, not this check's).
    private func verdict(_ name: String, reachable: [(Machine, AuditVersion, ABI)], tables: [ABI: SyscallTable],
                         db: SyscallDatabase, kernel: KernelVersion) -> (Severity, String)? {
        guard db.isKnownOnAnyABI(name) else { return nil }
        let lower = name.lowercased()
        var refused: [String] = [], refusedABIs: [ABI] = [], missing: [ABI] = []
        for (machine, loader, abi) in reachable {
            guard let number = db.libauditNumber(of: lower, abi: abi, version: loader) else {
                let t = (machine.rawValue == abi.rawValue ? "\(machine)" : "\(machine) (\(abi))") + " with audit \(loader)"
                if !refused.contains(t) { refused.append(t) }
                if !refusedABIs.contains(abi) { refusedABIs.append(abi) }
                continue
            }
            if let table = tables[abi], table.name(of: number) == nil, !missing.contains(abi) { missing.append(abi) }
        }
        func equivalents(_ abis: [ABI]) -> String {
            abis.compactMap { abi -> String? in
                let eq = db.equivalents(of: name, on: abi, at: kernel)
                return eq.isEmpty ? nil : "\(abi) has \(eq.joined(separator: ", "))"
            }.joined(separator: "; ")
        }
        if !refused.isEmpty {
            let eq = equivalents(refusedABIs)
            return (.error, "auditctl refuses syscall '\(name)' (\"Syscall name unknown\") on \(refused.joined(separator: ", "))" + (eq.isEmpty ? "" : " (\(eq))"))
        }
        guard !missing.isEmpty else { return nil }
        let eq = equivalents(missing)
        return (.warning, "syscall '\(name)' does not exist on \(missing.map(\.rawValue).joined(separator: ", ")) at kernel \(kernel)" + (eq.isEmpty ? "" : " (\(eq))"))
    }

    /// Each (target machine, loader) with the ABI whose table the rule's names resolve in, or
    /// the loader's refusal of the rule's arch (or of the machine).
    func resolvedTargets(_ selector: ArchSelector?, context: LintContext) -> [(machine: Machine, loader: AuditVersion, abi: Result<ABI, LoaderRefusal>)] {
        var out: [(Machine, AuditVersion, Result<ABI, LoaderRefusal>)] = []
        for loader in context.loaders {
            let facts = loader.loader
            for m in context.targets {
                let abi: Result<ABI, LoaderRefusal>
                switch selector {
                case .b64?: abi = facts.arch("b64", on: m)
                case .b32?: abi = facts.arch("b32", on: m)
                case .machine(let named)?: abi = facts.arch(named.rawValue, on: m)
                case .raw(let value)?:
                    guard let found = ArchName.byAuditArch(value) else { continue }
                    abi = .success(found.abi == .ppc64 ? .ppc64 : found.abi)
                case nil:
                    abi = facts.knows(m) ? facts.arch(m.rawValue, on: m) : .failure(LoaderRefusal(
                        release: loader, key: "EAU_ARCHUNKNOWN", text: facts.message("EAU_ARCHUNKNOWN", "machine type not found"),
                        detail: "audit \(loader) does not know machine \(m)"))
                }
                out.append((m, loader, abi))
            }
        }
        return out
    }
}
