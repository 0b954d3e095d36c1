#if canImport(Glibc)
import Glibc
#endif
import Syscalls

/// What the kernel rules of several targets' compilations of one input have in common, kept once:
/// lint holds the rule set of every target it judges (four by default), and a rule's fields and
/// source line are the same on every target but for the arch value and the syscall mask. Give
/// one store to the sessions of those targets (`CompileSession(target:shared:)`); they use it
/// one after the other, never at once.
public final class SharedRuleStore {
    var arena: RuleArena
    /// `keepsText: false`: rules come back with an empty `Provenance.text` (file and line stay),
    /// for a reader that can read the lines it quotes again.
    public init(keepsText: Bool = true) { arena = RuleArena(keepsText: keepsText) }

    /// `InputFile.lineHash` of the kept source lines of `file` among `lines` (`keepsText: false`),
    /// for a reader to tell whether a line read again is still the one compiled.
    public func lineHashes(of file: String, lines: Set<Int>) -> [Int: UInt64] { arena.lineHashes(of: file, lines: lines) }
}

/// Field lists and source lines, encoded in byte arrays (no allocation per rule) and each kept
/// once: a field list is looked up by its bytes, a source line by file, line and bytes among the
/// recent ones (the targets' sessions take the same chunk of statements one after the other).
struct RuleArena: Sendable {
    /// Field lists, each field: id (4 bytes), operator (1), value (4), string length + 1 or 0
    /// (4), string bytes; the first arch field's value is 0 (the slot holds it).
    private(set) var shapeBytes: [UInt8] = []
    private(set) var shapeStarts: [Int] = [0]
    /// Open addressing over the shapes: number + 1 per bucket, 0 for none; at most half full.
    private var shapeBuckets: [UInt32] = []
    /// The low 32 bits of the hash of each bucket's shape: a probe compares these before the
    /// bytes, which are elsewhere in memory.
    private var shapeTags: [UInt32] = []
    private var shapeShift = 64

    struct Source {
        var line: Int
        var textStart: Int
        var file: UInt32
        var length: UInt32
        /// `InputFile.lineHash` of the text when it is not kept (`keepsText: false`), else 0.
        var textHash: UInt64
    }

    private var files: [String] = []
    private var fileNumbers: [String: UInt32] = [:]
    private var sources: [Source] = []
    private var text: [UInt8] = []
    /// Sources stored lately, by file and line, in a direct-mapped table (a line's entry is
    /// replaced by a later line's; a miss only stores a line twice). No hashing: the targets'
    /// sessions look up every rule's source, and a chunk's lines fit the table.
    private var recent: [(file: UInt32, line: Int, source: UInt32)] = []
    /// The file of the last source stored (most are of the file before).
    private var lastFile: (name: String, number: UInt32)?
    let keepsText: Bool

    init(keepsText: Bool) { self.keepsText = keepsText }
    static let recentLimit = 16384
    static let noSource = UInt32.max

    var shapeCount: Int { shapeStarts.count - 1 }

    /// What kinds of field each shape has (`ShapeTraits`), worked out when it is stored: the
    /// rule-set checks ask it of every rule on every target, and a shape is shared by them all.
    private(set) var shapeTraits: [ShapeTraits] = []

    /// Syscall masks, each once (a rules file has few distinct ones), with the numbers of those
    /// of each hash.
    private var masks: [[UInt32]] = []
    private var maskNumbers: [Int: [UInt32]] = [:]

    /// The last masks numbered, kept (so their buffers cannot be reused): lowering shares one
    /// buffer among the rules of one mask, and a rule's is usually one of the few before's.
    private var recentMasks = RecentMasks<UInt32>()

    /// The number of `mask`, stored if new.
    mutating func number(of mask: [UInt32]) -> UInt32 {
        if let known = recentMasks.value(of: mask) { return known }
        let n = storedNumber(of: mask)
        recentMasks.remember(mask, n)
        return n
    }

    private mutating func storedNumber(of mask: [UInt32]) -> UInt32 {
        var h = FNV1a()
        h.mix(mask: mask)
        for n in maskNumbers[h.intValue] ?? [] where masks[Int(n)] == mask { return n }
        let n = UInt32(masks.count)
        masks.append(mask)
        maskNumbers[h.intValue, default: []].append(n)
        return n
    }

    func mask(_ n: UInt32) -> [UInt32] { masks[Int(n)] }

    // MARK: Shapes

