#if canImport(Glibc)
import Glibc
#endif
import Syscalls

/// Every distinct field of the rules in one shared arena, numbered once for all the targets whose
/// rule lists read it (AUR502 groups rules by their sets of fields: each target numbering the
/// same fields again was most of its work). Equal fields (id, operator, value, string) have equal
/// numbers; a rule's numbers are its shape's and its first arch field's (the slot's value). The
/// parts of each shape's first key field are numbered too (AUR508), equal parts alike.
public struct FieldNumbering: Sendable {
    /// Per shape: the numbers of its fields but the first arch field and those left out, sorted
    /// and distinct, `numbers[starts[n] ..< starts[n + 1]]`.
    private var starts: [Int32] = [0]
    private var numbers: [Int32] = []
    /// Per shape: the operator byte of its first arch field, or `noArch`.
    private var archOps: [UInt16] = []
    /// The number of each first arch field of a slot, by operator byte and value.
    private var archNumbers: [UInt64: Int32] = [:]
    private static let noArch = UInt16.max
    /// Per shape: the numbers of the parts of its first key field (split at \x01, no empty
    /// part), in order, `keyParts[keyPartStarts[n] ..< keyPartStarts[n + 1]]`.
    private var keyPartStarts: [Int32] = [0]
    private var keyParts: [Int32] = []
    /// How many distinct key parts there are.
    public private(set) var keyPartCount = 0

    /// The fields of the rules of `lists` but those with id `skipping`; nil unless every list
    /// reads slots of one arena.
    public init?(_ lists: [KernelRuleList], skipping: UInt32) {
        guard let arena = lists.max(by: { $0.arena.shapeCount < $1.arena.shapeCount })?.arena,
              lists.allSatisfy(\.isStored) else { return nil }
        var table = DistinctFields(), partTable = DistinctFields()
        let shapeStarts = arena.shapeStarts
        numbers.reserveCapacity(arena.shapeBytes.count / 16)
        archOps.reserveCapacity(arena.shapeCount)
        starts.reserveCapacity(arena.shapeCount + 1)
        arena.shapeBytes.withUnsafeBufferPointer { bytes in
            for n in 0 ..< arena.shapeCount {
                var at = shapeStarts[n]
                let end = shapeStarts[n + 1], first = numbers.count
                var archOp = Self.noArch, keySeen = false
                while at < end {
                    let id = Self.word(bytes, at), size = 13 + max(Int(Self.word(bytes, at + 9)) - 1, 0)
                    defer { at += size }
                    if id == FieldID.filterkey && !keySeen {
                        keySeen = true
                        var start = at + 13
                        while start <= at + size {
                            let end = bytes[start ..< at + size].firstIndex(of: 0x01) ?? at + size
                            defer { start = end + 1 }
                            if end > start { keyParts.append(partTable.number(UnsafeBufferPointer(rebasing: bytes[start ..< end]))) }
                        }
                    }
                    if id == skipping { continue }
                    if archOp == Self.noArch && id == FieldID.arch {
                        archOp = UInt16(bytes[at + 4])
                        continue
                    }
                    let number = table.number(UnsafeBufferPointer(rebasing: bytes[at ..< at + size]))
                    if !numbers[first...].contains(number) { numbers.append(number) }
                }
                // In place (sorting the slice copied it out and back for every shape).
                numbers.withUnsafeMutableBufferPointer { all in
                    var own = UnsafeMutableBufferPointer(rebasing: all[first...])
                    own.sort()
                }
                starts.append(Int32(numbers.count))
                archOps.append(archOp)
                keyPartStarts.append(Int32(keyParts.count))
            }
        }
        keyPartCount = partTable.count
        // Slots repeat a few arch values: the last one numbered is not looked up again.
        var lastKey: UInt64?
        for list in lists {
            for s in list.slots where archOps[Int(s.shape)] != Self.noArch {
                let op = archOps[Int(s.shape)], key = UInt64(op) << 32 | UInt64(s.arch)
                guard key != lastKey else { continue }
                lastKey = key
                guard archNumbers[key] == nil else { continue }
                // The field as the arena encodes it: id, operator byte, value, no string.
                var field: [UInt8] = []
                func put(_ v: UInt32) { for k in 0 ..< 4 { field.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(k)))) } }
                put(FieldID.arch)
                field.append(UInt8(op))
                put(s.arch)
                put(0)
                archNumbers[key] = field.withUnsafeBufferPointer { table.number($0) }
            }
        }
    }

    /// The numbers of the fields of a rule of `shape` whose first arch field's value is `arch`,
    /// sorted and distinct.
    func numbers(shape: UInt32, arch: UInt32) -> [Int32] {
        let n = Int(shape)
        let own = numbers[Int(starts[n]) ..< Int(starts[n + 1])]
        guard archOps[n] != Self.noArch else { return Array(own) }
        // Room for the arch field's number: inserting it grew an array of exact size again.
        var out: [Int32] = []
        out.reserveCapacity(own.count + 1)
        out.append(contentsOf: own)
        guard let a = archNumbers[UInt64(archOps[n]) << 32 | UInt64(arch)] else {
            preconditionFailure("FieldNumbering asked for a slot it was not built from")
        }
        let i = out.firstIndex { $0 >= a } ?? out.count
        if i == out.count || out[i] != a { out.insert(a, at: i) }
        return out
    }

    func keyParts(shape: UInt32) -> ArraySlice<Int32> {
        keyParts[Int(keyPartStarts[Int(shape)]) ..< Int(keyPartStarts[Int(shape) + 1])]
    }

    private static func word(_ b: UnsafeBufferPointer<UInt8>, _ at: Int) -> UInt32 {
        UInt32(b[at]) | UInt32(b[at + 1]) << 8 | UInt32(b[at + 2]) << 16 | UInt32(b[at + 3]) << 24
    }
}

