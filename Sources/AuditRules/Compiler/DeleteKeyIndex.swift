/// Which held rules `-D -k KEY` reaches, found without reading every held rule's key: rules are
/// grouped by their key field's bytes (up to a NUL), and each group is listed under every byte
/// and byte pair its key holds. A KEY can only be in the keys listed under its rarest byte pair
/// (under its byte when it has one), and only those are checked with `KernelRule.keyHolds`: the
/// match stays the substring match of `KernelRule.isDeleted(byKey:)`. Scanning every held rule per `-D -k` made
/// files with thousands of them quadratic.
struct DeleteKeyIndex {
    private var groupOf: [[UInt8]: Int32] = [:]
    /// Per group: its key bytes, its storage slots (dead ones too until it is taken), how many
    /// of those are live, and whether a list dropped it while it had none.
    private var keys: [[UInt8]] = []
    private var slots: [[Int]] = []
    private var liveCounts: [Int] = []
    private var unlisted: [Bool] = []
    /// Per storage slot: its group, -1 when its key can match nothing.
    private var groupOfSlot: [Int32] = []
    /// Groups by byte pair (first byte << 8 | second) and by byte; dictionaries, so that an
    /// index made for a few rules costs only what they hold.
    private var pairs: [Int: [Int32]] = [:]
    private var singles: [Int: [Int32]] = [:]
    /// Groups looked at by `take` so far (what tests count instead of timing).
    private(set) var visits = 0

    /// Indexes storage slot `slot` (the next one), whose key field holds `key` (nil: none).
    mutating func add(slot: Int, key: UnsafeBufferPointer<UInt8>?) {
        let bytes: [UInt8] = key.map { k in Array(k.prefix { $0 != 0 }) } ?? []
        guard !bytes.isEmpty else {
            groupOfSlot.append(-1)
            return
        }
        let g: Int
        if let found = groupOf[bytes] {
            g = Int(found)
        } else {
            g = keys.count
            groupOf[bytes] = Int32(g)
            keys.append(bytes)
            slots.append([])
            liveCounts.append(0)
            unlisted.append(true)
        }
        groupOfSlot.append(Int32(g))
        slots[g].append(slot)
        liveCounts[g] += 1
        if unlisted[g] {
            // A group dropped from some lists goes back on all of them; where it still was, the
            // second entry only costs a look, and each one is paid for by the rule that came.
            unlisted[g] = false
            list(g)
        }
    }

    private mutating func list(_ g: Int) {
        let key = keys[g]
        var seenBytes = Set<UInt8>(), seenPairs = Set<Int>()
        for (j, b) in key.enumerated() {
            if seenBytes.insert(b).inserted { singles[Int(b), default: []].append(Int32(g)) }
            if j + 1 < key.count {
                let p = Int(b) << 8 | Int(key[j + 1])
                if seenPairs.insert(p).inserted { pairs[p, default: []].append(Int32(g)) }
            }
        }
    }

    /// A slot deleted by identity (`-d`/`-W`).
    mutating func kill(slot: Int) {
        let g = Int(groupOfSlot[slot])
        if g >= 0 { liveCounts[g] -= 1 }
    }

    /// The slots of every group whose key holds `wanted` (not empty), live or not; those groups
    /// count as emptied. Groups found empty on the way leave the list looked at.
    mutating func take(_ wanted: [UInt8]) -> [Int] {
        var out: [Int] = []
        // The list is moved out while it is walked (no copy, and `self` stays free to change).
        if wanted.count == 1 {
            let b = Int(wanted[0])
            guard var list = singles.removeValue(forKey: b) else { return [] }
            take(wanted, from: &list, into: &out)
            if !list.isEmpty { singles[b] = list }
        } else {
            var best = Int(wanted[0]) << 8 | Int(wanted[1])
            for j in 1 ..< wanted.count - 1 {
                let p = Int(wanted[j]) << 8 | Int(wanted[j + 1])
                if pairs[p]?.count ?? 0 < pairs[best]?.count ?? 0 { best = p }
            }
            guard var list = pairs.removeValue(forKey: best) else { return [] }
            take(wanted, from: &list, into: &out)
            if !list.isEmpty { pairs[best] = list }
        }
        return out
    }

    private mutating func take(_ wanted: [UInt8], from list: inout [Int32], into out: inout [Int]) {
        var kept = 0
        for n in list.indices {
            let g = Int(list[n])
            visits += 1
            if liveCounts[g] > 0, keys[g].withUnsafeBufferPointer({ KernelRule.keyHolds($0, wanted) }) {
                out += slots[g]
                slots[g] = []
                liveCounts[g] = 0
            }
            if liveCounts[g] == 0 {
                unlisted[g] = true
            } else {
                list[kept] = list[n]
                kept += 1
            }
        }
        list.removeLast(list.count - kept)
    }
}
