#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import Syscalls

/// Opens and reads what the user names as input: regular files, standard input (`-`), pipes and
/// FIFOs (`<(cat f)`, /dev/fd/N). A character or block device is refused: /dev/zero or
/// /dev/urandom never end, and no device holds a rules file.
public enum InputFile {
    public struct Failure: Error, CustomStringConvertible {
        /// Lower-case, as strerror reads in a sentence: "no such file or directory".
        public var reason: String
        /// Opened, but of a kind that is not read (a device, a directory).
        public var refused = false
        public var description: String { reason }
    }

    /// What standard input is called in diagnostics.
    public static let standardInputName = "<stdin>"

    /// The name diagnostics give the input `path` (`-` is standard input).
    public static func name(_ path: String) -> String { path == "-" ? standardInputName : path }

    /// A descriptor open for reading `path` (`-`: standard input, not to be closed).
    public static func open(_ path: String) -> Result<Int32, Failure> {
        let fd = path == "-" ? STDIN_FILENO : Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .failure(Failure(reason: String(cString: strerror(errno)).lowercased())) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let reason = String(cString: strerror(errno)).lowercased()
            if fd != STDIN_FILENO { close(fd) }
            return .failure(Failure(reason: reason))
        }
        if let refusal = refusal(info, isStandardInput: path == "-") {
            if fd != STDIN_FILENO { close(fd) }
            return .failure(Failure(reason: refusal, refused: true))
        }
        return .success(fd)
    }

    /// Why a file of this kind is not read, or nil.
    static func refusal(_ info: stat, isStandardInput: Bool) -> String? {
        switch info.st_mode & S_IFMT {
        case S_IFREG, S_IFIFO, S_IFSOCK: return nil
        case S_IFDIR: return "is a directory"
        case S_IFBLK: return "a block device, not a rules file"
        case S_IFCHR:
            // A terminal on standard input is someone typing rules; /dev/null is empty.
            if isStandardInput && isatty(STDIN_FILENO) == 1 { return nil }
            if isNullDevice(info) { return nil }
            return "a character device, not a rules file"
        default: return "not a regular file"
        }
    }

    /// "a directory", "a FIFO", ...: what a file of this mode is, in a message.
    public static func kind(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFDIR: return "a directory"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFIFO: return "a FIFO"
        case S_IFSOCK: return "a socket"
        case S_IFLNK: return "a symbolic link"
        default: return "not a regular file"
        }
    }

    static func isNullDevice(_ info: stat) -> Bool {
        var null = stat()
        return stat("/dev/null", &null) == 0 && null.st_mode & S_IFMT == S_IFCHR && null.st_rdev == info.st_rdev
    }

    /// The whole contents, read with read(2) in 1 MiB blocks (pipes report no size in advance).
    public static func read(_ path: String) -> Result<[UInt8], Failure> {
        let fd: Int32
        switch open(path) {
        case .success(let d): fd = d
        case .failure(let f): return .failure(f)
        }
        defer { if fd != STDIN_FILENO { close(fd) } }
        var info = stat()
        var bytes: [UInt8] = []
        if fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_size > 0 { bytes.reserveCapacity(Int(info.st_size)) }
        let blockSize = 1 << 20
        var block = [UInt8](repeating: 0, count: blockSize)
        var cap = LineCap()
        while true {
            let count = block.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, blockSize) }
            if count < 0 && errno == EINTR { continue }
            if count < 0 { return .failure(Failure(reason: String(cString: strerror(errno)).lowercased())) }
            if count == 0 { break }
            block.withUnsafeBufferPointer { cap.append(UnsafeBufferPointer(rebasing: $0[..<count]), to: &bytes) }
        }
        return .success(bytes)
    }

    /// Bytes kept of one line: far beyond what auditctl reads (Lexer.maxLineBytes, and the
    /// parser reports longer lines), small enough that a newline-less stream (`cat /dev/zero |`)
    /// cannot take the memory.
    public static let maxKeptLineBytes = 1 << 20
}

/// Keeps at most `InputFile.maxKeptLineBytes` of each line of a stream; the rest of a longer
/// line is dropped up to its newline.
struct LineCap {
    var limit = InputFile.maxKeptLineBytes
    /// Bytes kept of the line being read.
    private var current = 0

    init(limit: Int = InputFile.maxKeptLineBytes) { self.limit = limit }

    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        for line in ByteLines(bytes) {
            let keep = min(max(0, limit - current), line.range.count)
            if keep > 0 { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[line.range.prefix(keep)])) }
            if line.terminated {
                out.append(0x0A)
                current = 0
            } else {
                current += keep
            }
        }
    }
}

extension InputFile {
    /// What tells a regular file's contents apart over time (device, inode, size, change times);
    /// nil for anything else: a FIFO or a socket cannot be read twice.
    public struct Identity: Equatable, Sendable {
        var device: UInt64, inode: UInt64, size: Int64
        var modified: Int64, modifiedNanoseconds: Int, changed: Int64, changedNanoseconds: Int

        public init?(path: String) {
            var info = stat()
            // "-" is standard input, whatever a file of that name is.
            guard path != "-", stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
            device = UInt64(info.st_dev)
            inode = UInt64(info.st_ino)
            size = Int64(info.st_size)
            modified = Int64(info.st_mtim.tv_sec)
            modifiedNanoseconds = Int(info.st_mtim.tv_nsec)
            changed = Int64(info.st_ctim.tv_sec)
            changedNanoseconds = Int(info.st_ctim.tv_nsec)
        }
    }

    /// The lines numbered as `wanted`'s keys of the file at `path`, as the parser reads them
    /// (without a CR), when the file is still the one `identity` describes (nil otherwise) and
    /// each line's `lineHash` is still its value in `wanted` (a line that is not is left out:
    /// a rewrite within one timestamp tick keeps size and times).
    public static func lines(_ wanted: [Int: UInt64], of path: String, identity: Identity) -> [Int: RulesText]? {
        guard !wanted.isEmpty else { return [:] }
        guard Identity(path: path) == identity else { return nil }
        var found = WantedLines(wanted)
        let outcome = ChunkedFile.read(path: path, linesPerChunk: 2048) { found.take($0, firstLine: $1) }
        guard case .read(_, nil) = outcome, Identity(path: path) == identity else { return nil }
        return found.lines
    }

    /// Lines read again, by number, each kept when its `lineHash` is the one wanted: one home for
    /// how `lines(_:of:identity:)` and `InputSpool` find them.
    struct WantedLines {
        let wanted: [Int: UInt64]
        let last: Int
        var lines: [Int: RulesText] = [:]

        init(_ wanted: [Int: UInt64]) {
            self.wanted = wanted
            last = wanted.keys.max() ?? 0
        }

        /// The next chunk of the input, which starts at line `firstLine`.
        mutating func take(_ text: RulesText, firstLine: Int) {
            guard firstLine <= last else { return }
            text.withBytes { bytes in
                Lexer.forEachLine(in: bytes, firstLine: firstLine) { line, _ in
                    if let hash = wanted[line.number], lineHash(line.text) == hash { lines[line.number] = line.text }
                }
            }
        }
    }

    /// What a source line kept without its text keeps of it (FNV-1a, 64 bit).
    public static func lineHash(_ text: RulesText) -> UInt64 {
        var h = FNV1a()
        text.withBytes { h.mix(bytes: $0) }
        return h.value
    }
}
