import AuditRules
import Foundation

/// Writes output files atomically and durably: a temporary file in the same directory, flushed to
/// disk, then rename(2) over the target, so neither a reader nor a crash ever sees a half-written
/// rules file (an empty /etc/audit/audit.rules after a power cut would load no rules at boot).
/// An existing target keeps its permission bits; a new one gets `newFileMode` (0640, as auditd
/// keeps its rules).
enum OutputFile {
    static func write(_ text: String, to path: String, newFileMode: mode_t = 0o640) throws {
        try write(to: path, newFileMode: newFileMode) { emit in
            var text = text
            text.withUTF8 { emit(UnsafeRawBufferPointer($0)) }
        }
    }

    /// For output produced in pieces: `produce` is handed a sink that appends bytes to the
    /// temporary file, renamed over `path` once `produce` returns.
    static func write(to path: String, newFileMode: mode_t = 0o640, _ produce: ((UnsafeRawBufferPointer) -> Void) throws -> Void) throws {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent().path
        let tmp = "\(dir)/.\(url.lastPathComponent).aurules-\(getpid())-\(UInt32.random(in: 0 ... .max))"
        var existing = stat()
        let mode = stat(path, &existing) == 0 ? existing.st_mode & 0o7777 : newFileMode
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw OutputFileError(path: path, errno: errno) }
        var failure: Int32 = 0
        do {
            try produce { piece in
                if failure == 0 { failure = writeAll(piece, to: fd) }
            }
        } catch {
            close(fd)
            unlink(tmp)
            throw error
        }
        // open(2) applied the umask; an existing file's bits are restored exactly.
        if failure == 0, fchmod(fd, mode) != 0 { failure = errno }
        if failure == 0, fsync(fd) != 0 { failure = errno }
        if close(fd) != 0, failure == 0 { failure = errno }
        if failure == 0, rename(tmp, path) != 0 { failure = errno }
        if failure != 0 {
            unlink(tmp)
            throw OutputFileError(path: path, errno: failure)
        }
        // The rename itself is durable once the directory is.
        let dirFD = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirFD >= 0 {
            fsync(dirFD)
            close(dirFD)
        }
    }

    /// Writes all of `bytes` to `fd` (write(2) may take less than asked); 0, or the errno that stopped it.
    static func writeAll(_ bytes: UnsafeRawBufferPointer, to fd: Int32) -> Int32 {
        var offset = 0
        while offset < bytes.count {
            let n = Foundation.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return n < 0 ? errno : EIO }
            offset += n
        }
        return 0
    }
}

struct OutputFileError: LocalizedError, CustomStringConvertible {
    var path: String
    var errno: Int32

    var description: String { String(cString: strerror(errno)) }
    var errorDescription: String? { description }
}

/// Standard output: a write that failed (closed descriptor, full disk) ends the run with exit 2,
/// never a silent success.
enum StandardOutput {
    /// Straight to the descriptor (compile's rules, syscall's answers).
    static func write(_ bytes: UnsafeRawBufferPointer) {
        let failure = OutputFile.writeAll(bytes, to: STDOUT_FILENO)
        if failure != 0 { fail(String(cString: strerror(failure))) }
    }

    /// What `print` buffered. fflush(NULL): Swift 6 does not let the `stdout` global be read
    /// here. A failed write leaves its data in the buffer, so the flush at the end fails too.
    static func flushOrExit() {
        errno = 0
        guard fflush(nil) != 0 else { return }
        fail(errno != 0 ? String(cString: strerror(errno)) : "write error")
    }

    private static func fail(_ why: String) -> Never {
        StandardError.print("aurules: cannot write standard output: \(why)")
        Foundation.exit(2)
    }
}

/// Standard error, for diagnostics.
enum StandardError {
    /// Messages name paths and values from the command line and the inputs: their control
    /// characters are escaped here, once for every message; the message's own line breaks stay.
    static func print(_ s: String) {
        FileHandle.standardError.write(Data((ControlCharacters.escaped(s, except: ["\n", "\t"]) + "\n").utf8))
    }
}
