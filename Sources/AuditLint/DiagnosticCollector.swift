import AuditRules

/// What a lint run reports: the diagnostics to show (at most so many per file, each file's
/// "N more" note after them), how many each code had, and what decides the exit status.
public struct LintReport {
    /// In output order, capped per file as `DiagnosticLimit.apply` caps them.
    public var shown: [Diagnostic]
    /// Diagnostics per code (`-` for none), every one counted, shown or not.
    public var counts: [String: Int]
    /// Every diagnostic about an input that could not be read (exit status 2).
    public var unreadable: [Diagnostic]
    /// The most severe diagnostic's severity; nil when there is none.
    public var highestSeverity: Severity?
    /// Lines with rules or settings, and the files they are in (the clean run's summary line).
    public var statementCount: Int
    public var statementFiles: Int
    /// What the run could not do as asked, for standard error (the copy of standard input it
    /// quotes lines from was cut short); none in the report itself.
    public var warnings: [String] = []

    public var isEmpty: Bool { counts.isEmpty }
}

/// Keeps what a lint run must print, not every diagnostic: per file and code the first `limit`
/// in output order (any of a file's first `limit` is among the first `limit` of its own code,
/// whatever codes are suppressed or filtered later), and counts. Memory grows with the codes
/// and files, not with the diagnostics. `limit` 0 keeps everything.
struct DiagnosticCollector {
    /// Where a diagnostic sorts: the file (`rank(_:statement:)`; settled by `report`), line,
    /// column, then who found it (the parser, each check in `Linter.checks` order, the
    /// suppression notes) and in what order.
    struct Key: Comparable {
        var fileRank: Int, line: Int, column: Int, producer: Int, sequence: Int

        static func < (a: Key, b: Key) -> Bool {
            (a.fileRank, a.line, a.column, a.producer, a.sequence) < (b.fileRank, b.line, b.column, b.producer, b.sequence)
        }
    }

    struct Bucket {
        var kept: [(key: Key, diagnostic: Diagnostic)] = []
        var count = 0
        var highest: Severity?
        /// The `limit`-th smallest key once `kept` was first cut down: a later key above it is
        /// never shown (the cut keeps the smallest), so its diagnostic need not be built.
        var threshold: Key?
    }

    struct FileCode: Hashable {
        var file: String
        var code: String?
    }

    let limit: Int
    /// Files in the order first met in parser diagnostics, and in statements.
    private var diagnosticFiles: [String: Int] = [:]
    private var statementFiles: [String: Int] = [:]
    private var sequence: [Int: Int] = [:]
    /// The buckets, by file and code through `bucketNumbers`; the last one used is remembered
    /// (findings come in runs of one file and code: the pair is hashed once per run).
    private var bucketList: [Bucket] = []
    private var bucketFileCodes: [FileCode] = []
    private var bucketNumbers: [FileCode: Int] = [:]
    private var lastBucket: (at: FileCode, number: Int)?
    private var unreadable: [Diagnostic] = []

    init(limit: Int) { self.limit = limit }

    /// Files are ordered as `Linter.lint` orders them: first the files of parser diagnostics,
    /// then those of statements, as met; any other file after them. The order is settled at the
    /// end: a file's parser diagnostic may come after another file's statements (inputs read
    /// one after another), and the file still goes first, as when the inputs are read whole.
    mutating func rank(_ file: String, statement: Bool = false) {
        if statement {
            if statementFiles[file] == nil { statementFiles[file] = statementFiles.count }
        } else if diagnosticFiles[file] == nil {
            diagnosticFiles[file] = diagnosticFiles.count
        }
    }

    func fileRank(_ file: String) -> Int {
        if let r = diagnosticFiles[file] { return r }
        if let r = statementFiles[file] { return diagnosticFiles.count + r }
        return Int.max
    }

    /// The bucket of `file` and `code`, made when new.
    private mutating func bucket(_ file: String, _ code: String?) -> Int {
        if let last = lastBucket, last.at.file == file, last.at.code == code { return last.number }
        let at = FileCode(file: file, code: code)
        let number: Int
        if let n = bucketNumbers[at] { number = n } else {
            number = bucketList.count
            bucketList.append(Bucket())
            bucketFileCodes.append(at)
            bucketNumbers[at] = number
        }
        lastBucket = (at, number)
        return number
    }

