#if canImport(Glibc)
import Glibc
#endif
import Syscalls

/// A rules.d directory as augenrules merges it (`RuleInputs.loadDirectory`), for commands that
/// read it a file at a time: its entries in augenrules' order, and the control statements the
/// merge moves (the last bare `-D`, `-b` and `-f` first, the last `-e` at the end; every other
/// such line dropped), found by a first pass that parses only the lines that may be one and
/// the first lines of each file (which decide whether it is rules at all). The second pass,
/// the caller's, parses every file a chunk at a time and leaves out `isControl` groups.
public struct DirectoryMerge {
    public enum Entry {
        /// Said in place of the entry (a skipped entry, a file name that is an error).
        case problem(Diagnostic)
        /// A file to read; `last`: the directory's last `*.rules` name (augenrules' `cat` joins
        /// an unterminated last line with what follows, and nothing follows that one).
        case file(String, last: Bool)
    }

    public let path: String
    /// The options its files are parsed with (`throughAugenrules`).
    public let options: ParseOptions
    /// What is said of the directory itself, before its entries.
    public private(set) var prelude: [Diagnostic] = []
    public private(set) var entries: [Entry] = []
    /// The statements the merge puts before every other, and after.
    public private(set) var leading: [Statement] = []
    public private(set) var trailing: [Statement] = []
    /// Each file's identity when its control lines were read, and the files that changed while
    /// they were: a file changed before the second pass would be merged from two versions.
    private var scanned: [String: InputFile.Identity?] = [:]
    private var changedWhileScanned: Set<String> = []

    /// Lists and scans the directory at `path`.
    public init(path: String, options: ParseOptions) {
        self.path = path
        var augenrules = options
        augenrules.throughAugenrules = true
        self.options = augenrules
        let listed = RuleInputs.directoryEntries(path, options: options)
        prelude = listed.prelude
        entries = listed.entries
        var lastD: [Statement] = [], lastB: [Statement] = [], lastF: [Statement] = [], lastE: [Statement] = []
        for case .file(let full, _) in entries {
            let before = InputFile.Identity(path: full)
            let groups = Self.controlGroups(of: full, options: augenrules)
            let after = InputFile.Identity(path: full)
            scanned[full] = before
            if before != after { changedWhileScanned.insert(full) }
            for (kind, group) in groups {
                switch kind {
                case .e: lastE = group
                case .D: lastD = group
                case .f: lastF = group
                case .b: lastB = group
                }
            }
        }
        leading = lastD + lastB + lastF
        trailing = lastE
    }

    /// An error when the file `full` is not the one whose control lines were read (replaced or
    /// written since, or while they were read): what the second pass read of it is merged with
    /// the first pass's control lines, which neither version gives. Asked once it was read again.
    public func changedSinceScanned(_ full: String) -> Diagnostic? {
        guard let was = scanned[full] else { return nil }
        guard changedWhileScanned.contains(full) || InputFile.Identity(path: full) != was else { return nil }
        return RuleInputs.unreadable(full, "it changed while it was read (a rules.d directory is read twice, for the "
                                     + "control lines augenrules moves); read it again")
    }

    /// The statements of a chunk of one of its files that the merge keeps in place: all but the
    /// control groups (those it moves or drops).
    public static func keptInPlace(_ statements: [Statement]) -> [Statement] {
        guard statements.contains(where: { RuleInputs.mayBeControl($0.text) }) else { return statements }
        var kept: [Statement] = []
        kept.reserveCapacity(statements.count)
        RuleInputs.forEachLineGroup(statements) { group in
            if RuleInputs.controlKind(group.first!) == nil { kept += group }
        }
        return kept
    }

    /// The control groups of one file in order, unless the file is not rules (its statements
    /// are then none: `summarizeIfNotRules`); none when it cannot be read (pass two says why).
    static func controlGroups(of full: String, options: ParseOptions) -> [(RuleInputs.ControlKind, [Statement])] {
        var groups: [(RuleInputs.ControlKind, [Statement])] = []
        // The file's first chunks are parsed whole until its head decides whether it is rules.
        var headDiagnostics: [Diagnostic] = [], head: [UInt8] = [], decided = false
        let outcome = ChunkedFile.read(path: full, linesPerChunk: 2048) { text, firstLine in
            if !decided {
                let parsed = RuleParser.parse(text: text, firstLine: firstLine, file: full, options: options)
                headDiagnostics += parsed.diagnostics
                RuleInputs.forEachLineGroup(parsed.statements) { group in
                    if let kind = RuleInputs.controlKind(group.first!) { groups.append((kind, Array(group))) }
                }
                if head.count < DiagnosticLimit.headLimit { text.withBytes { head += $0.prefix(DiagnosticLimit.headLimit - head.count) } }
                decided = head.count >= DiagnosticLimit.headLimit || DiagnosticLimit.headDecides(head)
                return
            }
            // Past the head only lines whose first bytes may start a control word are parsed,
            // each alone: no statement depends on another line.
            text.withBytes { bytes in
                var number = firstLine
                for line in ByteLines(bytes) {
                    defer { number += 1 }
                    let content = UnsafeBufferPointer(rebasing: bytes[line.range])
                    guard RuleInputs.mayBeControl(content) else { continue }
                    let end = line.terminated ? line.next : line.range.upperBound
                    let one = RuleParser.parse(text: RulesText(UnsafeBufferPointer(rebasing: bytes[line.range.lowerBound ..< end])),
                                               firstLine: number, file: full, options: options)
                    RuleInputs.forEachLineGroup(one.statements) { group in
                        if let kind = RuleInputs.controlKind(group.first!) { groups.append((kind, Array(group))) }
                    }
                }
            }
        }
        guard case .read(_, nil) = outcome else { return [] }
        if DiagnosticLimit.notRulesSummary(file: full, text: head, diagnostics: headDiagnostics) != nil { return [] }
        return groups
    }
}
