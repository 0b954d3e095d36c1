import Syscalls

/// What `-F arch=` (or the expansion) means on the target: the AUDIT_ARCH value stored in the
/// rule and the ABI whose table `-S` names resolve in (nil for values no ABI of ours has).
struct ResolvedArch: Equatable {
    var value: UInt32
    var abi: ABI?
}

struct ArchError: Error {
    var message: String
}

/// The lowering side of a compilation: turns statements into kernel rules with their
/// diagnostics, without looking at the rules already held. One per thread (its memos are
/// not shared), so that statements can be lowered in parallel and applied in order.
final class CompilationState {
    let target: CompileTarget
    let names: SyscallNameResolver
    /// The statement being lowered collects its diagnostics here.
    var diagnostics: [Diagnostic] = []
    /// Drop reports among `diagnostics`, with the key that makes them once-per-compilation.
    var onceKeys: [(index: Int, key: String)] = []
    var classMasks: [Int: [UInt32]] = [:]
    /// Field numbers by name, as met: the names are the field table's (a few dozen short
    /// strings), which compare in a word or two, cheaper than hashing one.
    var fieldIDs: [(name: String, id: UInt32)] = []
    var resolvedMasks: [Int: [ResolvedMask]] = [:]
    /// Kernel forms of masks by a hash of the mask as written (one shared buffer per distinct
    /// mask: rule files repeat a few syscall sets thousands of times, and a mask is 256 bytes).
    var kernelForms: [Int: [(mask: [UInt32], kernelForm: [UInt32])]] = [:]
    var recentKernelForms = RecentMasks<[UInt32]>()
    /// A rule's hash (`RuleHash`) so far, of its list and action (the tag) and its recent kernel mask.
    var recentRuleHashes = RecentMasks<FNV1a>()
    /// `-S all` as this thread's own buffer: a global one would have its reference count
    /// updated by every thread for nearly every rule.
    let allOnes = [UInt32](repeating: .max, count: KernelRule.maskWords)
    private(set) lazy var allOnesKernelForm = kernelForm(allOnes)
    /// -S lists `judgeLoading` found nothing to say about, by SyscallListHash.
    var judgedLists: [Int: [(abi: ABI, specs: [Located<SyscallSpec>])]] = [:]
    /// The loader's readings of arch names (`loaderArch(named:)`).
    var loaderArches: [(name: String, result: Result<ABI, LoaderRefusal>)] = []
    var loaderB64: Result<ABI, LoaderRefusal>?, loaderB32: Result<ABI, LoaderRefusal>?
    /// The ABIs of those (nil inside: refused) and of the machine's own name, once asked (`loaderABI(b64:)`).
    var loaderB64ABI: ABI??, loaderB32ABI: ABI??, loaderMachineABI: ABI??
    /// Drop messages already built, by ABI and name as written.
    private var dropMessages: [String: String] = [:]
    /// What the loader made of the statement being lowered (`.asLoaded` only).
    var verdicts: [LoaderVerdict] = []
    /// Verdicts are recorded for rules that add (a deletion's refusal is not judged).
    var recordsVerdicts = true
    /// The loader refuses the statement being lowered (recorded in `verdicts`): no rule, and no
    /// "no kernel rule" error on top of the refusal.
    var lineRefused = false
    /// Whether rule provenance carries the statement's text (the auditctl -R writer needs only
    /// file and line; a 100,000-rule file's texts are an eighth of its memory).
    var keepsText = true

    /// b64/b32 on the target and the ABIs arch-less rules expand to (asked once: every rule needs them).
    let abis: (b64: ABI?, b32: ABI?)
    let expansionABIs: [ABI]
    /// PermissionSyscalls.applies for the target's loader, asked once: each answer looks the
    /// release's facts up and copies them.
    let expandsPermissions: Bool
    /// Whether the loader knows the machine, asked once (each `loader` answer copies the release's facts).
    let loaderKnowsMachine: Bool

