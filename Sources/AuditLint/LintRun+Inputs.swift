#if canImport(Glibc)
import Glibc
#endif
import AuditRules

extension LintRun {
    /// Lints several inputs (rules files, `-`, pipes, rules.d directories merged as augenrules
    /// merges them) one after another, each a chunk of lines at a time: the report
    /// `RuleInputs.load` of them all and one `add` give, with only one chunk's syntax tree alive
    /// at once. The lines findings made at the end quote are read again, from the files, or
    /// from a copy of an input that cannot be read twice. nil when a file would be read twice
    /// (`lint F G F`, a directory and one of its files): each copy's findings then meet in one
    /// batch, and only the whole read gives the report it always gave.
    public static func lint(paths: [String], standardInputName: String? = nil, options: ParseOptions, context: LintContext,
                            limit: Int, select: [String] = [], ignore: [String] = [], linesPerChunk: Int = 2048) -> LintReport? {
        let stdinName = standardInputName ?? InputFile.standardInputName
        var inputs: [Input] = [], names: [String] = []
        for path in paths {
            switch RuleInputs.kind(of: path) {
            case .stream:
                let name = path == "-" ? stdinName : path
                inputs.append(.stream(path: path, name: name))
                names.append(name)
            case .directory:
                let merge = DirectoryMerge(path: path, options: options)
                inputs.append(.directory(merge))
                for case .file(let full, _) in merge.entries { names.append(full) }
            case .missing:
                inputs.append(.missing(path))
                names.append(path)
            }
        }
        guard Set(names).count == names.count else { return nil }
        // Quoted lines are read again: from a regular file, else from a copy of the input. One
        // input that has neither keeps every line in the rule sets (as one input alone does).
        var sources: [String: LineSource] = [:]
        var keepsLineText = false
        for case .stream(let path, let name) in inputs where InputFile.Identity(path: path) == nil {
            if let spool = InputSpool(name: name) { sources[name] = .spool(spool) } else { keepsLineText = true }
        }
        let run = LintRun(context: context, limit: limit, keepsLineText: keepsLineText)
        var reader = InputReader(run: run, linesPerChunk: linesPerChunk)
        for input in inputs {
            switch input {
            case .stream(let path, let name):
                if let identity = InputFile.Identity(path: path) { sources[name] = .file(path, identity) }
                var spool: InputSpool?
                if case .spool(let s)? = sources[name] { spool = s }
                if !reader.read(path, name: name, options: options, spool: spool) {
                    run.add(RuleInputs.load(paths: [path], options: options, standardInputName: standardInputName))
                }
            case .directory(let merge): reader.read(merge, sources: &sources)
            case .missing(let path): run.add(RuleInputs.load(paths: [path], options: options))
            }
        }
        var report = run.finish(select: select, ignore: ignore, rereading: { file, lines in
            switch sources[file] {
            case .file(let path, let identity)?: return InputFile.lines(lines, of: path, identity: identity) ?? [:]
            case .spool(let spool)?: return spool.lines(lines) ?? [:]
            case nil: return nil
            }
        })
        for case .spool(let spool) in sources.values { report.warnings += spool.takeWarnings() }
        return report
    }

    enum Input {
        case stream(path: String, name: String)
        case directory(DirectoryMerge)
        case missing(String)
    }

    /// Where the lines of a file are read again.
    enum LineSource {
        case file(String, InputFile.Identity)
        case spool(InputSpool)
    }

    /// Reads inputs into a run a chunk at a time.
    struct InputReader {
        let run: LintRun
        let linesPerChunk: Int

        /// One file, `-` or pipe, as `LintRun.lint(path:...)` reads it; `keep` and `last` for a
        /// file of a rules.d merge. False when it cannot be opened or is refused (nothing was added).
        @discardableResult
        mutating func read(_ path: String, name: String, options: ParseOptions, spool: InputSpool?,
                           keep: (([Statement]) -> [Statement])? = nil, last: Bool = false) -> Bool {
            guard case .success(let fd) = InputFile.open(path) else { return false }
            defer { if fd != STDIN_FILENO { close(fd) } }
            run.add(RuleFile(path: name, diagnostics: RuleInputs.fileProblems(path, options: options)))
            var gate = NotRulesGate(path: name, run: run)
            let outcome = ChunkedFile.read(descriptor: fd, linesPerChunk: linesPerChunk) { text, firstLine in
                spool?.append(text, firstLine: firstLine)
                var chunk = RuleParser.parseChunk(text: text, firstLine: firstLine, file: name, options: options)
                guard let keep else { return gate.take(chunk, text: text) }
                chunk.statements = keep(chunk.statements)
                // augenrules' cat joins an unterminated last line with the next file's first.
                if last { chunk.unterminatedLastLines = [] }
                gate.take(chunk, text: text, through: (name, firstLine + Self.lineCount(text) - 1))
            }
            gate.finish()
            if case .read(_, let readError?) = outcome {
                run.add(RuleFile(path: name, diagnostics: [RuleInputs.unreadable(path, readError, reportedAs: name)]))
            }
            return true
        }

        /// A rules.d directory: the statements the merge moves first, each file but those, the
        /// statement it moves last; their findings held until every file's suppressions are read.
        mutating func read(_ merge: DirectoryMerge, sources: inout [String: LineSource]) {
            run.add(RuleFile(path: merge.path, diagnostics: merge.prelude))
            run.holdFindings(at: merge.leading + merge.trailing)
            run.add(RuleFile(path: merge.path, statements: merge.leading), occupiesStatements: false, occupiedThrough: nil)
            for entry in merge.entries {
                switch entry {
                case .problem(let d): run.add(RuleFile(path: merge.path, diagnostics: [d]))
                case .file(let full, let last):
                    if let identity = InputFile.Identity(path: full) { sources[full] = .file(full, identity) }
                    if !read(full, name: full, options: merge.options, spool: nil, keep: DirectoryMerge.keptInPlace, last: last) {
                        // Gone or changed since it was listed: reported as a whole read reports it.
                        run.add(RuleFile(path: full, diagnostics: RuleInputs.loadFile(full, options: merge.options).diagnostics))
                    } else if let changed = merge.changedSinceScanned(full) {
                        run.add(RuleFile(path: full, diagnostics: [changed]))
                    }
                }
            }
            run.add(RuleFile(path: merge.path, statements: merge.trailing), occupiesStatements: false, occupiedThrough: nil)
            run.releaseHeldFindings()
        }

        /// Lines in a chunk: only its last may lack a newline.
        static func lineCount(_ text: RulesText) -> Int {
            var count = 0, last: UInt8 = 0x0A
            text.withBytes { bytes in
                for b in bytes where b == 0x0A { count += 1 }
                last = bytes.last ?? 0x0A
            }
            return last == 0x0A ? count : count + 1
        }
    }
}
