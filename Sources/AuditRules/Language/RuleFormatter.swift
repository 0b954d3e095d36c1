/// The canonical, loadable spelling of rules (`aurules fmt`): one statement per line, single
/// spaces, `ACTION,LIST` order, all `-S` of a rule merged into one comma list placed where the
/// first `-S` was (so arch fields stay before it and the kernel's field order is unchanged), keys
/// last as `-k`, and `\ ` / `\\` escapes where a word needs them. Comment lines are kept; runs of
/// blank lines become one. Formatting the output again gives the same text. Several inputs are
/// formatted one after another, each whole (`format(_:)` of each, concatenated).
public enum RuleFormatter {
    public static func format(_ files: [RuleFile]) -> RulesText {
        var out: [UInt8] = []
        for file in files { format(file).withBytes { out.append(contentsOf: $0) } }
        return RulesText(out)
    }

    public static func format(_ file: RuleFile) -> RulesText {
        var out: [UInt8] = []
        var state = Stream()
        state.append(file, to: &out)
        return RulesText(out)
    }

    /// Formatting carried from one chunk of a file to the next (a large file is formatted a
    /// chunk of lines at a time, with the text formatting it whole gives): whether a line was
    /// written, and whether a blank line is due before the next one.
    public struct Stream {
        var lineCount = 0
        var lastIsBlank = false
        var pendingBlank = false

        public init() {}

        /// Appends the statements and comment lines of `file` (a whole file, or the next chunk of one).
        public mutating func append(_ file: RuleFile, to out: inout [UInt8]) {
            enum Item { case statement(Statement), trivia(Located<RulesText>) }
            var items: [(file: String, line: Int, order: Int, item: Item)] = []
            for (i, s) in file.statements.enumerated() {
                items.append((s.location.file, s.location.line, i, .statement(s)))
            }
            // Trivia only exists for plain files, whose statements are in line order: interleave by line.
            if !file.trivia.isEmpty {
                for (i, t) in file.trivia.enumerated() {
                    items.append((t.location.file, t.location.line, file.statements.count + i, .trivia(t)))
                }
                var fileOrder: [String: Int] = [:]
                for item in items where fileOrder[item.file] == nil { fileOrder[item.file] = fileOrder.count }
                items.sort { a, b in
                    let fa = fileOrder[a.file]!, fb = fileOrder[b.file]!
                    if fa != fb { return fa < fb }
                    if a.line != b.line { return a.line < b.line }
                    return a.order < b.order
                }
            }
            // One byte buffer, appended to: a string per line joined at the end would copy every line
            // twice, and appending to a String costs more than appending bytes.
            for entry in items {
                switch entry.item {
                case .statement(let s):
                    if pendingBlank { out.write("\n"); pendingBlank = false }
                    RuleFormatter.append(s, to: &out)
                    endLine(&out)
                    lineCount += 1
                    lastIsBlank = false
                case .trivia(let t):
                    if t.value.isEmpty {
                        // Runs of blank lines become one; blank lines at the start or end go.
                        if lineCount > 0 && !lastIsBlank { pendingBlank = true; lastIsBlank = true }
                    } else {
                        if pendingBlank { out.write("\n"); pendingBlank = false }
                        out.append(contentsOf: t.value.drop(while: { $0 == 0x20 }))
                        endLine(&out)
                        lineCount += 1
                        lastIsBlank = false
                    }
                }
            }
        }
    }

    /// The rules file at `path` (`-`: standard input) formatted a chunk of lines at a time (only one chunk's syntax tree
    /// is alive at once), with its diagnostics as `RuleInputs.load` gives them; nil when the file
    /// cannot be opened or is refused (`RuleInputs.load` says why).
    public static func format(path: String, options: ParseOptions, linesPerChunk: Int = 2048) -> (text: RulesText, diagnostics: [Diagnostic])? {
        var out: [UInt8] = []
        guard let streamed = format(path: path, options: options, linesPerChunk: linesPerChunk, { _, formatted in out += formatted }) else { return nil }
        if streamed.readError != nil || streamed.notRules { return ("", streamed.diagnostics) }
        return (RulesText(out), streamed.diagnostics)
    }

