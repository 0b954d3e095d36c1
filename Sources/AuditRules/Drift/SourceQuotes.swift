#if canImport(Glibc)
import Glibc
#endif
import Syscalls

/// Where the lines of a drift report's rules are read again when the check kept no line text:
/// the files compiled a chunk at a time (each line given only while the file is still the one
/// compiled, and only when its `InputFile.lineHash` is the one compiled), and the copies of
/// inputs that cannot be read twice (`InputSpool`), both a window of lines at a time.
struct SourceQuotes: Sendable {
    /// Regular files, by name (their path), as they were when compiled.
    var rereads: [String: InputFile.Identity]
    /// The copies of the other inputs, by name.
    var copies: [String: InputSpool.Copy]

    /// The text of `p`'s line, when it is still the line whose hash is `hash`; nil otherwise
    /// (the rule is shown without its line, as when the whole file was read again).
    func text(of p: Provenance, hash: UInt64, reader: inout Reader) -> RulesText? {
        let source: Reader.Source
        if let copy = copies[p.file] { source = .copy(copy) } else if let identity = rereads[p.file] { source = .file(identity) } else { return nil }
        guard let text = reader.line(p.line, of: p.file, from: source), InputFile.lineHash(text) == hash else { return nil }
        return text
    }

    /// Reads a file's lines a window at a time, as `InputFile.lines(_:of:identity:)` reads them
    /// (capped as `LineCap` caps them, numbered as `Lexer.forEachLine` numbers them). Nothing
    /// stays open between windows; a window read is given only while the file's identity is the
    /// one compiled before and after it is read.
    struct Reader {
        let linesPerWindow: Int
        let blockSize: Int

        private var file: String?
        private var failed = false
        /// The window: lines `first ..< first + lines.count`.
        private var first = 1
        private var lines: [RulesText] = []
        private var atEnd = false
        /// Where each window read starts (line, byte offset), by line: a line before the window
        /// is read again from the last start before it, not from the top.
        private var starts: [(line: Int, offset: Int)] = [(1, 0)]
        private var otherStarts: [String: [(line: Int, offset: Int)]] = [:]
        /// Files that changed since they were compiled: none of their lines is given.
        private var failedFiles: Set<String> = []
        /// The byte offset of line `first + lines.count`.
        private var nextOffset = 0

        init(linesPerWindow: Int = 16384, blockSize: Int = 1 << 18) {
            self.linesPerWindow = max(1, linesPerWindow)
            self.blockSize = max(1, blockSize)
        }

        /// What a window is read from: a file by its path, given only while it is the file
        /// compiled (`identity`), or a copy.
        enum Source {
            case file(InputFile.Identity)
            case copy(InputSpool.Copy)
        }

        mutating func line(_ number: Int, of path: String, identity: InputFile.Identity) -> RulesText? {
            line(number, of: path, from: .file(identity))
        }

        /// Line `number` of the input named `path`.
        mutating func line(_ number: Int, of path: String, from source: Source) -> RulesText? {
            if file != path {
                // Only one file's window is kept; the other files keep where their windows start.
                if let file { otherStarts[file] = starts }
                if let file, failed { failedFiles.insert(file) }
                let kept = otherStarts.removeValue(forKey: path)
                let (others, failures) = (otherStarts, failedFiles)
                self = Reader(linesPerWindow: linesPerWindow, blockSize: blockSize)
                (file, otherStarts, failedFiles, failed) = (path, others, failures, failures.contains(path))
                if let kept { starts = kept }
            }
            guard !failed, number >= 1 else { return nil }
            if number < first {
                let start = starts.last { $0.line <= number }!
                (first, lines, atEnd, nextOffset) = (start.line, [], false, start.offset)
            }
            while number >= first + lines.count && !atEnd {
                guard readWindow(path, from: source) else {
                    failed = true
                    return nil
                }
            }
            return number < first + lines.count ? lines[number - first] : nil
        }

        /// The next window after the current one.
        private mutating func readWindow(_ path: String, from source: Source) -> Bool {
            switch source {
            case .copy(let copy): return readWindow(descriptor: copy.descriptor) { true }
            case .file(let identity):
                guard InputFile.Identity(path: path) == identity else { return false }
                let fd = open(path, O_RDONLY | O_CLOEXEC)
                guard fd >= 0 else { return false }
                defer { close(fd) }
                return readWindow(descriptor: fd) { InputFile.Identity(path: path) == identity }
            }
        }

        /// The next window, read from `fd` with `pread`; taken only when `stillValid` says so
        /// once it is read.
        private mutating func readWindow(descriptor fd: Int32, stillValid: () -> Bool) -> Bool {
            let startLine = first + lines.count, startOffset = nextOffset
            var block = [UInt8](repeating: 0, count: blockSize)
            var cap = LineCap(), capped: [UInt8] = []
            var position = startOffset, newlines = 0, afterLastNewline = startOffset, ended = false
            while newlines < linesPerWindow {
                let count = block.withUnsafeMutableBytes { pread(fd, $0.baseAddress, blockSize, off_t(position)) }
                if count < 0 && errno == EINTR { continue }
                if count < 0 { return false }
                if count == 0 {
                    ended = true
                    break
                }
                block.withUnsafeBufferPointer { b in
                    let read = UnsafeBufferPointer(rebasing: b[..<count])
                    cap.append(read, to: &capped)
                    for i in 0 ..< count where read[i] == 0x0A {
                        newlines += 1
                        afterLastNewline = position + i + 1
                    }
                }
                position += count
            }
            guard stillValid() else { return false }
            if !ended {
                // The window ends with its last whole line; the next starts after it. Capping
                // keeps every newline, so the capped text's last one is the same line's.
                let keep = (capped.lastIndex(of: 0x0A) ?? -1) + 1
                capped.removeSubrange(keep...)
            }
            var window: [RulesText] = []
            capped.withUnsafeBufferPointer { Lexer.forEachLine(in: $0, firstLine: startLine) { line, _ in window.append(line.text) } }
            (first, lines, atEnd) = (startLine, window, ended)
            nextOffset = ended ? position : afterLastNewline
            if !ended, starts.last!.line < first + lines.count { starts.append((first + lines.count, nextOffset)) }
            return true
        }
    }
}
