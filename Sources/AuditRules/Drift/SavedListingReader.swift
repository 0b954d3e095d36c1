#if canImport(Glibc)
import Glibc
#endif
import Syscalls

/// A saved `auditctl -l` listing made loadable a block at a time, as `SavedListing.loadableText`
/// and `recoveringArchlessSyscalls` make the whole text loadable: line by line, the arch-less
/// recovery carrying the last arch listed from line to line. The listing is never whole in
/// memory (a 3-million-rule listing is about 270 MB).
struct SavedListingReader {
    let machine: Machine
    let database: SyscallDatabase
    let auditVersion: AuditVersion
    /// Lines whose arch-less syscall names were read back through another table.
    private(set) var recoveredLines: [Int] = []
    /// The last byte of the listing as given (nil when empty).
    private(set) var lastByte: UInt8?
    private var namingABI: ABI?
    private var lineNumber = 0
    /// The first bytes, until they tell whether the listing says "No rules".
    private var start: [UInt8] = []
    private var noRules: Bool?
    /// The line read so far (its newline not yet come).
    private var partial: [UInt8] = []
    private var out: [UInt8] = []
    private static let noRulesText = Array("No rules".utf8)

    init(machine: Machine, database: SyscallDatabase, auditVersion: AuditVersion) {
        self.machine = machine
        self.database = database
        self.auditVersion = auditVersion
    }

    /// Takes more of the listing; `emit` gets its loadable text, whole lines.
    mutating func feed(_ bytes: UnsafeBufferPointer<UInt8>, _ emit: (UnsafeRawBufferPointer) -> Void) {
        guard let last = bytes.last else { return }
        lastByte = last
        switch noRules {
        case true?: return
        case false?: take(bytes, emit)
        case nil:
            start += bytes
            if start.count >= Self.noRulesText.count { decide(emit) }
        }
    }

    /// The listing ended: its last line, if it had no newline.
    mutating func finish(_ emit: (UnsafeRawBufferPointer) -> Void) {
        if noRules == nil { decide(emit) }
        guard noRules == false, !partial.isEmpty else { return }
        out.removeAll(keepingCapacity: true)
        appendLine(RulesText(partial))
        partial = []
        out.withUnsafeBytes(emit)
    }

    /// "No rules" (auditctl's empty listing) stands for no rule, whatever follows it.
    private mutating func decide(_ emit: (UnsafeRawBufferPointer) -> Void) {
        let first = start
        start = []
        noRules = first.starts(with: Self.noRulesText)
        if noRules == false { first.withUnsafeBufferPointer { take($0, emit) } }
    }

    private mutating func take(_ bytes: UnsafeBufferPointer<UInt8>, _ emit: (UnsafeRawBufferPointer) -> Void) {
        out.removeAll(keepingCapacity: true)
        var from = 0
        if !partial.isEmpty {
            // The bytes held back before (a line begun in an earlier block) go first.
            guard let newline = bytes.firstIndex(of: 0x0A) else {
                partial += bytes
                return
            }
            partial += bytes[..<newline]
            appendLine(RulesText(partial))
            out.append(0x0A)
            partial = []
            from = newline + 1
        }
        while from < bytes.count {
            guard let newline = bytes[from...].firstIndex(of: 0x0A) else {
                partial += bytes[from...]
                break
            }
            appendLine(UnsafeBufferPointer(rebasing: bytes[from ..< newline]))
            out.append(0x0A)
            from = newline + 1
        }
        if !out.isEmpty { out.withUnsafeBytes(emit) }
    }

    private mutating func appendLine(_ bytes: UnsafeBufferPointer<UInt8>) {
        // Nearly every line is loadable as it is (no field-first watch, which starts with a
        // space; nothing to rewrite; no `-a` rule for the arch-less recovery): copied as it is.
        let mayBeRecovered = !auditVersion.isAudit4 && bytes.starts(with: "-a".utf8)
        if bytes.first != 0x20 && !mayBeRecovered && !SavedListing.needsRewriting(bytes) {
            lineNumber += 1
            out.append(contentsOf: bytes)
            return
        }
        appendLine(RulesText(bytes))
    }

    private mutating func appendLine(_ line: RulesText) {
        lineNumber += 1
        var loadable = SavedListing.loadableLine(line[...]).map(RulesText.init) ?? line
        if !auditVersion.isAudit4,
           let new = SavedListing.recoveringArchlessSyscalls(line: loadable[...], namingABI: &namingABI, machine: machine,
                                                             database: database, auditVersion: auditVersion) {
            loadable = RulesText(new)
            recoveredLines.append(lineNumber)
        }
        loadable.withBytes { out.append(contentsOf: $0) }
    }
}
