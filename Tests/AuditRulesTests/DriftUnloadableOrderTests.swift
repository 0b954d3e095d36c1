@testable import AuditRules
import Foundation
import Syscalls
import XCTest

/// `check` with unloadable lines among several inputs: the `unloadable` section is in source
/// order, and a rule a loadable line loads is compared even when an unloadable line compiles to
/// the same rule.
final class DriftUnloadableOrderTests: XCTestCase {
    static let target = DriftLoaderRefusalTests.target
    static let refused = "-a exit,always -F arch=b32 -S kexec_load -k kexec\n"

    private func parse(_ text: String, file: String) -> RuleFile {
        RuleParser.parse(text: RulesText(text), file: file, options: Self.target.parseOptions)
    }

    private func describe(_ r: DriftReport) -> String {
        "\(r.inSync) in sync, \(r.missing.count) missing, \(r.unexpectedCount) unexpected, \(r.changed.count) changed, \(r.movedCount) moved"
    }

    /// a.rules has a line auditctl refuses (a loader verdict), b.rules a parser error: the
    /// parser's errors come first among the findings, the report still lists a.rules first.
    func testUnloadableLinesAreInFileOrderThenLineOrder() throws {
        var source = RuleFile(path: "a.rules b.rules")
        source.append(parse("-a always,exit -F arch=b64 -S openat -k ok\n" + Self.refused, file: "a.rules"))
        source.append(parse("-a always,exit -F arch=b64 -S nosuchcall -k bad\n-w /etc/hosts -p q\n", file: "b.rules"))
        XCTAssertEqual(source.fileOrder, ["a.rules", "b.rules"])
        let outcome = try DriftCheck(source: source, target: Self.target).compare(with: .kernel(rules: [], status: AuditStatus()))
        let found = outcome.report.unloadable.map { "\($0.file):\($0.line)" }
        XCTAssertEqual(found, ["a.rules:2", "b.rules:1", "b.rules:2"])
    }

    func testFileOrderKeepsAFileWithOnlyBadLinesInPlace() throws {
        var source = RuleFile(path: "a.rules b.rules c.rules")
        source.append(parse("-a always,exit -F arch=b64 -S openat -k ok\n", file: "a.rules"))
        source.append(parse("-w /etc/hosts -p q\n", file: "b.rules"))
        source.append(parse("-a always,exit -F arch=b64 -S unlinkat -k ok2\n" + Self.refused, file: "c.rules"))
        XCTAssertEqual(source.fileOrder, ["a.rules", "b.rules", "c.rules"])
        let outcome = try DriftCheck(source: source, target: Self.target).compare(with: .kernel(rules: [], status: AuditStatus()))
        XCTAssertEqual(outcome.report.unloadable.map { "\($0.file):\($0.line)" }, ["b.rules:1", "c.rules:2"])
    }

    /// A rules.d directory: augenrules' order of its files, whatever the merge does to statements.
    func testRulesDirectoryFilesAreInAugenrulesOrder() throws {
        let dir = NSTemporaryDirectory() + "aurules-test-order-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (name, text) in [("10-a.rules", "-b 8192\n" + Self.refused), ("9-b.rules", "-w /etc/hosts -p q\n"), ("20-c.rules", "-D\n")] {
            XCTAssertTrue(FileManager.default.createFile(atPath: dir + "/" + name, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]))
        }
        let source = RuleInputs.load(paths: [dir], options: Self.target.parseOptions)
        XCTAssertEqual(source.fileOrder.prefix(3).map { ($0 as NSString).lastPathComponent }, ["9-b.rules", "10-a.rules", "20-c.rules"])
        let outcome = try DriftCheck(source: source, target: Self.target).compare(with: .kernel(rules: [], status: AuditStatus()))
        XCTAssertEqual(outcome.report.unloadable.map { ($0.file as NSString).lastPathComponent }, ["9-b.rules", "10-a.rules"])
    }

    /// Line 1 is refused; line 2 compiles to the same kernel rule (the compiler marks it a repeat
    /// of line 1), and auditctl loads it from line 2. A kernel without that rule misses it.
    func testRuleOfALoadableRepeatOfAnUnloadableLineIsExpected() throws {
        let text = Self.refused + "-a always,exit -F arch=b32 -S 283 -k kexec\n-a always,exit -F arch=b64 -S openat -k ok\n"
        let compiled = Compiler(target: Self.target).compile(parse(text, file: "t.rules"))
        XCTAssertEqual(compiled.repeated.map(\.location.line), [2], "the compiler no longer marks line 2 as a repeat")
        let held = compiled.rules.map { r -> KernelRule in var r = r; r.provenance = nil; return r }
        XCTAssertEqual(held.count, 2)
        let check = DriftCheck(source: parse(text, file: "t.rules"), target: Self.target)

        // The kernel holds both rules (auditctl loaded lines 2 and 3): in sync, nothing held anyway.
        let full = try check.compare(with: .kernel(rules: held, status: AuditStatus()))
        XCTAssertEqual(full.report.unloadable.map(\.line), [1])
        XCTAssertEqual(full.report.inSync, 2, describe(full.report))
        XCTAssertEqual(full.report.missing.count, 0, describe(full.report))
        XCTAssertEqual(full.report.unexpectedCount, 0, describe(full.report))
        XCTAssertFalse(full.warnings.contains { $0.contains("held anyway") }, "\(full.warnings)")
        XCTAssertEqual(full.expected.first?.provenance?.line, 2)

        // Without it, line 2's rule is missing.
        let without = try check.compare(with: .kernel(rules: [held[1]], status: AuditStatus()))
        XCTAssertEqual(without.report.missing.map { $0.rule.provenance?.line }, [2], describe(without.report))
        XCTAssertEqual(without.report.inSync, 1)
        XCTAssertTrue(without.report.hasDrift)
    }

    /// An unloadable line alone still has its held rule forgiven (loaded by aurules apply).
    func testRuleOnlyAnUnloadableLineMakesIsStillHeldAnyway() throws {
        let text = Self.refused + "-a always,exit -F arch=b64 -S openat -k ok\n"
        let held = Compiler(target: Self.target).compile(parse(text, file: "t.rules")).rules
        let outcome = try DriftCheck(source: parse(text, file: "t.rules"), target: Self.target)
            .compare(with: .kernel(rules: held, status: AuditStatus()))
        XCTAssertEqual(outcome.report.unexpectedCount, 0, describe(outcome.report))
        XCTAssertEqual(outcome.report.inSync, 1)
        XCTAssertTrue(outcome.warnings.contains { $0.hasPrefix("1 kernel rule of unloadable lines held anyway") }, "\(outcome.warnings)")
    }
}
