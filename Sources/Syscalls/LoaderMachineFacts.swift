import Synchronization
#if canImport(Glibc)
import Glibc
#endif

extension LoaderFacts {
    /// The kinds of record audit_detect_machine and audit_determine_machine read.
    private static let machineKinds: [[UInt8]] = ["machine\t", "table\t", "b32\t", "bits\t"].map { Array($0.utf8) }

    /// Whether a loader file's line is a machine record (machine, table, b32 or bits).
    static func isMachineRecord(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        // Most lines (message types, errnos, fields) differ in their first byte.
        guard let first = line.first, first == UInt8(ascii: "m") || first == UInt8(ascii: "t") || first == UInt8(ascii: "b") else { return false }
        return machineKinds.contains { kind in line.count > kind.count && memcmp(line.baseAddress!, kind, kind.count) == 0 }
    }

    /// A shipped release's facts with its machine records only: what `detectMachine`,
    /// `determineMachine` and `constant(named:)` answer from, the same answers as the whole facts
    /// give. ausyscall's path asks nothing else, and parsing the whole file (fields, messages,
    /// message types, errnos) took a third of an `aurules syscall` lookup. Only the span of the
    /// file that holds machine records is read (`EmbeddedTablesSource.spans`).
    static func shippedMachines(_ release: AuditVersion) -> LoaderFacts {
        let i = AuditVersion.allCases.firstIndex(of: release) ?? 0
        if let known = machinesParsed.withLock({ $0[i] }) { return known }
        let v = AuditVersion.allCases[i], file = "loader-\(v.rawValue).tsv"
        var text = EmbeddedTables.files.first { $0.name == file }?.text ?? ""
        var records = ""
        text.withUTF8 { bytes in
            let span = EmbeddedSpans.span(file: file, key: "machines").map { $0.clamped(to: 0 ..< bytes.count) } ?? 0 ..< bytes.count
            let part = UnsafeBufferPointer(rebasing: bytes[span])
            for line in ByteLines(part) {
                let slice = UnsafeBufferPointer(rebasing: part[line.range])
                if isMachineRecord(slice) { records += String(decoding: slice, as: UTF8.self) + "\n" }
            }
        }
        // The shipped files are generated and checked by tests: a parse failure is a build defect.
        let facts = (try? LoaderFacts(release: v, text: records, file: file)) ?? LoaderFacts.shipped(v)
        machinesParsed.withLock { $0[i] = facts }
        return facts
    }

    private static let machinesParsed = Mutex([LoaderFacts?](repeating: nil, count: AuditVersion.allCases.count))
}

/// The byte ranges `EmbeddedTablesSource.spans` derived from the embedded files.
enum EmbeddedSpans {
    private static let list = SortedNameList(text: EmbeddedTables.spans)

    /// The range of `key` (an ABI's rows, or `machines`) in the embedded file `file`; nil when
    /// the file has no such entry.
    static func span(file: String, key: String) -> Range<Int>? {
        guard let line = list.lines(startingWith: file + "\t" + key + "\t").first else { return nil }
        let f = line.split(separator: "\t")
        guard f.count == 4, let start = Int(f[2]), let end = Int(f[3]), start <= end else { return nil }
        return start ..< end
    }
}
