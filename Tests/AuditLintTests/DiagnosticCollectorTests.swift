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

    /// Diagnostics counted without being made (`countIfHidden`) leave the report as adding them
    /// all does: the same shown diagnostics, counts and highest severity, for several limits.
    func testCountedDiagnosticsGiveTheSameReport() {
        var rng = SystemRandomNumberGenerator()
        for limit in [1, 2, 3, 7] {
            var all = DiagnosticCollector(limit: limit), lazy = DiagnosticCollector(limit: limit)
            all.rank("f"); all.rank("g"); lazy.rank("f"); lazy.rank("g")
            var counted = 0
            for i in 0 ..< 400 {
                let file = Int.random(in: 0 ..< 4, using: &rng) == 0 ? "g" : "f"
                let code = ["AUR502", "AUR007", "AUR508"][Int.random(in: 0 ..< 3, using: &rng)]
                let severity: Severity = Int.random(in: 0 ..< 50, using: &rng) == 0 ? .error : .warning
                let line = i < 200 ? i + 1 : Int.random(in: 1 ... 400, using: &rng)
                let location = SourceLocation(file: file, line: line, column: Int.random(in: 1 ... 3, using: &rng))
                let producer = Int.random(in: 1 ... 3, using: &rng)
                let d = Diagnostic(severity, "m\(i)", at: location, code: code)
                all.add(d, producer: producer)
                if lazy.countIfHidden(location, code: code, severity: severity, producer: producer) { counted += 1 } else { lazy.add(d, producer: producer) }
            }
            XCTAssertGreaterThan(counted, 0)
            let a = all.report(dropping: { _, _ in false }, statementCount: 0, statementFiles: 0)
            let b = lazy.report(dropping: { _, _ in false }, statementCount: 0, statementFiles: 0)
            XCTAssertEqual(a.shown.map(\.message), b.shown.map(\.message), "limit \(limit)")
            XCTAssertEqual(a.counts, b.counts)
            XCTAssertEqual(a.highestSeverity, b.highestSeverity)
        }
    }
}
