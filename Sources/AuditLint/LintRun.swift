import AuditRules
import Syscalls

/// A check whose findings depend on statements before and after each other: a small state fed
/// the input a chunk at a time (`findings(in:)` feeds it the whole file at once).
public protocol StreamedCheck: LintCheck {
    func makeStream(context: LintContext) -> any CheckStream
}

public protocol CheckStream: AnyObject {
    /// Findings this chunk settles.
    func feed(_ chunk: RuleFile) -> [Diagnostic]
    /// Findings only the end of the input settles.
    func finish() -> [Diagnostic]
}

extension StreamedCheck {
    public func findings(in file: RuleFile, context: LintContext) -> [Diagnostic] {
        let stream = makeStream(context: context)
        return stream.feed(file) + stream.finish()
    }
}

/// One lint run, fed its input a chunk of statements at a time in source order, with the report
/// `Linter.lint`, `Linter.filter` and `DiagnosticLimit.apply` give for the whole input. What it
/// keeps: the kernel rules each target holds (the kernel-level checks reason on them), in one
/// store the targets share, the state of the checks that look across statements, and the
/// collector's first diagnostics per file and code; not the syntax tree, not every diagnostic.
public final class LintRun {
    let context: LintContext
    private var collector: DiagnosticCollector
    private var suppressions = SuppressionTracker()
    /// Checks that judge each statement alone (run on each chunk), by producer number.
    private let statementChecks: [(producer: Int, check: any LintCheck)]
    private let streams: [(producer: Int, stream: any CheckStream)]
    /// Checks of what applying a chunk to each target's rules found (repeated rules, loader verdicts).
    private let appliedChecks: [(producer: Int, check: any LintCheck)]
    /// Checks of the rule sets as loaded at the end.
    private let ruleSetChecks: [(producer: Int, check: any LintCheck)]
    private let sessions: [(target: CompileTarget, session: CompileSession)]
    private let shared: SharedRuleStore
    private var statementCount = 0
    private var statementFiles: Set<String> = []
    private var carriageReturnFiles: Set<String> = []
    /// Lines whose statements a rules.d merge moved ahead of the rest of their file: their
    /// findings are held until the suppressions of those files are known (`holdFindings`).
    private var moved: [String: Set<Int>] = [:]
    private var held: [(Diagnostic, Int)] = []

    static let appliedCodes: Set<String> = ["AUR005", "AUR007"]
    static let ruleSetCodes: Set<String> = ["AUR502", "AUR504", "AUR505", "AUR506", "AUR507", "AUR508"]
    /// After every check: the suppression notes (`Suppressions.apply` appends them).
    static var notesProducer: Int { Linter.checks.count + 1 }

    /// `limit`: diagnostics shown per file (`--max-diagnostics`; 0 keeps them all).
    /// `keepsLineText: false`: the rule sets keep no source line; `finish(...rereading:)` reads
    /// again the lines its findings quote.
    public init(context: LintContext, limit: Int, keepsLineText: Bool = true) {
        var context = context
        context.compiled = nil
        self.context = context
        collector = DiagnosticCollector(limit: limit)
        var statementChecks: [(Int, any LintCheck)] = [], streams: [(Int, any CheckStream)] = []
        var appliedChecks: [(Int, any LintCheck)] = [], ruleSetChecks: [(Int, any LintCheck)] = []
        for (i, check) in Linter.checks.enumerated() {
            if let streamed = check as? any StreamedCheck { streams.append((i + 1, streamed.makeStream(context: context))) }
            else if Self.appliedCodes.contains(check.code) { appliedChecks.append((i + 1, check)) }
            else if Self.ruleSetCodes.contains(check.code) { ruleSetChecks.append((i + 1, check)) }
            else { statementChecks.append((i + 1, check)) }
        }
        self.statementChecks = statementChecks
        self.streams = streams
        self.appliedChecks = appliedChecks
        self.ruleSetChecks = ruleSetChecks
        // The targets' rule sets share one store: fields and source lines are kept once.
        let shared = SharedRuleStore(keepsText: keepsLineText)
        self.shared = shared
        sessions = context.compileTargets.map { ($0, CompileSession(target: $0, shared: shared)) }
    }

    /// The next statements of the input with everything the parser found with them (a whole
    /// input is one chunk).
    public func add(_ chunk: RuleFile) { add(chunk, occupiesStatements: true, occupiedThrough: nil) }

