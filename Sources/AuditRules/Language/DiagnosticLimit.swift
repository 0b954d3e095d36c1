/// Bounds what one input can make aurules print: at most so many diagnostics per file (clang's
/// -ferror-limit), and a file that is not rules at all (a link to /etc/shadow, a binary) said
/// in one line, its lines never quoted.
public enum DiagnosticLimit {
    public static let defaultPerFile = 100
    /// Diagnostics with this code replace every line diagnostic of a file that is not rules.
    public static let notRulesCode = "not-rules"
    /// The note that says how many diagnostics of a file were not shown.
    public static let omittedCode = "limit"
    /// Content lines (not blank, not comments) looked at to decide that a file is not rules.
    static let examinedLines = 20

    /// The first diagnostics of each file, in the given order, then a note with the count of the
    /// rest. `perFile` 0 keeps everything.
    public static func apply(_ diagnostics: [Diagnostic], perFile limit: Int) -> [Diagnostic] {
        guard limit > 0, diagnostics.count > limit else { return diagnostics }
        var shown: [String: Int] = [:]
        var omitted: [String: Int] = [:]
        var out: [Diagnostic] = []
        var lastKept: [String: Int] = [:]
        for d in diagnostics {
            let file = d.location.file
            let count = shown[file, default: 0]
            if count < limit {
                shown[file] = count + 1
                lastKept[file] = out.count
                out.append(d)
            } else {
                omitted[file, default: 0] += 1
            }
        }
        guard !omitted.isEmpty else { return out }
        // Each note after its file's last shown diagnostic, inserted from the back.
        for (file, index) in lastKept.sorted(by: { $0.value > $1.value }) {
            guard let n = omitted[file] else { continue }
            out.insert(omittedNote(file: file, count: n), at: index + 1)
        }
        return out
    }

    /// The note that `n` diagnostics of `file` were not shown.
    public static func omittedNote(file: String, count n: Int) -> Diagnostic {
        Diagnostic(.note, "\(n) more diagnostic\(n == 1 ? "" : "s") in this file not shown (--max-diagnostics 0 shows all)",
                   at: SourceLocation(file: file, line: 0, column: 0), length: 0, code: omittedCode)
    }

    /// One error for the whole file when its first content lines are all errors and most of them
    /// do not even start with an option (`-`): a rules file with mistakes reads otherwise. nil
    /// when the file reads as rules. `text` is the file (or at least its first lines).
    public static func notRulesSummary<Bytes: Collection<UInt8>>(file: String, text: Bytes, diagnostics: [Diagnostic]) -> Diagnostic? {
        let fileErrors = diagnostics.filter { $0.severity == .error && $0.location.file == file && $0.location.line > 0 }
        guard !fileErrors.isEmpty else { return nil }
        let hidden = diagnostics.filter { $0.location.file == file && $0.location.line > 0 }.count
        return notRulesSummary(file: file, text: text, errorLines: Set(fileErrors.map(\.location.line)), hidden: hidden)
    }

    /// The same from the lines of the file's errors and the count of its line diagnostics (a
    /// file read a chunk at a time keeps no more).
    public static func notRulesSummary<Bytes: Collection<UInt8>>(file: String, text: Bytes, errorLines: Set<Int>, hidden: Int) -> Diagnostic? {
        guard !errorLines.isEmpty else { return nil }
        var examined = 0, options = 0, readsAsRules = false
        forEachContentLine(in: text, unterminated: true) { line, startsWithDash in
            guard errorLines.contains(line) else { readsAsRules = true; return false }
            examined += 1
            if startsWithDash { options += 1 }
            return examined < examinedLines
        }
        if readsAsRules { return nil }
        guard examined > 0, options * 2 < examined else { return nil }
        return Diagnostic(.error, "not an audit rules file: its first \(examined == 1 ? "line is" : "\(examined) lines are") not auditctl "
                          + "options (\(hidden) diagnostic\(hidden == 1 ? "" : "s") about its lines not shown, nor its contents)",
                          at: SourceLocation(file: file, line: 0, column: 0), length: 0, code: notRulesCode)
    }
}

extension DiagnosticLimit {
    /// How much of a file's start the "not an audit rules file" verdict may wait for.
    public static let headLimit = 64 << 10

    /// True when `head`, the first bytes of a file, holds the content lines that decide whether
    /// it is rules (`notRulesSummary` looks at no more), so that its verdict cannot change.
    public static func headDecides<Bytes: Collection<UInt8>>(_ head: Bytes) -> Bool {
        var content = 0, decided = false
        forEachContentLine(in: head, unterminated: false) { _, _ in
            content += 1
            decided = content == examinedLines
            return !decided
        }
        return decided
    }

    /// Calls `body` with the line number and whether the line starts with `-`, for each content
    /// line (neither blank nor a comment) of `bytes`, until it returns false. A last line without
    /// LF counts when `unterminated` is true.
    static func forEachContentLine<Bytes: Collection<UInt8>>(in bytes: Bytes, unterminated: Bool, _ body: (Int, Bool) -> Bool) {
        var line = 0, atLineStart = true, seenContent = false, isComment = false, startsWithDash = false
        func endLine() -> Bool {
            line += 1
            defer { atLineStart = true; seenContent = false; isComment = false; startsWithDash = false }
            return !seenContent || isComment || body(line, startsWithDash)
        }
        for b in bytes {
            if b == 0x0A {
                if !endLine() { return }
                continue
            }
            if atLineStart && (b == 0x20 || b == 0x09 || b == 0x0D) { continue }
            if atLineStart {
                atLineStart = false
                seenContent = true
                isComment = b == UInt8(ascii: "#")
                startsWithDash = b == UInt8(ascii: "-")
            }
        }
        if unterminated && seenContent { _ = endLine() }
    }
}

extension RuleFile {
    /// The file `path` as parsed from `text`, or, when it is not rules, only its whole-file
    /// diagnostics and the summary: no statement (lint checks would quote them), no trivia.
    public mutating func summarizeIfNotRules<Bytes: Collection<UInt8>>(path: String, text: Bytes) {
        guard let summary = DiagnosticLimit.notRulesSummary(file: path, text: text, diagnostics: diagnostics) else { return }
        diagnostics = diagnostics.filter { $0.location.file != path || $0.location.line <= 0 } + [summary]
        statements.removeAll { $0.location.file == path }
        trivia.removeAll()
        carriageReturnLines.removeAll { $0.file == path }
        unterminatedLastLines.removeAll { $0.file == path }
    }
}