    /// The last shape numbered for each source (direct-mapped by source number), with its
    /// fields: the targets' sessions store the same statements one after the other, and a
    /// rule's fields are nearly always those another target stored for its source, but for the
    /// first arch field's value. Comparing them costs less than encoding, hashing and probing.
    private var shapeOfSource: [(source: UInt32, fields: [KernelField], shape: UInt32)] = []
    static let shapeCacheSize = 4096

    /// `shape(of: fields)`, through the cache of the shape last numbered for `source`.
    mutating func shape(of fields: [KernelField], source: UInt32) -> UInt32 {
        guard source != Self.noSource else { return shape(of: fields) }
        if shapeOfSource.isEmpty { shapeOfSource = Array(repeating: (Self.noSource, [], 0), count: Self.shapeCacheSize) }
        let slot = Int(source) & (Self.shapeCacheSize - 1)
        if shapeOfSource[slot].source == source && Self.sameShape(shapeOfSource[slot].fields, fields) { return shapeOfSource[slot].shape }
        let n = shape(of: fields)
        shapeOfSource[slot] = (source, fields, n)
        return n
    }

    /// Whether two field lists encode to the same shape: equal but for the first arch field's value.
    static func sameShape(_ a: [KernelField], _ b: [KernelField]) -> Bool {
        guard a.count == b.count else { return false }
        var archSeen = false
        for i in a.indices {
            let x = a[i], y = b[i]
            guard x.id == y.id, x.op == y.op, x.string == y.string else { return false }
            if !archSeen && x.id == FieldID.arch {
                archSeen = true
                continue
            }
            if x.value != y.value { return false }
        }
        return true
    }

    /// The number of the shape of `fields` (the first arch field's value left out), stored if new.
    mutating func shape(of fields: [KernelField]) -> UInt32 {
        let start = shapeBytes.count
        encode(fields)
        let hash = Self.hash(shapeBytes[start...])
        if let found = findShape(hash: hash, bytes: start ..< shapeBytes.count) {
            shapeBytes.removeSubrange(start...)
            return found
        }
        shapeStarts.append(shapeBytes.count)
        shapeTraits.append(ShapeTraits(fields))
        let number = UInt32(shapeCount - 1)
        if 2 * shapeCount > shapeBuckets.count { growShapes() } else { placeShape(number, hash: hash) }
        return number
    }

    /// The number of the shape of `fields` when it is stored, else nil; nothing is stored (a
    /// drift check asks whether any rule held has these fields).
    mutating func storedShape(of fields: [KernelField]) -> UInt32? {
        let start = shapeBytes.count
        encode(fields)
        defer { shapeBytes.removeSubrange(start...) }
        return findShape(hash: Self.hash(shapeBytes[start...]), bytes: start ..< shapeBytes.count)
    }

    /// Appends the encoding of `fields` to `shapeBytes`, sized first, through a pointer.
    private mutating func encode(_ fields: [KernelField]) {
        var size = 0
        for f in fields { size += 13 + (f.string?.count ?? 0) }
        let start = shapeBytes.count
        shapeBytes.append(contentsOf: repeatElement(0, count: size))
        shapeBytes.withUnsafeMutableBufferPointer { out in
            var at = start
            func put(_ v: UInt32) {
                out[at] = UInt8(truncatingIfNeeded: v)
                out[at + 1] = UInt8(truncatingIfNeeded: v >> 8)
                out[at + 2] = UInt8(truncatingIfNeeded: v >> 16)
                out[at + 3] = UInt8(truncatingIfNeeded: v >> 24)
                at += 4
            }
            var archSeen = false
            for f in fields {
                let isArch = !archSeen && f.id == FieldID.arch
                if isArch { archSeen = true }
                put(f.id)
                out[at] = UInt8(truncatingIfNeeded: f.op.kernelValue >> 24)
                at += 1
                put(isArch ? 0 : f.value)
                if let s = f.string {
                    put(UInt32(s.count + 1))
                    s.withBytes { bytes in for b in bytes { out[at] = b; at += 1 } }
                } else {
                    put(0)
                }
            }
        }
    }

    private func findShape(hash: Int, bytes: Range<Int>) -> UInt32? {
        guard !shapeBuckets.isEmpty else { return nil }
        var b = bucket(hash)
        // Compared as one block of memory: the generic slice comparison went byte by byte.
        let tag = UInt32(truncatingIfNeeded: hash)
        return shapeBytes.withUnsafeBytes { all in
            while shapeBuckets[b] != 0 {
                defer { b = (b + 1) & (shapeBuckets.count - 1) }
                guard shapeTags[b] == tag else { continue }
                let n = Int(shapeBuckets[b] - 1)
                let start = shapeStarts[n], count = shapeStarts[n + 1] - start
                if count == bytes.count && (count == 0 || memcmp(all.baseAddress! + start, all.baseAddress! + bytes.lowerBound, count) == 0) {
                    return UInt32(n)
                }
            }
            return nil
        }
    }

