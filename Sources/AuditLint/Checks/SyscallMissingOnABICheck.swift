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

    /// The compiler loads the input as each (loader, machine) target's auditctl would and records
    /// what that loader refuses or takes without a kernel syscall; the findings gather those
    /// verdicts per word, in source order, naming every target they hold on.
    public func findings(in file: RuleFile, context: LintContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        findings(in: file, context: context, hidden: { _, _ in false }) { out.append($0) }
        return out
    }

    func findings(in file: RuleFile, context: LintContext, hidden: (SourceLocation, Severity) -> Bool, emit: (Diagnostic) -> Void) {
        var order: [SourceLocation] = []
        var byWord: [SourceLocation: Word] = [:]
        let sets = context.compile(file)
        byWord.reserveCapacity(sets.map(\.result.loaderVerdicts.count).max() ?? 0)
        for set in sets {
            for v in set.result.loaderVerdicts {
                if byWord[v.location] == nil {
                    order.append(v.location)
                    byWord[v.location] = Word(verdict: v)
                }
                byWord[v.location]!.add(v.kind, machine: set.machine, loader: set.loader)
            }
        }
        // Source order: files as first met, then line and column.
        var fileRank: [String: Int] = [:]
        for l in order where fileRank[l.file] == nil { fileRank[l.file] = fileRank.count }
        let sorted = order.sorted { ($0.file == $1.file) ? ($0.line, $0.column) < ($1.line, $1.column) : fileRank[$0.file]! < fileRank[$1.file]! }
        for l in sorted { byWord[l]!.findings(self, context: context, hidden: hidden, emit: emit) }
    }

    /// Every target's verdict on one word of the input.
    struct Word {
        let verdict: LoaderVerdict
        var refusals: [String] = []
        var refused: [String] = [], refusedABIs: [ABI] = [], missing: [ABI] = []
        var name: String?

        init(verdict: LoaderVerdict) { self.verdict = verdict }

        mutating func add(_ kind: LoaderVerdict.Kind, machine: Machine, loader: AuditVersion) {
            switch kind {
            case .archRefused(let e):
                let text = LoaderVerdict.archRefusal(e, loader: loader)
                if !refusals.contains(text) { refusals.append(text) }
            case .nameRefused(let n, let abi):
                name = n
                let t = LoaderVerdict.target(machine: machine, abi: abi, loader: loader)
                if !refused.contains(t) { refused.append(t) }
                if !refusedABIs.contains(abi) { refusedABIs.append(abi) }
            case .nameMissingInKernel(let n, let abi):
                name = n
                if !missing.contains(abi) { missing.append(abi) }
            }
        }

        /// The shipped tables' answers, kept for the process: a large input names the same few
        /// syscalls on every line, and each answer looks at every syscall of the ABI.
        private static let known = Locked<[String: [String]]>([:])

        static func equivalents(of name: String, on abi: ABI, context: LintContext) -> [String] {
            guard context.database === SyscallDatabase.shipped else { return context.database.equivalents(of: name, on: abi, at: context.release) }
            let key = "\(name)\u{0}\(abi.rawValue)\u{0}\(context.release)"
            if let eq = known.withLock({ $0[key] }) { return eq }
            let eq = context.database.equivalents(of: name, on: abi, at: context.release)
            known.withLock { if $0.count < 4096 { $0[key] = eq } }
            return eq
        }

        /// An error naming every (machine, ABI, audit release) whose loader refuses the word, and a
        /// warning naming the ABIs whose kernel table lacks the syscall where a loader takes it.
        /// Each finding is made only when `hidden` says it is shown (a large input has tens of thousands).
        func findings(_ check: SyscallMissingOnABICheck, context: LintContext, hidden: (SourceLocation, Severity) -> Bool,
                      emit: (Diagnostic) -> Void) {
            func at(_ severity: Severity, _ message: () -> String) {
                guard !hidden(verdict.location, severity) else { return }
                emit(check.finding(severity, message(), at: verdict.location, length: verdict.length, line: verdict.sourceLine))
            }
            if !refusals.isEmpty { at(.error) { refusals.joined(separator: "; ") } }
            guard let name else { return }
            func equivalents(_ abis: [ABI]) -> String {
                abis.compactMap { abi -> String? in
                    let eq = Self.equivalents(of: name, on: abi, context: context)
                    return eq.isEmpty ? nil : "\(abi) has \(eq.joined(separator: ", "))"
                }.joined(separator: "; ")
            }
            if !refused.isEmpty {
                at(.error) {
                    let eq = equivalents(refusedABIs)
                    return LoaderVerdict.nameRefusal(name, on: refused.joined(separator: ", ")) + (eq.isEmpty ? "" : " (\(eq))")
                }
            }
            // Where another loader takes the name, the kernel table's lack is a fact of its own.
            if !missing.isEmpty {
                at(.warning) {
                    let eq = equivalents(missing)
                    return "syscall '\(name)' does not exist on \(missing.map(\.rawValue).joined(separator: ", ")) at kernel \(context.release)" + (eq.isEmpty ? "" : " (\(eq))")
                }
            }
        }
    }
}