    /// `occupiesStatements` false: the statements' lines are not taken as the targets of
    /// suppressions yet (statements a merge moved: their lines are, with the chunk of their file
    /// that holds them, `occupiedThrough` its last line), as for the whole input at once.
    func add(_ chunk: RuleFile, occupiesStatements: Bool, occupiedThrough: (file: String, line: Int)?) {
        for d in chunk.diagnostics { collector.rank(d.location.file) }
        // By index: a statement's location is read in place (an iterator copied each statement).
        let statements = chunk.statements
        // A chunk's statements are nearly all of one file: each run of one file is looked up once.
        var lastFile: String?
        for i in statements.indices where statements[i].location.file != lastFile {
            lastFile = statements[i].location.file
            collector.rank(statements[i].location.file, statement: true)
        }
        suppressions.add(chunk.directives)
        var occupied: [String: [Int]] = [:]
        if occupiesStatements {
            var run: (file: String, lines: [Int])?
            for i in statements.indices {
                let at = statements[i].location
                if run?.file == at.file { run!.lines.append(at.line); continue }
                if let done = run { occupied[done.file, default: []] += done.lines }
                run = (at.file, [at.line])
            }
            if let done = run { occupied[done.file, default: []] += done.lines }
        }
        if let (file, through) = occupiedThrough, let lines = moved[file] { occupied[file, default: []] += lines.filter { $0 <= through } }
        for d in chunk.diagnostics { occupied[d.location.file, default: []].append(d.location.line) }
        for l in chunk.carriageReturnLines where carriageReturnFiles.insert(l.file).inserted { occupied[l.file, default: []].append(l.line) }
        for l in chunk.unterminatedLastLines { occupied[l.file, default: []].append(l.line) }
        suppressions.occupy(occupied)

        for d in chunk.diagnostics { emit(d, 0) }
        for (producer, check) in statementChecks {
            for d in check.findings(in: chunk, context: context) { emit(d, producer) }
        }
        for (producer, stream) in streams {
            for d in stream.feed(chunk) { emit(d, producer) }
        }
        if !chunk.statements.isEmpty {
            var applied = context
            // What lowering gives on every target alike, worked out once for them all.
            let prepared = PreparedRule.of(chunk.statements)
            applied.compiled = sessions.map { target, session in
                session.add(chunk.statements, prepared: prepared)
                let found = session.takeFindings()
                var result = CompileResult()
                result.repeated = found.repeated
                result.loaderVerdicts = found.verdicts
                return CompiledRuleSet(machine: target.machine, loader: target.auditVersion, result: result)
            }
            for (producer, check) in appliedChecks { run(check, on: applied, producer) }
        }
        statementCount += chunk.statements.count
        lastFile = nil
        for i in statements.indices where statements[i].location.file != lastFile {
            lastFile = statements[i].location.file
            statementFiles.insert(statements[i].location.file)
        }
    }

    /// The report; `select` and `ignore` as `Linter.filter` takes them. Call once.
    /// `rereading`: the lines of a file, by number, for the findings kept without their source
    /// line (`keepsLineText: false`), given with the `InputFile.lineHash` each had when compiled;
    /// nil for a file it does not read (a line it does not give is shown without its text: the
    /// file changed).
    public func finish(select: [String] = [], ignore: [String] = [],
                       rereading: ((_ file: String, _ lines: [Int: UInt64]) -> [Int: RulesText]?)? = nil) -> LintReport {
        for (producer, stream) in streams {
            for d in stream.finish() { emit(d, producer) }
        }
        var loaded = context
        loaded.compiled = sessions.map { target, session in
            let (result, rules) = session.finishStored()
            return CompiledRuleSet(machine: target.machine, loader: target.auditVersion, result: result, rules: rules)
        }
        // AUR502's fields numbered once for every target (the sets share one arena).
        if let numbering = FieldNumbering(loaded.compiled!.map(\.rules), skipping: FieldID.key) {
            for i in loaded.compiled!.indices { loaded.compiled![i].rules.numbering = numbering }
        }
        for (producer, check) in ruleSetChecks { run(check, on: loaded, producer) }
        loaded.compiled = nil
        if let rereading {
            for (file, lines) in collector.unquotedLines() {
                if let found = rereading(file, shared.lineHashes(of: file, lines: lines)) { collector.quote(file, found) }
            }
        }
        for note in suppressions.finalNotes() { collector.add(note, producer: Self.notesProducer) }
        let selected = Linter.selection(select: select, ignore: ignore)
        let suppressions = self.suppressions
        return collector.report(dropping: { file, code in
            suppressions.suppressesEverywhere(file, code) || !(code.map(selected) ?? true)
        }, statementCount: statementCount, statementFiles: statementFiles.count)
    }

    /// A check on the context's rule sets; a per-target check hands each finding over as it makes it.
    private func run(_ check: any LintCheck, on context: LintContext, _ producer: Int) {
        if let perTarget = check as? any PerTargetCheck {
            let code = check.code
            PerTargetFindings.run(perTarget, on: context.compiled ?? [], context: context,
                                  hidden: { self.countIfHidden($0, code: code, severity: $1, producer) }) { emit($0, producer) }
        } else if let counted = check as? SyscallMissingOnABICheck {
            let code = check.code
            counted.findings(in: RuleFile(path: ""), context: context,
                             hidden: { self.countIfHidden($0, code: code, severity: $1, producer) }) { emit($0, producer) }
        } else {
            for d in check.findings(in: RuleFile(path: ""), context: context) { emit(d, producer) }
        }
    }

    /// Does for a finding not yet made what `emit` would, when it is certain not to be shown
    /// (suppressed, or past the display limit); false when it must be made and emitted.
    private func countIfHidden(_ location: SourceLocation, code: String, severity: Severity, _ producer: Int) -> Bool {
        // A finding held for its suppressions (a line a merge moved) is made and held.
        if !moved.isEmpty, moved[location.file]?.contains(location.line) == true { return false }
        return suppressions.suppresses(code, at: location) || collector.countIfHidden(location, code: code, severity: severity, producer: producer)
    }

    private func emit(_ d: Diagnostic, _ producer: Int) {
        if !moved.isEmpty, moved[d.location.file]?.contains(d.location.line) == true {
            held.append((d, producer))
            return
        }
        if !suppressions.suppresses(d) { collector.add(d, producer: producer) }
    }

    /// Findings on the lines of `statements` wait for `releaseHeldFindings` (statements a merge
    /// moves: a suppression above one is read with its file, later).
    func holdFindings(at statements: [Statement]) {
        for s in statements { moved[s.location.file, default: []].insert(s.location.line) }
    }

    /// Every file the held findings are in has been read: they are suppressed or kept now, in
    /// the order found.
    func releaseHeldFindings() {
        moved = [:]
        let findings = held
        held = []
        for (d, producer) in findings { emit(d, producer) }
    }
}
