import XCTest
@testable import AuditRules

final class DiagnosticRendererTests: XCTestCase {
    func testControlCharactersFromTheInputNeverReachTheTerminal() {
        let text = "-a always,exit -F arch=b64 -S op\u{1b}[31men -k x\n"
        let file = RuleParser.parse(text: RulesText(text), file: "x.rules", options: ParseOptions(resolver: nil, hostMachine: .x86_64))
        XCTAssertFalse(file.diagnostics.isEmpty)
        let out = DiagnosticRenderer.text(file.diagnostics)
        XCTAssertFalse(out.utf8.contains(0x1b), out)
        XCTAssertTrue(out.contains("\\x1b"), out)
        // The quoted line keeps one byte per byte, so the caret still points at the syscall name.
        let lines = out.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let quoted = lines[1], caret = lines[2]
        XCTAssertEqual(quoted, "-a always,exit -F arch=b64 -S op?[31men -k x")
        let col = caret.firstIndex(of: "^").map { caret.distance(from: caret.startIndex, to: $0) }
        XCTAssertEqual(col, 30)
    }

    func testWholeFileProblemsHaveNoLineOrColumn() {
        let d = Diagnostic(.error, "cannot read /nope: no such file or directory",
                           at: SourceLocation(file: "/nope", line: 0, column: 0))
        XCTAssertEqual(DiagnosticRenderer.text(d), "/nope: error: cannot read /nope: no such file or directory")
        let e = Diagnostic(.warning, "line ends with CR LF", at: SourceLocation(file: "a.rules", line: 3, column: 0))
        XCTAssertEqual(DiagnosticRenderer.text(e), "a.rules:3: warning: line ends with CR LF")
    }
}
