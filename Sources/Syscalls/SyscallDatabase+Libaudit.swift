/// libaudit's syscall tables of each release (`libaudit-VERSION.tsv`): whole, one ABI's rows, the
/// one-question passes ausyscall's lookups make without building a table, and each ABI's index
/// both ways.
extension SyscallDatabase {
    func libaudit(_ version: AuditVersion) -> [ABI: [Int: String]] {
        (try? libauditThrowing(version)) ?? [:]
    }

    func libauditThrowing(_ version: AuditVersion) throws -> [ABI: [Int: String]] {
        let file = "libaudit-\(version.rawValue).tsv"
        if inheritedFiles.contains(file) { return try Self.shipped.libauditThrowing(version) }
        return try cache.value({ $0.libaudit[version.index]?.table }, { $0.libaudit[version.index] = .init($1) }) {
            try TableText.libaudit(fileText(file) ?? "", file: file)
        }
    }

    /// libaudit's rows for one ABI in the file's order, the others' names never made (ausyscall's
    /// --dump and substring search). Empty when the table cannot be read, as `libaudit`.
    func libauditRows(_ version: AuditVersion, abi: ABI) -> [(number: Int, name: String)] {
        var rows: [(number: Int, name: String)] = []
        let readable = withLibauditBytes(version, abi: abi) { bytes, file in
            try TableText.forEachLibauditRow(of: abi, in: bytes, file: file) { number, name, _ in
                rows.append((number, String(decoding: name, as: UTF8.self)))
                return true
            }
        }
        return readable ? rows : []
    }

    /// Runs `body` over the bytes of `version`'s libaudit file that hold `abi`'s rows (the shipped
    /// file when inherited; for the embedded files only the ABI's span); false when it throws (a
    /// malformed row).
    private func withLibauditBytes(_ version: AuditVersion, abi: ABI, _ body: (UnsafeBufferPointer<UInt8>, String) throws -> Void) -> Bool {
        let file = "libaudit-\(version.rawValue).tsv"
        if inheritedFiles.contains(file) { return Self.shipped.withLibauditBytes(version, abi: abi, body) }
        var text = fileText(file) ?? ""
        return text.withUTF8 { bytes in
            let span = embeddedSpans ? EmbeddedSpans.span(file: file, key: abi.rawValue)?.clamped(to: 0 ..< bytes.count) : nil
            return (try? body(UnsafeBufferPointer(rebasing: bytes[span ?? 0 ..< bytes.count]), file)) != nil
        }
    }

    /// `libauditName(of:abi:version:)` from this ABI's rows as the file stands, when the table
    /// has not been built: ausyscall's one question per process, without the table.
    func libauditFirstName(of number: Int, abi: ABI, version: AuditVersion) -> String? {
        if let known = cache.peek({ $0.libauditABIs[Cache.slot(version, abi)] }) { return known.names[number] }
        var found: String?
        let readable = withLibauditBytes(version, abi: abi) { bytes, file in
            try TableText.forEachLibauditRow(of: abi, in: bytes, file: file) { n, name, _ in
                if found == nil && n == number { found = String(decoding: name, as: UTF8.self) }
                return true
            }
        }
        return readable ? found : nil
    }

    /// ausyscall's `--exact`: `libauditNumber(of:abi:version:)` (the lowest number of a row whose
    /// name, lower-cased, is `libauditName` lower-cased in ASCII) and that number's first name
    /// (`libauditName(of:)`), from one pass over this ABI's rows when the table has not been built.
    func libauditExact(_ libauditName: String, abi: ABI, version: AuditVersion) -> (number: Int, name: String?)? {
        let lower = libauditName.asciiLowercased
        if let known = cache.peek({ $0.libauditABIs[Cache.slot(version, abi)] }) {
            return known.numbers[lower].map { ($0, known.names[$0]) }
        }
        var found: (number: Int, name: String?)?
        // The key's bytes in place: an array of them is a type the runtime instantiates at first use.
        var keyText = lower
        let readable = keyText.withUTF8 { key in withLibauditBytes(version, abi: abi) { bytes, file in
            // The embedded files are ASCII (`EmbeddedTablesSource`), as `key` is: rows of another
            // length cannot match, and are passed over by it.
            try TableText.forEachLibauditRow(of: abi, in: bytes, file: file, nameCount: embeddedSpans && key.allSatisfy({ $0 < 0x80 }) ? key.count : nil) { n, name, lineStart in
                guard n < (found?.number ?? Int.max), Self.sameLowercased(name, key, lower) else { return true }
                // The number's first name: an earlier row of the number, else this one.
                var first = String(decoding: name, as: UTF8.self)
                try? TableText.forEachLibauditRow(of: abi, in: UnsafeBufferPointer(rebasing: bytes[..<lineStart]), file: file) { m, earlier, _ in
                    guard m == n else { return true }
                    first = String(decoding: earlier, as: UTF8.self)
                    return false
                }
                found = (n, first)
                return true
            }
        } }
        return readable ? found : nil
    }

