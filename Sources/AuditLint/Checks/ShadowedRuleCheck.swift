import AuditRules
import Syscalls

/// AUR502: a rule that can never decide anything, because an earlier rule on the same list
/// matches every event it would match.
public struct ShadowedRuleCheck: PerTargetCheck {
    public init() {}
    public let code = "AUR502"
    public let name = "shadowed-rule"
    public let family = CheckFamily.ruleSet
    public let findingSeverity: Severity? = .warning
    public let summary = "rule that never matches: an earlier rule on its list takes every event it would"
    public let rationale = """
        The kernel walks a filter list in order and the first rule that matches decides: \
        audit_filter_syscall (kernel/auditsc.c) stops at the first exit rule whose syscall mask and \
        fields all match and sets the event's state from its action. A later rule whose syscalls are \
        all in an earlier rule's mask, and which has every field condition of that earlier rule, \
        therefore never takes effect: a `never` after an `always` does not silence anything, an \
        `always` after a `never` records nothing, and a second `always` with another key never \
        labels an event. Move the narrower rule before the broader one, or delete it. Rules on \
        path, dir or inode are matched outside the list walk and are not judged here.
        """
    public let examples = [
        LintExample("-a always,exit -F arch=b64 -S openat -k a\n↓-a never,exit -F arch=b64 -S openat\n", triggers: true),
        LintExample("-a never,exit -F arch=b64 -S all -F auid=0\n↓-a always,exit -F arch=b64 -S execve -F auid=0 -k exec\n", triggers: true),
        LintExample("-a always,exit -F arch=b64 -S open,openat -k files\n↓-a always,exit -F arch=b64 -S openat -F auid>=1000 -F auid!=unset -k user-files\n", triggers: true),
        LintExample("-a never,exit -F arch=b64 -S openat -F exe=/usr/bin/noisy\n-a always,exit -F arch=b64 -S openat -k a\n", triggers: false),
        LintExample("-a always,exit -F arch=b64 -S openat -F auid=1000 -k a\n-a always,exit -F arch=b64 -S openat -k b\n", triggers: false),
        LintExample("-a always,exit -F arch=b64 -S openat -k a\n-a always,exit -F arch=b32 -S openat -k a\n", triggers: false),
    ]

    public func check(_ set: CompiledRuleSet, context: LintContext, report: (SourceLocation, () -> Diagnostic) -> Void) {
        // By the list's kernel number, mutated in place (a dictionary keyed by the list hashed
        // its raw string for every rule).
        var earlier = [CoverIndex](repeating: CoverIndex(), count: 8)
        let rules = set.rules
        // Watch-like rules are told from their field ids, without making them whole.
        // Each rule read in place (its fields and mask), not made whole.
        for position in rules.indices where !rules.hasFields(at: position, .watchField) {
            let (list, action) = rules.listAndAction(at: position)
            let mask = rules.maskNumber(at: position)
            // Numbered once for every target sharing the arena (LintRun), else here.
            let c = if let own = rules.fieldNumbers(at: position) {
                earlier[Int(list.kernelValue)].place(numbers: own, mask: mask, bits: rules.mask(at: position), at: position)
            } else {
                earlier[Int(list.kernelValue)].place(rules.fields(at: position, skipping: FieldID.key), mask: mask, bits: rules.mask(at: position), at: position)
            }
            guard let c, let origin = rules.origin(at: position), let at = rules.origin(at: c),
                  at.line != origin.line || at.file != origin.file else { continue }
            let location = SourceLocation(file: origin.file, line: origin.line, column: 1)
            report(location) {
                let cover = rules.listAndAction(at: c)
                let effect = cover.action == action ? "it adds nothing" : "its \(action.rawValue) never applies"
                return finding(.warning, "this rule never matches: the \(cover.action.rawValue) rule on line \(at.line)\(at.file == location.file ? "" : " of \(at.file)") comes first on the \(list.rawValue) list and takes every event it would match, so \(effect)",
                               at: location, length: 2, line: rules[position].provenance?.text)
            }
        }
    }
}

