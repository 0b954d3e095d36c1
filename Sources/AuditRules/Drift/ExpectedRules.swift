import Syscalls

/// What the kernel should hold for a set of compiled rules, given how they may have been loaded.
///
/// The compiler turns an arch-less syscall rule into explicit per-ABI rules (that is the point
/// of `aurules compile`), but `auditctl -R` / augenrules load it as written: ONE rule, no arch
/// field, numbered with the loading host's table. Both are legitimate ways to load the same
/// files, so for each arch-less source rule the check expects whichever form the kernel holds,
/// and auditctl's form when it holds neither.
public enum ExpectedRules {
    public static func adapt(_ compiled: [KernelRule], source: RuleFile, machine: Machine,
                             kernelRules: [KernelRule]) -> [KernelRule] {
        adapt(compiled, archless: archlessLocations(source), machine: machine, kernelRules: kernelRules)
    }

    static func adapt(_ compiled: [KernelRule], archless: Set<Location>, machine: Machine,
                      kernelRules: [KernelRule]) -> [KernelRule] {
        guard !archless.isEmpty else { return compiled }
        let loaded = heldOf(compiled, archless: archless, among: kernelRules)
        let native = machine.b64 ?? machine.b32
        // Copied only from the first group loaded as written: nearly always `compiled` is the answer.
        var out: [KernelRule]?
        var i = 0
        while i < compiled.count {
            let rule = compiled[i]
            guard let p = rule.provenance, archless.contains(Location(file: p.file, line: p.line)), rule.hasArchField else {
                out?.append(rule)
                i += 1
                continue
            }
            // The explicit rules the compiler made from this one statement.
            let start = i
            i += 1
            while i < compiled.count, let q = compiled[i].provenance, q.file == p.file, q.line == p.line, compiled[i].hasArchField {
                i += 1
            }
            let group = compiled[start ..< i]
            let nativeRule = group.first { r in
                if let abi = r.provenance?.abi { return abi == native }
                return native.map { abi in r.fields.contains { $0.id == FieldID.arch && $0.value == machine.auditArch(for: abi) } } ?? false
            }
            guard var asLoaded = nativeRule else {
                out?.append(contentsOf: group)
                continue
            }
            asLoaded.fields.removeAll { $0.id == FieldID.arch }
            if loaded.contains(asLoaded) || !group.contains(where: loaded.contains) {
                if out == nil {
                    out = Array(compiled[..<start])
                    out!.reserveCapacity(compiled.count)
                }
                out!.append(asLoaded)
            } else {
                out?.append(contentsOf: group)
            }
        }
        return out ?? compiled
    }

    /// The rules of `kernelRules` that `adapt` asks about (the rules compiled from arch-less
    /// statements and those rules without arch): the held rules whose hash is one of theirs, not
    /// a table of every held rule.
    private static func heldOf(_ compiled: [KernelRule], archless: Set<Location>, among kernelRules: [KernelRule]) -> Set<KernelRule> {
        guard !kernelRules.isEmpty else { return [] }
        var asked = Set<Int>()
        for rule in compiled where rule.hasArchField {
            guard let p = rule.provenance, archless.contains(Location(file: p.file, line: p.line)) else { continue }
            asked.insert(rule.hashValue)
            var asLoaded = rule
            asLoaded.fields.removeAll { $0.id == FieldID.arch }
            asked.insert(asLoaded.hashValue)
        }
        guard !asked.isEmpty else { return [] }
        var held = Set<KernelRule>()
        for r in kernelRules where asked.contains(r.hashValue) { held.insert(r) }
        return held
    }

    struct Location: Hashable {
        var file: String
        var line: Int
    }

    /// The places of the arch-less rule statements of `file` (deletions are not rules held).
    static func locations(_ archless: [ArchlessStatement], file: String) -> Set<Location> {
        Set(archless.lazy.filter { !$0.isDelete }.map { Location(file: file, line: $0.line) })
    }

    /// The same for the files compiled a chunk at a time.
    static func locations(_ files: [ChunkedCompile]) -> Set<Location> {
        files.reduce(into: []) { $0.formUnion(locations($1.archless, file: $1.file)) }
    }

