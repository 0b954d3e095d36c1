import AuditRules

/// AUR012: a rules.d file without a final newline, followed by another file.
public struct UnterminatedRulesFileCheck: StreamedCheck {
    public init() {}
    public let code = "AUR012"
    public let name = "no-final-newline"
    public let family = CheckFamily.syntax
    public let summary = "rules.d file does not end with a newline"
    public let rationale = """
        augenrules joins rules.d/*.rules with `cat`: when a file's last line has no newline, it is \
        glued to the first line of the next file (`-w /etc/passwd -p wa-a always,exit ...`), and \
        both rules are lost or changed. aurules reads each file on its own, so only this check \
        tells. End every rules file with a newline.
        """
    public let examples = [
        LintExample("-w /etc/passwd -p w↓a", triggers: true),
        LintExample("-w /etc/passwd -p wa\n", triggers: false),
    ]

    public func makeStream(context: LintContext) -> any CheckStream { Stream(check: self) }

    final class Stream: CheckStream {
        let check: UnterminatedRulesFileCheck

        init(check: UnterminatedRulesFileCheck) { self.check = check }

        func feed(_ chunk: RuleFile) -> [Diagnostic] {
            chunk.unterminatedLastLines.map { at in
                check.finding(.warning, "no final newline: in rules.d, augenrules joins this line with the first line of the next rules file",
                              at: at, length: 1, line: nil)
            }
        }

        func finish() -> [Diagnostic] { [] }
    }
}