    /// Counts a diagnostic of `code` and `severity` at `location` as `add` would, without it,
    /// when it is certain not to be shown; false (nothing counted) when it must be added.
    mutating func countIfHidden(_ location: SourceLocation, code: String, severity: Severity, producer: Int) -> Bool {
        guard limit > 0, code != RuleInputs.unreadableCode else { return false }
        let number = bucket(location.file, code)
        guard let threshold = bucketList[number].threshold else { return false }
        let seq = sequence[producer, default: 0]
        // Within a bucket (one file) the file's rank does not matter: `report` sets it.
        let key = Key(fileRank: 0, line: location.line, column: location.column, producer: producer, sequence: seq)
        guard threshold < key else { return false }
        sequence[producer] = seq + 1
        bucketList[number].count += 1
        if bucketList[number].highest.map({ severity > $0 }) ?? true { bucketList[number].highest = severity }
        return true
    }

    mutating func add(_ d: Diagnostic, producer: Int) {
        let seq = sequence[producer, default: 0]
        sequence[producer] = seq + 1
        if d.code == RuleInputs.unreadableCode { unreadable.append(d) }
        let number = bucket(d.location.file, d.code)
        // Within a bucket (one file) the file's rank does not matter: `report` sets it.
        let key = Key(fileRank: 0, line: d.location.line, column: d.location.column, producer: producer, sequence: seq)
        // Moved out and back: mutated in place, never copied (a copy of `kept` per diagnostic
        // was quadratic with --max-diagnostics 0).
        var bucket = Bucket()
        swap(&bucket, &bucketList[number])
        bucket.count += 1
        if bucket.highest.map({ d.severity > $0 }) ?? true { bucket.highest = d.severity }
        bucket.kept.append((key, d))
        if limit > 0 && bucket.kept.count >= 2 * limit {
            bucket.kept.sort { $0.key < $1.key }
            bucket.kept.removeSubrange(limit...)
            bucket.threshold = bucket.kept[limit - 1].key
        }
        swap(&bucket, &bucketList[number])
    }

    /// A diagnostic kept without the text of the line it quotes (`LintRun(keepsLineText: false)`
    /// leaves an empty source line): one home for what `unquotedLines` asks for and `quote` fills.
    static func awaitsQuote(_ d: Diagnostic) -> Bool { d.sourceLine?.isEmpty == true && d.location.line > 0 }

    /// The lines of each file that kept diagnostics quote without their text.
    func unquotedLines() -> [String: Set<Int>] {
        var out: [String: Set<Int>] = [:]
        for bucket in bucketList {
            for (_, d) in bucket.kept where Self.awaitsQuote(d) {
                out[d.location.file, default: []].insert(d.location.line)
            }
        }
        return out
    }

    /// Gives the kept diagnostics of `file` that await a quote theirs from `lines`, or none when
    /// `lines` lacks it.
    mutating func quote(_ file: String, _ lines: [Int: RulesText]) {
        for n in bucketList.indices where bucketFileCodes[n].file == file {
            var bucket = Bucket()
            swap(&bucket, &bucketList[n])
            for i in bucket.kept.indices where Self.awaitsQuote(bucket.kept[i].diagnostic) {
                bucket.kept[i].diagnostic.sourceLine = lines[bucket.kept[i].diagnostic.location.line]
            }
            swap(&bucket, &bucketList[n])
        }
    }

    /// The report, without the diagnostics `dropped` says are suppressed for a whole file or
    /// not selected.
    func report(dropping dropped: (_ file: String, _ code: String?) -> Bool, statementCount: Int, statementFiles: Int) -> LintReport {
        var candidates: [(key: Key, diagnostic: Diagnostic)] = []
        var totals: [String: Int] = [:]
        var counts: [String: Int] = [:]
        var highest: Severity?
        var total = 0
        for (at, bucket) in zip(bucketFileCodes, bucketList) where !dropped(at.file, at.code) {
            let rank = fileRank(at.file)
            candidates += bucket.kept.map { kept in
                var key = kept.key
                key.fileRank = rank
                return (key, kept.diagnostic)
            }
            totals[at.file, default: 0] += bucket.count
            counts[at.code ?? "-", default: 0] += bucket.count
            total += bucket.count
            if let h = bucket.highest, highest.map({ h > $0 }) ?? true { highest = h }
        }
        candidates.sort { $0.key < $1.key }
        let all = candidates.map(\.diagnostic)
        let shown = limit > 0 && total > limit ? Self.capped(all, limit: limit, totals: totals) : all
        return LintReport(shown: shown, counts: counts,
                          unreadable: unreadable.filter { !dropped($0.location.file, $0.code) },
                          highestSeverity: highest, statementCount: statementCount, statementFiles: statementFiles)
    }