    /// Whether a row's name, lower-cased, is `lower` (`key` its bytes): byte by byte when ASCII.
    private static func sameLowercased(_ name: UnsafeBufferPointer<UInt8>, _ key: UnsafeBufferPointer<UInt8>, _ lower: String) -> Bool {
        guard name.allSatisfy({ $0 < 0x80 }) else { return String(decoding: name, as: UTF8.self).lowercased() == lower }
        guard name.count == key.count else { return false }
        for i in 0 ..< key.count where (name[i] >= 0x41 && name[i] <= 0x5A ? name[i] | 0x20 : name[i]) != key[i] { return false }
        return true
    }

    /// libaudit's name for `number` on `abi`; nil when that libaudit lacks it.
    public func libauditName(of number: Int, abi: ABI, version: AuditVersion) -> String? {
        libauditTable(version, abi: abi).names[number]
    }

    /// libaudit's number for `libauditName` on `abi`, case-insensitive.
    public func libauditNumber(of libauditName: String, abi: ABI, version: AuditVersion) -> Int? {
        libauditTable(version, abi: abi).numbers[libauditName.asciiLowercased]
    }

    /// libaudit's table of one ABI in one release, both directions: by number (the first of a
    /// number's names, as `libaudit`) and by lower-cased name (the lowest number; a scan of a
    /// whole table per question made lint of 100,000 rules take seconds). Per ABI: a compile
    /// asks one or two ABIs, in every release when a name is missing from the kernel's table,
    /// and building every ABI's index of every release was most of a small compile. Empty when
    /// the table cannot be read, as `libaudit`.
    private func libauditTable(_ version: AuditVersion, abi: ABI) -> Cache.LibauditABI {
        let file = "libaudit-\(version.rawValue).tsv"
        if inheritedFiles.contains(file) { return Self.shipped.libauditTable(version, abi: abi) }
        let slot = Cache.slot(version, abi)
        if let known = cache.peek({ $0.libauditABIs[slot] }) { return known }
        let rows = libauditRows(version, abi: abi)
        return cache.value({ $0.libauditABIs[slot] }, { $0.libauditABIs[slot] = $1 }) {
            var names: [Int: String] = [:], numbers: [String: Int] = [:]
            for (number, name) in rows {
                if names[number] == nil { names[number] = name }
                let key = name.lowercased()
                numbers[key] = min(number, numbers[key] ?? number)
            }
            return Cache.LibauditABI(names: names, numbers: numbers)
        }
    }

    /// The kernel table name of the syscall libaudit spells `libauditName` (case-insensitive):
    /// "pread" gives "pread64" on x86_64. nil when libaudit lacks the name or the tables lack its number.
    public func kernelName(libaudit libauditName: String, abi: ABI, version: AuditVersion) -> String? {
        guard let number = libauditNumber(of: libauditName, abi: abi, version: version) else { return nil }
        return kernelTableName(of: number, abi: abi)
    }

    /// The name of `number` in `abi`'s table, from its latest row (nil: no row has it).
    func kernelTableName(of number: Int, abi: ABI) -> String? {
        // The rows are sorted by number: the number's rows are found by bisection, not a scan.
        let all = self.rows(abi)
        var low = 0, high = all.count
        while low < high {
            let mid = (low + high) / 2
            if all[mid].number < number { low = mid + 1 } else { high = mid }
        }
        let rows = all[low...].prefix { $0.number == number }
        return rows.max { ($0.last ?? KernelVersion(999, 0)) < ($1.last ?? KernelVersion(999, 0)) }?.name
    }
}
