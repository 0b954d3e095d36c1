import Syscalls

// The rule language as written: what the parser produces and everything after it consumes.
// Values are kept as written (with locations) plus, where the meaning does not depend on the
// target machine, their parsed form. Target-dependent meaning (syscall names, b32/b64) is the
// compiler's business.

/// A parsed input: one file, stdin, or the merged view of a rules.d directory.
public struct RuleFile: Sendable {
    /// The path given by the user (a file, a directory, or "-" for stdin).
    public var path: String
    public var statements: [Statement]
    /// Every diagnostic found while reading and parsing, in source order.
    public var diagnostics: [Diagnostic]
    /// Comment lines (text as written) and blank lines (empty text), for `aurules fmt`. Only inputs
    /// read as single files keep them: a rules.d merge drops them as augenrules does.
    public var trivia: [Located<RulesText>] = []
    /// Comment lines that speak to aurules (`# aurules: disable=AUR001`), from every file read,
    /// rules.d merges included; the text is the comment after its `#`.
    public var directives: [Located<RulesText>] = []
    /// Lines that ended with CR LF (auditctl 3.0.9 keeps the CR as part of the last word).
    public var carriageReturnLines: [SourceLocation] = []
    /// Last lines of files without a final newline (in a rules.d merge, only files another file
    /// follows): augenrules concatenates the files with `cat`, joining that line with the next file's first.
    public var unterminatedLastLines: [SourceLocation] = []

    public init(path: String, statements: [Statement] = [], diagnostics: [Diagnostic] = []) {
        self.path = path
        self.statements = statements
        self.diagnostics = diagnostics
    }

    /// The files read into this input, in the order read (a rules.d directory's in augenrules'
    /// order; its merge moves some statements, so their order is not the files'). Empty for one
    /// file or text, which is `path`.
    public var filesRead: [String] = []

    /// The files in source order: those read, then any other a location names, as first met.
    public var fileOrder: [String] {
        Self.fileOrder(path: path, filesRead: filesRead, named: diagnostics.map(\.location.file) + statements.map(\.location.file))
    }

    /// `fileOrder` of an input read as `path` (the paths given, joined by spaces), whose files read
    /// are `filesRead` and whose diagnostics and statements name the files `named`.
    public static func fileOrder(path: String, filesRead: [String], named: [String]) -> [String] {
        var order = filesRead.isEmpty ? [path] : filesRead
        var seen = Set(order)
        for file in named where seen.insert(file).inserted { order.append(file) }
        return order
    }

    /// Everything `next` found, after what this one found (inputs read one after another).
    mutating func append(_ next: RuleFile) {
        filesRead += next.filesRead.isEmpty ? [next.path] : next.filesRead
        statements += next.statements
        diagnostics += next.diagnostics
        trivia += next.trivia
        directives += next.directives
        carriageReturnLines += next.carriageReturnLines
        unterminatedLastLines += next.unterminatedLastLines
    }
}

/// One line of a rules file that says something (comments and blank lines are not statements).
public struct Statement: Sendable {
    public var kind: StatementKind
    /// Location of the line's first token.
    public var location: SourceLocation
    /// The line as written, without its line terminator.
    public var text: RulesText

    public init(kind: StatementKind, location: SourceLocation, text: RulesText) {
        self.kind = kind
        self.location = location
        self.text = text
    }
}

public enum StatementKind: Sendable {
    /// `-a`, `-A`, `-d` with a list and action. Boxed (`indirect`), as the watch: a statement is
    /// copied whole by every check and lowering that walks the statements, and a copy of the box
    /// is one reference count, not one per array and location inside.
    indirect case rule(RuleStatement)
    /// `-w PATH` / `-W PATH` with `-p`, `-k` and possibly extra `-F` fields.
    indirect case watch(WatchStatement)
    /// `-D`, or `-D -k KEY`.
    case deleteAll(key: Located<RulesText>?)
    /// `-b`, `-f`, `-e`, `-r`, `--backlog_wait_time`, `--loginuid-immutable`, `--reset-lost`, ...
    case setting(Setting)
    /// `-c` (continue on error) and `-i` (ignore errors) inside a file.
    case loaderOption(LoaderOption)
}

public enum RuleCommand: String, Sendable, Codable {
    case append = "-a", prepend = "-A", delete = "-d"
}

public struct RuleStatement: Sendable {
    public var command: RuleCommand
    public var list: Located<FilterList>
    public var action: Located<RuleAction>
    /// Every `-S` item in order, comma lists flattened.
    public var syscalls: [Located<SyscallSpec>]
    /// `-F` and `-C` clauses in the order written (the kernel keeps this order). Key fields
    /// (`-F key=`) are not here: they are in `keys`.
    public var fields: [FieldClause]
    /// Every `-k KEY` and `-F key=KEY` in order; the kernel gets them joined with \u{01} as one last field.
    public var keys: [Located<RulesText>]

