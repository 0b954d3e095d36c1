import Synchronization
#if canImport(Glibc)
import Glibc
#endif

extension LoaderFacts {
    /// Whether a loader file's line is a machine record (machine, table, b32 or bits): the kinds
    /// of record audit_detect_machine and audit_determine_machine read.
    static func isMachineRecord(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        func starts(_ kind: StaticString) -> Bool {
            line.count > kind.utf8CodeUnitCount && memcmp(line.baseAddress!, kind.utf8Start, kind.utf8CodeUnitCount) == 0
        }
        // Most lines (message types, errnos, fields) differ in their first byte.
        switch line.first {
        case UInt8(ascii: "m"): return starts("machine\t")
        case UInt8(ascii: "t"): return starts("table\t")
        case UInt8(ascii: "b"): return starts("b32\t") || starts("bits\t")
        default: return false
        }
    }

    /// A shipped release's facts with its machine records only: what `detectMachine`,
    /// `determineMachine` and `constant(named:)` answer from, the same answers as the whole facts
    /// give. ausyscall's path asks nothing else, and parsing the whole file (fields, messages,
    /// message types, errnos) took a third of an `aurules syscall` lookup. Only the span of the
    /// file that holds machine records is read (`EmbeddedTablesSource.spans`).
    static func shippedMachines(_ release: AuditVersion) -> LoaderFacts {
        let i = AuditVersion.allCases.firstIndex(of: release) ?? 0
        let v = AuditVersion.allCases[i]
        if let known = machinesParsed.withLock({ $0.flatMap { $0.facts.release == v ? $0.facts : nil } }) { return known }
        let file = "loader-\(v.rawValue).tsv"
        var text = EmbeddedTables.text(named: file) ?? ""
        let machineFacts = text.withUTF8 { bytes in
            let span = EmbeddedSpans.span(file: file, key: "machines").map { $0.clamped(to: 0 ..< bytes.count) } ?? 0 ..< bytes.count
            return try? LoaderFacts(release: v, machineRecords: UnsafeBufferPointer(rebasing: bytes[span]), file: file)
        }
        // The shipped files are generated and checked by tests: a parse failure is a build defect.
        let facts = machineFacts ?? LoaderFacts.shipped(v)
        machinesParsed.withLock { $0 = Parsed(facts: facts) }
        return facts
    }

    /// The release asked for last: a lookup asks about one release (the machine, then each word).
    /// One boxed slot, not one per release: an array of optional facts, or an optional one held
    /// in place, is a type the runtime instantiates at its first use (a tenth of a lookup).
    private static let machinesParsed = Mutex<Parsed?>(nil)

    private final class Parsed: Sendable {
        let facts: LoaderFacts
        init(facts: LoaderFacts) { self.facts = facts }
    }
}

/// The byte ranges `EmbeddedTablesSource.spans` derived from the embedded files.
enum EmbeddedSpans {
    private static let list = SortedNameList(text: EmbeddedTables.spans)

    /// The range of `key` (an ABI's rows, or `machines`) in the embedded file `file`; nil when
    /// the file has no such entry.
    static func span(file: String, key: String) -> Range<Int>? {
        let prefix = file + "\t" + key + "\t"
        guard let line = list.lines(startingWith: prefix).first else { return nil }
        // The start and end bytes after the prefix (no array of fields: a lookup asks twice).
        let numbers = line.utf8.dropFirst(prefix.utf8.count)
        guard let tab = numbers.firstIndex(of: 0x09), let start = Int(Substring(numbers[..<tab])),
              let end = Int(Substring(numbers[numbers.index(after: tab)...])), start <= end else { return nil }
        return start ..< end
    }
}
