import AuditRules
import CTemporaryFile
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Writes output files atomically and durably: a temporary file in the same directory, flushed to
/// disk, then rename(2) over the target, so neither a reader nor a crash ever sees a half-written
/// rules file (an empty /etc/audit/audit.rules after a power cut would load no rules at boot).
///
/// Only regular files are written: a device, FIFO, socket or directory named by `-o` is refused
/// (renaming over /dev/null would make it a world-writable regular file). A symbolic link is
/// followed and the file it names replaced; the link stays. A replaced file keeps its owner, group
/// and permission bits, without setuid, setgid and sticky; a new one gets `newFileMode`.
///
/// SIGINT and SIGTERM during the write remove the temporary file. SIGKILL cannot be caught: its
/// leftover is named `.NAME.aurules-tmp-PID-RANDOM`, and the next write of NAME removes those of
/// processes that no longer exist.
enum OutputFile {
    /// The file `-o` names: nil (standard output) without the option or for `-`, which means
    /// standard output as it does for other tools (never a file named `-`).
    static func path(_ option: String?) -> String? { option == "-" ? nil : option }

    static func write(_ text: String, to path: String, newFileMode: mode_t = 0o640) throws {
        try write(RulesText(text), to: path, newFileMode: newFileMode)
    }

    /// Rules text, byte for byte.
    static func write(_ text: RulesText, to path: String, newFileMode: mode_t = 0o640) throws {
        try write(to: path, newFileMode: newFileMode) { emit in
            text.withBytes { emit(UnsafeRawBufferPointer($0)) }
        }
    }

    /// For output produced in pieces: `produce` is handed a sink that appends bytes to the
    /// temporary file, renamed over `path` once `produce` returns.
    static func write(to path: String, newFileMode: mode_t = 0o640, _ produce: ((UnsafeRawBufferPointer) -> Void) throws -> Void) throws {
        let target = try OutputTarget(path)
        let dir = target.directory
        let prefix = ".\(target.name).aurules-tmp-"
        removeStaleTemporaries(in: dir, prefix: prefix)
        let tmp = "\(dir)/\(prefix)\(getpid())-\(UInt32.random(in: 0 ... .max))"
        let mode = target.existing.map { $0.st_mode & 0o777 } ?? newFileMode
        aurules_temporary_file_arm(tmp)
        defer { aurules_temporary_file_disarm() }
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
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
        // Owner and group first: fchown clears the set-id bits, and the mode is set after it.
        if failure == 0, let old = target.existing, old.st_uid != geteuid() || old.st_gid != getegid(),
           fchown(fd, old.st_uid, old.st_gid) != 0 {
            failure = errno
        }
        // open(2) applied the umask; the bits are set exactly.
        if failure == 0, fchmod(fd, mode) != 0 { failure = errno }
        if failure == 0, fsync(fd) != 0 { failure = errno }
        if close(fd) != 0, failure == 0 { failure = errno }
        if failure == 0, rename(tmp, target.path) != 0 { failure = errno }
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

    /// Leftovers of writes killed by SIGKILL (or a power cut): ours by name and owner, and their
    /// process gone.
    static func removeStaleTemporaries(in dir: String, prefix: String) {
        guard let handle = opendir(dir) else { return }
        defer { closedir(handle) }
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            guard name.hasPrefix(prefix) else { continue }
            let rest = name.dropFirst(prefix.count).split(separator: "-")
            guard rest.count == 2, let pid = pid_t(rest[0]), UInt32(rest[1]) != nil, pid > 0 else { continue }
            guard kill(pid, 0) != 0 && errno == ESRCH else { continue }
            var info = stat()
            let full = dir + "/" + name
            guard lstat(full, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_uid == geteuid() else { continue }
            unlink(full)
        }
    }

    /// Writes all of `bytes` to `fd` (write(2) may take less than asked); 0, or the errno that stopped it.
    static func writeAll(_ bytes: UnsafeRawBufferPointer, to fd: Int32) -> Int32 {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return n < 0 ? errno : EIO }
            offset += n
        }
        return 0
    }
}

/// The file `-o` names, its symbolic links followed: refused unless it is a regular file or absent.
struct OutputTarget {
    /// The file to replace.
    var path: String
    var directory: String
    var name: String
    /// Its owner, group and mode, when it exists.
    var existing: stat?

    init(_ given: String) throws {
        var path = given
        var info = stat()
        if lstat(given, &info) == 0, info.st_mode & S_IFMT == S_IFLNK {
            guard let resolved = realpath(given, nil) else {
                let e = errno
                throw e == ENOENT ? OutputFileError(path: given, reason: "a symbolic link to nothing (its target does not exist)")
                                  : OutputFileError(path: given, errno: e)
            }
            path = String(cString: resolved)
            free(resolved)
        }
        if stat(path, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFREG else {
                throw OutputFileError(path: given, reason: "not a regular file (\(InputFile.kind(info.st_mode))); -o writes regular files only")
            }
            existing = info
        } else if errno != ENOENT {
            throw OutputFileError(path: given, errno: errno)
        }
        if path.hasSuffix("/") { throw OutputFileError(path: given, reason: "names a directory; -o writes regular files only") }
        if let slash = path.lastIndex(of: "/") {
            directory = slash == path.startIndex ? "/" : String(path[..<slash])
            name = String(path[path.index(after: slash)...])
        } else {
            directory = "."
            name = path
        }
        self.path = path
    }
}

/// What a failed file operation says in a message: its errno's text where it has one.
func describe(_ error: any Error) -> String {
    if let described = (error as? LocalizedError)?.errorDescription { return described }
    if let cocoa = error as? CocoaError {
        if let posix = cocoa.userInfo["NSUnderlyingError"] as? POSIXError { return String(cString: strerror(posix.code.rawValue)) }
        if cocoa.code == .fileReadInapplicableStringEncoding { return "not valid UTF-8" }
    }
    return "\(error)"
}

struct OutputFileError: LocalizedError, CustomStringConvertible {
    var path: String
    var errno: Int32
    var reason: String?

    init(path: String, errno: Int32) {
        self.path = path
        self.errno = errno
    }

    init(path: String, reason: String) {
        self.path = path
        self.errno = 0
        self.reason = reason
    }

    var description: String { reason ?? String(cString: strerror(errno)) }
    var errorDescription: String? { description }
}

/// Standard output: a write that failed (closed descriptor, full disk) ends the run with exit 2,
/// never a silent success.
enum StandardOutput {
    /// Text, written at once and checked (Swift's print buffers in stdio, whose errors surface
    /// only at a later flush, if ever checked).
    static func print(_ s: String, terminator: String = "\n") {
        var text = s + terminator
        text.withUTF8 { write(UnsafeRawBufferPointer($0)) }
    }

    /// Rules text, byte for byte.
    static func write(_ text: RulesText) {
        text.withBytes { write(UnsafeRawBufferPointer($0)) }
    }

    /// Straight to the descriptor (compile's rules, syscall's answers, every report).
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
        exit(2)
    }
}

/// Standard error, for diagnostics.
enum StandardError {
    /// Messages name paths and values from the command line and the inputs: their control
    /// characters are escaped here, once for every message; the message's own line breaks stay.
    static func print(_ s: String) {
        var text = ControlCharacters.escaped(s, except: ["\n", "\t"]) + "\n"
        text.withUTF8 { _ = OutputFile.writeAll(UnsafeRawBufferPointer($0), to: STDERR_FILENO) }
    }
}
