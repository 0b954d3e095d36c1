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
        didSet { index = Self.index(entries) }
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
        index.byName[name] ?? index.byName[name.lowercased()]
    }

    public func name(of number: Int) -> String? {
        index.byNumber[number]
    }

    public func contains(_ name: String) -> Bool {
        number(of: name) != nil
    }

    private struct Index: Sendable {
        var byName: [String: Int] = [:]
        var byNumber: [Int: String] = [:]
    }

    private static func index(_ entries: [SyscallEntry]) -> Index {
        var index = Index()
        index.byName.reserveCapacity(entries.count)
        index.byNumber.reserveCapacity(entries.count)
        for e in entries {
            index.byName[e.name.lowercased()] = e.number
            index.byNumber[e.number] = e.name
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
