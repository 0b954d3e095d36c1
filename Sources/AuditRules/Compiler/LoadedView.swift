import Syscalls

/// How a syscall rule without `-F arch=` becomes kernel rules.
public enum ArchlessRules: String, Sendable {
    /// One rule per ABI of the machine, each with its arch field (64-bit first): what `compile`
    /// writes, so that every ABI's processes are audited for the same syscalls.
    case perABI
    /// One rule, as `auditctl -R` loads the line on the target machine: no arch field, the names
    /// resolved by the loader's libaudit in the machine's own ABI, a line the loader refuses left
    /// out (`LoaderVerdict`). What the kernel holds after loading the file as written, which is
    /// what lint judges duplicates and loader refusals on.
    case asLoaded
}

/// What the loader of an `.asLoaded` compilation makes of a syscall name or an arch of a line:
/// a refusal (auditctl stops at the line), or a name it takes whose syscall the ABI's kernel
/// table lacks (the bit is set, and never matches).
public struct LoaderVerdict: Sendable {
    public enum Kind: Sendable, Equatable {
        /// The loader's libaudit has no such name for the ABI: "Syscall name unknown".
        case nameRefused(name: String, abi: ABI)
        /// The loader takes the name; the ABI's kernel table at the target release lacks it.
        case nameMissingInKernel(name: String, abi: ABI)
        /// The loader refuses the rule's arch, or the machine itself (for an arch-less rule).
        case archRefused(LoaderRefusal)
    }

    public var kind: Kind
    /// The word judged: the syscall name, the arch value, or (machine refused) the first -S item.
    public var location: SourceLocation
    public var length: Int
    public var sourceLine: RulesText
}

/// How lint (AUR007) and check (`unloadable`) say what the loader refuses: one wording for both.
extension LoaderVerdict {
    /// The loader refuses an arch (or the machine).
    public static func archRefusal(_ e: LoaderRefusal, loader: AuditVersion) -> String {
        "\(e.detail) (\(loader): \"\(e.text)\")"
    }

    /// One target a name is refused on: `x86_64 (i386) with audit 3.0.9`.
    public static func target(machine: Machine, abi: ABI, loader: AuditVersion) -> String {
        (machine.rawValue == abi.rawValue ? "\(machine)" : "\(machine) (\(abi))") + " with audit \(loader)"
    }

    /// The loader refuses a syscall name on `targets` (joined `target(...)`s).
    public static func nameRefusal(_ name: String, on targets: String) -> String {
        "auditctl refuses syscall '\(name)' (\"Syscall name unknown\") on \(targets)"
    }

    /// Why the loader of `loader` on `machine` refuses the line; nil when it takes the word.
    public func refusal(machine: Machine, loader: AuditVersion) -> String? {
        switch kind {
        case .archRefused(let e): return Self.archRefusal(e, loader: loader)
        case .nameRefused(let name, let abi): return Self.nameRefusal(name, on: Self.target(machine: machine, abi: abi, loader: loader))
        case .nameMissingInKernel: return nil
        }
    }
}

/// A rule or watch whose kernel rule equals one already held: auditctl stops with "Rule exists".
public struct RepeatedRule: Sendable {
    public var location: SourceLocation
    public var sourceLine: RulesText
    public var isWatch: Bool
    /// Where the held rule came from.
    public var firstFile: String
    public var firstLine: Int
}

extension CompilationState {
    /// The first `-F arch=` of a rule, as the loader reads it on the target machine: the ABI its
    /// names resolve in, or the loader's refusal (recorded; the line is then not loaded). nil when
    /// the rule has no such field, or a raw AUDIT_ARCH value no table of ours has.
    /// `prepared`: the rule's prepared form, which says where its arch clause is.
    func loaderArch(_ rule: RuleStatement, _ stmt: Statement, prepared: PreparedRule? = nil) -> Result<ABI, LoaderRefusal>? {
        let machine = target.machine
        // By index: `first(where:)` copied the clause out.
        guard let ci = prepared.map({ $0.archClause }) ?? rule.fields.firstIndex(where: Self.isLoaderArchClause) else {
            // Without -S the rule names no syscall: no table is asked.
            guard !rule.syscalls.isEmpty else { return nil }
            guard loaderKnowsMachine else {
                let loader = target.auditVersion.loader
                let refusal = LoaderRefusal(release: target.auditVersion, key: "EAU_ARCHUNKNOWN",
                                            text: loader.message("EAU_ARCHUNKNOWN", "machine type not found"),
                                            detail: "audit \(target.auditVersion) does not know machine \(machine)")
                let first = rule.syscalls[0]
                if recordsVerdicts { verdicts.append(LoaderVerdict(kind: .archRefused(refusal), location: first.location, length: first.length, sourceLine: stmt.text)) }
                return .failure(refusal)
            }
            // Every arch-less rule asks: a taken name is answered without copying the Result.
            if case let abi?? = loaderMachineABI { return .success(abi) }
            let result = loaderArch(named: machine.rawValue)
            let abi: ABI? = if case .success(let abi) = result { abi } else { nil }
            loaderMachineABI = .some(abi)
            return result
        }
        guard case .arch(let selector) = rule.fields[ci].value else { return nil }
        let result: Result<ABI, LoaderRefusal>
        switch selector {
        // Nearly every rule: a taken b64/b32 is answered without copying the cached Result.
        case .b64, .b32:
            if let abi = loaderABI(b64: selector == .b64) { return .success(abi) }
            result = loaderArch(b64: selector == .b64)
        case .machine(let named): result = loaderArch(named: named.rawValue)
        case .raw(let value):
            guard let found = ArchName.byAuditArch(value) else { return nil }
            result = .success(found.abi)
        }
        if case .failure(let refusal) = result, recordsVerdicts {
            let raw = rule.fields[ci].rawValue
            verdicts.append(LoaderVerdict(kind: .archRefused(refusal), location: raw.location, length: raw.length, sourceLine: stmt.text))
        }
        return result
    }