/// The earlier rules of one filter list, for finding the first that covers a rule: its mask
/// holds the rule's syscalls and its filtering fields are a subset of the rule's. Rules are
/// grouped by their set of filtering fields, and only the groups of the rule's own subsets are
/// looked at; in a group, only the first rule of each mask can be a first cover. The cost per
/// rule grows with the distinct masks of its subsets' groups, not with every earlier rule (the
/// scan of every earlier rule was quadratic); real rule sets have few masks per group. Sets of
/// fields are found by an FNV-1a hash of their numbers and masks by their number in the rule
/// list (hashing field-number arrays and 64-word masks through Hasher took most of the check).
struct CoverIndex {
    /// Each distinct field, numbered, by an FNV-1a hash of the field (Hasher over each field,
    /// its string included, cost more).
    private var fieldNumbers: [Int: [(field: KernelField, number: Int32)]] = [:]
    private var fieldCount: Int32 = 0
    private struct Group {
        /// The set's field numbers, sorted.
        var fields: [Int32]
        /// Per mask number: the mask and the position of the first rule with it; a group nearly
        /// always has one (`more` is then empty: nothing allocated for it).
        var first: (mask: Int, bits: [UInt32], position: Int)
        var more: [(mask: Int, bits: [UInt32], position: Int)] = []
        /// The next group whose field numbers have the same hash (-1: none).
        var next: Int32
    }
    /// The groups, in one array (an array per hash was allocated for nearly every group),
    /// chained from `heads` by the hash of their field numbers.
    private var groups: [Group] = []
    private var heads = HashHeads()
    /// Above this many fields the groups are scanned instead of the subsets enumerated.
    static let subsetLimit = 10

    /// The distinct numbers of `fields`, sorted: all of them (new fields numbered), and those
    /// numbered before (fields no earlier rule has cannot be in a cover's set).
    mutating func numbers(_ fields: [KernelField]) -> (own: [Int32], known: [Int32]) {
        let before = fieldCount
        var own: [Int32] = []
        own.reserveCapacity(fields.count)
        for f in fields {
            let n: Int32
            var h = FNV1a()
            h.mix(UInt64(f.id) << 32 | UInt64(f.op.kernelValue >> 24))
            h.mix(UInt64(f.value))
            if let string = f.string { string.withBytes { h.mix(bytes: $0) } } else { h.mix(1 << 40) }
            if let known = fieldNumbers[h.intValue]?.first(where: { $0.field == f }) { n = known.number } else {
                n = fieldCount
                fieldCount += 1
                fieldNumbers[h.intValue, default: []].append((f, n))
            }
            if !own.contains(n) { own.append(n) }
        }
        own.sort()
        return (own, own.filter { $0 < before })
    }

    private static func hash(_ numbers: [Int32], bits: Int = -1) -> Int {
        var h = FNV1a()
        for (j, n) in numbers.enumerated() where bits & (1 << j) != 0 { h.mix(UInt64(UInt32(bitPattern: n))) }
        return h.intValue
    }

    /// Fields met in this index, by their number in a shared `FieldNumbering` (`place(numbers:...)`).
    private var seen: [Bool] = []
    /// The earlier-known numbers of the rule being placed, kept from one rule to the next (an
    /// array made for each rule was an allocation and a release per rule).
    private var known: [Int32] = []

    /// `place` of a rule whose fields are numbered already (`own`: sorted, distinct): those no
    /// earlier rule of this index has are left out of the cover's candidates.
    mutating func place(numbers own: [Int32], mask: Int, bits: [UInt32], at position: Int) -> Int? {
        known.removeAll(keepingCapacity: true)
        for n in own where Int(n) < seen.count && seen[Int(n)] { known.append(n) }
        let c = firstCover(known: known, mask: mask, bits: bits)
        for n in own {
            if Int(n) >= seen.count { seen += [Bool](repeating: false, count: max(Int(n) + 1 - seen.count, seen.count)) }
            seen[Int(n)] = true
        }
        insert(own, mask: mask, bits: bits, at: position)
        return c
    }

    /// The first cover of the rule at `position` (`firstCover`), the rule then added to the index.
    mutating func place(_ fields: [KernelField], mask: Int, bits: [UInt32], at position: Int) -> Int? {
        let (own, known) = numbers(fields)
        let c = firstCover(known: known, mask: mask, bits: bits)
        insert(own, mask: mask, bits: bits, at: position)
        return c
    }