    private func bucket(_ hash: Int) -> Int {
        Int(truncatingIfNeeded: (UInt64(bitPattern: Int64(hash)) &* 0x9E37_79B9_7F4A_7C15) >> UInt64(shapeShift))
    }

    private mutating func placeShape(_ n: UInt32, hash: Int) {
        var b = bucket(hash)
        while shapeBuckets[b] != 0 { b = (b + 1) & (shapeBuckets.count - 1) }
        shapeBuckets[b] = n + 1
        shapeTags[b] = UInt32(truncatingIfNeeded: hash)
    }

    private mutating func growShapes() {
        let size = max(1024, 2 * shapeBuckets.count)
        shapeBuckets = [UInt32](repeating: 0, count: size)
        shapeTags = [UInt32](repeating: 0, count: size)
        shapeShift = 64 - size.trailingZeroBitCount
        for n in 0 ..< shapeCount { placeShape(UInt32(n), hash: Self.hash(shapeBytes[shapeStarts[n] ..< shapeStarts[n + 1]])) }
    }

    private static func hash(_ bytes: ArraySlice<UInt8>) -> Int {
        var h = FNV1a()
        bytes.withUnsafeBufferPointer { h.mix(bytes: $0) }
        return h.intValue
    }

    private func word(_ at: Int) -> UInt32 {
        UInt32(shapeBytes[at]) | UInt32(shapeBytes[at + 1]) << 8 | UInt32(shapeBytes[at + 2]) << 16 | UInt32(shapeBytes[at + 3]) << 24
    }

    /// The fields of shape `n`, the first arch field's value `arch`.
    /// `skipping`: a field id left out (its string is not made).
    func fields(_ n: UInt32, arch: UInt32, skipping: UInt32? = nil) -> [KernelField] {
        var out: [KernelField] = []
        var at = shapeStarts[Int(n)]
        let end = shapeStarts[Int(n) + 1]
        // Counted first: appending one at a time grew the array two or three times per rule.
        var count = 0
        while at < end {
            if word(at) != skipping { count += 1 }
            at += 13 + max(Int(word(at + 9)) - 1, 0)
        }
        out.reserveCapacity(count)
        at = shapeStarts[Int(n)]
        var archSeen = false
        while at < end {
            let id = word(at), op = FieldOperator(kernelValue: UInt32(shapeBytes[at + 4]) << 24)!
            var value = word(at + 5)
            let stringLength = Int(word(at + 9))
            at += 13
            if id == skipping {
                at += max(stringLength - 1, 0)
                continue
            }
            if !archSeen && id == FieldID.arch {
                archSeen = true
                value = arch
            }
            var field = KernelField(id: id, op: op, value: value)
            if stringLength > 0 {
                field.string = shapeBytes.withUnsafeBufferPointer { RulesText(UnsafeBufferPointer(rebasing: $0[at ..< at + stringLength - 1])) }
                at += stringLength - 1
            }
            out.append(field)
        }
        return out
    }

    /// Whether some field of shape `n` has an id `wanted` says yes to.
    func containsField(inShape n: UInt32, where wanted: (UInt32) -> Bool) -> Bool {
        var at = shapeStarts[Int(n)]
        let end = shapeStarts[Int(n) + 1]
        while at < end {
            if wanted(word(at)) { return true }
            at += 13 + max(Int(word(at + 9)) - 1, 0)
        }
        return false
    }

