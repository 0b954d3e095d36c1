import Syscalls

/// Turns one rules line into statements, following auditctl's `setopt` option by option, but
/// reporting every problem instead of stopping at the first.
struct LineParser {
    let file: String
    let line: SourceLine
    let words: [Token]
    /// The machine auditctl would run on (`ParseOptions.hostMachine`): all the line needs of the
    /// options, and copying the whole options (closure and all) per line cost reference counts.
    let hostMachine: Machine
    /// What every line of a parse shares and the parser asks per clause. Held by reference: the
    /// compiler copies the parser now and then (around some non-mutating calls on it), and a copy
    /// of the value parser retained every table of the loader's facts.
    let shared: Shared
    /// auditctl trims a `-w` path's trailing slashes; a saved listing's path is the kernel's.
    let trimsWatchSlashes: Bool
    /// The loader whose field, list and io_uring verdicts apply (nil: auditctl 3.0.9's, built in).
    let loader: AuditVersion?
    /// The target kernel (nil: one with every audit feature).
    let kernel: KernelVersion?
    /// Further loaders whose field and io_uring refusals are errors too (lint of several releases).
    var otherLoaders: [AuditVersion] { shared.otherLoaders }
    var knownSyscalls: KnownSyscallMemo { shared.knownSyscalls }

    var diagnostics: [Diagnostic] = []
    var statements: [(column: Int, statement: Statement)] = []

    // The rule being built (auditctl's rule_new and its flags).
    var command: (kind: RuleCommand, column: Int, length: Int)?
    var list: Located<FilterList>?
    var action: Located<RuleAction>?
    var watch: (remove: Bool, path: Located<RulesText>, column: Int)?
    var permissions: Located<RulesText>?
    var syscalls: [Located<SyscallSpec>] = []
    var firstSyscallOption: (column: Int, length: Int)?
    var fields: [FieldClause] = []
    var keys: [Located<RulesText>] = []
    var fieldKeys: [Located<RulesText>] = []
    var syscallAdded = false, permAdded = false, exeAdded = false, fsAdded = false
    var syscallListReported = false
    /// "Did you mean" costs a scan of every known name: a line full of garbage gets only a few.
    var suggestionsLeft = 5

    init(file: String, line: SourceLine, words: [Token], hostMachine: Machine, shared: Shared, trimsWatchSlashes: Bool = true,
         loader: AuditVersion? = nil, kernel: KernelVersion? = nil) {
        self.file = file
        self.line = line
        self.words = words
        self.hostMachine = hostMachine
        self.shared = shared
        self.trimsWatchSlashes = trimsWatchSlashes
        self.loader = loader
        self.kernel = kernel
    }

    func location(_ column: Int) -> SourceLocation {
        SourceLocation(file: file, line: line.number, column: column)
    }

    mutating func report(_ code: DiagnosticCode, _ severity: Severity = .error, _ message: String, column: Int, length: Int,
                         hostDependent: Bool = false) {
        diagnostics.append(Diagnostic(severity, message, at: location(column), length: max(length, 1),
                                      sourceLine: line.quoted, code: code.rawValue, hostDependent: hostDependent))
    }

    mutating func report(_ code: DiagnosticCode, _ message: String, _ token: Token, hostDependent: Bool = false) {
        report(code, .error, message, column: token.column, length: token.length, hostDependent: hostDependent)
    }

    /// The comma-separated items of a word, empty ones included, cut at its comma bytes.
    func commaSeparated(_ text: RulesText) -> [RulesText] {
        // Over the bytes at once, rather than the collection's split and a text made per slice.
        text.withBytes { bytes in
            var items: [RulesText] = []
            // Sized once: grown item by item, the array would be reallocated as it fills.
            var commas = 0
            for b in bytes where b == UInt8(ascii: ",") { commas += 1 }
            items.reserveCapacity(commas + 1)
            var start = 0
            for i in 0 ..< bytes.count where bytes[i] == UInt8(ascii: ",") {
                items.append(RulesText(UnsafeBufferPointer(rebasing: bytes[start ..< i])))
                start = i + 1
            }
            items.append(RulesText(UnsafeBufferPointer(rebasing: bytes[start...])))
            return items
        }
    }

    var hasRuleTarget: Bool { command != nil || watch != nil }
    /// What a key needs before it: a syscall, a watch, or a perm, path, dir, exe or fstype field.
    var keyHasAnchor: Bool { syscallAdded || permAdded || exeAdded || fsAdded }
    /// The list fields are checked against: a watch is an exit rule.
    var effectiveList: FilterList? { watch != nil ? .exit : list?.value }

