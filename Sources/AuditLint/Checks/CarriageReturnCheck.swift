import AuditRules

/// AUR002: CR LF line endings.
public struct CarriageReturnCheck: StreamedCheck {
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

    public func makeStream(context: LintContext) -> any CheckStream { Stream(check: self) }

    /// Per file, in the order first met: its first CR LF line and how many there are.
    final class Stream: CheckStream {
        let check: CarriageReturnCheck
        var order: [String] = []
        var byFile: [String: (first: SourceLocation, count: Int)] = [:]

        init(check: CarriageReturnCheck) { self.check = check }

        func feed(_ chunk: RuleFile) -> [Diagnostic] {
            for l in chunk.carriageReturnLines {
                if let seen = byFile[l.file] {
                    byFile[l.file] = (seen.first, seen.count + 1)
                } else {
                    order.append(l.file)
                    byFile[l.file] = (l, 1)
                }
            }
            return []
        }

        func finish() -> [Diagnostic] {
            order.map { name in
                let (first, count) = byFile[name]!
                let more = count > 1 ? " (and \(count - 1) more line\(count == 2 ? "" : "s") in this file)" : ""
                return check.finding(.warning, "line ends with CR LF; auditctl -R (every release) keeps the CR in the last word\(more)",
                                     at: first, length: 1, line: nil)
            }
        }
    }
}
