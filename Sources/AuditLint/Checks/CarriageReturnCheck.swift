import AuditRules

/// AUR002: CR LF line endings.
public struct CarriageReturnCheck: LintCheck {
    public init() {}
    public let code = "AUR002"
    public let name = "carriage-return"
    public let family = CheckFamily.syntax
    public let summary = "line ends with CR LF"
    public let rationale = """
        auditctl -R keeps a trailing CR as part of the last word, in every release: a key becomes \
        `name\\r`, and `-D\\r` and CR-only lines are rejected. augenrules removes the CR from 3.1.1 \
        on, older ones do not (see below). Save the file with LF line endings.
        """
    public let examples = [
        LintExample("↓-w /etc/passwd -p wa -k identity\r\n", triggers: true),
        LintExample("-w /etc/passwd -p wa -k identity\n", triggers: false),
    ]

    public func findings(in file: RuleFile, context: LintContext) -> [Diagnostic] {
        var byFile: [String: [SourceLocation]] = [:]
        var order: [String] = []
        for l in file.carriageReturnLines {
            if byFile[l.file] == nil { order.append(l.file) }
            byFile[l.file, default: []].append(l)
        }
        return order.map { name in
            let lines = byFile[name]!
            let more = lines.count > 1 ? " (and \(lines.count - 1) more line\(lines.count == 2 ? "" : "s") in this file)" : ""
            return finding(.warning, "line ends with CR LF; auditctl -R (every release) keeps the CR in the last word\(more)",
                           at: lines[0], length: 1, line: nil)
        }
    }
}