    /// Rules written without any `-F arch=`.
    static func archlessLocations(_ source: RuleFile) -> Set<Location> {
        var out = Set<Location>()
        for statement in source.statements {
            guard case .rule(let r) = statement.kind, r.command != .delete else { continue }
            if !r.fields.contains(where: { !$0.isComparison && $0.name.value == "arch" }) {
                out.insert(Location(file: statement.location.file, line: statement.location.line))
            }
        }
        return out
    }
}

extension KernelRule {
    var hasArchField: Bool { fields.contains { $0.id == FieldID.arch } }
}

extension ExpectedRules {
    /// Lines of a saved `auditctl -l` listing whose syscall names cannot be trusted: auditctl
    /// 3.0.9 names an arch-less rule's syscalls with the table of the last arch it printed.
    public static func untrustworthyListingLines(_ listing: RuleFile) -> [Int] {
        listing.statements.compactMap { statement in
            guard case .rule(let r) = statement.kind,
                  r.syscalls.contains(where: { if case .all = $0.value { return false } else { return true } }),
                  !r.fields.contains(where: { !$0.isComparison && $0.name.value == "arch" }) else { return nil }
            return statement.location.line
        }
    }
}

extension ExpectedRules {
    /// `adapt` on the slots of a drift check's arena: the same choice, rule for rule, with the
    /// held rules asked about by key, and only the arch-less statements' rules made whole.
    static func adapt(_ compiled: DriftRules, archless: Set<Location>, machine: Machine, kernelRules: DriftRules) -> DriftRules {
        guard !archless.isEmpty else { return compiled }
        let native = machine.b64 ?? machine.b32
        // The groups: each arch-less statement's explicit rules, with its native rule as loaded.
        var groups: [(range: Range<Int>, native: Int?)] = []
        var i = 0
        while i < compiled.count {
            guard let p = compiled.location(i), archless.contains(Location(file: p.file, line: p.line)), compiled.hasArchField(i) else {
                i += 1
                continue
            }
            let start = i
            i += 1
            while i < compiled.count, let q = compiled.location(i), q.file == p.file, q.line == p.line, compiled.hasArchField(i) { i += 1 }
            let nativeRule = (start ..< i).first { r in
                if let abi = compiled.abi(r) { return abi == native }
                return native.map { abi in compiled[r].fields.contains { $0.id == FieldID.arch && $0.value == machine.auditArch(for: abi) } } ?? false
            }
            groups.append((start ..< i, nativeRule))
        }
        func asLoaded(_ n: Int) -> KernelRule {
            var rule = compiled[n]
            rule.fields.removeAll { $0.id == FieldID.arch }
            return rule
        }
        guard !groups.isEmpty else { return compiled }
        // The keys asked about, and which of them a held rule has.
        var asked = Set<RuleKey>()
        var asLoadedKeys: [RuleKey?] = []
        asLoadedKeys.reserveCapacity(groups.count)
        for g in groups {
            let key = kernelRules.isEmpty ? nil : g.native.flatMap { compiled.storedKey(of: asLoaded($0)) }
            asLoadedKeys.append(key)
            guard g.native != nil, !kernelRules.isEmpty else { continue }
            if let key { asked.insert(key) }
            for r in g.range { asked.insert(compiled.key(r)) }
        }
        var held = Set<RuleKey>()
        if !asked.isEmpty {
            for j in kernelRules.indices where asked.contains(kernelRules.key(j)) { held.insert(kernelRules.key(j)) }
        }
        // Copied only from the first group loaded as written: nearly always `compiled` is the answer.
        var out: DriftRules?
        var copied = 0
        for (g, key) in zip(groups, asLoadedKeys) {
            guard let n = g.native else { continue }
            let loaded = key.map(held.contains) ?? false
            guard loaded || !g.range.contains(where: { held.contains(compiled.key($0)) }) else { continue }
            if out == nil { out = DriftRules(store: compiled.store) }
            out!.append(compiled, copied ..< g.range.lowerBound)
            out!.append(asLoaded(n), sourceOf: n, in: compiled)
            copied = g.range.upperBound
        }
        guard var result = out else { return compiled }
        result.append(compiled, copied ..< compiled.count)
        return result
    }
}
