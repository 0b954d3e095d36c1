import AuditRules
import Foundation
import XCTest

final class InputsTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("aurules-inputs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: dir)
    }

    func write(_ name: String, _ text: String) throws {
        try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }

    func describe(_ f: RuleFile) -> [String] {
        f.statements.map { "\(($0.location.file as NSString).lastPathComponent):\($0.location.line) \($0.text.utf8String.trimmingCharacters(in: .whitespaces))" }
    }

    func testAugenrulesMerge() throws {
        try write("10-base.rules", "-D\n-b 8192\n-f 1\n-w /etc/passwd -p wa -k identity\n")
        try write("2-first.rules", "# comment\n-a always,exit -F arch=b64 -S open -k two\n-D -k old\n")
        try write("99-finalize.rules", "  -e 2\n")
        try write("50-more.rules", "-b 320\n   -D\n-f 2\n-e 1\n-w /etc/group -p wa\n")
        try write("notes.txt", "-w /etc/shadow\n")
        try write("x.rules.bak", "-w /etc/shadow\n")
        let f = RuleInputs.load(paths: [dir.path], options: P.options)
        XCTAssertEqual(f.diagnostics, [])
        XCTAssertEqual(describe(f), [
            "50-more.rules:2 -D",
            "50-more.rules:1 -b 320",
            "50-more.rules:3 -f 2",
            "2-first.rules:2 -a always,exit -F arch=b64 -S open -k two",
            "2-first.rules:3 -D -k old",
            "10-base.rules:4 -w /etc/passwd -p wa -k identity",
            "50-more.rules:5 -w /etc/group -p wa",
            "99-finalize.rules:1 -e 2",
        ])
        XCTAssertTrue(f.trivia.isEmpty, "a merged directory drops comments, as augenrules does")
    }

    func testUnterminatedFilesFollowedByAnother() throws {
        try write("10-a.rules", "-w /etc/a -p wa")
        try write("20-b.rules", "-w /etc/b -p wa\n")
        try write("30-c.rules", "-w /etc/c -p wa")
        // CR LF still ends with the newline cat passes on: nothing is glued to the next file.
        try write("15-crlf.rules", "-w /etc/d -p wa\r\n")
        let f = RuleInputs.load(paths: [dir.path], options: P.options)
        XCTAssertEqual(f.unterminatedLastLines.map { ($0.file as NSString).lastPathComponent }, ["10-a.rules"])
        XCTAssertEqual(f.unterminatedLastLines.first?.line, 1)
    }

    func testNaturalOrder() throws {
        for name in ["10-a.rules", "9-b.rules", "100-c.rules", "10a-d.rules"] { try write(name, "-w /etc/\(name.prefix(3))\n") }
        let files = RuleInputs.load(paths: [dir.path], options: P.options).statements.map { ($0.location.file as NSString).lastPathComponent }
        XCTAssertEqual(files, ["9-b.rules", "10-a.rules", "10a-d.rules", "100-c.rules"])
    }

    func testFilesKeepTheirOwnLocationsAndOrder() throws {
        try write("a.rules", "-w /etc/a\n-e 1\n")
        try write("b.rules", "\n-w /etc/b\n")
        let f = RuleInputs.load(paths: [dir.appendingPathComponent("b.rules").path, dir.appendingPathComponent("a.rules").path], options: P.options)
        XCTAssertEqual(describe(f), ["b.rules:2 -w /etc/b", "a.rules:1 -w /etc/a", "a.rules:2 -e 1"])
    }

    func testErrorsOfEveryFileAreReported() throws {
        try write("1.rules", "-w relative\n")
        try write("2.rules", "-a always,entry\n")
        let f = RuleInputs.load(paths: [dir.path], options: P.options)
        XCTAssertEqual(f.diagnostics.map { ($0.location.file as NSString).lastPathComponent }, ["1.rules", "2.rules"])
    }

    func testDirectoryWithoutRulesFiles() throws {
        try write("notes.txt", "-w /etc/shadow\n")
        let f = RuleInputs.load(paths: [dir.path], options: P.options)
        XCTAssertEqual(f.diagnostics.map(\.severity), [.warning])
        XCTAssertTrue(f.statements.isEmpty)
    }

    func testUnreadableInput() {
        let f = RuleInputs.load(paths: [dir.appendingPathComponent("missing.rules").path], options: P.options)
        XCTAssertEqual(f.diagnostics.map(\.code), [RuleInputs.unreadableCode])
    }
}