/// Distinct fields by their encoded bytes, numbered in the order met: open addressing over the
/// numbers (number + 1 per bucket, at most half full), the bytes kept once.
private struct DistinctFields {
    private var keys: [UInt8] = []
    private var keyStarts: [Int] = [0]
    private var hashes: [Int] = []
    private var buckets: [Int32] = []
    private var shift = 64

    var count: Int { hashes.count }

    mutating func number(_ field: UnsafeBufferPointer<UInt8>) -> Int32 {
        var h = FNV1a()
        h.mix(bytes: field)
        let hash = h.intValue
        if 2 * (count + 1) > buckets.count { grow() }
        var b = bucket(hash)
        while buckets[b] != 0 {
            let k = Int(buckets[b]) - 1
            if hashes[k] == hash && keyStarts[k + 1] - keyStarts[k] == field.count
                && keys.withUnsafeBufferPointer({ memcmp($0.baseAddress! + keyStarts[k], field.baseAddress!, field.count) == 0 }) { return Int32(k) }
            b = (b + 1) & (buckets.count - 1)
        }
        keys.append(contentsOf: field)
        keyStarts.append(keys.count)
        hashes.append(hash)
        buckets[b] = Int32(count)
        return Int32(count - 1)
    }

    private func bucket(_ hash: Int) -> Int {
        Int(truncatingIfNeeded: (UInt64(bitPattern: Int64(hash)) &* 0x9E37_79B9_7F4A_7C15) >> UInt64(shift))
    }

    private mutating func grow() {
        let size = max(1024, 2 * buckets.count)
        buckets = [Int32](repeating: 0, count: size)
        shift = 64 - size.trailingZeroBitCount
        for k in 0 ..< count {
            var b = bucket(hashes[k])
            while buckets[b] != 0 { b = (b + 1) & (size - 1) }
            buckets[b] = Int32(k + 1)
        }
    }
}

extension KernelRuleList {
    /// The numbers (`numbering`) of rule `i`'s fields, sorted and distinct; nil without a numbering.
    public func fieldNumbers(at i: Int) -> [Int32]? {
        guard let numbering, isStored else { return nil }
        let s = slot(i)
        return numbering.numbers(shape: s.shape, arch: s.arch)
    }

    /// The numbers (`numbering`) of the parts of rule `i`'s first key field, in order; nil
    /// without a numbering.
    public func keyPartNumbers(at i: Int) -> ArraySlice<Int32>? {
        guard let numbering, isStored else { return nil }
        return numbering.keyParts(shape: slot(i).shape)
    }
}
