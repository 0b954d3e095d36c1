/// One syscall of one ABI: its number and the name the kernel's syscall table gives it.
public struct SyscallEntry: Hashable, Sendable {
    public let number: Int
    public let name: String

    public init(number: Int, name: String) {
        self.number = number
        self.name = name
    }
}

/// The syscalls of one ABI at one kernel release.
public struct SyscallTable: Sendable {
    public let abi: ABI
    public let kernel: KernelVersion
    /// Sorted by number; kernel table names (pread64, newfstatat, ...).
    public var entries: [SyscallEntry] {
        didSet {
            if !zip(entries, entries.dropFirst()).allSatisfy({ $0.number <= $1.number }) { entries.sort { $0.number < $1.number } }
            index = Self.index(entries)
        }
    }

    // Lookups run once per syscall per compiled rule, so they must not scan.
    private var index: Index

    public init(abi: ABI, kernel: KernelVersion, entries: [SyscallEntry]) {
        self.abi = abi
        self.kernel = kernel
        let sorted = entries.sorted { $0.number < $1.number }
        self.entries = sorted
        self.index = Self.index(sorted)
    }

    /// Case-insensitive; nil when the ABI has no such syscall at this release.
    public func number(of name: String) -> Int? {
        let key = name.asciiLowercased
        let slots = index.slots
        guard !slots.isEmpty else { return nil }
        var i = Self.hash(key) & (slots.count - 1)
        while slots[i] >= 0 {
            let e = entries[slots[i]]
            if e.name == key || (index.folded && e.name.asciiLowercased == key) { return e.number }
            i = (i + 1) & (slots.count - 1)
        }
        return nil
    }

    public func name(of number: Int) -> String? {
        var lo = 0, hi = entries.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if entries[mid].number < number { lo = mid + 1 } else { hi = mid }
        }
        return lo < entries.count && entries[lo].number == number ? entries[lo].name : nil
    }

    public func contains(_ name: String) -> Bool {
        number(of: name) != nil
    }

    // Open addressing over entry positions, not a Dictionary: a dictionary's first use costs a
    // run-time generic instantiation dearer than a whole `aurules syscall` lookup.
    private struct Index: Sendable {
        var slots: [Int] = []
        var folded = false   // some table name has upper-case letters
    }

    private static func hash(_ s: String) -> Int {
        var h = FNV1a()
        h.mix(bytes: s.utf8)
        return Int(truncatingIfNeeded: h.value & 0x7fff_ffff)
    }

    private static func index(_ entries: [SyscallEntry]) -> Index {
        var size = 1
        while size < entries.count * 2 { size <<= 1 }
        var index = Index(slots: [Int](repeating: -1, count: entries.isEmpty ? 0 : size))
        for (position, e) in entries.enumerated() {
            let upper = e.name.utf8.contains(where: { $0 >= 0x41 && $0 <= 0x5A })
            index.folded = index.folded || upper
            var i = hash(upper ? e.name.asciiLowercased : e.name) & (size - 1)
            while index.slots[i] >= 0 { i = (i + 1) & (size - 1) }
            index.slots[i] = position
        }
        return index
    }
}

/// One row of a versioned table: a number held by one name from `first` through `last`
/// (nil while the kernel still has it).
public struct SyscallRow: Hashable, Sendable {
    public var number: Int
    public var name: String
    public var first: KernelVersion
    public var last: KernelVersion?

    public init(number: Int, name: String, first: KernelVersion, last: KernelVersion?) {
        self.number = number
        self.name = name
        self.first = first
        self.last = last
    }

    public func isPresent(at kernel: KernelVersion) -> Bool {
        first <= kernel && (last.map { kernel <= $0 } ?? true)
    }
}

/// What the ABI file says about one ABI.
public struct ABIInfo: Hashable, Sendable {
    public var abi: ABI
    public var auditArch: UInt32
    public var bits: Int
    /// `uname -m` spellings of the machines whose native ABI this is.
    public var machines: [String]
    /// The 32-bit ABI a 64-bit kernel of this ABI also runs.
    public var partner32: ABI?
    public var first: KernelVersion
    /// The last release that has this ABI; nil while kernels still build it.
    public var last: KernelVersion?
    /// The newest release the rows were checked against.
    public var newest: KernelVersion
    public var source: String

    public init(abi: ABI, auditArch: UInt32, bits: Int, machines: [String], partner32: ABI?,
                first: KernelVersion, last: KernelVersion?, newest: KernelVersion, source: String) {
        self.abi = abi
        self.auditArch = auditArch
        self.bits = bits
        self.machines = machines
        self.partner32 = partner32
        self.first = first
        self.last = last
        self.newest = newest
        self.source = source
    }

    public func covers(_ kernel: KernelVersion) -> Bool {
        first <= kernel && (last.map { kernel <= $0 } ?? true)
    }
}

extension String {
    /// ASCII-only lower-casing. Syscall, ABI and machine names are ASCII, and full Unicode case
    /// mapping pulls its tables into memory on every `aurules syscall` start.
    var asciiLowercased: String {
        guard utf8.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) else { return self }
        return String(decoding: utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
    }
}
