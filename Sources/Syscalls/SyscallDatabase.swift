#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Every ABI's versioned syscall table, the ABI file, libaudit's spellings and the equivalence
/// groups. The shipped database is text compiled into the binary and parsed on first use, one ABI
/// at a time: a lookup for one ABI never pays for the others.
public final class SyscallDatabase: Sendable {
    /// The tables compiled into the binary (SyscallTables/ at build time).
    public static let shipped = SyscallDatabase(fileNames: EmbeddedTables.fileNames, texts: EmbeddedTables.texts, origin: "built-in tables",
                                                names: SortedNameList(text: EmbeddedTables.names),
                                                aliases: SortedNameList(text: EmbeddedTables.aliases), spans: true)

    /// Where the tables came from, for messages.
    public let origin: String
    // Arrays, not a dictionary: see SyscallTable's index. The names apart from the texts, as
    // EmbeddedTables keeps them (a lookup compares names; a name's neighbour is not touched).
    private let fileNameList: [String]
    private let fileTexts: [String]
    /// Files taken unchanged from the built-in tables (libaudit spellings, equivalence groups a
    /// `--tables` directory lacks): read through `shipped`, parsed once per process.
    private let inheritedFiles: Set<String>
    /// Every name of the files, derived when they were embedded (`EmbeddedTablesSource.names`);
    /// nil for a tables directory, whose names are collected from its tables on first use.
    private let embeddedNames: SortedNameList?
    /// libaudit's spellings of other kernel names, derived when the files were embedded
    /// (`EmbeddedTablesSource.aliases`); nil for a tables directory.
    private let embeddedAliases: SortedNameList?
    /// Whether the files are the embedded ones, whose spans (`EmbeddedSpans`) locate an ABI's rows.
    private let embeddedSpans: Bool
    private let cache = Cache()

    convenience init(files: [(name: String, text: String)], origin: String, inheritedFiles: Set<String> = [],
                     names: SortedNameList? = nil, aliases: SortedNameList? = nil, spans: Bool = false) {
        self.init(fileNames: files.map { $0.name }, texts: files.map { $0.text }, origin: origin, inheritedFiles: inheritedFiles,
                  names: names, aliases: aliases, spans: spans)
    }

    /// `fileNames[i]`'s text is `texts[i]`.
    private init(fileNames: [String], texts: [String], origin: String, inheritedFiles: Set<String> = [],
                 names: SortedNameList? = nil, aliases: SortedNameList? = nil, spans: Bool = false) {
        self.fileNameList = fileNames
        self.fileTexts = texts
        self.origin = origin
        self.inheritedFiles = inheritedFiles
        self.embeddedNames = names
        self.embeddedAliases = aliases
        self.embeddedSpans = spans
    }

