#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

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
    let inheritedFiles: Set<String>
    /// Every name of the files, derived when they were embedded (`EmbeddedTablesSource.names`);
    /// nil for a tables directory, whose names are collected from its tables on first use.
    let embeddedNames: SortedNameList?
    /// libaudit's spellings of other kernel names, derived when the files were embedded
    /// (`EmbeddedTablesSource.aliases`); nil for a tables directory.
    let embeddedAliases: SortedNameList?
    /// Whether the files are the embedded ones, whose spans (`EmbeddedSpans`) locate an ABI's rows.
    let embeddedSpans: Bool
    let cache = Cache()

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

    /// The raw text of one tables file, as embedded or read (for `aurules tables export`).
    public func fileText(_ name: String) -> String? { fileNameList.firstIndex(of: name).map { fileTexts[$0] } }
    public var fileNames: [String] { fileNameList.sorted() }
}
