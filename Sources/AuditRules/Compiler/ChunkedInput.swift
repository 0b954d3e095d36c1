#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import Syscalls

/// Compiles one large rules file a chunk of lines at a time, so that only one chunk's syntax
/// tree is alive at once: auditctl reads line by line, and no statement depends on another's
/// syntax, so parsing each chunk from the line it starts at gives the same statements.
public enum ChunkedInput {
    /// Parses the file at `path` into `session`, reading it a block at a time; returns the
    /// parser's diagnostics, or nil when the file cannot be opened. A device is refused (InputFile).
    /// read(2) itself: FileHandle read the file 4 KiB per system call whatever was asked.
    public static func compile(path: String, options: ParseOptions, into session: CompileSession,
                               linesPerChunk: Int = 128, blockSize: Int = 1 << 20) -> [Diagnostic]? {
        let fd: Int32
        switch InputFile.open(path) {
        case .success(let d): fd = d
        case .failure(let f) where f.refused: return [RuleInputs.unreadable(path, f.reason)] + RuleInputs.fileProblems(path, options: options)
        case .failure: return nil
        }
        defer { close(fd) }
        var reader = ChunkReader(file: path, options: options, session: session, linesPerChunk: linesPerChunk)
        var block = [UInt8](repeating: 0, count: blockSize)
        // A FIFO may feed a line without end: its bytes past LineCap's limit are dropped.
        var cap = LineCap(), capped: [UInt8] = []
        while true {
            let count = block.withUnsafeMutableBytes { read(fd, $0.baseAddress, blockSize) }
            if count < 0 && errno == EINTR { continue }
            if count < 0 {
                // Whatever was read is in the session already: the error fails the compile.
                reader.diagnostics.append(RuleInputs.unreadable(path, String(cString: strerror(errno)).lowercased()))
                break
            }
            if count == 0 { break }
            capped.removeAll(keepingCapacity: true)
            block.withUnsafeBufferPointer { cap.append(UnsafeBufferPointer(rebasing: $0[..<count]), to: &capped) }
            capped.withUnsafeBytes { reader.feed($0) }
        }
        reader.finish()
        reader.summarizeIfNotRules()
        reader.diagnostics.insert(contentsOf: RuleInputs.fileProblems(path, options: options), at: 0)
        return reader.diagnostics
    }

    /// The same for contents already in memory (stdin, tests).
    public static func compile(_ data: Data, file: String, options: ParseOptions, into session: CompileSession,
                               linesPerChunk: Int = 128) -> [Diagnostic] {
        var reader = ChunkReader(file: file, options: options, session: session, linesPerChunk: linesPerChunk)
        data.withUnsafeBytes { reader.feed($0) }
        reader.finish()
        reader.summarizeIfNotRules()
        return reader.diagnostics
    }

    /// Cuts the input after every `linesPerChunk` newlines and parses each piece.
    struct ChunkReader {
        let file: String
        let options: ParseOptions
        let session: CompileSession
        let linesPerChunk: Int
        var pending: [UInt8] = []
        /// The file's first bytes, to tell a file that is not rules (DiagnosticLimit).
        var head: [UInt8] = []
        static let headLimit = 64 << 10
        var lines = 0
        var firstLine = 1
        var diagnostics: [Diagnostic] = []
        let lowerers: WorkerPool<CompilationState>

        init(file: String, options: ParseOptions, session: CompileSession, linesPerChunk: Int) {
            self.file = file
            self.options = options
            self.session = session
            self.linesPerChunk = linesPerChunk
            let target = session.target, keepsText = session.keepsText
            self.lowerers = WorkerPool { CompileSession.makeLowerer(target: target, keepsText: keepsText) }
        }

        mutating func feed(_ raw: UnsafeRawBufferPointer) {
            let bytes = raw.assumingMemoryBound(to: UInt8.self)
            var start = 0
            for line in ByteLines(bytes) where line.terminated {
                lines += 1
                if lines == linesPerChunk {
                    pending.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start ..< line.next]))
                    start = line.next
                    flush()
                }
            }
            pending.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...]))
        }

        /// A file that is not rules is one error, its lines not quoted (its rules, if any, do not
        /// matter: the compile fails).
        mutating func summarizeIfNotRules() {
            guard let summary = DiagnosticLimit.notRulesSummary(file: file, text: head, diagnostics: diagnostics) else { return }
            diagnostics = diagnostics.filter { $0.location.file != file || $0.location.line <= 0 } + [summary]
        }

        mutating func finish() {
            if !pending.isEmpty { cut() }
            launchBatch()
            if let last = inFlight { compile(last) }
            inFlight = nil
        }

        /// Chunks cut but not parsed yet, with the line number each starts at.
        private var batch: [(text: RulesText, firstLine: Int)] = []
        /// The batch being parsed in the background while the previous one is compiled.
        private var inFlight: InFlight?
        /// Chunks parsed at once: one per core. Parsing and lowering are most of the work, so
        /// batches are parsed and lowered in the background, in parallel, while the session applies
        /// the batch before; it applies every batch's statements in order, so the result does not change.
        private static let parallelism = Parallelism.threads

        typealias InFlight = PendingResults<ParsedChunk>

        private mutating func flush() {
            cut()
            if batch.count >= Self.parallelism { launchBatch() }
        }

        private mutating func cut() {
            if head.count < Self.headLimit { head += pending.prefix(Self.headLimit - head.count) }
            batch.append((RulesText(pending), firstLine))
            firstLine += lines
            lines = 0
            pending.removeAll(keepingCapacity: true)
        }

        private mutating func launchBatch() {
            guard !batch.isEmpty else { return }
            let texts = batch.map(\.text), firstLines = batch.map(\.firstLine), file = self.file, options = self.options
            let lowerers = self.lowerers
            let parsed = InFlight(count: texts.count) { i in
                let result = RuleParser.parse(text: texts[i], firstLine: firstLines[i], file: file, options: options)
                let lowerer = lowerers.take()
                let lowered = result.statements.map(lowerer.lower)
                lowerers.give(lowerer)
                return ParsedChunk(lowered: lowered, diagnostics: result.diagnostics)
            }
            let previous = inFlight
            inFlight = parsed
            batch.removeAll(keepingCapacity: true)
            if let previous { compile(previous) }
        }

        private mutating func compile(_ done: InFlight) {
            for chunk in done.values() {
                for l in chunk.lowered { session.apply(l) }
                diagnostics += chunk.diagnostics
            }
        }
    }
}

/// A chunk parsed and lowered: its statements ready to apply, its parse diagnostics.
struct ParsedChunk: Sendable {
    var lowered: [LoweredStatement]
    var diagnostics: [Diagnostic]
}