    public init(command: RuleCommand, list: Located<FilterList>, action: Located<RuleAction>,
                syscalls: [Located<SyscallSpec>] = [], fields: [FieldClause] = [], keys: [Located<RulesText>] = []) {
        self.command = command
        self.list = list
        self.action = action
        self.syscalls = syscalls
        self.fields = fields
        self.keys = keys
    }
}

public enum SyscallSpec: Hashable, Sendable {
    /// A name as written (case preserved; resolution is case-insensitive).
    case name(RulesText)
    /// A number as written (decimal, hex or octal, strtol base 0), 0..<2048.
    case number(Int)
    case all
}

public struct WatchStatement: Sendable {
    /// `-w` adds, `-W` removes.
    public var remove: Bool
    /// The path as written, trailing slashes trimmed (auditctl does the same).
    public var path: Located<RulesText>
    /// `-p` letters as written, nil when absent (then all of rwxa).
    public var permissions: Located<RulesText>?
    public var keys: [Located<RulesText>]
    /// `-F` clauses after `-w`: auditctl then turns the watch into an exit rule.
    public var fields: [FieldClause]

    public init(remove: Bool, path: Located<RulesText>, permissions: Located<RulesText>? = nil,
                keys: [Located<RulesText>] = [], fields: [FieldClause] = []) {
        self.remove = remove
        self.path = path
        self.permissions = permissions
        self.keys = keys
        self.fields = fields
    }
}

/// One `-F name op value` or `-C left op right`.
public struct FieldClause: Sendable {
    /// Canonical field name (`auid` for `loginuid`, lower case); for `-C` the left field. A name
    /// of `FieldTable` (ASCII), not the bytes written: those are the location's.
    public var name: Located<String>
    public var op: Located<FieldOperator>
    /// The value as written (for `-C`, the right field's canonical name).
    public var rawValue: Located<RulesText>
    /// The parsed, target-independent value.
    public var value: FieldValue
    /// True for `-C`.
    public var isComparison: Bool

    public init(name: Located<String>, op: Located<FieldOperator>, rawValue: Located<RulesText>,
                value: FieldValue, isComparison: Bool = false) {
        self.name = name
        self.op = op
        self.rawValue = rawValue
        self.value = value
        self.isComparison = isComparison
    }
}

public enum FieldValue: Hashable, Sendable {
    /// The 32-bit value the kernel stores (negative numbers in two's complement, `unset` = 0xFFFFFFFF,
    /// errnos, message types, file types and resolved user/group names already converted).
    case number(UInt32)
    /// String-valued fields: path, dir, exe, subj_*, obj_*, fstype names are numbers, not here.
    case string(RulesText)
    /// `arch=`: the meaning of b32/b64 depends on the target machine.
    case arch(ArchSelector)
    /// A user or group name left unresolved (resolution disabled with `--no-resolve`, or failed).
    case userName(RulesText)
    case groupName(RulesText)
    /// `-C`: the AUDIT_COMPARE_* constant.
    case comparison(UInt32)
    /// `perm=` letters as a bit set (AUDIT_PERM_*).
    case permissions(Permissions)
}

public enum ArchSelector: Hashable, Sendable {
    case b32, b64
    /// A machine or ABI name (`x86_64`, `i686`, `armv7l`, `ppc64le`, ...), as a machine.
    case machine(Machine)
    /// A raw AUDIT_ARCH value written in hex (`0xc000003e`).
    case raw(UInt32)
}

public enum Setting: Hashable, Sendable {
    case backlogLimit(UInt32)          // -b
    case failureMode(UInt32)           // -f 0|1|2
    case enabled(UInt32)               // -e 0|1|2
    case rateLimit(UInt32)             // -r
    case backlogWaitTime(UInt32)       // --backlog_wait_time
    case loginuidImmutable             // --loginuid-immutable
    case resetLost                     // --reset-lost
    case resetBacklogWaitTimeActual    // --reset_backlog_wait_time_actual
}

public enum LoaderOption: String, Hashable, Sendable {
    case continueOnError = "-c"
    case ignoreErrors = "-i"
}

extension Setting {
    /// The option as auditctl takes it, in a rules file or on its command line.
    public var auditctlText: String {
        switch self {
        case .backlogLimit(let n): return "-b \(n)"
        case .failureMode(let n): return "-f \(n)"
        case .enabled(let n): return "-e \(n)"
        case .rateLimit(let n): return "-r \(n)"
        case .backlogWaitTime(let n): return "--backlog_wait_time \(n)"
        case .loginuidImmutable: return "--loginuid-immutable"
        case .resetLost: return "--reset-lost"
        case .resetBacklogWaitTimeActual: return "--reset_backlog_wait_time_actual"
        }
    }
}
