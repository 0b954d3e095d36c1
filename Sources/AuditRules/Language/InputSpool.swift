#if canImport(Glibc)
import Glibc
#endif

/// A copy of an input that cannot be read twice (standard input, a pipe, a FIFO), written as it
/// is read to a temporary file that has no name (or loses it at once): lint quotes the source
/// lines of findings made once the whole input is read, and keeping them in memory would keep
/// every rule's line. The copy is capped (`limit`): an endless input would fill the disk.
public final class InputSpool {
    private let fd: Int32
    /// Bytes the copy may hold; a chunk that would pass it is not copied, nor any after it.
    public let limit: Int
    private var written = 0
    /// The last line copied, once the copy stopped (the cap, a write error); nil while it goes on.
    private var copiedThrough: Int?
    /// Said once each, for the caller to print (`takeWarnings`).
    private var warnings: [String] = []
    private var warnedOfLimit = false
    private var stoppedByError = false
    /// What the copy is of, in the warnings.
    private let name: String

    /// The default cap: 256 MiB; `AURULES_SPOOL_LIMIT` (bytes) changes it.
    public static let defaultLimit = 256 << 20

    /// nil when no temporary file can be made (`$TMPDIR`, else /tmp).
    public init?(name: String = InputFile.standardInputName, limit: Int? = nil) {
        let variable = getenv("TMPDIR").map { String(cString: $0) } ?? ""
        let directory = variable.isEmpty ? "/tmp" : variable
        guard let fd = Self.unnamedFile(in: directory) else { return nil }
        self.fd = fd
        self.name = name
        self.limit = limit ?? Self.configuredLimit()
    }

    deinit { close(fd) }

    /// `AURULES_SPOOL_LIMIT` when it is a number of bytes (0 keeps no copy), else the default.
    static func configuredLimit() -> Int {
        guard let raw = getenv("AURULES_SPOOL_LIMIT"), let value = Int(String(cString: raw)), value >= 0 else { return defaultLimit }
        return value
    }

    /// Linux's O_TMPFILE (`__O_TMPFILE | O_DIRECTORY`; Glibc's macro does not reach Swift): a file
    /// that never has a name, so nothing can open it or be left behind, even by a SIGKILL
    /// between creating and unlinking it.
    static let oTmpFile: Int32 = 0o20000000 | O_DIRECTORY

    /// A temporary file with no name, open for reading and writing and closed on exec: O_TMPFILE
    /// where the filesystem has it, else mkstemp then unlink at once.
    static func unnamedFile(in directory: String) -> Int32? {
        let fd = Glibc.open(directory, oTmpFile | O_RDWR | O_CLOEXEC, mode_t(0o600))
        if fd >= 0 { return fd }
        var template = Array("\(directory)/aurules-input-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard made >= 0 else { return nil }
        _ = fcntl(made, F_SETFD, FD_CLOEXEC)
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        return made
    }

    /// The next chunk of the input, starting at line `firstLine`, as it was handed on (lines capped).
    public func append(_ text: RulesText, firstLine: Int) {
        guard copiedThrough == nil else { return }
        guard written + text.count <= limit else {
            copiedThrough = firstLine - 1
            return
        }
        let failure: Int32? = text.withBytes { bytes in
            var done = 0
            while done < bytes.count {
                let n = write(fd, bytes.baseAddress! + done, bytes.count - done)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { return n < 0 ? errno : ENOSPC }
                done += n
            }
            return nil
        }
        if let failure {
            // What was copied before this chunk still gives its lines.
            _ = ftruncate(fd, off_t(written))
            copiedThrough = firstLine - 1
            stoppedByError = true
            warnings.append("cannot keep a copy of \(name) (\(String(cString: strerror(failure)).lowercased())): "
                            + "findings from line \(firstLine) on are shown without the text of their line")
            return
        }
        written += text.count
    }

    /// Warnings not yet taken, each given once.
    public func takeWarnings() -> [String] {
        defer { warnings = [] }
        return warnings
    }

    /// The whole input as it was handed on, for a reader that needs it whole after all (check of
    /// an input that is not rules); nil when the copy is not whole (the cap, a write error) or
    /// cannot be read.
    public func contents() -> [UInt8]? {
        guard copiedThrough == nil, lseek(fd, 0, SEEK_SET) == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(written)
        guard case .read(_, nil) = ChunkedFile.read(descriptor: fd, linesPerChunk: 2048, { text, _ in text.withBytes { bytes += $0 } }),
              bytes.count == written else { return nil }
        return bytes
    }

    /// The lines `wanted` asks for, as `InputFile.lines(_:of:identity:)` gives them (a line past
    /// what was copied is not given); nil when the copy cannot be read.
    public func lines(_ wanted: [Int: UInt64]) -> [Int: RulesText]? {
        guard !wanted.isEmpty else { return [:] }
        noteWanted(through: wanted.keys.max()!)
        guard lseek(fd, 0, SEEK_SET) == 0 else { return nil }
        var found = InputFile.WantedLines(wanted)
        guard case .read(_, nil) = ChunkedFile.read(descriptor: fd, linesPerChunk: 2048, { found.take($0, firstLine: $1) }) else { return nil }
        return found.lines
    }

    /// Says once, among the warnings, that lines from the end of the copy on will be shown
    /// without their text, when line `last` is past it.
    public func noteWanted(through last: Int) {
        guard let copiedThrough, !stoppedByError, !warnedOfLimit, last > copiedThrough else { return }
        warnedOfLimit = true
        warnings.append("\(name) is larger than the copy kept of it (\(limit) bytes, AURULES_SPOOL_LIMIT): "
                        + "findings from line \(copiedThrough + 1) on are shown without the text of their line")
    }

    /// A descriptor of the copy to read lines from later (`SourceQuotes`), as it is now: the
    /// copy ends with the last whole line copied. nil when the descriptor cannot be duplicated.
    public func readOnlyCopy() -> Copy? {
        let copy = fcntl(fd, F_DUPFD_CLOEXEC, 0)
        return copy >= 0 ? Copy(descriptor: copy) : nil
    }

    /// An open descriptor of a copy, closed with its last reference; read with `pread` only (no
    /// shared file offset), so it can be read from any thread.
    public final class Copy: Sendable {
        let descriptor: Int32

        init(descriptor: Int32) { self.descriptor = descriptor }

        deinit { close(descriptor) }
    }
}
