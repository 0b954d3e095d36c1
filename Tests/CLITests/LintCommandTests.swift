import Foundation
import XCTest

/// Runs the built `aurules` binary as a whole process.
enum LintCLI {
    static func run(_ arguments: [String], stdin: String? = nil) throws -> (status: Int32, out: String, err: String) {
        try AurulesProcess.run(AurulesProcess.binary, arguments, stdin: stdin)
    }

    static func temporaryFile(_ text: String, name: String = "t.rules") throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("aurules-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }
}

final class LintCommandTests: XCTestCase {
    func testCleanFileExitsZero() throws {
        let path = try LintCLI.temporaryFile("-a always,exit -F arch=b64 -S openat -k files\n-w /etc/passwd -p wa -k identity\n")
        let r = try LintCLI.run(["lint", "--no-resolve", path])
        XCTAssertEqual(r.status, 0, r.out + r.err)
        XCTAssertEqual(r.out, "no problems found (2 lines with rules or settings in 1 file)\n")
    }

    func testErrorsAreLocatedAndExitOne() throws {
        let path = try LintCLI.temporaryFile("-w /etc/hosts\n-a always,entry -S open\n-w relative\n")
        let r = try LintCLI.run(["lint", "--no-resolve", path])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.out.contains("\(path):2:11: error: the entry list no longer exists"), r.out)
        XCTAssertTrue(r.out.contains("-a always,entry -S open\n          ^~~~~\n"), r.out)
        XCTAssertTrue(r.out.contains("\(path):3:4: error:"), r.out)
        XCTAssertTrue(r.out.hasSuffix("2 errors, 0 warnings\n"), r.out)
    }

    func testFailOnWarning() throws {
        let path = try LintCLI.temporaryFile("-a always,exit -S openat -k files\n")
        XCTAssertEqual(try LintCLI.run(["lint", "--no-resolve", path]).status, 0)
        XCTAssertEqual(try LintCLI.run(["lint", "--no-resolve", "--fail-on", "warning", path]).status, 1)
        XCTAssertEqual(try LintCLI.run(["lint", "--no-resolve", "--fail-on", "bogus", path]).status, 2)
    }

    func testJSONAndSarif() throws {
        let path = try LintCLI.temporaryFile("-w relative\n")
        let json = try LintCLI.run(["lint", "--format", "json", path])
        XCTAssertEqual(json.status, 1)
        let doc = try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any]
        XCTAssertEqual(doc?["errors"] as? Int, 1)
        let sarif = try LintCLI.run(["lint", "--format", "sarif", path])
        XCTAssertEqual(sarif.status, 1)
        XCTAssertTrue(sarif.out.contains("\"version\" : \"2.1.0\""), sarif.out)
    }

    func testStandardInputAndUnreadableInput() throws {
        let r = try LintCLI.run(["lint", "--no-resolve", "-"], stdin: "-a always,exit -F arch=b64 -S opne\n")
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.out.contains("<stdin>:1:31: error: unknown syscall 'opne'"), r.out)
        let missing = try LintCLI.run(["lint", "/nonexistent/aurules.rules"])
        XCTAssertEqual(missing.status, 2)
        // Exit 2 is explained on stderr, whatever happens to the report on stdout.
        XCTAssertTrue(missing.err.contains("aurules lint: /nonexistent/aurules.rules: error: cannot read /nonexistent/aurules.rules: "
                                           + "no such file or directory"), missing.err)
        for format in ["json", "sarif"] {
            let r = try LintCLI.run(["lint", "--format", format, "/nonexistent/aurules.rules"])
            XCTAssertEqual(r.status, 2)
            XCTAssertTrue(r.err.contains("cannot read /nonexistent/aurules.rules"), "\(format): \(r.err)")
        }
        XCTAssertEqual(try LintCLI.run(["lint"]).status, 2)
    }

    func testHelpHasExamples() throws {
        let r = try LintCLI.run(["lint", "--help"])
        XCTAssertEqual(r.status, 0)
        XCTAssertTrue(r.out.contains("aurules lint /etc/audit/rules.d"), r.out)
        XCTAssertTrue(try LintCLI.run(["lint", "--list-checks"]).out.contains("AUR001"))
        let explained = try LintCLI.run(["lint", "--explain", "missing-arch"])
        XCTAssertEqual(explained.status, 0)
        XCTAssertTrue(explained.out.contains("AUR001") && explained.out.contains("Not reported:"), explained.out)
        XCTAssertEqual(try LintCLI.run(["lint", "--explain", "AUR999"]).status, 2)
    }
}

final class LintTablesOptionTests: XCTestCase {
    /// `--tables DIR` replaces the built-in tables: a copy without `open` makes `-S open` unknown.
    func testTablesDirectoryReplacesTheBuiltInTables() throws {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let source = repo.appendingPathComponent("SyscallTables")
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("aurules-tables-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: source, to: copy)
        defer { try? FileManager.default.removeItem(at: copy) }
        for name in try FileManager.default.contentsOfDirectory(atPath: copy.path) where name.hasSuffix(".tsv") {
            let url = copy.appendingPathComponent(name)
            let kept = try String(contentsOf: url, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
                .filter { !$0.split(separator: "\t").contains("open") }
            try kept.joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8)
        }
        let rules = try LintCLI.temporaryFile("-a always,exit -F arch=b64 -S open -k files\n")
        XCTAssertEqual(try LintCLI.run(["lint", "--no-resolve", "--target", "x86_64", rules]).status, 0)
        let r = try LintCLI.run(["lint", "--no-resolve", "--target", "x86_64", "--tables", copy.path, rules])
        XCTAssertEqual(r.status, 1, r.out + r.err)
        XCTAssertTrue(r.out.contains("unknown syscall 'open'"), r.out)
        XCTAssertEqual(try LintCLI.run(["lint", "--tables", "/nonexistent", rules]).status, 2)
    }
}