    /// `DiagnosticLimit.apply` of the whole list, from its candidates and each file's total.
    static func capped(_ candidates: [Diagnostic], limit: Int, totals: [String: Int]) -> [Diagnostic] {
        var shownPerFile: [String: Int] = [:]
        var lastKept: [String: Int] = [:]
        var out: [Diagnostic] = []
        for d in candidates {
            let file = d.location.file
            let count = shownPerFile[file, default: 0]
            guard count < limit else { continue }
            shownPerFile[file] = count + 1
            lastKept[file] = out.count
            out.append(d)
        }
        for (file, index) in lastKept.sorted(by: { $0.value > $1.value }) {
            let n = totals[file, default: 0] - shownPerFile[file, default: 0]
            guard n > 0 else { continue }
            out.insert(DiagnosticLimit.omittedNote(file: file, count: n), at: index + 1)
        }
        return out
    }
}

/// Suppression comments applied as statements and findings arrive: a line directive covers the
/// first later line of its file that holds a statement or a finding, which is known once that
/// line has been read; a file directive covers its whole file and is applied at the end.
struct SuppressionTracker {
    private var directives: [Suppressions.Directive] = []
    private var awaiting: [String: [Int]] = [:]
    private var byTarget: [String: [Int: [Int]]] = [:]
    private var notes: [Diagnostic] = []
    /// Codes found in each file before any suppression (a file directive of such a code is used).
    private var found: Set<DiagnosticCollector.FileCode> = []
    private var lastFound: DiagnosticCollector.FileCode?

    mutating func add(_ comments: [Located<RulesText>]) {
        for c in comments {
            let (directive, problems) = Suppressions.parse(c)
            notes += problems
            guard let directive else { continue }
            if !directive.wholeFile { awaiting[directive.location.file, default: []].append(directives.count) }
            directives.append(directive)
        }
    }

    /// Lines that hold a statement or a finding, of one chunk of input, after the directives of
    /// every earlier chunk and of this one were added.
    mutating func occupy(_ linesByFile: [String: [Int]]) {
        for (file, unsorted) in linesByFile {
            guard let waiting = awaiting[file], !waiting.isEmpty else { continue }
            let lines = unsorted.sorted()
            var still: [Int] = []
            for i in waiting {
                let after = directives[i].location.line
                var lo = 0, hi = lines.count
                while lo < hi { let mid = (lo + hi) / 2; if lines[mid] > after { hi = mid } else { lo = mid + 1 } }
                if lo < lines.count { byTarget[file, default: [:]][lines[lo], default: []].append(i) } else { still.append(i) }
            }
            awaiting[file] = still
        }
    }

    /// True when a line directive suppresses `d` (the directive is then used).
    mutating func suppresses(_ d: Diagnostic) -> Bool {
        guard let code = d.code else { return false }
        return suppresses(code, at: d.location)
    }

    /// The same for a diagnostic of `code` at `location`, before it is made.
    mutating func suppresses(_ code: String, at location: SourceLocation) -> Bool {
        // Findings come in runs of one file and code: each pair is hashed once per run.
        if lastFound?.file != location.file || lastFound?.code != code {
            let key = DiagnosticCollector.FileCode(file: location.file, code: code)
            found.insert(key)
            lastFound = key
        }
        guard !byTarget.isEmpty, let covering = byTarget[location.file]?[location.line] else { return false }
        var suppressed = false
        for i in covering where directives[i].codes.contains(code) {
            directives[i].used.insert(code)
            suppressed = true
        }
        return suppressed
    }

    /// True when a file directive suppresses `code` in `file`.
    func suppressesEverywhere(_ file: String, _ code: String?) -> Bool {
        guard let code else { return false }
        return directives.contains { $0.wholeFile && $0.location.file == file && $0.codes.contains(code) }
    }

    /// The notes on unreadable and unused directives, in the order `Suppressions.apply` gives them.
    func finalNotes() -> [Diagnostic] {
        var all = notes
        for var d in directives {
            if d.wholeFile { for code in d.codes where found.contains(.init(file: d.location.file, code: code)) { d.used.insert(code) } }
            if let note = Suppressions.unusedNote(d) { all.append(note) }
        }
        let unused = UnusedSuppressionCheck().code
        let silenced = Set(directives.filter { $0.wholeFile && $0.codes.contains(unused) }.map(\.location.file))
        return all.filter { !silenced.contains($0.location.file) }
    }
}
