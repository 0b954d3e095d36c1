#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Reads what the user names: rules files, rules.d directories (merged as augenrules merges them)
/// and `-` for standard input. Every statement keeps the file and line it was written on.
public enum RuleInputs {
    /// Diagnostics with this code mean the input itself could not be read (exit status 2).
    public static let unreadableCode = DiagnosticCode.unreadableInput.rawValue

    /// `standardInputName`: what `-` is reported as (`<stdin>` unless given). `read` reads a
    /// file or `-` whole (a copy of an input already read, `InputSpool.contents`).
    public static func load(paths: [String], options: ParseOptions, standardInputName: String? = nil,
                            reading read: (String) -> Result<[UInt8], InputFile.Failure> = InputFile.read) -> RuleFile {
        var result = RuleFile(path: paths.joined(separator: " "))
        for path in paths {
            let part: RuleFile
            if path == "-" {
                let name = standardInputName ?? InputFile.standardInputName
                switch read("-") {
                case .success(let bytes):
                    var stdin = RuleParser.parse(text: RulesText(bytes), file: name, options: options)
                    stdin.summarizeIfNotRules(path: name, text: bytes)
                    part = stdin
                case .failure(let f): part = RuleFile(path: name, diagnostics: [unreadable(path, f.reason, reportedAs: name)])
                }
            } else {
                var isDirectory = false
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                    result.diagnostics.append(unreadable(path, "no such file or directory"))
                    continue
                }
                part = isDirectory ? loadDirectory(path, options: options) : loadFile(path, options: options, reading: read)
            }
            result.append(part)
        }
        return result
    }

    /// Standard input, or a path to something other than a directory (a file, a pipe, a FIFO):
    /// one input the commands read a chunk of lines at a time. What cannot be opened, or is
    /// refused, is left to `load` to report.
    public static func readsInChunks(_ path: String) -> Bool {
        var isDirectory = false
        return path == "-" || FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory
    }

    /// How a command reads an input it names: one stream (a file, `-`, a pipe), a rules.d
    /// directory, or nothing that exists (`load` says so).
    public enum InputKind { case stream, directory, missing }

    public static func kind(of path: String) -> InputKind {
        if path == "-" { return .stream }
        var isDirectory = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return .missing }
        return isDirectory ? .directory : .stream
    }

    /// `path` `-` is named `<stdin>` in the message.
    public static func unreadable(_ path: String, _ why: String, reportedAs name: String? = nil) -> Diagnostic {
        let path = InputFile.name(path)
        return Diagnostic(.error, "cannot read \(path): \(why)", at: SourceLocation(file: name ?? path, line: 0, column: 0),
                          length: 0, code: unreadableCode)
    }

    public static func loadFile(_ path: String, options: ParseOptions,
                                reading read: (String) -> Result<[UInt8], InputFile.Failure> = InputFile.read) -> RuleFile {
        let data: [UInt8]
        switch read(path) {
        case .success(let bytes): data = bytes
        case .failure(let f): return RuleFile(path: path, diagnostics: [unreadable(path, f.reason)] + (fileNameProblem(path).map { [$0] } ?? []))
        }
        var file = RuleParser.parse(text: RulesText(data), file: path, options: options)
        file.summarizeIfNotRules(path: path, text: data)
        file.diagnostics.insert(contentsOf: fileProblems(path, options: options), at: 0)
        return file
    }

    /// What is wrong with a rules file itself, before its contents: its name, its owner and mode.
    public static func fileProblems(_ path: String, options: ParseOptions) -> [Diagnostic] {
        guard path != "-" else { return [] }
        var problems = fileNameProblem(path).map { [$0] } ?? []
        var info = stat()
        if stat(path, &info) == 0 { problems += permissionProblems(path, info, severity: options.unsafePermissions) }
        return problems
    }

    /// Diagnostics with this code: a rules file that auditctl -R refuses for its owner or mode.
    public static let permissionsCode = "permissions"

    /// auditctl -R refuses a file that "isn't owned by root" or "is world writable" (3.0.9, in
    /// that order). A file owned by the user running aurules is accepted too: that user's own
    /// files in CI are as trusted as the run itself. Group-writable files load, but any member
    /// of the group can add rules there: a warning.
    static func permissionProblems(_ path: String, _ info: stat, severity: Severity) -> [Diagnostic] {
        var out: [Diagnostic] = []
        let at = SourceLocation(file: path, line: 0, column: 0)
        let hint = severity == .error ? "; --allow-unsafe-permissions to use it anyway" : ""
        if info.st_uid != 0 && info.st_uid != geteuid() {
            out.append(Diagnostic(severity, "owned by uid \(info.st_uid), not root: auditctl -R refuses it (\"isn't owned by root\"), "
                                  + "and that user can change the rules\(hint)", at: at, length: 0, code: permissionsCode))
        }
        if info.st_mode & S_IWOTH != 0 {
            out.append(Diagnostic(severity, "world writable (mode \(String(info.st_mode & 0o7777, radix: 8))): auditctl -R refuses it "
                                  + "(\"is world writable\"), and anyone can change the rules\(hint)", at: at, length: 0, code: permissionsCode))
        } else if info.st_mode & S_IWGRP != 0 && info.st_gid != 0 {
            out.append(Diagnostic(.warning, "writable by group \(info.st_gid) (mode \(String(info.st_mode & 0o7777, radix: 8))): "
                                  + "auditctl -R loads it, but every member of that group can change the rules",
                                  at: at, length: 0, code: permissionsCode))
        }
        return out
    }

    /// Diagnostics with this code: a rules.d entry augenrules skips or reads unlike a rules file.
    public static let entryCode = "rules.d"

    /// Why augenrules would not read the entry `name` of a rules.d directory as a rules file, or
    /// nil. augenrules runs `cat DIR/NAME` for every NAME of `ls -1v DIR | grep '\.rules$'`,
    /// unquoted: hidden names are not listed, names with spaces are split into other names, and
    /// cat fails on directories, dangling links and link loops (its message lost in the boot log).
    static func skippedEntry(_ name: String, in dir: String, full: String) -> String? {
        if name.hasPrefix(".") { return "hidden: augenrules (ls without -a) does not read it" }
        if name.contains(where: { $0 == " " || $0 == "*" || $0 == "?" || $0 == "[" }) {
            return "augenrules splits or expands this name in its shell loop and does not read the file; rename it"
        }
        var link = stat(), info = stat()
        guard lstat(full, &link) == 0 else { return "cannot be examined: \(String(cString: strerror(errno)).lowercased())" }
        if stat(full, &info) != 0 {
            let e = errno
            if link.st_mode & S_IFMT == S_IFLNK {
                return e == ELOOP ? "a symbolic link loop: augenrules cannot read it" : "a symbolic link to nothing (\(String(cString: strerror(e)).lowercased())): augenrules cannot read it"
            }
            return "cannot be examined: \(String(cString: strerror(e)).lowercased())"
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFDIR: return "a directory named *.rules: augenrules' cat fails on it"
        default: return "not a regular file (\(InputFile.kind(info.st_mode))): not read"
        }
    }

    /// Diagnostics with this code: a file name that could smuggle text into an output.
    public static let fileNameCode = DiagnosticCode.fileName.rawValue

    /// A rules file's name is copied into compiled output (`# file:line` comments) and into every
    /// message about it; one with a control character (a newline could start a live rule there,
    /// an escape sequence rewrite a terminal) is an error, whatever its contents.
    public static func fileNameProblem(_ path: String) -> Diagnostic? {
        guard let control = ControlCharacters.first(in: path) else { return nil }
        return Diagnostic(.error, "the file name contains the control character \(ControlCharacters.notation(control)); "
                          + "rename the file (its name is copied into compiled rules and messages)",
                          at: SourceLocation(file: path, line: 0, column: 0), length: 0, code: fileNameCode)
    }

    /// augenrules: the directory's `*.rules` files in natural (version) order, concatenated; then
    /// the last bare `-D` first, the last `-b` second, the last `-f` third, the last `-e` at the end,
    /// and every other `-D`/`-b`/`-f`/`-e` line dropped. Comment and blank lines are dropped.
    /// A line's kind is decided by its first word, as augenrules' awk does, but indented lines count
    /// too (Debian's mawk has no `\s` and misses them).
    static func loadDirectory(_ path: String, options: ParseOptions) -> RuleFile {
        var merged = RuleFile(path: path)
        let listed = directoryEntries(path, options: options)
        merged.diagnostics = listed.prelude
        var lastD: [Statement] = [], lastB: [Statement] = [], lastF: [Statement] = [], lastE: [Statement] = []
        var rest: [Statement] = []
        var augenrules = options
        augenrules.throughAugenrules = true
        for entry in listed.entries {
            let full: String, last: Bool
            switch entry {
            case .problem(let d):
                merged.diagnostics.append(d)
                continue
            case .file(let f, let l): (full, last) = (f, l)
            }
            let file = loadFile(full, options: augenrules)
            merged.filesRead.append(full)
            // The last file's last line is read by augenrules like any other: nothing follows it.
            if !last { merged.unterminatedLastLines += file.unterminatedLastLines }
            merged.diagnostics += file.diagnostics
            merged.directives += file.directives
            merged.carriageReturnLines += file.carriageReturnLines
            rest.reserveCapacity(rest.count + file.statements.count)
            forEachLineGroup(file.statements) { group in
                switch controlKind(group.first!) {
                case .e?: lastE = Array(group)
                case .D?: lastD = Array(group)
                case .f?: lastF = Array(group)
                case .b?: lastB = Array(group)
                case nil: rest += group
                }
            }
        }
        merged.statements.reserveCapacity(lastD.count + lastB.count + lastF.count + rest.count + lastE.count)
        for part in [lastD, lastB, lastF, rest, lastE] { merged.statements += part }
        return merged
    }

    /// A rules.d directory's own diagnostics (its permissions, an unreadable or empty directory)
    /// and its `*.rules` entries in augenrules' order, each a file to read or what is said instead.
    static func directoryEntries(_ path: String, options: ParseOptions) -> (prelude: [Diagnostic], entries: [DirectoryMerge.Entry]) {
        var prelude: [Diagnostic] = []
        var dirInfo = stat()
        if stat(path, &dirInfo) == 0, dirInfo.st_mode & S_ISVTX == 0 {
            prelude += permissionProblems(path, dirInfo, severity: options.unsafePermissions)
        }
        // opendir(3) rather than FileManager: its errors are NSCocoaError prose, not the errno users know.
        guard let dir = opendir(path) else {
            prelude.append(unreadable(path, String(cString: strerror(errno)).lowercased()))
            return (prelude, [])
        }
        var found: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            if name != "." && name != ".." { found.append(name) }
        }
        closedir(dir)
        let files = found.filter { $0.hasSuffix(".rules") }.sorted(by: NaturalOrder.precedes)
        if files.isEmpty {
            prelude.append(Diagnostic(.warning, "\(path) has no *.rules files: augenrules would load no rules from it",
                                      at: SourceLocation(file: path, line: 0, column: 0), length: 0,
                                      code: DiagnosticCode.emptyRulesDirectory.rawValue))
        }
        var entries: [DirectoryMerge.Entry] = []
        for (index, name) in files.enumerated() {
            let full = path.hasSuffix("/") ? path + name : path + "/" + name
            // A name with a control character is an error whatever else is wrong with the entry.
            if let problem = fileNameProblem(full) {
                entries.append(.problem(problem))
            } else if let why = skippedEntry(name, in: path, full: full) {
                entries.append(.problem(Diagnostic(.warning, "skipped: \(why)", at: SourceLocation(file: full, line: 0, column: 0),
                                                   length: 0, code: entryCode)))
            } else {
                entries.append(.file(full, last: index == files.count - 1))
            }
        }
        return (prelude, entries)
    }
}

