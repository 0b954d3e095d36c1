import AuditRules

extension LintRun {
    /// Lints the rules file at `path` (`-`: standard input, reported as `standardInputName`, else
    /// `<stdin>`) a chunk of lines at a time: the report `RuleInputs.load` and `Linter.lint` give
    /// for the whole input, with only one chunk's syntax tree alive at once. nil when the input
    /// cannot be opened or is refused (`RuleInputs.load` says why).
    public static func lint(path: String, standardInputName: String? = nil, options: ParseOptions, context: LintContext,
                            limit: Int, select: [String] = [], ignore: [String] = [], linesPerChunk: Int = 2048) -> LintReport? {
        let name = path == "-" ? standardInputName ?? InputFile.standardInputName : path
        // The lines rule-set findings quote are read again: from a regular file, else from a copy
        // of the input; the rule sets then keep no line text (a large input's text is most of what
        // they would keep). Without either, they keep it.
        let identity = InputFile.Identity(path: path)
        let spool = identity == nil ? InputSpool(name: name) : nil
        let run = LintRun(context: context, limit: limit, keepsLineText: identity == nil && spool == nil)
        var reader = NotRulesGate(path: name, run: run)
        run.add(RuleFile(path: name, diagnostics: RuleInputs.fileProblems(path, options: options)))
        let outcome = ChunkedFile.read(path: path, linesPerChunk: linesPerChunk) { text, firstLine in
            spool?.append(text, firstLine: firstLine)
            reader.take(RuleParser.parseChunk(text: text, firstLine: firstLine, file: name, options: options), text: text)
        }
        switch outcome {
        case .notOpened, .refused: return nil
        case .read(_, let readError):
            reader.finish()
            // What was read is linted; the error decides the exit status.
            if let readError { run.add(RuleFile(path: name, diagnostics: [RuleInputs.unreadable(path, readError, reportedAs: name)])) }
        }
        var report = run.finish(select: select, ignore: ignore, rereading: { file, lines in
            guard file == name else { return nil }
            if let identity { return InputFile.lines(lines, of: path, identity: identity) ?? [:] }
            return spool?.lines(lines) ?? [:]
        })
        report.warnings += spool?.takeWarnings() ?? []
        return report
    }

    /// Holds a file's first chunks until its first lines tell whether it is rules at all: a file
    /// that is not (`DiagnosticLimit.notRulesSummary`) is one error, its statements not checked
    /// and its lines not quoted, as `RuleFile.summarizeIfNotRules` leaves it.
    struct NotRulesGate {
        let path: String
        let run: LintRun
        private var held: [(chunk: RuleFile, through: (file: String, line: Int)?)] = []
        private var head: [UInt8] = []
        private var errorLines: Set<Int> = []
        /// nil until decided.
        private var isRules: Bool?
        private var hidden = 0

        init(path: String, run: LintRun) {
            self.path = path
            self.run = run
        }

        /// `through`: the chunk's file and last line, when a merge moved statements of that file
        /// (`LintRun.add(_:occupiesStatements:occupiedThrough:)`).
        mutating func take(_ chunk: RuleFile, text: RulesText, through: (file: String, line: Int)? = nil) {
            switch isRules {
            case true?: run.add(chunk, occupiesStatements: true, occupiedThrough: through)
            case false?: pass(chunk)
            case nil:
                held.append((chunk, through))
                for d in chunk.diagnostics where d.location.file == path && d.location.line > 0 && d.severity == .error {
                    errorLines.insert(d.location.line)
                }
                if head.count < Self.headLimit { text.withBytes { head += $0.prefix(Self.headLimit - head.count) } }
                if head.count >= Self.headLimit || DiagnosticLimit.headDecides(head) { decide() }
            }
        }

        static let headLimit = DiagnosticLimit.headLimit

        mutating func finish() {
            if isRules == nil { decide() }
            if isRules == false, let summary = DiagnosticLimit.notRulesSummary(file: path, text: head, errorLines: errorLines, hidden: hidden) {
                run.add(RuleFile(path: path, diagnostics: [summary]))
            }
        }

        private mutating func decide() {
            isRules = DiagnosticLimit.notRulesSummary(file: path, text: head, errorLines: errorLines, hidden: 0) == nil
            let chunks = held
            held = []
            for c in chunks { take(c.chunk, text: "", through: c.through) }
        }

        /// A chunk of a file that is not rules: its line diagnostics counted, its directives kept.
        private mutating func pass(_ chunk: RuleFile) {
            hidden += chunk.diagnostics.filter { $0.location.file == path && $0.location.line > 0 }.count
            var kept = RuleFile(path: path, diagnostics: chunk.diagnostics.filter { $0.location.file != path || $0.location.line <= 0 })
            kept.directives = chunk.directives
            run.add(kept)
        }
    }
}