    /// `body` of the bytes of the last (`last: false`: the first) field `id` of shape `n`; nil
    /// when it has none or that field has no string.
    func withLastString<R>(ofField id: UInt32, inShape n: UInt32, last: Bool = true, _ body: (UnsafeBufferPointer<UInt8>?) -> R) -> R {
        var at = shapeStarts[Int(n)]
        let end = shapeStarts[Int(n) + 1]
        var found: Range<Int>?? = nil
        while at < end {
            let fid = word(at), stringLength = Int(word(at + 9))
            at += 13
            let string = stringLength > 0 ? at ..< at + stringLength - 1 : nil
            if fid == id {
                found = .some(string)
                if !last { break }
            }
            at += max(stringLength - 1, 0)
        }
        guard case .some(let range?) = found else { return body(nil) }
        return shapeBytes.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[range])) }
    }

    // MARK: Sources

    /// The number of the source `provenance` names (its ABI is the slot's).
    mutating func source(of provenance: Provenance) -> UInt32 {
        let file: UInt32
        if let last = lastFile, last.name == provenance.file {
            file = last.number
        } else if let known = fileNumbers[provenance.file] {
            file = known
        } else {
            file = UInt32(files.count)
            files.append(provenance.file)
            fileNumbers[provenance.file] = file
        }
        lastFile = (provenance.file, file)
        if recent.isEmpty { recent = Array(repeating: (UInt32.max, 0, 0), count: Self.recentLimit) }
        let slot = (provenance.line &+ Int(file) &* 7919) & (Self.recentLimit - 1)
        if recent[slot].file == file && recent[slot].line == provenance.line {
            let n = recent[slot].source
            let s = sources[Int(n)]
            let same = !keepsText || provenance.text.withBytes { $0.elementsEqual(text[s.textStart ..< s.textStart + Int(s.length)]) }
            if same { return n }
        }
        let n = UInt32(sources.count)
        if keepsText { provenance.text.withBytes { text.append(contentsOf: $0) } }
        let length = keepsText ? provenance.text.count : 0
        let hash = keepsText ? 0 : InputFile.lineHash(provenance.text)
        sources.append(Source(line: provenance.line, textStart: text.count - length, file: file, length: UInt32(length), textHash: hash))
        recent[slot] = (file, provenance.line, n)
        return n
    }

    func file(ofSource n: UInt32) -> String { files[Int(sources[Int(n)].file)] }
    func line(ofSource n: UInt32) -> Int { sources[Int(n)].line }
    /// `InputFile.lineHash` of source `n`'s line when its text is not kept, else 0.
    func textHash(ofSource n: UInt32) -> UInt64 { sources[Int(n)].textHash }

    func lineHashes(of file: String, lines: Set<Int>) -> [Int: UInt64] {
        guard let number = fileNumbers[file], !keepsText else { return [:] }
        var out: [Int: UInt64] = [:]
        for s in sources where s.file == number && lines.contains(s.line) { out[s.line] = s.textHash }
        return out
    }

    func provenance(_ n: UInt32, abi: ABI?) -> Provenance {
        let s = sources[Int(n)]
        let line = text.withUnsafeBufferPointer { RulesText(UnsafeBufferPointer(rebasing: $0[s.textStart ..< s.textStart + Int(s.length)])) }
        return Provenance(file: files[Int(s.file)], line: s.line, text: line, abi: abi)
    }
}

/// One compilation's rules in a shared arena: per rule the words its target decides (list,
/// action, mask, arch value, ABI) and the numbers of its field list and source.
struct StoredRules: RuleSlots {
    struct Slot {
        var mask: UInt32
        var shape: UInt32
        var source: UInt32
        var arch: UInt32
        var list: FilterList
        var action: RuleAction
        var abi: ABI?
    }

    let store: SharedRuleStore
    private(set) var slots: [Slot] = []

    init(store: SharedRuleStore) { self.store = store }

    var count: Int { slots.count }

    subscript(i: Int) -> KernelRule { Self.rule(slots[i], store.arena) }

    static func rule(_ s: Slot, _ arena: RuleArena) -> KernelRule {
        KernelRule(list: s.list, action: s.action, mask: arena.mask(s.mask), fields: arena.fields(s.shape, arch: s.arch),
                   provenance: s.source == RuleArena.noSource ? nil : arena.provenance(s.source, abi: s.abi))
    }

    func origin(_ i: Int) -> (file: String, line: Int) {
        let s = slots[i].source
        return s == RuleArena.noSource ? ("", 0) : (store.arena.file(ofSource: s), store.arena.line(ofSource: s))
    }

    mutating func append(_ rule: KernelRule) { slots.append(store.arena.slot(of: rule)) }

    func withKey<R>(_ i: Int, _ body: (UnsafeBufferPointer<UInt8>?) -> R) -> R {
        store.arena.withLastString(ofField: FieldID.filterkey, inShape: slots[i].shape, body)
    }

    mutating func removeAll() { slots = [] }
}

extension StoredRules.Slot: Sendable {}

extension RuleArena {
    /// The slot of `rule`, its mask, field list and source stored if new (one access to a
    /// shared store's arena per rule, not one per part).
    mutating func slot(of rule: KernelRule) -> StoredRules.Slot {
        let arch = rule.fields.first { $0.id == FieldID.arch }?.value ?? 0
        let source = rule.provenance.map { self.source(of: $0) } ?? Self.noSource
        return StoredRules.Slot(mask: number(of: rule.mask), shape: shape(of: rule.fields, source: source), source: source, arch: arch,
                                list: rule.list, action: rule.action, abi: rule.provenance?.abi)
    }
}
