import AuditRules
import Syscalls

/// One example of a check: a rules text and whether the check must fire on it. Tests run every
/// example of every check. A `↓` in the text (SwiftLint's marker) stands before the byte where a
/// finding is expected; it is removed from `text` and its line and column kept in `positions`.
public struct LintExample: Sendable {
    public static let marker: Character = "↓"
    public let text: String
    public let triggers: Bool
    /// Where the findings must be (1-based line, byte column), in order; empty: not stated.
    public let positions: [(line: Int, column: Int)]

    public init(_ marked: String, triggers: Bool) {
        self.triggers = triggers
        // Every check's examples are made on every lint run: ASCII text with markers is read
        // byte by byte (a Character loop over them all took a tenth of a small lint).
        if let (text, positions) = Self.readASCII(marked) {
            self.text = text
            self.positions = positions
            return
        }
        var text = "", positions: [(line: Int, column: Int)] = []
        var line = 1, column = 1
        for ch in marked {
            if ch == Self.marker { positions.append((line, column)); continue }
            text.append(ch)
            if ch == "\n" { line += 1; column = 1 } else { column += ch.utf8.count }
        }
        self.text = text
        self.positions = positions
    }

    /// What the Character loop reads from ASCII text with markers (nil for any other text): a
    /// CR LF pair is one Character, not "\n", so its line goes on.
    private static func readASCII(_ marked: String) -> (String, [(line: Int, column: Int)])? {
        let m = Array(marked.utf8)
        var bytes: [UInt8] = [], positions: [(line: Int, column: Int)] = []
        bytes.reserveCapacity(m.count)
        var line = 1, column = 1, i = 0
        while i < m.count {
            if m[i] == 0xE2, i + 2 < m.count, m[i + 1] == 0x86, m[i + 2] == 0x93 {
                positions.append((line, column))
                i += 3
                continue
            }
            guard m[i] < 0x80 else { return nil }
            bytes.append(m[i])
            if m[i] == 0x0A && !(i > 0 && m[i - 1] == 0x0D) { line += 1; column = 1 } else { column += 1 }
            i += 1
        }
        return (String(decoding: bytes, as: UTF8.self), positions)
    }
}

/// The kind of problem a code stands for; the hundreds of a code give it (AUR1xx syntax, ...),
/// except the first checks (AUR001-AUR012), which keep the codes they were published with.
public enum CheckFamily: String, Sendable, CaseIterable, Codable {
    case syntax, fields, syscalls, watches
    case ruleSet = "rule-set"
    case host
}

/// What checks may take into account beyond the rules themselves.
public struct LintContext: Sendable {
    /// Machines the rules are meant for (ABI coverage checks).
    public var targets: [Machine]
    /// Check things only this host can tell (missing watch directories).
    public var checkHost: Bool
    /// The machine whose syscall numbers an arch-less rule gets when loaded (auditctl uses the host's).
    public var hostMachine: Machine
    /// The syscall tables (`--tables DIR` replaces the built-in ones).
    public var database: SyscallDatabase
    /// The kernel release the rules are meant for; nil: the newest the tables know.
    public var kernel: KernelVersion?
    /// The audit userspace that loads the rules; nil: any release's syscall spellings are accepted.
    public var auditVersion: AuditVersion?
    /// The input compiled for each target, once per lint run (see `compile(_:)`).
    public var compiled: [CompiledRuleSet]?
    /// The audit releases that will load the rules, each on every target machine: what their
    /// auditctl refuses is an error. Default: `auditVersion`, else this host's libaudit, else
    /// the newest release aurules knows.
    public var loaders: [AuditVersion]
    /// Resolves the user and group names of the compilations; nil: this host's /etc/passwd and
    /// /etc/group, read once per `compile(_:)` (the fuzzer gives a fixed table: no file reads).
    public var userResolver: (any UserResolver)?

    public init(targets: [Machine] = [.x86_64, .aarch64, .ppc64le, .s390x], checkHost: Bool = true,
                hostMachine: Machine = HostFacts.current.machineOrDefault, database: SyscallDatabase = .shipped,
                kernel: KernelVersion? = nil, auditVersion: AuditVersion? = nil, loaders: [AuditVersion]? = nil,
                userResolver: (any UserResolver)? = nil) {
        self.targets = targets
        self.userResolver = userResolver
        self.loaders = loaders ?? [auditVersion ?? HostFacts.current.libauditVersion ?? .newest]
        self.checkHost = checkHost
        self.hostMachine = hostMachine
        self.database = database
        self.kernel = kernel
        self.auditVersion = auditVersion
    }