    /// auditctl stops reading a line after `-c -i -l -s -v`; anything after them makes the line fail.
    static func isLastOnLine(_ option: ScannedOption) -> Bool {
        let letter = option.letter
        return letter == UInt8(ascii: "c") || letter == UInt8(ascii: "i") || letter == UInt8(ascii: "l")
            || letter == UInt8(ascii: "s") || letter == UInt8(ascii: "v")
    }

    /// auditctl acts on these at once and silently ignores the rest of the line, rule included.
    static let endLineSilently: Set<String> = ["--loginuid-immutable", "--reset-lost", "--reset_backlog_wait_time_actual"]

    mutating func run() {
        let scan = OptionScanner.scan(words)
        // Sized once: the clauses stay in the syntax tree, and growing by doubling leaves slack.
        var clauses = 0
        for option in scan.options {
            let letter = option.letter
            if letter == UInt8(ascii: "F") || letter == UInt8(ascii: "C") || letter == UInt8(ascii: "p") { clauses += 1 }
        }
        fields.reserveCapacity(clauses)
        for p in scan.problems { report(.syntax, .error, p.message, column: p.column, length: p.length) }
        var dropRule = false
        for option in scan.options {
            if handle(option) { break }
            if Self.isLastOnLine(option) {
                if !option.endsWord || option.lastWord < words.count - 1 {
                    let next = option.endsWord ? words[option.lastWord + 1].column : option.column + option.length
                    report(.ignoredWords, .error, "auditctl stops reading the line after \(option.name): what follows is refused (parameter passed without an option given)",
                           column: next, length: max(line.text.count - next + 1, 1))
                }
                break
            }
            if option.letter == 0 && Self.endLineSilently.contains(option.name) {
                if words.count > 1 {
                    report(.ignoredWords, .warning, "auditctl applies \(option.name) and silently ignores everything else on this line; put it on a line of its own",
                           column: option.column, length: option.length)
                }
                dropRule = true
                break
            }
        }
        if dropRule { return }
        reportOperands(scan.operands)
        finish()
    }

    /// Returns true when the rest of the line was consumed (`-D -k KEY`).
    mutating func handle(_ o: ScannedOption) -> Bool {
        let arg = o.argument
        switch o.letter {
        case UInt8(ascii: "a"), UInt8(ascii: "A"), UInt8(ascii: "d"):
            ruleCommand(o, arg!)
        case UInt8(ascii: "w"), UInt8(ascii: "W"):
            watchOption(o, arg!)
        case UInt8(ascii: "S"):
            syscallOption(o, arg!)
        case UInt8(ascii: "F"):
            guard hasRuleTarget else {
                report(.misplacedOption, .error, "-F needs a rule (-a LIST,ACTION) or a watch (-w PATH) before it", column: o.column, length: o.length)
                return false
            }
            if arg!.text.starts(with: "key=".utf8) {
                let value = RulesText(arg!.text.dropFirst(4))
                addKey(value, token: Token(text: value, column: arg!.column + 4, length: arg!.length - 4), fromField: true)
            } else {
                fieldPair(arg!)
            }
        case UInt8(ascii: "C"):
            comparison(o, arg!)
        case UInt8(ascii: "k"):
            guard hasRuleTarget, keyHasAnchor else {
                report(.keyPlacement, .error, "-k needs a syscall (-S), a watch (-w), or a perm, path, dir, exe or fstype field before it",
                       column: o.column, length: o.length)
                return false
            }
            if arg!.text.first == UInt8(ascii: "-") && arg!.text.count > 1 {
                report(.keyValue, .warning, "the key is '\(message: arg!.text)': -k takes the next word as its value, even one that looks like an option",
                       column: arg!.column, length: arg!.length)
            }
            addKey(arg!.text, token: arg!, fromField: false)
        case UInt8(ascii: "p"):
            permissionOption(o, arg!)
        case UInt8(ascii: "D"):
            if words.count == 1 {
                emit(.deleteAll(key: nil), column: o.column)
            } else if words.count == 3, words[0].text.elementsEqual("-D".utf8), words[1].text.elementsEqual("-k".utf8) {
                emit(.deleteAll(key: Located(words[2].text, at: location(words[2].column), length: words[2].length)),
                     column: o.column)
                return true
            } else {
                report(.misplacedOption, .error, "-D must be alone on its line, or written as -D -k KEY", column: o.column, length: o.length)
            }
        case UInt8(ascii: "b"), UInt8(ascii: "r"):
            numericSetting(o, arg!)
        case UInt8(ascii: "e"), UInt8(ascii: "f"):
            guard let v = ["0", "1", "2"].firstIndex(of: arg!.text) else {
                let what = o.name == "-e" ? "-e (enable) must be 0, 1 or 2" : "-f (failure mode) must be 0, 1 or 2"
                report(.badNumber, "\(what), not '\(message: arg!.text)'", arg!)
                return false
            }
            emit(.setting(o.name == "-e" ? .enabled(UInt32(v)) : .failureMode(UInt32(v))), column: o.column)
        case UInt8(ascii: "c"):
            emit(.loaderOption(.continueOnError), column: o.column)
        case UInt8(ascii: "i"):
            emit(.loaderOption(.ignoreErrors), column: o.column)
        case UInt8(ascii: "l"), UInt8(ascii: "s"), UInt8(ascii: "v"):
            report(.notARule, .warning, "\(o.name) only queries auditctl or the kernel; it does nothing in a rules file and aurules ignores it",
                   column: o.column, length: o.length)
        case UInt8(ascii: "h"):
            report(.notARule, .error, "-h prints auditctl's usage and fails the line", column: o.column, length: o.length)
        case UInt8(ascii: "R"):
            report(.notARule, .error, "-R cannot be nested: a rules file cannot load another one", column: o.column, length: o.length)
        case 0:
            return handleLong(o)
        default:
            reportNotARule(o)
        }
        return false
    }