extension RuleInputs {
    /// The lines augenrules moves or drops in a merge, by the first word of the line.
    public enum ControlKind { case e, D, f, b }

    /// What kind of control line a statement is on, as augenrules' awk decides by the line's
    /// first word (indented lines too: Debian's mawk has no `\s` and misses them): `-e...`,
    /// a bare `-D`, `-f...`, `-b...`; nil for any other.
    public static func controlKind(_ statement: Statement) -> ControlKind? {
        guard mayBeControl(statement.text) else { return nil }
        let (first, alone) = firstWord(of: statement.text)
        if first.starts(with: "-e".utf8) { return .e }
        if first.elementsEqual("-D".utf8) && alone { return .D }
        if first.starts(with: "-f".utf8) { return .f }
        if first.starts(with: "-b".utf8) { return .b }
        return nil
    }

    /// Each run of statements from one line, in order: the statements of one line move together.
    static func forEachLineGroup(_ statements: [Statement], _ body: (ArraySlice<Statement>) -> Void) {
        var start = 0
        while start < statements.count {
            let line = statements[start].location.line
            var end = start + 1
            while end < statements.count && statements[end].location.line == line { end += 1 }
            body(statements[start ..< end])
            start = end
        }
    }

    /// False when the line's first word cannot start with -e, -D, -f or -b: its first bytes after
    /// the spaces say so (a word whose first characters are "-e" starts with those bytes), and
    /// then the word need not be cut out.
    static func mayBeControl<Line: Sequence<UInt8>>(_ line: Line) -> Bool {
        var utf8 = line.makeIterator()
        var b = utf8.next()
        while b == 0x20 { b = utf8.next() }
        guard b == UInt8(ascii: "-"), let letter = utf8.next() else { return false }
        return letter == UInt8(ascii: "e") || letter == UInt8(ascii: "D") || letter == UInt8(ascii: "f") || letter == UInt8(ascii: "b")
    }