    /// What formatting a file a chunk at a time found: its diagnostics as `RuleInputs.load` gives
    /// them; whether it is not rules (its formatted text is then none); the read error that cut it short.
    public struct Streamed {
        public var diagnostics: [Diagnostic]
        public var notRules: Bool
        public var readError: String?
    }

    /// The same, handing each chunk of the input on with its formatted text (`fmt --check -`
    /// compares them as they come); nil when the file cannot be opened or is refused.
    public static func format(path: String, options: ParseOptions, linesPerChunk: Int = 2048,
                              _ each: (_ original: RulesText, _ formatted: [UInt8]) -> Void) -> Streamed? {
        var state = Stream()
        return format(path: path, options: options, linesPerChunk: linesPerChunk, state: &state, keep: nil, each)
    }

    /// The same, carrying `state` on from what was formatted before; `keep`: the statements of
    /// a chunk formatted where they are, its comment and blank lines dropped (a rules.d file,
    /// `DirectoryMerge.keptInPlace`).
    static func format(path: String, options: ParseOptions, linesPerChunk: Int = 2048, state: inout Stream,
                       keep: (([Statement]) -> [Statement])?, _ each: (_ original: RulesText, _ formatted: [UInt8]) -> Void) -> Streamed? {
        let name = InputFile.name(path)
        var out: [UInt8] = []
        var diagnostics: [Diagnostic] = []
        let outcome = ChunkedFile.read(path: path, linesPerChunk: linesPerChunk) { text, firstLine in
            var chunk = RuleParser.parse(text: text, firstLine: firstLine, file: name, options: options)
            if let keep {
                chunk.statements = keep(chunk.statements)
                chunk.trivia = []
            }
            diagnostics += chunk.diagnostics
            out.removeAll(keepingCapacity: true)
            state.append(chunk, to: &out)
            each(text, out)
        }
        guard case .read(let head, let readError) = outcome else { return nil }
        if let readError {
            // As a whole-file read that fails: the error, nothing of the contents.
            return Streamed(diagnostics: [RuleInputs.unreadable(name, readError)] + (RuleInputs.fileNameProblem(name).map { [$0] } ?? []),
                            notRules: false, readError: readError)
        }
        var file = RuleFile(path: name, diagnostics: diagnostics)
        file.summarizeIfNotRules(path: name, text: head)
        // A file that is not rules keeps none of its lines (`summarizeIfNotRules`).
        let notRules = file.diagnostics.last?.code == DiagnosticLimit.notRulesCode
        return Streamed(diagnostics: RuleInputs.fileProblems(path, options: options) + file.diagnostics, notRules: notRules, readError: nil)
    }

    /// A rules.d directory formatted as augenrules merges it (`RuleInputs.load` of it, then
    /// `format(_:)`), a file at a time, each a chunk of lines at a time.
    public static func format(directory merge: DirectoryMerge) -> (text: RulesText, diagnostics: [Diagnostic]) {
        var out: [UInt8] = []
        var state = Stream()
        var diagnostics = merge.prelude
        state.append(RuleFile(path: merge.path, statements: merge.leading), to: &out)
        for entry in merge.entries {
            switch entry {
            case .problem(let d): diagnostics.append(d)
            case .file(let full, _):
                let streamed = format(path: full, options: merge.options, state: &state, keep: DirectoryMerge.keptInPlace) { out += $1 }
                // Gone or changed since it was listed: reported as a whole read reports it.
                diagnostics += streamed?.diagnostics ?? RuleInputs.loadFile(full, options: merge.options).diagnostics
                if streamed != nil, let changed = merge.changedSinceScanned(full) { diagnostics.append(changed) }
            }
        }
        state.append(RuleFile(path: merge.path, statements: merge.trailing), to: &out)
        return (RulesText(out), diagnostics)
    }

    /// Ends a line. A line whose last byte is CR gets a space after it: a CR before the newline is
    /// dropped when the line is read again, and the CR belongs to the last word (`-k a\r -p wa`
    /// keeps the key `a\r` when its `-k` goes last).
    static func endLine(_ out: inout [UInt8]) {
        if out.last == 0x0D { out.append(0x20) }
        out.append(0x0A)
    }

    public static func format(_ s: Statement) -> RulesText {
        var out: [UInt8] = []
        append(s, to: &out)
        return RulesText(out)
    }

