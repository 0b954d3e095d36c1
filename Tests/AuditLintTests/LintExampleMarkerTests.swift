import AuditLint
import XCTest

/// The `↓` marker of lint examples: removed from the text, its line and byte column kept.
final class LintExampleMarkerTests: XCTestCase {
    func testMarkersBecomePositions() {
        let e = LintExample("-a always,exit ↓-S open\n-w /é ↓-p wa\n↓-D\n", triggers: true)
        XCTAssertEqual(e.text, "-a always,exit -S open\n-w /é -p wa\n-D\n")
        XCTAssertEqual(e.positions.map { "\($0.line):\($0.column)" }, ["1:16", "2:8", "3:1"])
        XCTAssertTrue(LintExample("-w /etc/passwd\n", triggers: false).positions.isEmpty)
    }

    /// ASCII examples are read byte by byte; the result is the Character loop's (a CR LF pair is
    /// one Character, so its line goes on), markers anywhere.
    func testByteReadingIsTheCharacterLoop() {
        func characterLoop(_ marked: String) -> (String, [String]) {
            var text = "", positions: [String] = [], line = 1, column = 1
            for ch in marked {
                if ch == LintExample.marker { positions.append("\(line):\(column)"); continue }
                text.append(ch)
                if ch == "\n" { line += 1; column = 1 } else { column += ch.utf8.count }
            }
            return (text, positions)
        }
        let samples = ["", "↓", "a↓", "↓\n↓", "-w /x\r\n↓-D\r\n", "a\r↓\nb", "a\r\r\n↓b\n\n↓", "↓↓x\n", "\n\r", "tab\t↓x\u{7f}\n",
                       "-w /é ↓-p wa\n", "x\r\n\r\n↓"]
        for marked in samples {
            let e = LintExample(marked, triggers: true), expected = characterLoop(marked)
            XCTAssertEqual(e.text, expected.0, marked.debugDescription)
            XCTAssertEqual(e.positions.map { "\($0.line):\($0.column)" }, expected.1, marked.debugDescription)
        }
    }
}