    mutating func insert(_ own: [Int32], mask: Int, bits: [UInt32], at position: Int) {
        let h = Self.hash(own)
        let head = heads.value(h) ?? -1
        var g = Int(head)
        while g >= 0 && groups[g].fields != own { g = Int(groups[g].next) }
        if g >= 0 {
            if groups[g].first.mask != mask && !groups[g].more.contains(where: { $0.mask == mask }) { groups[g].more.append((mask, bits, position)) }
        } else {
            heads.set(h, Int32(groups.count))
            groups.append(Group(fields: own, first: (mask, bits, position), next: head))
        }
    }

    private static func covers(_ cover: [UInt32], _ rule: [UInt32]) -> Bool {
        cover.withUnsafeBufferPointer { c in
            rule.withUnsafeBufferPointer { r in
                guard c.count == r.count else { return false }
                for i in 0 ..< c.count where c[i] | r[i] != c[i] { return false }
                return true
            }
        }
    }

    /// The position of the first earlier rule that covers a rule whose earlier-known field
    /// numbers are `known` (sorted), with mask number `mask` of bits `bits`, if any.
    func firstCover(known own: [Int32], mask: Int, bits: [UInt32]) -> Int? {
        var best: Int?
        func consider(_ first: (mask: Int, bits: [UInt32], position: Int)) {
            if best.map({ first.position < $0 }) ?? true, first.mask == mask || Self.covers(first.bits, bits) { best = first.position }
        }
        func consider(_ g: Int) {
            consider(groups[g].first)
            for first in groups[g].more { consider(first) }
        }
        if own.count <= Self.subsetLimit {
            for subset in 0 ..< (1 << own.count) {
                guard let head = heads.value(Self.hash(own, bits: subset)) else { continue }
                let size = subset.nonzeroBitCount
                var g = Int(head)
                while g >= 0 {
                    defer { g = Int(groups[g].next) }
                    guard groups[g].fields.count == size else { continue }
                    var j = 0, same = true
                    for (i, n) in own.enumerated() where subset & (1 << i) != 0 {
                        if groups[g].fields[j] != n { same = false; break }
                        j += 1
                    }
                    if same { consider(g) }
                }
            }
        } else {
            for g in groups.indices where groups[g].fields.allSatisfy(own.contains) { consider(g) }
        }
        return best
    }
}

/// A map from a 64-bit hash to an Int32 (0 or more), by open addressing: a Dictionary
/// hashed each of these keys again with SipHash, on every subset of every rule's fields.
struct HashHeads {
    private var keys: [Int] = []
    /// Value + 1 per bucket, 0 for none; at most half full.
    private var values: [Int32] = []
    private var count = 0
    private var shift = 64

    /// The bucket of `key`: the hash's high bits after a multiply (FNV-1a's low bits depend on the
    /// low bits of the words mixed alone).
    private func bucket(_ key: Int) -> Int {
        Int(truncatingIfNeeded: (UInt64(bitPattern: Int64(key)) &* 0x9E37_79B9_7F4A_7C15) >> UInt64(shift))
    }

    func value(_ key: Int) -> Int32? {
        guard !keys.isEmpty else { return nil }
        let m = keys.count - 1
        var b = bucket(key)
        while values[b] != 0 {
            if keys[b] == key { return values[b] - 1 }
            b = (b + 1) & m
        }
        return nil
    }

    mutating func set(_ key: Int, _ value: Int32) {
        if 2 * (count + 1) > keys.count { grow() }
        let m = keys.count - 1
        var b = bucket(key)
        while values[b] != 0 {
            if keys[b] == key { values[b] = value + 1; return }
            b = (b + 1) & m
        }
        keys[b] = key
        values[b] = value + 1
        count += 1
    }

    private mutating func grow() {
        let oldKeys = keys, oldValues = values
        let size = max(64, 2 * keys.count)
        keys = [Int](repeating: 0, count: size)
        values = [Int32](repeating: 0, count: size)
        shift = 64 - size.trailingZeroBitCount
        count = 0
        for b in oldKeys.indices where oldValues[b] != 0 { set(oldKeys[b], oldValues[b] - 1) }
    }
}