    init(target: CompileTarget) {
        self.target = target
        self.abis = target.abis
        self.expansionABIs = target.expansionABIs
        self.expandsPermissions = PermissionSyscalls.applies(for: target.auditVersion)
        self.loaderKnowsMachine = target.auditVersion.loader.knows(target.machine)
        self.names = SyscallNameResolver(database: target.database, kernel: target.kernel, auditVersion: target.auditVersion)
    }

    func report(_ code: DiagnosticCode, _ severity: Severity, _ message: String, at location: SourceLocation, length: Int = 1, in stmt: Statement,
                hostDependent: Bool = false) {
        diagnostics.append(Diagnostic(severity, message, at: location, length: length, sourceLine: stmt.text, code: code.rawValue, hostDependent: hostDependent))
    }

    /// Reports a syscall dropped from an ABI's rule; the session keeps only the first report
    /// of each (ABI, name) in statement order.
    func reportDrop(_ name: Located<RulesText>, abi: ABI, in stmt: Statement) {
        let written = "\(abi.rawValue)\u{0}\(message: name.value)"
        let message: String
        if let m = dropMessages[written] {
            message = m
        } else {
            let eq = names.equivalents(of: name.value, on: abi)
            let hint = eq.isEmpty ? "no equivalent exists there" : "equivalents there: \(eq.joined(separator: ", "))"
            message = "syscall '\(message: name.value)' does not exist on \(abi) at kernel \(target.kernel): dropped from the \(abi) rules (\(hint))"
            dropMessages[written] = message
        }
        onceKeys.append((diagnostics.count, "\(abi.rawValue)\u{0}\(message: name.value.lowercasedASCII)"))
        report(.syscallMissingOnABI, .warning, message, at: name.location, length: name.length, in: stmt)
    }

    func resolve(_ selector: ArchSelector) -> Result<ResolvedArch, ArchError> {
        let machine = target.machine
        // As loaded, b64/b32 mean what the loader takes them for, whether or not the kernel
        // release still has that ABI (the kernel stores the arch value either way).
        if target.archless == .asLoaded, selector == .b64 || selector == .b32, let abi = loaderABI(b64: selector == .b64) {
            return .success(ResolvedArch(value: machine.auditArch(for: abi), abi: abi))
        }
        switch selector {
        case .b64:
            guard let abi = abis.b64 else { return .failure(ArchError(message: "arch=b64: machine \(machine) has no 64-bit ABI")) }
            return .success(ResolvedArch(value: machine.auditArch(for: abi), abi: abi))
        case .b32:
            guard let abi = abis.b32 else {
                return .failure(ArchError(message: "arch=b32: machine \(machine) has no 32-bit ABI at kernel \(target.kernel)"))
            }
            return .success(ResolvedArch(value: machine.auditArch(for: abi), abi: abi))
        case .machine(let m):
            guard let abi = m.b64 ?? m.b32 else { return .failure(ArchError(message: "arch=\(m): no ABI")) }
            return .success(ResolvedArch(value: m.auditArch(for: abi), abi: abi))
        case .raw(let v):
            return .success(ResolvedArch(value: v, abi: ArchName.byAuditArch(v)?.abi))
        }
    }
}

extension CompilationState {
    /// One `-F`/`-C` clause in kernel form; nil after reporting an error.
    func kernelField(_ clause: FieldClause, list: FilterList, in stmt: Statement) -> KernelField? {
        let op = clause.op.value
        if case .comparison(let c) = clause.value {
            return KernelField(id: FieldID.fieldCompare, op: op, value: c)
        }
        guard let id = fieldID(clause.name.value) else {
            report(.unknownField, .error, "unknown field '\(clause.name.value)'", at: clause.name.location, length: clause.name.length, in: stmt)
            return nil
        }
        switch clause.value {
        case .number(let v):
            return KernelField(id: id, op: op, value: v)
        case .string(let s):
            return KernelField(id: id, op: op, string: s)
        case .permissions(let permissions):
            return KernelField(id: id, op: op, value: permissions.rawValue)
        case .comparison(let c):
            return KernelField(id: FieldID.fieldCompare, op: op, value: c)
        case .arch(let selector):
            switch resolve(selector) {
            case .success(let arch): return KernelField(id: id, op: op, value: arch.value)
            case .failure(let error):
                report(.fieldValue, .error, error.message, at: clause.rawValue.location, length: clause.rawValue.length, in: stmt)
                return nil
            }
        case .userName(let name):
            if let uid = target.resolver?.uid(named: name) { return KernelField(id: id, op: op, value: uid) }
            report(unresolved: true, name, clause, in: stmt)
            return nil
        case .groupName(let name):
            if let gid = target.resolver?.gid(named: name) { return KernelField(id: id, op: op, value: gid) }
            report(unresolved: false, name, clause, in: stmt)
            return nil
        }
    }

