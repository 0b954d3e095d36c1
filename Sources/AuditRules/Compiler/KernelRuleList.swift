import Syscalls

/// The rules a compilation holds, in kernel load order: whole rules, or slots of a shared arena
/// made whole one at a time as they are read (lint walks every target's set this way).
public struct KernelRuleList: RandomAccessCollection, Sendable {
    // Plain stored properties, not an enum with payloads: reading an enum's payload copied the
    // arena (a struct of arrays) and retained each array on every call, for every rule.
    /// Whole rules (empty when the list reads slots).
    private let rules: [KernelRule]
    /// Slots of `arena`, and the slot numbers in order (nil for every slot in order).
    let slots: [StoredRules.Slot]
    let order: [Int]?
    let arena: RuleArena
    let isStored: Bool
    /// The filtering fields numbered once for the targets sharing the arena (`FieldNumbering`).
    public var numbering: FieldNumbering?
    /// Whole rules: each rule's mask number (`maskNumber(at:)`); the stored rules have theirs in their slots.
    private let ruleMaskNumbers: [Int]

    public init(_ rules: [KernelRule]) {
        self.rules = rules
        numbering = nil
        slots = []
        order = nil
        arena = RuleArena(keepsText: true)
        isStored = false
        var numbers: [Int: [(mask: [UInt32], number: Int)]] = [:], count = 0
        ruleMaskNumbers = rules.map { r in
            var h = FNV1a()
            h.mix(mask: r.mask)
            if let hit = numbers[h.intValue]?.first(where: { $0.mask == r.mask }) { return hit.number }
            numbers[h.intValue, default: []].append((r.mask, count))
            count += 1
            return count - 1
        }
    }

    init(_ held: HeldRules<StoredRules>) {
        rules = []
        numbering = nil
        slots = held.storage.slots
        order = held.order()
        arena = held.storage.store.arena
        isStored = true
        ruleMaskNumbers = []
    }

    func slot(_ i: Int) -> StoredRules.Slot { slots[order?[i] ?? i] }

    /// A number for the syscall mask of rule `i`: equal masks have equal numbers in one list, so
    /// that a check can tell masks apart without comparing or hashing their 64 words.
    public func maskNumber(at i: Int) -> Int {
        isStored ? Int(slot(i).mask) : ruleMaskNumbers[i]
    }

    /// Where rule `i` came from (file and line), without making the rule whole; nil without provenance.
    public func origin(at i: Int) -> (file: String, line: Int)? {
        guard isStored else { return rules[i].provenance.map { ($0.file, $0.line) } }
        let s = slot(i).source
        return s == RuleArena.noSource ? nil : (arena.file(ofSource: s), arena.line(ofSource: s))
    }

    /// Whether some field of rule `i` has an id `wanted` says yes to, without making the rule whole.
    public func containsField(at i: Int, where wanted: (UInt32) -> Bool) -> Bool {
        isStored ? arena.containsField(inShape: slot(i).shape, where: wanted) : rules[i].fields.contains { wanted($0.id) }
    }

    /// Whether rule `i` has a field of each kind of `traits` (`containsField` of their ids,
    /// answered once per field list for the stored rules).
    public func hasFields(at i: Int, _ traits: ShapeTraits) -> Bool {
        if isStored { return arena.shapeTraits[Int(slots[order?[i] ?? i].shape)].isSuperset(of: traits) }
        return ShapeTraits(rules[i].fields).isSuperset(of: traits)
    }

    /// `body` of the bytes of rule `i`'s first key field (nil when it has none or it holds no
    /// string), without making the rule whole.
    public func withFirstKey<R>(at i: Int, _ body: (UnsafeBufferPointer<UInt8>?) -> R) -> R {
        if isStored { return arena.withLastString(ofField: FieldID.filterkey, inShape: slot(i).shape, last: false, body) }
        guard let s = rules[i].fields.first(where: { $0.id == FieldID.filterkey })?.string else { return body(nil) }
        return s.withBytes(body)
    }

    /// The fields of rule `i` but those with id `skipping`, without the rest of the rule (its
    /// provenance is not made).
    public func fields(at i: Int, skipping: UInt32? = nil) -> [KernelField] {
        guard isStored else { return skipping.map { id in rules[i].fields.filter { $0.id != id } } ?? rules[i].fields }
        let s = slot(i)
        return arena.fields(s.shape, arch: s.arch, skipping: skipping)
    }

    /// The syscall mask of rule `i` (a buffer shared by the rules of one mask).
    public func mask(at i: Int) -> [UInt32] { isStored ? arena.mask(slot(i).mask) : rules[i].mask }

    public var startIndex: Int { 0 }

    public var endIndex: Int {
        isStored ? order?.count ?? slots.count : rules.count
    }

    /// The list and action of rule `i`, without making the rule whole (checks that look at a few
    /// lists or actions only skip the others this way).
    public func listAndAction(at i: Int) -> (list: FilterList, action: RuleAction) {
        guard isStored else { return (rules[i].list, rules[i].action) }
        let s = slot(i)
        return (s.list, s.action)
    }

    public subscript(i: Int) -> KernelRule {
        isStored ? StoredRules.rule(slot(i), arena) : rules[i]
    }
}

/// Kinds of field a shape has, as the rule-set checks ask them.
public struct ShapeTraits: OptionSet, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// A path, dir or inode field (`KernelRule.isWatchField`).
    public static let watchField = ShapeTraits(rawValue: 1)
    /// A dir field.
    public static let dirField = ShapeTraits(rawValue: 2)
    /// A field that is neither an arch field nor the key.
    public static let fieldButArchOrKey = ShapeTraits(rawValue: 4)

    init(_ fields: [KernelField]) {
        var traits: ShapeTraits = []
        for f in fields {
            if f.id == FieldID.path || f.id == FieldID.dir || f.id == FieldID.inode { traits.insert(.watchField) }
            if f.id == FieldID.dir { traits.insert(.dirField) }
            if f.id != FieldID.arch && f.id != FieldID.key { traits.insert(.fieldButArchOrKey) }
        }
        self = traits
    }
}
