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
}
