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
