import Syscalls

/// One side of a drift check (the files' rules, or the kernel's as read or listed) as slots of a
/// `RuleArena` both sides share: a rule is a slot of a few words, its field list and mask are
/// kept once for both sides (an in-sync listing adds no field list of its own), and two rules are
/// the same kernel rule exactly when their `RuleKey`s are equal. Rules are made whole only to be
/// looked at closely (the few reported, the arch-less groups, `--plan`).
struct DriftRules {
    let store: SharedRuleStore
    private(set) var slots: [StoredRules.Slot]

    init(store: SharedRuleStore, slots: [StoredRules.Slot] = []) {
        self.store = store
        self.slots = slots
    }

    init(_ rules: [KernelRule], store: SharedRuleStore) {
        self.store = store
        slots = []
        slots.reserveCapacity(rules.count)
        for r in rules { append(r) }
    }

    var count: Int { slots.count }
    var indices: Range<Int> { slots.indices }
    var isEmpty: Bool { slots.isEmpty }

    /// Rule `i`, whole (its line text empty when the store keeps none).
    subscript(i: Int) -> KernelRule { StoredRules.rule(slots[i], store.arena) }

    /// The rules of `list`, in order.
    func only(_ list: FilterList) -> DriftRules {
        // Nearly always every rule is in the exit list: no copy then.
        guard slots.contains(where: { $0.list != list }) else { return self }
        return DriftRules(store: store, slots: slots.filter { $0.list == list })
    }

    /// The numbers of each list's rules, in order; nil when every rule is of one list (`only`
    /// then gives all of them, numbered as here).
    func listIndices() -> [FilterList: [Int]]? {
        guard let first = slots.first?.list, slots.contains(where: { $0.list != first }) else { return nil }
        var out: [FilterList: [Int]] = [:]
        for i in slots.indices { out[slots[i].list, default: []].append(i) }
        return out
    }

    /// Every rule, whole.
    var all: [KernelRule] {
        let arena = store.arena
        return slots.map { StoredRules.rule($0, arena) }
    }

    /// What makes rule `i` the kernel rule it is (equal keys: equal rules, provenance aside).
    func key(_ i: Int) -> RuleKey { RuleKey(slots[i]) }

    /// The file and line rule `i` came from; nil without provenance.
    func location(_ i: Int) -> (file: String, line: Int)? {
        let s = slots[i].source
        return s == RuleArena.noSource ? nil : (store.arena.file(ofSource: s), store.arena.line(ofSource: s))
    }

    /// Provenance's ABI of rule `i` (nil also without provenance).
    func abi(_ i: Int) -> ABI? { slots[i].source == RuleArena.noSource ? nil : slots[i].abi }

    func hasArchField(_ i: Int) -> Bool {
        store.arena.containsField(inShape: slots[i].shape) { $0 == FieldID.arch }
    }

    mutating func append(_ rule: KernelRule) {
        let arena = store
        let arch = rule.fields.first { $0.id == FieldID.arch }?.value ?? 0
        let source = rule.provenance.map { arena.arena.source(of: $0) } ?? RuleArena.noSource
        let mask = arena.arena.number(of: rule.mask)
        let shape = arena.arena.shape(of: rule.fields, source: source)
        slots.append(StoredRules.Slot(mask: mask, shape: shape, source: source, arch: arch, list: rule.list, action: rule.action,
                                      abi: rule.provenance?.abi))
    }

    /// `rule`, made from `other`'s rule `i`, with that rule's source (its line is not stored again).
    mutating func append(_ rule: KernelRule, sourceOf i: Int, in other: DriftRules) {
        let s = other.slots[i]
        let arch = rule.fields.first { $0.id == FieldID.arch }?.value ?? 0
        let mask = store.arena.number(of: rule.mask)
        let shape = store.arena.shape(of: rule.fields, source: s.source)
        slots.append(StoredRules.Slot(mask: mask, shape: shape, source: s.source, arch: arch, list: rule.list, action: rule.action, abi: s.abi))
    }

    mutating func append(_ other: DriftRules, _ range: Range<Int>) { slots += other.slots[range] }

