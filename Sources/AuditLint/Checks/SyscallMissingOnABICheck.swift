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
        // Each word's verdicts gathered by one look-up of its location; the texts naming a
        // target or a refusal made once per set (a large input repeats a few on every line).
        var words: [Word] = []
        // Each word's location with its file numbered in the order first met (hashing the
        // file's path for every verdict cost more than the rest), in `words`' order.
        var keys: [WordKey] = []
        var numbers: [WordKey: Int] = [:]
        var files: [String: Int] = [:]
        var lastFile: (name: String, number: Int)?
        let sets = context.compile(file)
        numbers.reserveCapacity(sets.map(\.result.loaderVerdicts.count).max() ?? 0)
        for set in sets {
            var targetTexts: [(abi: ABI, text: String)] = []
            var refusalTexts: [(refusal: LoaderRefusal, text: String)] = []
            for v in set.result.loaderVerdicts {
                let fileNumber: Int
                if let lastFile, lastFile.name == v.location.file { fileNumber = lastFile.number } else {
                    fileNumber = files[v.location.file] ?? files.count
                    files[v.location.file] = fileNumber
                    lastFile = (v.location.file, fileNumber)
                }
                let key = WordKey(file: fileNumber, line: v.location.line, column: v.location.column)
                let n: Int
                if let known = numbers[key] { n = known } else {
                    n = words.count
                    numbers[key] = n
                    keys.append(key)
                    words.append(Word(verdict: v))
                }
                let text: String
                switch v.kind {
                case .archRefused(let e):
                    if let t = refusalTexts.first(where: { $0.refusal == e }) { text = t.text } else {
                        text = LoaderVerdict.archRefusal(e, loader: set.loader)
                        refusalTexts.append((e, text))
                    }
                case .nameRefused(_, let abi):
                    if let t = targetTexts.first(where: { $0.abi == abi }) { text = t.text } else {
                        text = LoaderVerdict.target(machine: set.machine, abi: abi, loader: set.loader)
                        targetTexts.append((abi, text))
                    }
                case .nameMissingInKernel: text = ""
                }
                words[n].add(v.kind, text: text)
            }
        }
        // Source order: files as first met (their numbers), then line and column.
        let sorted = keys.indices.sorted { a, b in
            let x = keys[a], y = keys[b]
            return (x.file, x.line, x.column) < (y.file, y.line, y.column)
        }
        for n in sorted { words[n].findings(self, context: context, hidden: hidden, emit: emit) }
    }

    /// A word's location, its file numbered.
    struct WordKey: Hashable {
        var file: Int
        var line: Int
        var column: Int

        /// One word hashed, not three.
        func hash(into hasher: inout Hasher) { hasher.combine(line &* 0x1_0000 &+ column &+ file &* 0x5851_F42D_4C95_7F2D) }
    }

    /// Every target's verdict on one word of the input.
    struct Word {
        let verdict: LoaderVerdict
        var refusals: [String] = []
        var refused: [String] = [], refusedABIs: [ABI] = [], missing: [ABI] = []
        var name: String?

        init(verdict: LoaderVerdict) { self.verdict = verdict }

        /// `text`: the refusal (`LoaderVerdict.archRefusal`) or the target (`LoaderVerdict.target`)
        /// the verdict names; unused for a name missing in the kernel.
        mutating func add(_ kind: LoaderVerdict.Kind, text: String) {
            switch kind {
            case .archRefused:
                if !refusals.contains(text) { refusals.append(text) }
            case .nameRefused(let n, let abi):
                name = n
                if !refused.contains(text) { refused.append(text) }
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