    /// Reads a directory in the format of SyscallTables/ (`--tables DIR`). Every file is parsed
    /// now so that a broken file is reported before any lookup. libaudit spellings and equivalence
    /// groups missing from the directory come from the built-in tables.
    /// `replacing` gives file texts (by file name) that stand in for the directory's own: what
    /// `tables import` is about to write is checked as `--tables` will read it (the directory
    /// may then not exist yet).
    public convenience init(directory: String, replacing: [String: String] = [:]) throws {
        let fm = FileManager.default
        var isDir = false
        let exists = fm.fileExists(atPath: directory, isDirectory: &isDir)
        guard exists ? isDir : !replacing.isEmpty else {
            throw TableFormatError(file: directory, line: 0, message: "not a directory")
        }
        var files: [(String, String)] = []
        let listed = exists ? try fm.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".tsv") } : []
        let names = Set(listed).union(replacing.keys).sorted()
        guard names.contains("abis.tsv") else {
            throw TableFormatError(file: directory + "/abis.tsv", line: 0, message: "missing ABI file")
        }
        for name in names {
            let path = directory + "/" + name
            if let text = replacing[name] {
                files.append((name, text))
                continue
            }
            guard let data = fm.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw TableFormatError(file: path, line: 0, message: "cannot read")
            }
            files.append((name, text))
        }
        var inherited = Set<String>()
        for shipped in EmbeddedTables.files where !names.contains(shipped.name)
            && (shipped.name.hasPrefix("libaudit-") || shipped.name == "equivalents.tsv") {
            files.append(shipped)
            inherited.insert(shipped.name)
        }
        self.init(files: files, origin: directory, inheritedFiles: inherited)
        try validate(directory: directory)
    }

    private func validate(directory: String) throws {
        let infos = try abiInfosThrowing()
        for info in infos {
            let file = directory + "/\(info.abi.rawValue).tsv"
            guard fileText("\(info.abi.rawValue).tsv") != nil else {
                throw TableFormatError(file: file, line: 0, message: "abis.tsv lists \(info.abi) but its table file is missing")
            }
            let rows = try rowsThrowing(info.abi, file: file)
            // An empty table would silently drop every rule of the ABI.
            guard !rows.isEmpty else { throw TableFormatError(file: file, line: 1, message: "no syscall rows") }
            try Self.checkIntervals(rows, info: info, file: file)
        }
        guard !infos.isEmpty else { throw TableFormatError(file: directory + "/abis.tsv", line: 0, message: "lists no ABI") }
        for version in AuditVersion.allCases { _ = try libauditThrowing(version) }
        _ = try groupsThrowing()
    }

    // MARK: ABIs

    /// The ABIs the tables cover, as the ABI file lists them.
    public var abiInfos: [ABIInfo] { (try? abiInfosThrowing()) ?? [] }

    public func info(_ abi: ABI) -> ABIInfo? { abiInfos.first { $0.abi == abi } }

    func abiInfosThrowing() throws -> [ABIInfo] {
        try cache.value({ $0.abis }, { $0.abis = $1 }) {
            try TableText.abis(fileText("abis.tsv") ?? "", file: "abis.tsv")
        }
    }

    /// The newest release the tables know: the default of `--kernel`.
    public var newestRelease: KernelVersion {
        abiInfos.map(\.newest).max() ?? KernelVersion(0, 0)
    }

    /// A hand-edited or badly merged table must not give one number two names at a release, nor rows the ABI file says the tables were never checked against:
    /// a lookup would then answer by whichever row it met first.
    static func checkIntervals(_ rows: [SyscallRow], info: ABIInfo, file: String) throws {
        func fail(_ message: String) -> TableFormatError { TableFormatError(file: file, line: 0, message: message) }
        func span(_ r: SyscallRow) -> String { "\(r.number) \(r.name) \(r.first)-\(r.last.map(\.description) ?? "")" }
        for r in rows {
            if r.first > info.newest { throw fail("\(span(r)) starts after \(info.newest), the newest release abis.tsv lists for \(info.abi)") }
        }
        // Rows come sorted by number, then first release. (One name at two numbers is real: s390x
        // had getrlimit at 76 and 191 until 4.15.)
        for (a, b) in zip(rows, rows.dropFirst()) where a.number == b.number && (a.last.map { $0 >= b.first } ?? true) {
            throw fail("rows \(span(a)) and \(span(b)) overlap: number \(a.number) has two names at \(b.first)")
        }
    }

    // MARK: Tables

    /// Every row of one ABI's versioned table, sorted by number then first release.
    public func rows(_ abi: ABI) -> [SyscallRow] {
        (try? rowsThrowing(abi, file: "\(abi.rawValue).tsv")) ?? []
    }

    func rowsThrowing(_ abi: ABI, file: String) throws -> [SyscallRow] {
        try cache.value({ $0.rows[abi.index] }, { $0.rows[abi.index] = $1 }) {
            var rows = try TableText.rows(fileText("\(abi.rawValue).tsv") ?? "", file: file, abi: abi)
            let ordered = zip(rows, rows.dropFirst()).allSatisfy { ($0.number, $0.first) <= ($1.number, $1.first) }
            if !ordered { rows.sort { ($0.number, $0.first) < ($1.number, $1.first) } }
            return rows
        }
    }

    /// The rows of `abi` named `name` (case-insensitive, kernel spelling) or numbered `number`,
    /// found by scanning the table's text when it has not been parsed yet: one lookup, as
    /// `aurules syscall NAME --exact` makes, then costs a fraction of building the table.
    public func rows(_ abi: ABI, named name: String? = nil, number: Int? = nil) -> [SyscallRow] {
        if let rows = cache.peek({ $0.rows[abi.index] }) {
            return rows.filter { r in (name.map { r.name.asciiLowercased == $0.asciiLowercased } ?? true) && (number.map { r.number == $0 } ?? true) }
        }
        guard let text = fileText("\(abi.rawValue).tsv") else { return [] }
        let key = Array(name?.asciiLowercased.utf8 ?? "".utf8)
        var matching = ""
        var copy = text
        copy.withUTF8 { bytes in
            for line in ByteLines(bytes) {
                let (start, end) = (line.range.lowerBound, line.range.upperBound)
                guard end > start, bytes[start] != UInt8(ascii: "#") else { continue }
                var tab = start
                var nr = 0
                while tab < end && bytes[tab] != 0x09 { nr = nr &* 10 &+ Int(bytes[tab] &- 0x30); tab += 1 }
                if let number, nr != number { continue }
                if name != nil {
                    var i = tab + 1, k = 0
                    while i < end && k < key.count && bytes[i] | 0x20 == key[k] | 0x20 { i += 1; k += 1 }
                    guard k == key.count, i < end, bytes[i] == 0x09 else { continue }
                }
                matching += String(decoding: UnsafeBufferPointer(rebasing: bytes[start ..< end]), as: UTF8.self) + "\n"
            }
        }
        return (try? TableText.rows(matching, file: "\(abi.rawValue).tsv", abi: abi)) ?? []
    }

    /// One ABI at one release; nil when the tables do not cover that ABI at that release
    /// (before its first release, or after the kernel dropped it, as s390 compat in 6.19).
    public func table(_ abi: ABI, at kernel: KernelVersion) -> SyscallTable? {
        guard let info = info(abi), info.covers(kernel) else { return nil }
        // Callers ask again per rule or per number (listing, compiling), and a lint compiles
        // for several releases in turn: keep the last few per ABI.
        let sameKernel = { (state: Cache.State) in state.tables[abi.index]?.first { $0.kernel == kernel } }
        if let table = cache.peek(sameKernel) { return table }
        let rows = self.rows(abi)
        return cache.value(sameKernel, { state, table in
            state.tables[abi.index] = [table] + (state.tables[abi.index] ?? []).prefix(Cache.tablesKept - 1)
        }) {
            SyscallTable(abi: abi, kernel: kernel, entries: rows.filter { $0.isPresent(at: kernel) }.map { SyscallEntry(number: $0.number, name: $0.name) })
        }
    }

    /// The ABIs `-F arch=b64` and `-F arch=b32` mean on `machine` at `kernel`.
    public func abis(for machine: Machine, at kernel: KernelVersion) -> (b64: ABI?, b32: ABI?) {
        let b64 = machine.b64.flatMap { info($0)?.covers(kernel) == true ? $0 : nil }
        var b32 = machine.b32.flatMap { info($0)?.covers(kernel) == true ? $0 : nil }
        // On a 64-bit machine the 32-bit ABI is the compat partner the ABI file names.
        if let b64, info(b64)?.partner32 != b32 { b32 = nil }
        return (b64, b32)
    }

    /// The rows of every ABI that ever had `name` (kernel or libaudit spelling).
    public func history(of name: String) -> [(abi: ABI, rows: [SyscallRow])] {
        abiInfos.compactMap { info in
            let resolved = kernelNames(for: name, abi: info.abi)
            let rows = self.rows(info.abi).filter { resolved.contains($0.name) }
            return rows.isEmpty ? nil : (info.abi, rows)
        }
    }
    /// `name` itself (lower-cased in ASCII, as libaudit folds bytes) plus the kernel names libaudit spells `name` on `abi`.
    /// `name` itself (lower-cased) plus the kernel names libaudit spells `name` on `abi`.
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

    // MARK: Equivalence groups

    public var groups: [(name: String, members: [String])] { (try? groupsThrowing()) ?? [] }

    func groupsThrowing() throws -> [(name: String, members: [String])] {
        if inheritedFiles.contains("equivalents.tsv") { return try Self.shipped.groupsThrowing() }
        return try cache.value({ $0.groups }, { $0.groups = $1 }) {
            try TableText.groups(fileText("equivalents.tsv") ?? "", file: "equivalents.tsv")
        }
    }

    /// The members of `name`'s equivalence groups that exist on `abi` at `kernel`, in group order,
    /// without `name` itself: open on aarch64 gives openat, openat2.
    public func equivalents(of name: String, on abi: ABI, at kernel: KernelVersion) -> [String] {
        guard let table = table(abi, at: kernel) else { return [] }
        // The name and every kernel name libaudit's spelling of it names, on any ABI in any release.
        var own: Set<String> = [name.asciiLowercased]
        for alias in libauditAliases(of: name) { own.insert(alias.kernelName) }
        var out: [String] = []
        for group in groups where group.members.contains(where: own.contains) {
            for m in group.members where !own.contains(m) && table.contains(m) && !out.contains(m) {
                out.append(m)
            }
        }
        return out
    }

    // MARK: Names

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

    // MARK: libaudit

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

    /// The raw text of one tables file, as embedded or read (for `aurules tables export`).
    public func fileText(_ name: String) -> String? { fileNameList.firstIndex(of: name).map { fileTexts[$0] } }
    public var fileNames: [String] { fileNameList.sorted() }
}