    private mutating func handleLong(_ o: ScannedOption) -> Bool {
        switch o.name {
        case "--backlog_wait_time":
            numericSetting(o, o.argument!)
        case "--loginuid-immutable":
            emit(.setting(.loginuidImmutable), column: o.column)
        case "--reset-lost":
            emit(.setting(.resetLost), column: o.column)
        case "--reset_backlog_wait_time_actual":
            emit(.setting(.resetBacklogWaitTimeActual), column: o.column)
        default:
            reportNotARule(o)
        }
        return false
    }

    private mutating func reportNotARule(_ o: ScannedOption) {
        report(.notARule, .error, "\(o.name) is not a rule or setting (it acts on the running audit daemon or kernel); aurules does not accept it in rules files",
               column: o.column, length: o.length)
    }

    mutating func emit(_ kind: StatementKind, column: Int) {
        statements.append((column, Statement(kind: kind, location: location(column), text: line.text)))
    }

    mutating func addKey(_ value: RulesText, token: Token, fromField: Bool) {
        let total = keys.reduce(0) { $0 + $1.value.count } + keys.count + value.count
        if total > 256 {
            report(.keyValue, "the keys of this rule add up to \(total) bytes; the kernel allows 256 in total (separators included)", token)
            return
        }
        if value.withBytes({ $0.contains(1) }) {
            report(.keyValue, "a key cannot contain the byte 0x01 (it separates keys)", token)
        }
        let located = Located(value, at: location(token.column), length: token.length)
        keys.append(located)
        if fromField { fieldKeys.append(located) }
    }

    mutating func numericSetting(_ o: ScannedOption, _ arg: Token) {
        let what: String
        switch o.name {
        case "-b": what = "-b (backlog limit)"
        case "-r": what = "-r (rate limit)"
        default: what = "--backlog_wait_time"
        }
        let prefix = LeadingNumber.parsePrefix(arg.text)
        guard let first = arg.text.first, first >= UInt8(ascii: "0"), first <= UInt8(ascii: "9"), prefix.consumed > 0 else {
            report(.badNumber, "\(what) must be a number, not '\(message: arg.text)'", arg)
            return
        }
        guard !prefix.overflow, prefix.value <= UInt64(UInt32.max) else {
            report(.badNumber, "\(what) \(message: arg.text) is out of range (at most 4294967295)", arg)
            return
        }
        if prefix.consumed < arg.text.count {
            report(.numberSuffix, .warning, "auditctl reads only the leading number of '\(message: arg.text)' and ignores the rest",
                   column: arg.column + prefix.consumed, length: arg.text.count - prefix.consumed)
        }
        let v = UInt32(prefix.value)
        switch o.name {
        case "-b": emit(.setting(.backlogLimit(v)), column: o.column)
        case "-r": emit(.setting(.rateLimit(v)), column: o.column)
        default: emit(.setting(.backlogWaitTime(v)), column: o.column)
        }
    }

    mutating func reportOperands(_ operands: [Token]) {
        for word in operands {
            if word.text.drop(while: { $0 == 0x09 }).first == UInt8(ascii: "#") {
                let end = line.text.count
                let tabbed = word.text.first == 0x09
                report(.tabComment, .error, tabbed ? "a comment may be indented with spaces only: auditctl does not split words at tabs, so '\t#' is not a comment"
                                      : "a comment must start its line: auditctl rejects '#' after a rule",
                       column: word.column, length: end - word.column + 1)
                return
            }
            let index = words.firstIndex { $0.column == word.column } ?? 0
            let afterValue = index > 0 && words[index - 1].text.first != UInt8(ascii: "-")
            report(.syntax, "'\(message: word.text)' is not an option or an option's value (auditctl: parameter passed without an option given)"
                   + (afterValue ? "; a space inside a value is written '\\ '" : ""), word)
        }
    }
}