    /// The loader's reading of arch `name` on the target machine, asked once per name (the
    /// names are b64, b32 and machine names: a few) rather than per rule: each answer copies
    /// the release's facts.
    /// `loaderArch(named: "b64")` or `"b32"`, kept apart: nearly every rule asks one of them.
    func loaderArch(b64: Bool) -> Result<ABI, LoaderRefusal> {
        if let known = b64 ? loaderB64 : loaderB32 { return known }
        let result = loaderArch(named: b64 ? "b64" : "b32")
        if b64 { loaderB64 = result } else { loaderB32 = result }
        return result
    }

    /// The ABI the loader reads b64 (or b32) as, nil when it refuses it: `loaderArch(b64:)`
    /// without copying the Result (its refusal's strings are retained and released on each copy).
    func loaderABI(b64: Bool) -> ABI? {
        if let known = b64 ? loaderB64ABI : loaderB32ABI { return known }
        let abi: ABI? = if case .success(let abi) = loaderArch(b64: b64) { abi } else { nil }
        if b64 { loaderB64ABI = .some(abi) } else { loaderB32ABI = .some(abi) }
        return abi
    }

    /// The clause `loaderArch` reads: the first `-F arch=` (not a comparison, operator `=`).
    static func isLoaderArchClause(_ clause: FieldClause) -> Bool {
        !clause.isComparison && clause.name.value == "arch" && clause.op.value == .equal
    }

    func loaderArch(named name: String) -> Result<ABI, LoaderRefusal> {
        if let known = loaderArches.first(where: { $0.name == name }) { return known.result }
        let result = target.auditVersion.loader.arch(name, on: target.machine)
        loaderArches.append((name, result))
        return result
    }

    /// `.perABI` with `judgesLoader`: records the loader's verdicts on the rule as auditctl would
    /// load it (the arch as it reads it, each syscall name known to some table in that ABI),
    /// without changing what is built. The same judgement as `.asLoaded`, so lint and check agree.
    func judgeLoading(_ rule: RuleStatement, _ stmt: Statement) {
        recordsVerdicts = true
        guard case .success(let abi)? = loaderArch(rule, stmt) else { return }
        // Rule files repeat a few -S lists: one judged without a verdict is not judged again.
        let hash = SyscallListHash.of(rule.syscalls, abi: abi)
        if let known = judgedLists[hash], known.contains(where: { $0.abi == abi && SyscallListHash.same($0.specs, rule.syscalls) }) { return }
        let before = verdicts.count
        for spec in rule.syscalls {
            guard case .name(let name) = spec.value, names.isKnownAnywhere(name) else { continue }
            _ = loaderNumber(of: Located(name, at: spec.location, length: spec.length), on: abi, in: stmt)
        }
        if verdicts.count == before { judgedLists[hash, default: []].append((abi, rule.syscalls)) }
    }

    /// The bit the loader sets for `name` on `abi`, or nil when its libaudit refuses the name
    /// (recorded). A name the loader takes but the kernel table lacks is recorded too, and keeps its bit.
    func loaderNumber(of name: Located<RulesText>, on abi: ABI, in stmt: Statement) -> Int? {
        let db = target.database
        // libaudit's names are ASCII: a name with other bytes is refused.
        guard let n = name.value.asciiName.flatMap({ db.libauditNumber(of: $0, abi: abi, version: target.auditVersion) }),
              (0 ..< 32 * KernelRule.maskWords).contains(n) else {
            if recordsVerdicts {
                verdicts.append(LoaderVerdict(kind: .nameRefused(name: name.value.description, abi: abi), location: name.location,
                                              length: name.length, sourceLine: stmt.text))
            }
            return nil
        }
        if recordsVerdicts, let table = names.table(abi), table.name(of: n) == nil {
            verdicts.append(LoaderVerdict(kind: .nameMissingInKernel(name: name.value.description, abi: abi), location: name.location,
                                          length: name.length, sourceLine: stmt.text))
        }
        return n
    }
}