/// The parsed pieces of a database, filled on first use.
private final class Cache: Sendable {
    struct State {
        var rows = Slots<[SyscallRow]>(count: ABI.allCases.count)
        /// The last tables asked for, per ABI, newest first (callers ask again per rule or per number).
        var tables = Slots<[SyscallTable]>(count: ABI.allCases.count)
        var libaudit = Slots<LibauditBox>(count: AuditVersion.allCases.count)
        /// libaudit's table per (release, ABI): see `slot`.
        var libauditABIs = Slots<LibauditABI>(count: AuditVersion.allCases.count * ABI.allCases.count)
        var abis: [ABIInfo]?
        var groups: [(name: String, members: [String])]?
        var allNames: NamesBox?
        var aliases: AliasMemo?
    }

    /// `count` optional values, the array made on the first store: each array type is
    /// instantiated by the runtime when first made, and a lookup fills none of them.
    struct Slots<Value: Sendable>: Sendable {
        private var values: [Value?] = []
        private let count: Int
        init(count: Int) { self.count = count }

        subscript(i: Int) -> Value? {
            get { values.isEmpty ? nil : values[i] }
            set {
                if values.isEmpty { values = Array(repeating: nil, count: count) }
                values[i] = newValue
            }
        }
    }

    // Boxed: a stored [ABI: ...] or Set<String> would be instantiated (with its Hashable checks)
    // on every start, even for runs that never read them.
    final class LibauditBox: Sendable { let table: [ABI: [Int: String]]; init(_ t: [ABI: [Int: String]]) { table = t } }
    final class LibauditABI: Sendable {
        let names: [Int: String]
        let numbers: [String: Int]
        init(names: [Int: String], numbers: [String: Int]) { self.names = names; self.numbers = numbers }
    }
    final class NamesBox: Sendable { let names: Set<String>; init(_ n: Set<String>) { names = n } }
    /// `libauditAliases` of a tables directory, by lower-cased name, as they are asked.
    final class AliasMemo: Sendable {
        let answers = Locked<[String: [(abi: ABI, version: AuditVersion, kernelName: String)]]>([:])
        static let capacity = 4096
    }