    /// The release the checks answer for.
    public var release: KernelVersion { kernel ?? database.newestRelease }
    /// The audit releases whose syscall spellings the loader may accept.
    public var auditVersions: [AuditVersion] { auditVersion.map { [$0] } ?? AuditVersion.allCases }
}

/// A lint check: a stable code, what it finds and why it matters, and examples.
public protocol LintCheck: Sendable {
    /// Stable identifier (`AUR001`); never reused for another check.
    var code: String { get }
    /// Short kebab-case name (`missing-arch`).
    var name: String { get }
    var family: CheckFamily { get }
    var summary: String { get }
    var rationale: String { get }
    var examples: [LintExample] { get }
    func findings(in file: RuleFile, context: LintContext) -> [Diagnostic]
}

extension LintCheck {
    /// A finding of this check at a statement's token.
    func finding(_ severity: Severity, _ message: String, at location: SourceLocation, length: Int,
                 line: RulesText?, hostDependent: Bool = false) -> Diagnostic {
        Diagnostic(severity, message, at: location, length: length, sourceLine: line, code: code, hostDependent: hostDependent)
    }
}

public enum Linter {
    public static let checks: [any LintCheck] = [
        MissingArchCheck(), CarriageReturnCheck(), WatchRelativePathCheck(), WatchWildcardCheck(),
        DuplicateRuleCheck(), MissingWatchDirectoryCheck(), SyscallMissingOnABICheck(),
        ChangesAfterImmutableCheck(), DeleteAllMidFileCheck(), ConflictingArchCheck(), AuditsEverythingCheck(), UnterminatedRulesFileCheck(),
        ShadowedRuleCheck(), AuidWithoutUnsetCheck(), HotSyscallCheck(), WatchCoveredCheck(), ExcludeCannotMatchCheck(),
        BacklogTooSmallCheck(), KeyReuseCheck(),
    ]

    /// Codes the parser, the input reader and the compiler report (grammar errors and the like).
    public static let parserCodes: [any LintCheck] = FoundByParser.all

    /// Every code, for --list-checks, --explain and SARIF's rules, in code order.
    public static let allChecks: [any LintCheck] = {
        var seen = Set<String>()
        return (checks + parserCodes + [UnusedSuppressionCheck()]).filter { seen.insert($0.code).inserted }.sorted { $0.code < $1.code }
    }()

    /// The check or parser code `name` names (a code in any case, or a check name).
    public static func check(named name: String) -> (any LintCheck)? {
        allChecks.first { $0.code.lowercased() == name.lowercased() || $0.name == name }
    }

    /// The parser's diagnostics and every check's findings, in file order.
    public static func lint(_ file: RuleFile, context: LintContext = LintContext()) -> [Diagnostic] {
        var context = context
        if context.compiled == nil { context.compiled = context.compile(file) }
        var all = file.diagnostics
        for check in checks { all += check.findings(in: file, context: context) }
        return sorted(Suppressions.apply(all, file: file), fileOrder: file)
    }

    static func sorted(_ ds: [Diagnostic], fileOrder file: RuleFile) -> [Diagnostic] {
        var order: [String: Int] = [:]
        for d in file.diagnostics where order[d.location.file] == nil { order[d.location.file] = order.count }
        for s in file.statements where order[s.location.file] == nil { order[s.location.file] = order.count }
        return ds.enumerated().sorted { a, b in
            let x = a.element.location, y = b.element.location
            let fx = order[x.file] ?? Int.max, fy = order[y.file] ?? Int.max
            if fx != fy { return fx < fy }
            if x.line != y.line { return x.line < y.line }
            if x.column != y.column { return x.column < y.column }
            return a.offset < b.offset
        }.map(\.element)
    }
}

extension Statement {
    /// Watch paths and `path=`/`dir=` values with where they were written.
    /// `body` of each watched path in order, no array made (two checks ask of every statement).
    func forEachWatchedPath(_ body: (Located<RulesText>) -> Void) {
        switch kind {
        case .watch(let w):
            body(w.path)
            for i in w.fields.indices where Self.isPathField(w.fields[i].name.value) { body(w.fields[i].rawValue) }
        case .rule(let r):
            for i in r.fields.indices where !r.fields[i].isComparison && Self.isPathField(r.fields[i].name.value) { body(r.fields[i].rawValue) }
        default: break
        }
    }

    /// `path` or `dir` (compared without an array of the two made for every field).
    static func isPathField(_ name: String) -> Bool { name == "path" || name == "dir" }
}