    /// The first space-separated word of a line, and whether it is the only one, cut at space bytes.
    static func firstWord(of line: RulesText) -> (word: RulesText, alone: Bool) {
        guard let start = line.firstIndex(where: { $0 != 0x20 }) else { return ("", false) }
        let end = line[start...].firstIndex(of: 0x20) ?? line.endIndex
        return (RulesText(line[start ..< end]), !line[end...].contains { $0 != 0x20 })
    }
}

/// GNU `ls -v` / `sort -V` order, close enough for file names: runs of digits compare as numbers.
enum NaturalOrder {
    static func precedes(_ a: String, _ b: String) -> Bool {
        let x = chunks(a), y = chunks(b)
        for (p, q) in zip(x, y) where p != q {
            switch (UInt64(p), UInt64(q)) {
            case let (m?, n?): if m != n { return m < n } else { return p < q }
            default: return p < q
            }
        }
        return x.count < y.count
    }

    static func chunks(_ s: String) -> [String] {
        var out: [String] = []
        var current = ""
        var digits = false
        for ch in s {
            let isDigit = ch.isASCII && ch.isNumber
            if !current.isEmpty && isDigit != digits {
                out.append(current)
                current = ""
            }
            digits = isDigit
            current.append(ch)
        }
        if !current.isEmpty { out.append(current) }
        return out
    }
}
