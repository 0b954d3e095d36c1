import Syscalls

/// Kernel facts about the syscall bitmap that do not belong to any one table.
enum SyscallMask {
    /// `-S all`: every word set, as auditctl sends it.
    static let allOnes = [UInt32](repeating: .max, count: KernelRule.maskWords)
    static let empty = [UInt32](repeating: 0, count: KernelRule.maskWords)

    /// Syscall numbers 2032..2047 name syscall classes (AUDIT_CLASS_*, bit 2047 - class).
    static let firstClassNumber = 2032

    /// True when every non-class syscall bit is set (the rule is `-S all` in effect).
    static func isAll(_ m: [UInt32]) -> Bool {
        for i in 0 ..< KernelRule.maskWords - 1 where m[i] != .max { return false }
        return m[KernelRule.maskWords - 1] & 0xFFFF == 0xFFFF
    }

    static func isEmpty(_ m: [UInt32]) -> Bool { !m.contains { $0 != 0 } }

    /// The syscall numbers set, ascending.
    static func numbers(in m: [UInt32]) -> [Int] {
        var out: [Int] = []
        for (w, word) in m.enumerated() where word != 0 {
            var bits = word
            while bits != 0 {
                let b = bits.trailingZeroBitCount
                out.append(w * 32 + b)
                bits &= bits - 1
            }
        }
        return out
    }
}

/// Resolves syscall names in one ABI's table at the target release, accepting libaudit's
/// spellings, with a per-compilation cache (tables answer case-insensitively; rule files
/// repeat the same few hundred names thousands of times).
final class SyscallNameResolver {
    private let database: SyscallDatabase
    private let kernel: KernelVersion
    private let auditVersion: AuditVersion
    private var tables: [ABI: SyscallTable?] = [:]
    private var cache: [ABI: [String: Int]] = [:]
    private static let missing = -1

    init(database: SyscallDatabase, kernel: KernelVersion, auditVersion: AuditVersion) {
        self.database = database
        self.kernel = kernel
        self.auditVersion = auditVersion
    }

    func table(_ abi: ABI) -> SyscallTable? {
        if let t = tables[abi] { return t }
        let t = database.table(abi, at: kernel)
        tables[abi] = t
        return t
    }

    /// The number of `name` on `abi` at the target release; nil when absent there. Always a bit
    /// of the rule bitmap: callers index the mask with it (tables reject other numbers on load;
    /// this keeps a table that slipped past that from crashing the compiler).
    func number(of written: RulesText, on abi: ABI) -> Int? {
        // The tables' names are ASCII, and libaudit compares bytes.
        written.asciiName.flatMap { number(of: $0, on: abi) }
    }

    /// The same for a name of aurules' own tables (syscall classes, permission syscalls).
    func number(of name: String, on abi: ABI) -> Int? {
        if let n = cache[abi]?[name] { return n == Self.missing ? nil : n }
        let n = lookUp(name, on: abi).flatMap { (0..<32 * KernelRule.maskWords).contains($0) ? $0 : nil }
        cache[abi, default: [:]][name] = n ?? Self.missing
        return n
    }

    private func lookUp(_ name: String, on abi: ABI) -> Int? {
        guard let table = table(abi) else { return nil }
        if let n = table.number(of: name) { return n }
        // libaudit spellings (`pread` for pread64, arm's `llseek`, ...): the loader's version first.
        // (A spelling that names itself was looked up above.)
        let aliases = database.libauditAliases(of: name).filter { $0.abi == abi }
        guard !aliases.isEmpty else { return nil }
        let versions = [auditVersion] + AuditVersion.allCases.filter { $0 != auditVersion }
        for v in versions {
            for alias in aliases where alias.version == v {
                if let n = table.number(of: alias.kernelName) { return n }
            }
        }
        return nil
    }

    func equivalents(of name: RulesText, on abi: ABI) -> [String] {
        name.asciiName.map { database.equivalents(of: $0, on: abi, at: kernel) } ?? []
    }

    func isKnownAnywhere(_ name: RulesText) -> Bool { name.asciiName.map(database.isKnownOnAnyABI) ?? false }
}

/// The last few mask buffers met, each with a value worked out from its words (its hash, its
/// kernel form): lowering hands out one shared buffer per distinct -S list, so a buffer met
/// again is found by its address, without reading its 64 words. The entries keep their
/// buffers alive, so an address cannot be reused by another mask while it is remembered.
struct RecentMasks<Value> {
    private var entries: [(mask: [UInt32], tag: UInt64, value: Value)] = []
    private var next = 0
    static var capacity: Int { 8 }

    /// The value remembered for `mask`'s buffer with `tag` (what else the value depends on).
    func value(of mask: [UInt32], tag: UInt64 = 0) -> Value? {
        mask.withUnsafeBufferPointer { m in
            for e in entries where e.tag == tag && e.mask.withUnsafeBufferPointer({ $0.baseAddress == m.baseAddress && $0.count == m.count }) {
                return e.value
            }
            return nil
        }
    }

    mutating func remember(_ mask: [UInt32], tag: UInt64 = 0, _ value: Value) {
        if entries.count < Self.capacity { entries.append((mask, tag, value)) } else { entries[next] = (mask, tag, value) }
        next = (next + 1) % Self.capacity
    }
}

extension RecentMasks: Sendable where Value: Sendable {}