    /// The key `rule` would have, when the arena holds its field list (nil: no rule of either
    /// side is equal to it); nothing is stored.
    func storedKey(of rule: KernelRule) -> RuleKey? {
        guard let shape = store.arena.storedShape(of: rule.fields) else { return nil }
        // Its mask is numbered (stored if new: a mask is kept once, and few are distinct).
        let mask = store.arena.number(of: rule.mask)
        return RuleKey(mask: mask, shape: shape, arch: rule.fields.first { $0.id == FieldID.arch }?.value ?? 0,
                       list: rule.list, action: rule.action)
    }

    /// Rule `i` takes `other`'s rule `k` (list, action, mask and fields), keeping its provenance.
    mutating func take(_ k: Int, of other: DriftRules, at i: Int) {
        let t = other.slots[k]
        slots[i].list = t.list
        slots[i].action = t.action
        slots[i].mask = t.mask
        slots[i].shape = t.shape
        slots[i].arch = t.arch
    }

    /// Only the rules `keep` says yes to.
    func filter(_ keep: (Int) -> Bool) -> DriftRules {
        var out = DriftRules(store: store)
        for i in indices where keep(i) { out.slots.append(slots[i]) }
        return out
    }

    mutating func insert(_ rules: DriftRules, at i: Int) { slots.insert(contentsOf: rules.slots, at: i) }

    /// The rules `rules` split by list, each list's in order; nil when all are of one list.
    func byList() -> [FilterList: DriftRules]? {
        guard let first = slots.first?.list, slots.contains(where: { $0.list != first }) else { return nil }
        var out: [FilterList: DriftRules] = [:]
        for s in slots { out[s.list, default: DriftRules(store: store)].slots.append(s) }
        return out
    }
}

/// A kernel rule's identity in one arena: list, action, mask number, field list number and the
/// first arch field's value (kept out of the field list).
struct RuleKey: Hashable {
    var mask: UInt32
    var shape: UInt32
    var arch: UInt32
    var list: FilterList
    var action: RuleAction

    init(mask: UInt32, shape: UInt32, arch: UInt32, list: FilterList, action: RuleAction) {
        self.mask = mask
        self.shape = shape
        self.arch = arch
        self.list = list
        self.action = action
    }

    init(_ s: StoredRules.Slot) { self.init(mask: s.mask, shape: s.shape, arch: s.arch, list: s.list, action: s.action) }
}

extension DriftRules {
    /// The rules without those that come from one of `lines`.
    func excluding(_ lines: [UnloadableLine]) -> DriftRules {
        guard !lines.isEmpty else { return self }
        let keys = UnloadableLine.lineKeys(lines)
        return filter { i in location(i).map { !keys.contains(UnloadableLine.LineKey(file: $0.file, line: $0.line)) } ?? true }
    }

    /// The rules that come from one of `lines`.
    func from(_ lines: [UnloadableLine]) -> DriftRules {
        guard !lines.isEmpty else { return DriftRules(store: store) }
        let keys = UnloadableLine.lineKeys(lines)
        return filter { i in location(i).map { keys.contains(UnloadableLine.LineKey(file: $0.file, line: $0.line)) } ?? false }
    }

    /// Without one rule equal to each of `others`.
    func removingOnce(_ others: DriftRules) -> DriftRules {
        guard !isEmpty else { return self }
        var count: [RuleKey: Int] = [:]
        for i in others.indices { count[others.key(i), default: 0] += 1 }
        return filter { i in
            let k = key(i)
            guard let n = count[k], n > 0 else { return true }
            count[k] = n - 1
            return false
        }
    }

    /// Removes one rule equal to each of `rules`; how many were removed.
    mutating func removeHeld(_ rules: DriftRules) -> Int {
        guard !rules.isEmpty else { return 0 }
        var wanted: [RuleKey: Int] = [:]
        for i in rules.indices { wanted[rules.key(i), default: 0] += 1 }
        var removed = 0
        slots.removeAll { s in
            let k = RuleKey(s)
            guard let n = wanted[k], n > 0 else { return false }
            wanted[k] = n - 1
            removed += 1
            return true
        }
        return removed
    }

    /// A copy of rule `i` with another source line (its ABI kept).
    func moved(_ i: Int, file: String, line: Int, text: RulesText) -> KernelRule {
        var copy = self[i]
        if copy.provenance != nil {
            copy.provenance!.file = file
            copy.provenance!.line = line
            copy.provenance!.text = text
        }
        return copy
    }
}
