#if canImport(Glibc)
import Glibc
#endif

/// A copy of an input that cannot be read twice (standard input, a pipe, a FIFO), written as it
/// is read to a temporary file removed at once: lint quotes the source lines of findings made
/// once the whole input is read, and keeping them in memory would keep every rule's line.
public final class InputSpool {
    private let fd: Int32
    /// A write failed (disk full): the lines are not given back.
    private var broken = false

    /// nil when no temporary file can be made (`$TMPDIR`, else /tmp).
    public init?() {
        let variable = getenv("TMPDIR").map { String(cString: $0) } ?? ""
        let directory = variable.isEmpty ? "/tmp" : variable
        var template = Array("\(directory)/aurules-input-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { return nil }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        // Unlinked now: nothing is left behind, however the process ends.
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        self.fd = fd
    }

    deinit { close(fd) }

    /// The next chunk of the input, as it was handed on (lines capped).
    public func append(_ text: RulesText) {
        guard !broken else { return }
        text.withBytes { bytes in
            var done = 0
            while done < bytes.count {
                let n = write(fd, bytes.baseAddress! + done, bytes.count - done)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else {
                    broken = true
                    return
                }
                done += n
            }
        }
    }

    /// The lines `wanted` asks for, as `InputFile.lines(_:of:identity:)` gives them; nil when the
    /// copy is incomplete.
    public func lines(_ wanted: [Int: UInt64]) -> [Int: RulesText]? {
        guard !wanted.isEmpty else { return [:] }
        guard !broken, lseek(fd, 0, SEEK_SET) == 0 else { return nil }
        var found = InputFile.WantedLines(wanted)
        guard case .read(_, nil) = ChunkedFile.read(descriptor: fd, linesPerChunk: 2048, { found.take($0, firstLine: $1) }) else { return nil }
        return found.lines
    }
}