    /// Field numbers by name, memoised: every rule names a few fields.
    private func fieldID(_ name: String) -> UInt32? { Self.fieldID(name, memo: &fieldIDs) }

    static func fieldID(_ name: String, memo fieldIDs: inout [(name: String, id: UInt32)]) -> UInt32? {
        if let known = fieldIDs.first(where: { $0.name == name }) { return known.id }
        let id = FieldTable.spec(named: name)?.id
        if let id { fieldIDs.append((name, id)) }
        return id
    }

    private func report(unresolved user: Bool, _ name: RulesText, _ clause: FieldClause, in stmt: Statement) {
        let kind = user ? "user" : "group"
        let why = target.resolver == nil
            ? "\(kind) names cannot be compiled with --no-resolve: write the number"
            : "unknown \(kind) '\(message: name)' on this host"
                + (target.resolver?.unresolvedNote(user: user, named: name) ?? "")
        report(.unknownUser, .error, target.resolver == nil ? "\(kind) '\(message: name)': \(why)" : why,
               at: clause.rawValue.location, length: clause.rawValue.length, in: stmt, hostDependent: true)
    }

    /// The single key field auditctl appends last: every key joined with \x01.
    static func keyField(_ keys: [Located<RulesText>]) -> KernelField? {
        guard !keys.isEmpty else { return nil }
        if keys.count == 1 { return KernelField(id: FieldID.filterkey, op: .equal, string: keys[0].value) }
        var joined: [UInt8] = []
        for (i, k) in keys.enumerated() {
            if i > 0 { joined.append(0x01) }
            k.value.withBytes { joined.append(contentsOf: $0) }
        }
        return KernelField(id: FieldID.filterkey, op: .equal, string: RulesText(joined))
    }

    /// The mask for `specs` resolved on `abi`; nil when nothing is left (after reporting).
    /// `abi` nil: only numbers can be used (an arch value no table of ours covers).
    func mask(for specs: [Located<SyscallSpec>], abi: ABI?, archText: String, in stmt: Statement) -> [UInt32]? {
        // Rule files repeat the same few -S lists thousands of times: one resolved without a
        // word to say is remembered (as a shared buffer) for the next rule that writes it. Not
        // while verdicts go unrecorded (a -d line): its silence says nothing of the loader's.
        // A list the loader refuses (or takes with names the kernel lacks) is remembered with its
        // verdicts, replayed at the new line's words. Not past a refusal already recorded.
        let hash = SyscallListHash.of(specs, abi: abi)
        let memoizable = recordsVerdicts && !lineRefused
        if let known = resolvedMasks[hash], let hit = known.first(where: { $0.abi == abi && SyscallListHash.same($0.specs, specs) }),
           memoizable || (hit.verdicts.isEmpty && !hit.refused) {
            for v in hit.verdicts {
                let spec = specs[v.spec]
                verdicts.append(LoaderVerdict(kind: v.kind, location: spec.location, length: spec.length, sourceLine: stmt.text))
            }
            if hit.refused { lineRefused = true }
            return hit.mask
        }
        let reported = diagnostics.count, judged = verdicts.count
        let mask = resolveMask(for: specs, abi: abi, archText: archText, in: stmt)
        guard memoizable, diagnostics.count == reported, mask != nil || lineRefused else { return mask }
        var replayed: [(spec: Int, kind: LoaderVerdict.Kind)] = []
        for v in verdicts[judged...] {
            guard let i = specs.firstIndex(where: { $0.location == v.location && $0.length == v.length }) else { return mask }
            replayed.append((i, v.kind))
        }
        resolvedMasks[hash, default: []].append(ResolvedMask(abi: abi, specs: specs, mask: mask, verdicts: replayed, refused: lineRefused))
        return mask
    }

