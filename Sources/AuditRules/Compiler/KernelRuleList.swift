import Syscalls

/// The rules a compilation holds, in kernel load order: whole rules, or slots of a shared arena
/// made whole one at a time as they are read (lint walks every target's set this way).
public struct KernelRuleList: RandomAccessCollection, Sendable {
    private enum Backing: Sendable {
        case rules([KernelRule])
        /// `order`: slot numbers; nil for every slot in order.
        case stored(slots: [StoredRules.Slot], order: [Int]?, arena: RuleArena)
    }

    private let backing: Backing
    /// `.rules`: each rule's mask number (`maskNumber(at:)`); the stored rules have theirs in their slots.
    private let ruleMaskNumbers: [Int]

    public init(_ rules: [KernelRule]) {
        backing = .rules(rules)
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
        backing = .stored(slots: held.storage.slots, order: held.order(), arena: held.storage.store.arena)
        ruleMaskNumbers = []
    }

    /// A number for the syscall mask of rule `i`: equal masks have equal numbers in one list, so
    /// that a check can tell masks apart without comparing or hashing their 64 words.
    public func maskNumber(at i: Int) -> Int {
        switch backing {
        case .rules: return ruleMaskNumbers[i]
        case .stored(let slots, let order, _): return Int(slots[order?[i] ?? i].mask)
        }
    }

    /// Where rule `i` came from (file and line), without making the rule whole; nil without provenance.
    public func origin(at i: Int) -> (file: String, line: Int)? {
        switch backing {
        case .rules(let r): return r[i].provenance.map { ($0.file, $0.line) }
        case .stored(let slots, let order, let arena):
            let s = slots[order?[i] ?? i].source
            return s == RuleArena.noSource ? nil : (arena.file(ofSource: s), arena.line(ofSource: s))
        }
    }

    /// Whether some field of rule `i` has an id `wanted` says yes to, without making the rule whole.
    public func containsField(at i: Int, where wanted: (UInt32) -> Bool) -> Bool {
        switch backing {
        case .rules(let r): return r[i].fields.contains { wanted($0.id) }
        case .stored(let slots, let order, let arena): return arena.containsField(inShape: slots[order?[i] ?? i].shape, where: wanted)
        }
    }

    /// `body` of the bytes of rule `i`'s first key field (nil when it has none or it holds no
    /// string), without making the rule whole.
    public func withFirstKey<R>(at i: Int, _ body: (UnsafeBufferPointer<UInt8>?) -> R) -> R {
        switch backing {
        case .rules(let r):
            guard let s = r[i].fields.first(where: { $0.id == FieldID.filterkey })?.string else { return body(nil) }
            return s.withBytes(body)
        case .stored(let slots, let order, let arena):
            return arena.withLastString(ofField: FieldID.filterkey, inShape: slots[order?[i] ?? i].shape, last: false, body)
        }
    }

    public var startIndex: Int { 0 }

    public var endIndex: Int {
        switch backing {
        case .rules(let r): return r.count
        case .stored(let slots, let order, _): return order?.count ?? slots.count
        }
    }

    /// The list and action of rule `i`, without making the rule whole (checks that look at a few
    /// lists or actions only skip the others this way).
    public func listAndAction(at i: Int) -> (list: FilterList, action: RuleAction) {
        switch backing {
        case .rules(let r): return (r[i].list, r[i].action)
        case .stored(let slots, let order, _):
            let s = slots[order?[i] ?? i]
            return (s.list, s.action)
        }
    }

    public subscript(i: Int) -> KernelRule {
        switch backing {
        case .rules(let r): return r[i]
        case .stored(let slots, let order, let arena): return StoredRules.rule(slots[order?[i] ?? i], arena)
        }
    }
}
