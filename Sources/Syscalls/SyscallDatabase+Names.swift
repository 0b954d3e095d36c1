/// Every name the tables know, and libaudit's spellings of other kernel names.
extension SyscallDatabase {
    /// True when any ABI at any release has `name`, in the kernel's or libaudit's spelling.
    /// The built-in tables answer from the names derived when they were embedded: collecting
    /// them here parsed every ABI's table and every release's libaudit table on the first rule.
    public func isKnownOnAnyABI(_ name: String) -> Bool {
        if let embeddedNames { return embeddedNames.contains(name.asciiLowercased) }
        return allNames.contains(name.asciiLowercased)
    }

    /// Every kernel and libaudit name, lower-cased.
    public var allNames: Set<String> {
        if let box = cache.peek({ $0.allNames }) { return box.names }
        if let embeddedNames {
            return cache.value({ $0.allNames }, { $0.allNames = $1 }) { Cache.NamesBox(Set(embeddedNames.all)) }.names
        }
        return collectedNames
    }

    /// `allNames` collected from the tables themselves (what `EmbeddedTablesSource` derives).
    var collectedNames: Set<String> {
        if let box = cache.peek({ $0.allNames }) { return box.names }
        // The libaudit files a tables directory inherits give every such directory the same
        // names: collected once per process (they were most of reading a directory).
        let inherited = AuditVersion.allCases.filter { inheritedFiles.contains("libaudit-\($0.rawValue).tsv") }
        let own = AuditVersion.allCases.filter { !inherited.contains($0) }
        let kernelTables = abiInfos.map { rows($0.abi) }, libauditTables = own.map(libaudit)
        let inheritedNames = Self.shippedLibauditNames(inherited)
        return cache.value({ $0.allNames }, { $0.allNames = $1 }) {
            var names = inheritedNames
            names.formUnion(Self.names(kernelTables: kernelTables, libauditTables: libauditTables))
            return Cache.NamesBox(names)
        }.names
    }

    /// The names of the built-in libaudit tables of `versions` (`names(kernelTables:libauditTables:)`),
    /// by the set of versions.
    private static func shippedLibauditNames(_ versions: [AuditVersion]) -> Set<String> {
        let key = versions.map(\.rawValue).joined(separator: ",")
        if let known = inheritedLibauditNames.withLock({ $0[key] }) { return known }
        let names = Self.names(kernelTables: [], libauditTables: versions.map(shipped.libaudit))
        inheritedLibauditNames.withLock { $0[key] = names }
        return names
    }

    private static let inheritedLibauditNames = Locked<[String: Set<String>]>([:])

    /// The names of every row of `kernelTables` and every name of `libauditTables`, lower-cased.
    static func names(kernelTables: [[SyscallRow]], libauditTables: [[ABI: [Int: String]]]) -> Set<String> {
        var names = Set<String>()
        for rows in kernelTables { for r in rows { names.insert(r.name.lowercased()) } }
        for tables in libauditTables {
            for (_, t) in tables { for (_, n) in t { names.insert(n.lowercased()) } }
        }
        return names
    }

    /// `name` itself (lower-cased in ASCII, as libaudit folds bytes) plus the kernel names libaudit spells `name` on `abi`.
    func kernelNames(for name: String, abi: ABI) -> Set<String> {
        var out: Set<String> = [name.asciiLowercased]
        for alias in libauditAliases(of: name) where alias.abi == abi { out.insert(alias.kernelName) }
        return out
    }

    /// Where libaudit's spelling `name` (any case) names another kernel name: each ABI and release
    /// whose `kernelName(libaudit:abi:version:)` is neither nil nor `name` lower-cased, in release
    /// order. The built-in tables answer from what was derived when they were embedded: asking
    /// every release's table of every ABI built 88 tables for one missing name.
    public func libauditAliases(of name: String) -> [(abi: ABI, version: AuditVersion, kernelName: String)] {
        let lower = name.asciiLowercased
        guard let embeddedAliases else {
            // A tables directory: asked of every release's libaudit table of every ABI the
            // tables have rows for (no rows, no kernel name), once per name (a compile asks
            // again for each class member and each rule naming it).
            let memo = cache.value({ $0.aliases }, { $0.aliases = $1 }) { Cache.AliasMemo() }
            if let known = memo.answers.withLock({ $0[lower] }) { return known }
            let abis = ABI.allCases.filter { !rows($0).isEmpty }
            var out: [(abi: ABI, version: AuditVersion, kernelName: String)] = []
            for version in AuditVersion.allCases {
                for abi in abis {
                    if let k = kernelName(libaudit: lower, abi: abi, version: version), k != lower { out.append((abi, version, k)) }
                }
            }
            // Bounded: an input of endless distinct bogus names must not grow it without end.
            memo.answers.withLock {
                if $0.count >= Cache.AliasMemo.capacity { $0.removeAll(keepingCapacity: true) }
                $0[lower] = out
            }
            return out
        }
        var out: [(abi: ABI, version: AuditVersion, kernelName: String)] = []
        for line in embeddedAliases.lines(startingWith: lower + "\t") {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard f.count == 4, let abi = ABI(rawValue: String(f[1])), let version = AuditVersion(rawValue: String(f[2])) else { continue }
            out.append((abi, version, String(f[3])))
        }
        return out.sorted { $0.version < $1.version }
    }
}
