/// The lookups behind `aurules syscall`: ausyscall's (substring, exact, number, dump) plus the
/// cross-ABI and cross-release ones. Names are matched in the kernel's spelling and in libaudit's.
public struct SyscallLookup: Sendable {
    public let database: SyscallDatabase

    public init(database: SyscallDatabase) {
        self.database = database
    }

    /// Entries whose kernel name, or libaudit spelling of the same number, contains `text`
    /// (case-insensitive), in number order: ausyscall's default search.
    public func substring(_ text: String, in table: SyscallTable) -> [SyscallEntry] {
        let needle = text.lowercased()
        return table.entries.filter { e in
            e.name.lowercased().contains(needle)
                || AuditVersion.allCases.contains { v in
                    database.libauditName(of: e.number, abi: table.abi, version: v)?.lowercased().contains(needle) == true
                }
        }
    }

    /// The number of `name` (kernel or libaudit spelling) in `table`.
    public func exact(_ name: String, in table: SyscallTable) -> SyscallEntry? {
        if let n = table.number(of: name) { return SyscallEntry(number: n, name: table.name(of: n) ?? name) }
        // A spelling that names itself was looked up above.
        for alias in database.libauditAliases(of: name) where alias.abi == table.abi {
            if let n = table.number(of: alias.kernelName) { return SyscallEntry(number: n, name: alias.kernelName) }
        }
        return nil
    }

    /// Why `name` is not in `table`, as facts: the rows of that ABI that hold it at other releases,
    /// the equivalents that exist, and close names when nothing holds it anywhere.
    public struct Absence: Sendable {
        public var otherReleases: [SyscallRow]
        public var equivalents: [String]
        public var suggestions: [String]
        public var knownElsewhere: Bool
    }

    public func absence(of name: String, in table: SyscallTable) -> Absence {
        let names = database.kernelNames(for: name, abi: table.abi)
        let rows = database.rows(table.abi).filter { names.contains($0.name) }
        let equivalents = database.equivalents(of: name, on: table.abi, at: table.kernel)
        let known = database.isKnownOnAnyABI(name)
        return Absence(otherReleases: rows, equivalents: equivalents,
                       suggestions: known ? [] : suggestions(for: name, in: table), knownElsewhere: known)
    }

    /// Up to five names close to `name`: table names of this ABI first, then any known name.
    public func suggestions(for name: String, in table: SyscallTable?) -> [String] {
        let lower = name.lowercased()
        let pool = table.map { $0.entries.map(\.name) } ?? []
        let all = database.allNames.sorted()
        let limit = lower.count <= 4 ? 1 : lower.count <= 8 ? 2 : 3
        var scored: [(Int, Int, String)] = []
        var seen = Set<String>()
        for (rank, candidate) in (pool + all).enumerated() where seen.insert(candidate).inserted {
            let d = Self.distance(lower, candidate.lowercased(), limit: limit)
            if d <= limit { scored.append((d, rank < pool.count ? 0 : 1, candidate)) }
            else if lower.count >= 4 && candidate.lowercased().hasPrefix(lower) { scored.append((limit + 1, 0, candidate)) }
        }
        return scored.sorted { ($0.0, $0.1, $0.2) < ($1.0, $1.1, $1.2) }.prefix(5).map(\.2)
    }

    /// One row per covered ABI: the number of `name` there (nil when absent) and the equivalents.
    public struct AcrossABIs: Sendable {
        public var abi: ABI
        public var number: Int?
        public var kernelName: String?
        public var equivalents: [String]
    }

    public func acrossABIs(_ name: String, at kernel: KernelVersion) -> [AcrossABIs] {
        database.abiInfos.compactMap { info in
            guard let table = database.table(info.abi, at: kernel) else { return nil }
            let hit = exact(name, in: table)
            let equivalents = database.equivalents(of: name, on: info.abi, at: kernel)
            return AcrossABIs(abi: info.abi, number: hit?.number, kernelName: hit?.name, equivalents: equivalents)
        }
    }

    /// Edit distance counting an adjacent transposition as one edit (opne -> open), giving up
    /// (returning limit + 1) once every path exceeds `limit`.
    static func distance(_ a: String, _ b: String, limit: Int) -> Int {
        let x = Array(a.utf8), y = Array(b.utf8)
        if abs(x.count - y.count) > limit { return limit + 1 }
        if x.isEmpty || y.isEmpty { return max(x.count, y.count) }
        var before = [Int](repeating: 0, count: y.count + 1)
        var prev = Array(0...y.count)
        var cur = [Int](repeating: 0, count: y.count + 1)
        for i in 1...x.count {
            cur[0] = i
            var best = i
            for j in 1...y.count {
                var d = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
                if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] { d = min(d, before[j - 2] + 1) }
                cur[j] = d
                best = min(best, d)
            }
            if best > limit { return limit + 1 }
            (before, prev, cur) = (prev, cur, before)
        }
        return prev[y.count]
    }
}
