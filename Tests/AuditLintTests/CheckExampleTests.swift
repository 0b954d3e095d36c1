import AuditLint
import AuditRules
import Foundation
import XCTest

/// Every example of every check, run through the parser and the check.
final class CheckExampleTests: XCTestCase {
    let options = ParseOptions(resolver: nil, hostMachine: .x86_64)

    /// Codes whose trigger is not a rules text (an unreadable file, an empty directory).
    static let triggeredByInputsOnly: Set<String> = [DiagnosticCode.unreadableInput.rawValue, DiagnosticCode.emptyRulesDirectory.rawValue,
                                                               DiagnosticCode.fileName.rawValue]

    func testEveryExampleBehavesAsDocumented() {
        for check in Linter.allChecks {
            let byParser = check is FoundByParser
            if !Self.triggeredByInputsOnly.contains(check.code) {
                XCTAssertTrue(check.examples.contains { $0.triggers }, "\(check.code) has no triggering example")
            }
            XCTAssertTrue(check.examples.contains { !$0.triggers }, "\(check.code) has no clean example")
            for example in check.examples {
                let file = RuleParser.parse(text: RulesText(example.text), file: "example.rules",
                                            options: ParseOptions(resolver: HostUserResolver(), hostMachine: .x86_64))
                if !byParser || !example.triggers {
                    XCTAssertEqual(file.diagnostics.filter { $0.severity == .error }.map(\.message), [],
                                   "\(check.code) example does not parse: \(example.text.debugDescription)")
                }
                // Hermetic: the newest loader, not whichever libaudit this host has.
                let findings = check.findings(in: file, context: LintContext(hostMachine: .x86_64, loaders: [.newest]))
                XCTAssertEqual(!findings.isEmpty, example.triggers, "\(check.code) on \(example.text.debugDescription): \(findings.map(\.message))")
                for f in findings {
                    XCTAssertEqual(f.code, check.code)
                }
                // Every triggering example marks where each finding is, and the check reports exactly
                // there (a compile-stage code may be reported once per target at one place).
                if example.triggers {
                    XCTAssertFalse(example.positions.isEmpty, "\(check.code): \(example.text.debugDescription) has no \(LintExample.marker) marker")
                }
                var reported: [String] = []
                for f in findings where !reported.contains("\(f.location.line):\(f.location.column)") || !byParser {
                    reported.append("\(f.location.line):\(f.location.column)")
                }
                XCTAssertEqual(reported, example.positions.map { "\($0.line):\($0.column)" },
                               "\(check.code) positions on \(example.text.debugDescription)")
            }
        }
    }

    func testCodesAndNamesAreUniqueAndDocumented() {
        let codes = Linter.checks.map(\.code), names = Linter.checks.map(\.name)
        XCTAssertEqual(Set(codes).count, codes.count)
        XCTAssertEqual(Set(names).count, names.count)
        XCTAssertEqual(Set(Linter.allChecks.map(\.code)).count, Linter.allChecks.count)
        XCTAssertEqual(Set(Linter.allChecks.map(\.name)).count, Linter.allChecks.count)
        // Every code the parser and compiler can report is documented.
        XCTAssertTrue(Set(DiagnosticCode.allCases.map(\.rawValue)).isSubset(of: Set(Linter.allChecks.map(\.code))))
        for c in Linter.allChecks {
            XCTAssertTrue(c.code.hasPrefix("AUR") && c.code.count == 6, c.code)
            if c.code >= "AUR100" {
                let family = CheckFamily.allCases[Int(String(c.code.dropFirst(3).prefix(1)))! - 1]
                XCTAssertEqual(c.family, family, c.code)
            }
            XCTAssertFalse(c.summary.isEmpty)
            XCTAssertGreaterThan(c.rationale.count, 80, c.code)
        }
    }

    func testLintMergesParserAndCheckFindingsInOrder() {
        let file = RuleParser.parse(text: "-a always,exit -S open\n-w relative\n-w /etc/x/../y\n", file: "m.rules", options: options)
        let all = Linter.lint(file, context: LintContext(checkHost: false))
        XCTAssertEqual(all.map(\.location.line), all.map(\.location.line).sorted())
        XCTAssertTrue(all.contains { $0.code == "AUR001" && $0.location.line == 1 })
        XCTAssertTrue(all.contains { $0.code == "AUR401" && $0.location.line == 2 && $0.severity == .error })
        XCTAssertTrue(all.contains { $0.code == "AUR003" && $0.location.line == 3 })
    }

    func testSarifIsValidJSON() throws {
        let file = RuleParser.parse(text: "-a always,exit -S open\n-w relative\n", file: "m.rules", options: options)
        let sarif = SarifReport.render(Linter.lint(file, context: LintContext(checkHost: false)), checks: Linter.checks)
        let doc = try JSONSerialization.jsonObject(with: Data(sarif.utf8)) as? [String: Any]
        XCTAssertEqual(doc?["version"] as? String, "2.1.0")
        let run = (doc?["runs"] as? [[String: Any]])?.first
        let results = run?["results"] as? [[String: Any]]
        XCTAssertEqual(results?.count, 3)
        XCTAssertEqual(Set(results?.compactMap { $0["ruleId"] as? String } ?? []), ["AUR001", "AUR007", "AUR401"])
    }
}
