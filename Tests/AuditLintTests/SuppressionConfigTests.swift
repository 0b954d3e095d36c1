import AuditLint
import AuditRules
import Foundation
import XCTest

/// `# aurules: disable=...` comment lines, select/ignore, `.aurules`, and the documentation files.
final class SuppressionTests: XCTestCase {
    let context = LintContext(checkHost: false, hostMachine: .x86_64)

    func lint(_ text: String) -> [Diagnostic] {
        Linter.lint(RuleParser.parse(text: RulesText(text), file: "s.rules", options: ParseOptions(resolver: nil, hostMachine: .x86_64)), context: context)
    }

    func testLineSuppressionCoversTheNextRuleOnly() {
        let text = "# aurules: disable=AUR001\n# a comment between\n\n-a always,exit -S openat -k a\n-a always,exit -S execve -k b\n"
        XCTAssertEqual(lint(text).map { "\($0.code ?? "-"):\($0.location.line)" }, ["AUR001:5"])
    }

    func testNamesAndSeveralCodes() {
        let text = "# aurules: disable=missing-arch,AUR011\n-a always,exit -S openat -k a\n"
        let found = lint(text)
        // AUR011 suppresses nothing on that rule: a note for it alone.
        XCTAssertEqual(found.map(\.code), ["AUR110"])
        XCTAssertTrue(found[0].message.contains("AUR011") && !found[0].message.contains("AUR001"), found[0].message)
        XCTAssertEqual(found[0].severity, .note)
        XCTAssertEqual(found[0].location.line, 1)
    }

    func testFileSuppressionAnywhereInTheFile() {
        let text = "-a always,exit -S openat -k a\n-w /etc/a*/x -p wa\n#aurules: disable-file=AUR001\n-a always,exit -S execve -k b\n"
        XCTAssertEqual(lint(text).compactMap(\.code), ["AUR004"])
    }

    func testParserErrorsCanBeSuppressedAndUnknownDirectivesAreNotes() {
        let text = "# aurules: disable=AUR401\n-w relative\n# aurules: enable=AUR001\n-w /etc/passwd -p wa\n"
        let found = lint(text)
        XCTAssertEqual(found.map { "\($0.code ?? "-"):\($0.location.line):\($0.severity)" }, ["AUR110:3:note"])
    }

    func testUnusedNotesCanBeSilencedForAFile() {
        let text = "# aurules: disable-file=AUR110\n# aurules: disable=AUR001\n-w /etc/passwd -p wa\n"
        XCTAssertEqual(lint(text).count, 0)
    }

    func testSuppressionsInARulesDirectoryApplyPerFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("aurules-supp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "# aurules: disable-file=AUR001\n-a always,exit -S openat -k a\n".write(to: dir.appendingPathComponent("10-a.rules"), atomically: true, encoding: .utf8)
        try "-a always,exit -S execve -k b\n".write(to: dir.appendingPathComponent("20-b.rules"), atomically: true, encoding: .utf8)
        let file = RuleInputs.load(paths: [dir.path], options: ParseOptions(resolver: nil, hostMachine: .x86_64))
        let found = Linter.lint(file, context: context)
        XCTAssertEqual(found.map { "\($0.code ?? "-"):\(URL(fileURLWithPath: $0.location.file).lastPathComponent)" }, ["AUR001:20-b.rules"])
    }

    func testSelectAndIgnore() {
        let found = lint("-a always,exit -S openat -k a\n-w relative\n-a always,exit -F arch=b64\n")
        XCTAssertEqual(Set(found.compactMap(\.code)), ["AUR001", "AUR401", "AUR011"])
        XCTAssertEqual(Linter.filter(found, select: ["AUR4"], ignore: []).compactMap(\.code), ["AUR401"])
        XCTAssertEqual(Set(Linter.filter(found, select: ["rule-set", "missing-arch"], ignore: []).compactMap(\.code)), ["AUR001", "AUR011"])
        XCTAssertEqual(Set(Linter.filter(found, select: [], ignore: ["watches", "aur011"]).compactMap(\.code)), ["AUR001"])
        XCTAssertFalse(Linter.selectorIsKnown("AUR9"))
        XCTAssertFalse(Linter.selectorIsKnown("bogus"))
    }
}

final class LintConfigTests: XCTestCase {
    func testParsesEveryKeyAndAccumulatesLists() {
        let text = "# team settings\ntarget=x86_64, aarch64\ntarget=s390x\nloader=4.2\nfail-on=warning\nselect=AUR0\nselect=rule-set\nignore=AUR011\nmax-diagnostics=50\n"
        let (config, problems) = LintConfig.parse(text, path: ".aurules")
        XCTAssertEqual(problems, [])
        XCTAssertEqual(config.targets, [.x86_64, .aarch64, .s390x])
        XCTAssertEqual(config.loader, .v4_2)
        XCTAssertEqual(config.failOn, .warning)
        XCTAssertEqual(config.select, ["AUR0", "rule-set"])
        XCTAssertEqual(config.ignore, ["AUR011"])
        XCTAssertEqual(config.maxDiagnostics, 50)
    }

    func testEveryProblemIsLocated() {
        let (_, problems) = LintConfig.parse("target=vax\nfail-on=never\ncolour=yes\nnonsense\n  select=AUR9\n", path: "c/.aurules")
        XCTAssertEqual(problems.map { "\($0.location.line):\($0.location.column)" }, ["1:8", "2:9", "3:1", "4:1", "5:10"])
        XCTAssertTrue(problems[0].description.hasPrefix("c/.aurules:1:8: error: unknown machine 'vax'"), problems[0].description)
    }

    func testFoundFromTheInputUpward() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("aurules-cfg-\(UUID().uuidString)")
        let deep = root.appendingPathComponent("a/b/rules.d")
        try FileManager.default.createDirectory(at: deep, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        try "fail-on=note\n".write(to: root.appendingPathComponent("a/.aurules"), atomically: true, encoding: .utf8)
        XCTAssertEqual(LintConfig.find(from: deep.appendingPathComponent("x.rules").path), root.appendingPathComponent("a/.aurules").path)
        XCTAssertEqual(LintConfig.find(from: deep.path), root.appendingPathComponent("a/.aurules").path)
    }
}

final class CheckDocsTests: XCTestCase {
    static let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("docs/checks")

    /// docs/checks/CODE.md is exactly what --explain prints (scripts/generate-check-docs writes it).
    func testDocumentationFilesMatchTheChecks() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.docs.path).filter { $0.hasSuffix(".md") }.sorted()
        XCTAssertEqual(files, Linter.allChecks.map { "\($0.code).md" }.sorted(), "run scripts/generate-check-docs")
        for c in Linter.allChecks {
            let text = try String(contentsOf: Self.docs.appendingPathComponent("\(c.code).md"), encoding: .utf8)
            XCTAssertEqual(text, CheckDocs.markdown(c), "\(c.code).md is stale: run scripts/generate-check-docs")
            XCTAssertTrue(CheckDocs.helpURI(c).hasSuffix("docs/checks/\(c.code).md"))
        }
    }

    func testAtLeastThirtyCodesInEveryFamily() {
        XCTAssertGreaterThanOrEqual(Linter.allChecks.count, 30)
        for f in CheckFamily.allCases { XCTAssertTrue(Linter.allChecks.contains { $0.family == f }, f.rawValue) }
    }
}