    private func resolveMask(for specs: [Located<SyscallSpec>], abi: ABI?, archText: String, in stmt: Statement) -> [UInt32]? {
        var mask = SyscallMask.empty
        var kept = 0
        for spec in specs {
            switch spec.value {
            case .all:
                return allOnes
            case .number(let n):
                mask[n / 32] |= 1 << UInt32(n % 32)
                kept += 1
            case .name(let name):
                guard let abi else {
                    report(.unknownSyscall, .error, "syscall '\(message: name)': no syscall table for \(archText); use numbers",
                           at: spec.location, length: spec.length, in: stmt)
                    return nil
                }
                if target.archless == .asLoaded && names.isKnownAnywhere(name) {
                    // The loader's libaudit decides, whatever the kernel tables hold. Every name is
                    // judged (each refusal is reported); one refused name refuses the line.
                    if let n = loaderNumber(of: Located(name, at: spec.location, length: spec.length), on: abi, in: stmt) {
                        mask[n / 32] |= 1 << UInt32(n % 32)
                        kept += 1
                    } else {
                        lineRefused = true
                    }
                    continue
                }
                if names.table(abi) == nil {
                    report(.unknownSyscall, .error, "no syscall table for \(abi) at kernel \(target.kernel)", at: spec.location, length: spec.length, in: stmt)
                    return nil
                }
                if let n = names.number(of: name, on: abi) {
                    mask[n / 32] |= 1 << UInt32(n % 32)
                    kept += 1
                } else if !names.isKnownAnywhere(name) {
                    report(.unknownSyscall, .error, "unknown syscall '\(message: name)'", at: spec.location, length: spec.length, in: stmt)
                    return nil
                } else {
                    reportDrop(Located(name, at: spec.location, length: spec.length), abi: abi, in: stmt)
                }
            }
        }
        if lineRefused { return nil }
        if kept == 0 {
            report(.noSyscallOnABI, .warning, "no syscall of this rule exists on \(abi.map(\.rawValue) ?? archText) at kernel \(target.kernel): its \(abi.map(\.rawValue) ?? archText) rule is not emitted",
                   at: stmt.location, length: 2, in: stmt)
            return nil
        }
        return mask
    }
}

/// An -S list resolved on an ABI: its mask (nil: the loader refuses the line) and the loader's
/// verdicts on its words, by the word's index.
struct ResolvedMask {
    var abi: ABI?
    var specs: [Located<SyscallSpec>]
    var mask: [UInt32]?
    var verdicts: [(spec: Int, kind: LoaderVerdict.Kind)]
    var refused: Bool
}

/// A cheap identity for an -S list as written (names compared byte for byte, as the tables'
/// case-insensitive answers are memoised per spelling anyway).
enum SyscallListHash {
    static func of(_ specs: [Located<SyscallSpec>], abi: ABI?) -> Int {
        var h = FNV1a()
        h.mix(UInt64(abi?.auditArch ?? 0))
        for spec in specs {
            switch spec.value {
            case .all: h.mix(1 << 40)
            case .number(let n): h.mix(2 << 40 | UInt64(n))
            case .name(let name):
                name.withBytes { h.mix(bytes: $0) }
                h.mix(3 << 40)
            }
        }
        return h.intValue
    }

    static func same(_ a: [Located<SyscallSpec>], _ b: [Located<SyscallSpec>]) -> Bool {
        guard a.count == b.count else { return false }
        for i in a.indices where a[i].value != b[i].value { return false }
        return true
    }
}
