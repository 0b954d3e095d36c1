import Foundation
import XCTest

/// What one input can make aurules print is bounded: at most N diagnostics per file (default 100,
/// `--max-diagnostics`, 0 for all) and then one line with the count of the rest; a file that is
/// not rules is one line.
final class DiagnosticLimitTests: XCTestCase {
    private func file(_ text: String, _ name: String = "t.rules") throws -> String {
        let dir = try temporaryDirectory("limit")
        try text.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8)
        return dir + "/" + name
    }

    private func count(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

    /// 250 lines, one error each: rules with mistakes, not a file of something else.
    private var broken: String { (0 ..< 250).map { "-w relative\($0) -k k\n" }.joined() }

    func testDefaultLimitIsOneHundredPerFileThenACount() throws {
        let path = try file(broken)
        let r = try AurulesProcess.run(AurulesProcess.binary, ["lint", "--no-resolve", path])
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(count(": error: ", in: r.out), 100, r.out)
        XCTAssertTrue(r.out.contains("\(path): note: 150 more diagnostics in this file not shown (--max-diagnostics 0 shows all)"), r.out)
        let all = try AurulesProcess.run(AurulesProcess.binary, ["lint", "--no-resolve", "--max-diagnostics", "0", path])
        XCTAssertEqual(count(": error: ", in: all.out), 250)
        XCTAssertFalse(all.out.contains("not shown"))
        let ten = try AurulesProcess.run(AurulesProcess.binary, ["lint", "--no-resolve", "--max-diagnostics", "10", "--format", "json", path])
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(ten.out.utf8)) as? [String: Any])
        let diagnostics = try XCTUnwrap(json["diagnostics"] as? [[String: Any]])
        XCTAssertEqual(diagnostics.count, 11)
        XCTAssertEqual(diagnostics.last?["code"] as? String, "limit")
        XCTAssertEqual(diagnostics.last?["message"] as? String, "240 more diagnostics in this file not shown (--max-diagnostics 0 shows all)")
        XCTAssertEqual(try AurulesProcess.run(AurulesProcess.binary, ["lint", "--max-diagnostics", "-1", path]).status, 2)
    }

    func testTheLimitIsPerFileAndAppliesToCompileAndFmt() throws {
        let a = try file(broken, "a.rules"), b = try file(broken, "b.rules")
        let lint = try AurulesProcess.run(AurulesProcess.binary, ["lint", "--no-resolve", "--max-diagnostics", "5", a, b])
        XCTAssertEqual(count(": error: ", in: lint.out), 10, lint.out)
        XCTAssertEqual(count("245 more diagnostics", in: lint.out), 2, lint.out)
        for args in [["compile", "--machine", "x86_64", "--no-resolve", "--max-diagnostics", "5", a],
                     ["fmt", "--max-diagnostics", "5", a]] {
            let r = try AurulesProcess.run(AurulesProcess.binary, args)
            XCTAssertEqual(r.status, 2, "\(args)")
            XCTAssertEqual(count(": error: ", in: r.err), 5, "\(args): \(r.err)")
            XCTAssertTrue(r.err.contains("245 more diagnostics in this file not shown"), "\(args): \(r.err)")
        }
    }

    /// The reproducer: 61 KB of text that is not rules gave 28.8 MB of diagnostics.
    func testAFileThatIsNotRulesIsOneLine() throws {
        let prose = (0 ..< 1500).map { "Line \($0) of a text that is no audit rules file at all, quoted back\n" }.joined()
        XCTAssertGreaterThan(prose.utf8.count, 60_000)
        let path = try file(prose)
        for args in [["lint", "--no-resolve", path], ["lint", "--format", "sarif", "--no-resolve", path],
                     ["compile", "--machine", "x86_64", "--no-resolve", path], ["fmt", path]] {
            let r = try AurulesProcess.run(AurulesProcess.binary, args)
            XCTAssertNotEqual(r.status, 0, "\(args)")
            let output = r.out + r.err
            XCTAssertTrue(output.contains("not an audit rules file: its first 20 lines are not auditctl options"), "\(args): \(output)")
            XCTAssertFalse(output.contains("quoted back"), "\(args): lines quoted")
            // SARIF carries every check's description (~100 KB) whatever the input; the 61 KB gave 28.8 MB.
            XCTAssertLessThan(output.utf8.count, 262_144, "\(args)")
        }
        // Rules with mistakes are rules: each mistake is shown.
        let rules = try AurulesProcess.run(AurulesProcess.binary, ["lint", "--no-resolve", try file((0 ..< 30).map { "-w relative\($0)\n" }.joined())])
        XCTAssertFalse(rules.out.contains("not an audit rules file"), rules.out)
        XCTAssertEqual(count(": error: ", in: rules.out), 30)
        // A file that starts as rules and goes wrong later is not summarized either.
        let mixed = try AurulesProcess.run(AurulesProcess.binary, ["lint", "--no-resolve", try file("-w /etc/hosts -p wa -k h\n" + prose)])
        XCTAssertFalse(mixed.out.contains("not an audit rules file"))
        XCTAssertTrue(mixed.out.contains("1400 more diagnostics") || mixed.out.contains("more diagnostics in this file not shown"), mixed.out)
    }
}