    static func append(_ s: Statement, to out: inout [UInt8]) {
        switch s.kind {
        case .rule(let r): append(r, to: &out)
        case .watch(let w): append(w, to: &out)
        case .deleteAll(let key):
            out.write("-D")
            if let key {
                out.write(" -k ")
                out.write(Lexer.escape(key.value))
            }
        case .setting(let setting): out.write(setting.auditctlText)
        case .loaderOption(let o): out.write(o.rawValue)
        }
    }

    static func append(_ r: RuleStatement, to out: inout [UInt8]) {
        out.write(r.command.rawValue)
        out.write(" ")
        out.write(r.action.value.rawValue)
        out.write(",")
        out.write(r.list.value.rawValue)
        let syscallsAt: Int
        if let first = r.syscalls.first {
            syscallsAt = r.fields.firstIndex(where: { !precedes($0.name.location, first.location) }) ?? r.fields.count
        } else {
            syscallsAt = r.fields.count
        }
        for (i, f) in r.fields.enumerated() {
            if i == syscallsAt { appendSyscalls(r.syscalls, to: &out) }
            if i > 0, r.list.value.permFieldNeedsOption, f.name.value == "perm", !f.isComparison {
                // Off the exit list only `-p` sets perm (it updates the field in place, as here).
                out.write(" -p ")
                out.write(f.rawValue.value)
            } else {
                append(f, to: &out)
            }
        }
        if syscallsAt == r.fields.count { appendSyscalls(r.syscalls, to: &out) }
        appendKeys(r.keys, to: &out)
    }

    static func precedes(_ a: SourceLocation, _ b: SourceLocation) -> Bool {
        (a.line, a.column) < (b.line, b.column)
    }

    /// ` -S a,b,c` when there are syscalls.
    static func appendSyscalls(_ syscalls: [Located<SyscallSpec>], to out: inout [UInt8]) {
        guard !syscalls.isEmpty else { return }
        out.write(" -S ")
        out.write(Lexer.escape(syscallList(syscalls)))
    }

    static func syscallList(_ syscalls: [Located<SyscallSpec>]) -> RulesText {
        // Names are case-insensitive (in ASCII only: libaudit folds bytes, not characters) and a
        // repeated syscall sets the same bit: both are normalised.
        var names: [RulesText] = []
        names.reserveCapacity(syscalls.count)
        for s in syscalls {
            let word: RulesText
            switch s.value {
            case .name(let n): word = n.lowercasedASCII
            case .number(let n): word = RulesText(String(n))
            case .all: word = "all"
            }
            if !names.contains(word) { names.append(word) }
        }
        var out: [UInt8] = []
        for (i, name) in names.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.write(name)
        }
        return RulesText(out)
    }

    static func append(_ f: FieldClause, to out: inout [UInt8]) {
        out.write(f.isComparison ? " -C " : " -F ")
        // Names and operators never need escaping: a value without spaces or backslashes is
        // written as it is, and any other clause is escaped whole, as one word.
        if f.rawValue.value.contains(where: { $0 == 0x20 || $0 == 0x5C }) {
            out.write(Lexer.escape(RulesText(f.name.value + f.op.value.rawValue) + f.rawValue.value))
        } else {
            out.write(f.name.value)
            out.write(f.op.value.rawValue)
            out.write(f.rawValue.value)
        }
    }

    static func appendKeys(_ keys: [Located<RulesText>], to out: inout [UInt8]) {
        for k in keys {
            if k.value.isEmpty {
                out.write(" -F key=")
            } else {
                out.write(" -k ")
                out.write(Lexer.escape(k.value))
            }
        }
    }

    static func append(_ w: WatchStatement, to out: inout [UInt8]) {
        out.write(w.remove ? "-W " : "-w ")
        out.write(Lexer.escape(w.path.value))
        if let p = w.permissions {
            out.write(" -p ")
            out.write(p.value)
        }
        for f in w.fields { append(f, to: &out) }
        appendKeys(w.keys, to: &out)
    }
}

extension Array where Element == UInt8 {
    mutating func write(_ s: String) { append(contentsOf: s.utf8) }
    mutating func write(_ s: RulesText) { s.withBytes { append(contentsOf: $0) } }
}
