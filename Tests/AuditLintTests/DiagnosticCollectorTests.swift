@testable import AuditLint
import AuditRules
import XCTest

/// The lines lint reads again for quotes are exactly those `quote` fills.
final class DiagnosticCollectorTests: XCTestCase {
    func testQuoteFillsOnlyTheLinesAskedFor() {
        var collector = DiagnosticCollector(limit: 0)
        collector.rank("f")
        let onLine = Diagnostic(.warning, "a", at: SourceLocation(file: "f", line: 3, column: 1), sourceLine: "", code: "AUR502")
        let fileWide = Diagnostic(.warning, "b", at: SourceLocation(file: "f", line: 0, column: 0), sourceLine: "", code: "AUR504")
        collector.add(onLine, producer: 1)
        collector.add(fileWide, producer: 1)
        XCTAssertEqual(collector.unquotedLines(), ["f": [3]])
        collector.quote("f", [0: "line zero", 3: "-w /etc/x"])
        let shown = collector.report(dropping: { _, _ in false }, statementCount: 0, statementFiles: 0).shown
        XCTAssertEqual(shown.map(\.sourceLine), ["", "-w /etc/x"], "a line-0 diagnostic is not asked for, so not filled")
    }
}
