/// Where the simulated kernel rule set keeps its rules: whole `KernelRule`s (compile writes them
/// out), or `StoredRules` in an arena several targets share (lint keeps every target's set).
protocol RuleSlots {
    var count: Int { get }
    /// The rule in slot `i`, whole.
    subscript(i: Int) -> KernelRule { get }
    /// Where the rule in slot `i` came from.
    func origin(_ i: Int) -> (file: String, line: Int)
    mutating func append(_ rule: KernelRule)
    /// The bytes of slot `i`'s last key field, nil when it has none.
    func withKey<R>(_ i: Int, _ body: (UnsafeBufferPointer<UInt8>?) -> R) -> R
    /// Forgets every slot.
    mutating func removeAll()
}

extension Array: RuleSlots where Element == KernelRule {
    func origin(_ i: Int) -> (file: String, line: Int) {
        (self[i].provenance?.file ?? "", self[i].provenance?.line ?? 0)
    }

    func withKey<R>(_ i: Int, _ body: (UnsafeBufferPointer<UInt8>?) -> R) -> R {
        guard let s = self[i].fields.last(where: { $0.id == FieldID.filterkey })?.string else { return body(nil) }
        return s.withBytes(body)
    }

    mutating func removeAll() { self = [] }
}

/// The simulated kernel rule set: appended rules in order, prepended groups before them (the
/// latest first), deletions by identity. Rules live once in `storage`; the index maps identity
/// hashes to storage slots (a 100,000-rule file must not hold each rule three times).
struct HeldRules<Storage: RuleSlots> {
    private(set) var storage: Storage
    private var live: [Bool] = []
    private var liveCount = 0
    /// Storage slots of prepended groups, in the order they came.
    private var prepended: [[Int]] = []
    /// The low 32 bits of each storage slot's identity hash (all the buckets use; a clash only
    /// costs a comparison).
    private var hashes: [UInt32] = []
    /// Open addressing over the live slots: slot + 1 per bucket, 0 for none; at most half full.
    /// Less memory than a [hash: slot] dictionary, and no SipHash.
    private var buckets: [Int32] = []
    private var shift = 64
    /// Built at the first `-D -k` (most files have none) and kept up to date from then on.
    private(set) var keyIndex: DeleteKeyIndex?

    init(storage: Storage) {
        self.storage = storage
    }

    private func bucket(_ hash: UInt32) -> Int {
        Int(truncatingIfNeeded: (UInt64(hash) &* 0x9E37_79B9_7F4A_7C15) >> UInt64(shift))
    }

    private func slot(of rule: KernelRule, hash fullHash: Int) -> Int? {
        slot(hash: fullHash) { storage[$0] == rule }
    }

    /// The live slot whose hash is `fullHash` and whose rule `same` says is the one looked for.
    private func slot(hash fullHash: Int, _ same: (Int) -> Bool) -> Int? {
        guard !buckets.isEmpty else { return nil }
        let hash = UInt32(truncatingIfNeeded: fullHash)
        var b = bucket(hash)
        while buckets[b] != 0 {
            let i = Int(buckets[b]) - 1
            // At most one live rule is identical to another: additions of a held rule are refused.
            if hashes[i] == hash, live[i], same(i) { return i }
            b = (b + 1) & (buckets.count - 1)
        }
        return nil
    }

    /// Whether a rule identical to one of `rules` is held; a rule is read only when a held
    /// one has its hash (a closure over `holds` copied this struct and the rule for each).
    func holdsAny(_ rules: [KernelRule], hashes ruleHashes: [Int]) -> Bool {
        for j in rules.indices where slot(hash: ruleHashes[j], { storage[$0] == rules[j] }) != nil { return true }
        return false
    }

    private mutating func index(_ i: Int) {
        if 2 * (i + 1) > buckets.count {
            // Dead slots never match: only live ones are indexed again.
            let size = max(1024, 2 * buckets.count)
            buckets = [Int32](repeating: 0, count: size)
            shift = 64 - size.trailingZeroBitCount
            for j in 0 ..< i where live[j] { place(j) }
        }
        place(i)
    }

    private mutating func place(_ i: Int) {
        var b = bucket(hashes[i])
        while buckets[b] != 0 { b = (b + 1) & (buckets.count - 1) }
        buckets[b] = Int32(i + 1)
    }

    func origin(of rule: KernelRule, hash: Int) -> (file: String, line: Int)? {
        slot(of: rule, hash: hash).map(storage.origin)
    }

    mutating func add(_ group: [KernelRule], hashes groupHashes: [Int], prepend: Bool) {
        guard !group.isEmpty else { return }
        var slots: [Int] = []
        // Through the buffer: each rule is lent to `append` (a shared store keeps no copy of it).
        group.withUnsafeBufferPointer { rules in
            for j in rules.indices {
                let i = storage.count
                storage.append(rules[j])
                live.append(true)
                hashes.append(UInt32(truncatingIfNeeded: groupHashes[j]))
                liveCount += 1
                index(i)
                if keyIndex != nil { storage.withKey(i) { keyIndex!.add(slot: i, key: $0) } }
                if prepend { slots.append(i) }
            }
        }
        if prepend { prepended.append(slots) }
    }

    /// Removes the rule identical to `rule`; false when none is held.
    mutating func remove(_ rule: KernelRule, hash: Int) -> Bool {
        guard let i = slot(of: rule, hash: hash) else { return false }
        kill(i)
        return true
    }

    /// `-D -k key` (`-D` when nil): removes every rule it deletes.
    mutating func removeAll(deletedByKey key: RulesText?) {
        let wanted = key.map { Array($0.prefix(KernelRule.deleteKeyLimit)) }
        if let wanted, !wanted.isEmpty {
            // Nothing held: no index to build (each one made would soon be dropped below).
            if liveCount > 0 && keyIndex == nil {
                var built = DeleteKeyIndex()
                for i in 0 ..< storage.count {
                    storage.withKey(i) { built.add(slot: i, key: $0) }
                    if !live[i] { built.kill(slot: i) }
                }
                keyIndex = built
            }
            // The index counts the groups it hands out as emptied already.
            for i in keyIndex?.take(wanted) ?? [] where live[i] {
                live[i] = false
                liveCount -= 1
            }
        } else {
            for i in 0 ..< storage.count where live[i] { kill(i) }
        }
        if liveCount == 0 {
            var emptied = storage
            emptied.removeAll()
            self = HeldRules(storage: emptied)
        }
    }

    private mutating func kill(_ i: Int) {
        live[i] = false
        liveCount -= 1
        keyIndex?.kill(slot: i)
    }

    /// The storage slots of the live rules in kernel load order; nil when that is every slot in
    /// order (nothing was prepended or deleted).
    func order() -> [Int]? {
        if prepended.isEmpty && liveCount == storage.count { return nil }
        var out: [Int] = []
        out.reserveCapacity(liveCount)
        var isPrepended = [Bool](repeating: false, count: storage.count)
        for g in prepended.reversed() {
            for i in g {
                isPrepended[i] = true
                if live[i] { out.append(i) }
            }
        }
        for i in 0 ..< storage.count where live[i] && !isPrepended[i] { out.append(i) }
        return out
    }
}

extension HeldRules where Storage == [KernelRule] {
    init() { self.init(storage: []) }

    /// The rules in kernel load order; the storage itself when nothing was prepended or deleted.
    func ordered() -> [KernelRule] {
        guard let order = order() else { return storage }
        return order.map { storage[$0] }
    }
}
