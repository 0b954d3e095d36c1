#if canImport(Glibc)
import Glibc
#endif
import Syscalls

/// Cuts a byte stream into chunks of whole lines (only the last may lack its newline), each with
/// the number of its first line, so that a large input is parsed and used a piece at a time:
/// auditctl reads line by line, and no statement depends on another's syntax, so parsing each
/// chunk from the line it starts at gives the statements parsing the whole input gives.
public struct LineChunker {
    public let linesPerChunk: Int
    private var pending: [UInt8] = []
    private var lines = 0
    private var firstLine = 1
    /// The input's first bytes, to tell a file that is not rules (DiagnosticLimit).
    public private(set) var head: [UInt8] = []
    static let headLimit = DiagnosticLimit.headLimit

    public init(linesPerChunk: Int) {
        self.linesPerChunk = max(1, linesPerChunk)
    }

    /// Takes more of the input; `emit` gets every chunk completed by it.
    public mutating func feed(_ raw: UnsafeRawBufferPointer, _ emit: (_ text: RulesText, _ firstLine: Int) -> Void) {
        let bytes = raw.assumingMemoryBound(to: UInt8.self)
        var start = 0
        for line in ByteLines(bytes) where line.terminated {
            lines += 1
            if lines == linesPerChunk {
                pending.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start ..< line.next]))
                start = line.next
                cut(emit)
            }
        }
        pending.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...]))
    }

    /// The input ended: the rest is the last chunk.
    public mutating func finish(_ emit: (_ text: RulesText, _ firstLine: Int) -> Void) {
        if !pending.isEmpty { cut(emit) }
    }

    private mutating func cut(_ emit: (RulesText, Int) -> Void) {
        if head.count < Self.headLimit { head += pending.prefix(Self.headLimit - head.count) }
        let text = RulesText(pending), first = firstLine
        firstLine += lines
        lines = 0
        pending.removeAll(keepingCapacity: true)
        emit(text, first)
    }
}

/// One rules file read a block at a time with read(2) (FileHandle read 4 KiB per system call
/// whatever was asked), its lines capped as InputFile caps them, and handed on in chunks.
public enum ChunkedFile {
    public enum Outcome {
        /// Read to its end, or until `readError` (what was read before it was handed on).
        case read(head: [UInt8], readError: String?)
        /// A device or other input InputFile refuses; nothing was read.
        case refused(reason: String)
        /// The file cannot be opened (missing, no permission): whoever reads it whole says why.
        case notOpened
    }

    /// `path` `-` is standard input (left open).
    public static func read(path: String, linesPerChunk: Int, blockSize: Int = 1 << 20,
                            _ chunk: (_ text: RulesText, _ firstLine: Int) -> Void) -> Outcome {
        let fd: Int32
        switch InputFile.open(path) {
        case .success(let d): fd = d
        case .failure(let f) where f.refused: return .refused(reason: f.reason)
        case .failure: return .notOpened
        }
        defer { if fd != STDIN_FILENO { close(fd) } }
        return read(descriptor: fd, linesPerChunk: linesPerChunk, blockSize: blockSize, chunk)
    }

    /// The same from a descriptor open for reading, from where it stands to its end.
    public static func read(descriptor fd: Int32, linesPerChunk: Int, blockSize: Int = 1 << 20,
                            _ chunk: (_ text: RulesText, _ firstLine: Int) -> Void) -> Outcome {
        var chunker = LineChunker(linesPerChunk: linesPerChunk)
        var block = [UInt8](repeating: 0, count: blockSize)
        // A FIFO may feed a line without end: its bytes past LineCap's limit are dropped.
        var cap = LineCap(), capped: [UInt8] = []
        var readError: String?
        while true {
            let count = block.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, blockSize) }
            if count < 0 && errno == EINTR { continue }
            if count < 0 {
                readError = String(cString: strerror(errno)).lowercased()
                break
            }
            if count == 0 { break }
            capped.removeAll(keepingCapacity: true)
            block.withUnsafeBufferPointer { cap.append(UnsafeBufferPointer(rebasing: $0[..<count]), to: &capped) }
            capped.withUnsafeBytes { chunker.feed($0, chunk) }
        }
        chunker.finish(chunk)
        return .read(head: chunker.head, readError: readError)
    }
}

extension RuleParser {
    /// `text` is the part of `file` that starts at line `firstLine` (a chunk of a large file).
    public static func parseChunk(text: RulesText, firstLine: Int, file: String, options: ParseOptions) -> RuleFile {
        parse(text: text, firstLine: firstLine, file: file, options: options)
    }
}
