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
    /// Parses the file at `path` (`-`: standard input) into `session`, reading it a block at a time; returns the
    /// parser's diagnostics, or nil when the file cannot be opened. A device is refused (InputFile).
    /// read(2) itself: FileHandle read the file 4 KiB per system call whatever was asked.
    /// `keep`: the statements of a chunk that are compiled where they are (a rules.d file:
    /// `DirectoryMerge.keptInPlace`). `refusedIsNil`: a refused input is nil too (one of several
    /// inputs, which `RuleInputs.load` reports as it always did).
    public static func compile(path: String, options: ParseOptions, into session: CompileSession,
                               linesPerChunk: Int = 128, blockSize: Int = 1 << 20,
                               keep: (@Sendable ([Statement]) -> [Statement])? = nil, refusedIsNil: Bool = false) -> [Diagnostic]? {
        read(path: path, options: options, into: session, linesPerChunk: linesPerChunk, blockSize: blockSize, keep: keep,
             refusedIsNil: refusedIsNil)?.diagnostics
    }

    /// `compile(path:...)` with what a drift check needs of the file: its name, its identity
    /// before it was read, and (`notesArchless`) its arch-less rule statements. `spool`: where
    /// an input that cannot be read twice is copied as it is read, for its lines to be quoted.
    static func read(path: String, options: ParseOptions, into session: CompileSession, linesPerChunk: Int = 128,
                     blockSize: Int = 1 << 20, keep: (@Sendable ([Statement]) -> [Statement])? = nil, refusedIsNil: Bool = false,
                     notesArchless: Bool = false, spool: InputSpool? = nil) -> ChunkedCompile? {
        let name = InputFile.name(path)
        let identity = InputFile.Identity(path: path)
        var reader = ChunkReader(file: name, options: options, session: session)
        reader.keep = keep
        reader.notesArchless = notesArchless
        switch ChunkedFile.read(path: path, linesPerChunk: linesPerChunk, blockSize: blockSize, { text, firstLine in
            spool?.append(text, firstLine: firstLine)
            reader.take(text, firstLine: firstLine)
        }) {
        case .notOpened: return nil
        case .refused where refusedIsNil: return nil
        case .refused(let reason):
            return ChunkedCompile(file: name, identity: identity,
                                  diagnostics: [RuleInputs.unreadable(name, reason)] + RuleInputs.fileProblems(path, options: options),
                                  archless: [])
        case .read(let head, let readError):
            // Whatever was read is in the session already: the error fails the compile.
            reader.finish()
            if let readError { reader.diagnostics.append(RuleInputs.unreadable(name, readError)) }
            reader.summarizeIfNotRules(head: head)
        }
        reader.diagnostics.insert(contentsOf: RuleInputs.fileProblems(path, options: options), at: 0)
        return ChunkedCompile(file: name, identity: identity, diagnostics: reader.diagnostics, archless: reader.archless)
    }

    /// The same for contents already in memory (tests).
    public static func compile(_ data: Data, file: String, options: ParseOptions, into session: CompileSession,
                               linesPerChunk: Int = 128) -> [Diagnostic] {
        var reader = ChunkReader(file: file, options: options, session: session)
        var chunker = LineChunker(linesPerChunk: linesPerChunk)
        data.withUnsafeBytes { chunker.feed($0) { reader.take($0, firstLine: $1) } }
        chunker.finish { reader.take($0, firstLine: $1) }
        reader.finish()
        reader.summarizeIfNotRules(head: chunker.head)
        return reader.diagnostics
    }

    /// Parses and lowers chunks in the background, in batches, and applies them to the session in order.
    struct ChunkReader {
        let file: String
        let options: ParseOptions
        let session: CompileSession
        var diagnostics: [Diagnostic] = []
        let lowerers: WorkerPool<CompilationState>
        /// Notes each rule statement without `-F arch=` (check's ExpectedRules needs them, not the statements).
        var notesArchless = false
        /// The statements of each chunk compiled (all when nil).
        var keep: (@Sendable ([Statement]) -> [Statement])?
        var archless: [ArchlessStatement] = []

        init(file: String, options: ParseOptions, session: CompileSession) {
            self.file = file
            self.options = options
            self.session = session
            let target = session.target, keepsText = session.keepsText
            self.lowerers = WorkerPool { CompileSession.makeLowerer(target: target, keepsText: keepsText) }
        }

        mutating func take(_ text: RulesText, firstLine: Int) {
            batch.append((text, firstLine))
            if batch.count >= Self.parallelism { launchBatch() }
        }

        /// A file that is not rules is one error, its lines not quoted (its rules, if any, do not
        /// matter: the compile fails).
        mutating func summarizeIfNotRules(head: [UInt8]) {
            guard let summary = DiagnosticLimit.notRulesSummary(file: file, text: head, diagnostics: diagnostics) else { return }
            diagnostics = diagnostics.filter { $0.location.file != file || $0.location.line <= 0 } + [summary]
        }

        mutating func finish() {
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

        private mutating func launchBatch() {
            guard !batch.isEmpty else { return }
            let texts = batch.map(\.text), firstLines = batch.map(\.firstLine), file = self.file, options = self.options
            let lowerers = self.lowerers, notesArchless = self.notesArchless, keep = self.keep
            let parsed = InFlight(count: texts.count) { i in
                var result = RuleParser.parse(text: texts[i], firstLine: firstLines[i], file: file, options: options)
                if let keep { result.statements = keep(result.statements) }
                let lowerer = lowerers.take()
                let lowered = result.statements.map { lowerer.lower($0) }
                lowerers.give(lowerer)
                let archless = notesArchless ? ArchlessStatement.of(result.statements) : []
                return ParsedChunk(lowered: lowered, diagnostics: result.diagnostics, archless: archless)
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
                archless += chunk.archless
            }
        }
    }
}

/// A chunk parsed and lowered: its statements ready to apply, its parse diagnostics.
struct ParsedChunk: Sendable {
    var lowered: [LoweredStatement]
    var diagnostics: [Diagnostic]
    var archless: [ArchlessStatement] = []
}