    // A Mutex, not Locked: a generic class is instantiated by the runtime when first made (every
    // start made this one), a struct of a known layout is not.
    private let state = Mutex(State())
    static let tablesKept = 4

    /// The index of a (release, ABI) pair in `State.libauditABIs`.
    static func slot(_ version: AuditVersion, _ abi: ABI) -> Int { version.index * ABI.allCases.count + abi.index }

    /// The value `get` reads, made by `make` and stored by `set` on first use. Closures rather
    /// than key paths: a key path is itself instantiated at run time. `make` runs under the lock
    /// (parsing threads that start together would otherwise each build the same table, the set
    /// of every name the most expensive of them), so it must not read the cache: a value built
    /// from others is given them by its caller, read before.
    func value<T>(_ get: (State) -> T?, _ set: (inout State, T) -> Void, _ make: () throws -> T) rethrows -> T {
        try state.withLock { state in
            if let v = get(state) { return v }
            let v = try make()
            set(&state, v)
            return v
        }
    }

    /// The value `get` reads, nil when it has not been made yet.
    func peek<T>(_ get: (State) -> T?) -> T? { state.withLock { get($0) } }
}

private extension ABI {
    var index: Int { ABI.allCases.firstIndex(of: self)! }
}

private extension AuditVersion {
    var index: Int { AuditVersion.allCases.firstIndex(of: self)! }
}
