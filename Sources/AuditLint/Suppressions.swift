import AuditRules

/// `# aurules: disable=CODE[,CODE]` on a comment line suppresses those codes on the next line that
/// holds a rule (other comment lines may come between); `# aurules: disable-file=CODE[,CODE]`
/// suppresses them in the whole file it is in. Codes may be given by name too. A directive that
/// suppresses nothing, or that aurules cannot read, is reported as a note (AUR110).
public struct UnusedSuppressionCheck: LintCheck {
    public init() {}
    public let code = "AUR110"
    public let name = "unused-suppression"
    public let family = CheckFamily.syntax
    public let summary = "an aurules suppression comment that suppresses nothing"
    public let rationale = """
        Suppressions are comment lines of their own, because auditctl refuses a comment after a rule \
        ("parameter passed without an option given"), so `# aurules: disable=CODE` applies to the next \
        line holding a rule. One that suppresses nothing is stale (the rule was fixed or moved) or \
        misspelt, and would silently hide a later finding: remove or correct it.
        """
    public let examples = [
        LintExample("# ↓aurules: disable=AUR001\n-a always,exit -F arch=b64 -S openat -k files\n", triggers: true),
        LintExample("# ↓aurules: disable=no-such-check\n-a always,exit -S openat -k files\n", triggers: true),
        LintExample("# aurules: disable=AUR001\n-a always,exit -S openat -k files\n", triggers: false),
        LintExample("# aurules: disable-file=missing-arch\n-w /etc/passwd -p wa\n-a always,exit -S openat -k files\n", triggers: false),
    ]

    /// Runs the whole lint: whether a suppression is used depends on every other finding.
    public func findings(in file: RuleFile, context: LintContext) -> [Diagnostic] {
        Linter.lint(file, context: context).filter { $0.code == code }
    }
}

enum Suppressions {
    struct Directive {
        var location: SourceLocation
        var length: Int
        var line: RulesText
        var wholeFile: Bool
        var codes: [String]
        var used: Set<String> = []
    }

    /// The diagnostics left after the file's directives, and a note for each unused or unreadable one.
    static func apply(_ diagnostics: [Diagnostic], file: RuleFile) -> [Diagnostic] {
        guard !file.directives.isEmpty else { return diagnostics }
        var notes: [Diagnostic] = []
        var directives: [Directive] = []
        for d in file.directives {
            let (directive, problems) = parse(d)
            notes += problems
            if let directive { directives.append(directive) }
        }
        // The line a line directive covers: the first line after it, in its file, that holds a
        // rule or a finding (comment and blank lines hold neither).
        var linesByFile: [String: [Int]] = [:]
        for s in file.statements { linesByFile[s.location.file, default: []].append(s.location.line) }
        for d in diagnostics { linesByFile[d.location.file, default: []].append(d.location.line) }
        for k in linesByFile.keys { linesByFile[k]!.sort() }
        func target(_ d: Directive) -> Int? {
            linesByFile[d.location.file]?.first { $0 > d.location.line }
        }
        let targets = directives.map { $0.wholeFile ? nil : target($0) }
        var kept: [Diagnostic] = []
        for diagnostic in diagnostics {
            var suppressed = false
            for (i, d) in directives.enumerated() where d.location.file == diagnostic.location.file {
                guard let code = diagnostic.code, d.codes.contains(code) else { continue }
                if d.wholeFile || targets[i] == diagnostic.location.line {
                    directives[i].used.insert(code)
                    suppressed = true
                }
            }
            if !suppressed { kept.append(diagnostic) }
        }
        notes += directives.compactMap(unusedNote)
        // A file may silence these notes too.
        let silenced = Set(directives.filter { $0.wholeFile && $0.codes.contains(UnusedSuppressionCheck().code) }.map(\.location.file))
        return kept + notes.filter { !silenced.contains($0.location.file) }
    }

    /// One directive comment read: what it suppresses, and a note for each part aurules cannot read.
    static func parse(_ d: Located<RulesText>) -> (Directive?, [Diagnostic]) {
        let check = UnusedSuppressionCheck()
        var notes: [Diagnostic] = []
        let line = d.value
        let start = min(d.location.column - 1 + "aurules:".utf8.count, line.count)
        var words = line[start...].split(whereSeparator: { $0 == 0x20 || $0 == 0x09 })[...]
        guard let verb = words.popFirst(), let eq = verb.firstIndex(of: UInt8(ascii: "=")),
              ["disable", "disable-file"].contains(RulesText(verb[..<eq])) else {
            notes.append(check.finding(.note, "aurules cannot read this directive: write '# aurules: disable=CODE[,CODE]' or '# aurules: disable-file=CODE[,CODE]'",
                                       at: d.location, length: d.length, line: line))
            return (nil, notes)
        }
        var codes: [String] = []
        for item in verb[verb.index(after: eq)...].split(separator: UInt8(ascii: ",")) {
            guard let known = RulesText(item).asciiName.flatMap(Linter.check(named:)) else {
                notes.append(check.finding(.note, "'\(message: RulesText(item))' is not a check code or name (see aurules lint --list-checks): this suppresses nothing",
                                           at: d.location, length: d.length, line: line))
                continue
            }
            codes.append(known.code)
        }
        guard !codes.isEmpty else { return (nil, notes) }
        return (Directive(location: d.location, length: d.length, line: line, wholeFile: verb.starts(with: "disable-file".utf8), codes: codes), notes)
    }

    /// The note for a directive that suppressed less than it names, or nil.
    static func unusedNote(_ d: Directive) -> Diagnostic? {
        guard d.used.count < Set(d.codes).count else { return nil }
        let unused = d.codes.filter { !d.used.contains($0) }
        return UnusedSuppressionCheck().finding(.note, "this suppression of \(unused.joined(separator: ", ")) suppresses nothing\(d.wholeFile ? " in this file" : " on the next rule"): remove \(unused.count == 1 ? "it" : "them")",
                                                at: d.location, length: d.length, line: d.line)
    }
}
