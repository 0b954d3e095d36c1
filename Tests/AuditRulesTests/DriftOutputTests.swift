@testable import AuditRules
import Foundation
import Syscalls
import XCTest

final class DriftOutputTests: XCTestCase {
    private let formatter = DriftFormatter(machine: .x86_64, kernel: KernelVersion(6, 1))

    private func rule(_ syscalls: [Int], auid: UInt32 = 1000, key: RulesText, line: Int? = nil) -> KernelRule {
        var r = KernelRule(list: .exit, action: .always)
        for s in syscalls { r.addSyscall(s) }
        r.fields = [KernelField(id: 11, op: .equal, value: 0xc000_003e), KernelField(id: 9, op: .greaterOrEqual, value: auid),
                    KernelField(id: 210, op: .equal, string: key)]
        if let line { r.provenance = Provenance(file: "/etc/audit/rules.d/30.rules", line: line, text: "-a ...", abi: .x86_64) }
        return r
    }

    private var report: DriftReport {
        let disk = [rule([2], key: "open", line: 3), rule([59], key: "exec", line: 4), rule([90], key: "mode", line: 5), rule([82], key: "ren", line: 6)]
        let kernel = [rule([2, 257], key: "open"), rule([90], key: "mode"), rule([59], key: "exec"), rule([101], key: "auditbeat")]
        return DriftReport.compare(expected: disk, actual: kernel,
                                   settings: [DesiredSetting(setting: .backlogLimit(8192), provenance: Provenance(file: "/etc/audit/rules.d/10.rules", line: 2, text: "-b 8192"))],
                                   status: AuditStatus(backlogLimit: 64))
    }

    func testText() {
        let text = formatter.text(report, subject: "rules.d")
        for expected in [
            "+ /etc/audit/rules.d/30.rules:6  missing from the exit list (expected #4)",
            "    -a always,exit -F arch=b64 -S rename -F auid>=1000 -F key=ren",
            "- 1 unexpected rule with key \"auditbeat\", in no file",
            "~ /etc/audit/rules.d/30.rules:3  changed in the kernel (exit #1)",
            "    syscalls: +openat",
            "out of order in the exit list",
            "! /etc/audit/rules.d/10.rules:2  -b 8192 on disk, the kernel has backlog_limit 64",
            "Drift: 2 in sync, 1 missing, 1 unexpected, 1 changed, 1 out of order, 1 setting.",
        ] {
            XCTAssertTrue(text.contains(expected), "\(expected)\nnot in\n\(text)")
        }
        let clean = DriftReport.compare(expected: [rule([2], key: "k")], actual: [rule([2], key: "k")])
        XCTAssertTrue(formatter.text(clean, subject: "x").contains("In sync: 1 rules loaded as the files say."))
        let locked = DriftReport.compare(expected: [], actual: [], status: AuditStatus(enabled: 2))
        XCTAssertTrue(formatter.text(locked, subject: "x").contains("immutable (-e 2)"))
    }

    /// A key another program put in the kernel cannot drive the terminal or forge report lines.
    func testControlCharactersInKeysAreShownEscaped() {
        let hostile = rule([101], key: "evil\u{1b}]0;owned\u{07}\n+ forged:1  missing")
        let text = formatter.text(DriftReport.compare(expected: [], actual: [hostile]), subject: "rules.d\u{1b}[2J")
        XCTAssertFalse(text.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" }, text)
        XCTAssertTrue(text.contains("key \"evil\\x1b]0;owned\\x07\\x0a+ forged:1  missing\""), text)
        XCTAssertFalse(text.contains("\n+ forged"), text)
        XCTAssertTrue(text.contains("rules.d\\x1b[2J"), text)
    }

    /// The report goes through the one escape: a C1 control (0x9b is a CSI on 8-bit terminals)
    /// is written as every message writes it, `\u{9b}`, in a key, the subject and a plan comment.
    func testC1ControlsAreWrittenAsMessagesWriteThem() {
        let hostile = rule([101], key: "csi\u{9b}31m")
        let text = formatter.text(DriftReport.compare(expected: [], actual: [hostile]), subject: "rules\u{85}d")
        XCTAssertFalse(text.unicodeScalars.contains { ControlCharacters.isControl($0) && $0 != "\n" }, text)
        XCTAssertTrue(text.contains("key \"csi\\u{9b}31m\""), text)
        XCTAssertTrue(text.contains("rules\\u{85}d"), text)
        XCTAssertTrue(text.contains(ControlCharacters.escaped("aurules check: rules\u{85}d")), text)
        var report = DriftReport.compare(expected: [], actual: [])
        report.unloadable = [UnloadableLine(file: "10\u{9b}.rules", line: 3, reasons: ["bad\u{1b}"], text: nil, hostDependent: false)]
        let plan = ReconcilePlan.commands(expected: [], actual: [], report: report) { _ in "" }
        XCTAssertEqual(plan.first.map { "\(message: $0)" },
                       "# 10\\u{9b}.rules:3 is not loadable (bad\\x1b): fix it in the file; it is left out of this plan")
    }

    func testChangedFieldsAreShownInAuditctlNotation() {
        let r = DriftReport.compare(expected: [rule([2], auid: 1000, key: "k", line: 1)], actual: [rule([2], auid: 500, key: "k")])
        XCTAssertTrue(formatter.text(r, subject: "x").contains("    fields: +(-F auid>=500) -(-F auid>=1000)"))
        XCTAssertEqual(formatter.field(KernelField(id: 103, op: .equal, value: UInt32(bitPattern: -13))), "-F exit=-EACCES")
        XCTAssertEqual(formatter.field(KernelField(id: 9, op: .notEqual, value: 0xffff_ffff)), "-F auid!=-1")
        XCTAssertEqual(formatter.field(KernelField(id: 12, op: .equal, value: 1305)), "-F msgtype=CONFIG_CHANGE")
        XCTAssertEqual(formatter.field(KernelField(id: 106, op: .equal, value: 10)), "-F perm=wa")
        XCTAssertEqual(formatter.field(KernelField(id: 11, op: .equal, value: 0x4000_0003)), "-F arch=b32")
    }

    /// The rule lines and the field differences print a field through the same printer: the
    /// report once showed `-F auid!=-1` in the kernel's line and `-F auid!=unset` in the diff.
    func testFieldDifferencesPrintAsTheRuleLinesDo() {
        var loaded = rule([2], key: "k")
        loaded.fields.insert(KernelField(id: FieldID.auid, op: .notEqual, value: 0xffff_ffff), at: 2)
        let text = formatter.text(DriftReport.compare(expected: [rule([2], key: "k", line: 1)], actual: [loaded]), subject: "x")
        XCTAssertTrue(text.contains("    kernel: -a always,exit -F arch=b64 -S open -F auid>=1000 -F auid!=-1 -F key=k"), text)
        XCTAssertTrue(text.contains("    fields: +(-F auid!=-1)"), text)
        for f in loaded.fields where f.id != FieldID.key {
            XCTAssertTrue(formatter.line(loaded).contains(" " + formatter.field(f)), formatter.field(f))
        }
    }

    func testJSON() throws {
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(try formatter.json(report, subject: "rules.d", warnings: ["w"]).utf8)) as? [String: Any])
        XCTAssertEqual(json["in_sync"] as? Bool, false)
        XCTAssertEqual(json["warnings"] as? [String], ["w"])
        XCTAssertEqual(json["counts"] as? [String: Int], ["in_sync": 2, "expected": 4, "loaded": 4, "missing": 1, "unexpected": 1,
                                                          "changed": 1, "out_of_order": 1, "settings": 1, "unloadable": 0])
        let changed = try XCTUnwrap((json["changed"] as? [[String: Any]])?.first)
        XCTAssertEqual(changed["syscalls_added"] as? [String], ["openat"])
        XCTAssertEqual((changed["source"] as? [String: Any])?["line"] as? Int, 3)
        XCTAssertEqual((json["unexpected"] as? [[String: Any]])?.first?["key"] as? String, "auditbeat")
        XCTAssertEqual((json["settings"] as? [[String: Any]])?.first?["expected"] as? Int, 8192)
    }

    func testPrometheus() {
        let text = DriftFormatter.prometheus(report, timestamp: 1_700_000_000.5)
        for line in ["aurules_check_success 1", "aurules_check_last_run_timestamp_seconds 1700000000.500", "aurules_check_in_sync 0",
                     "aurules_rules_in_sync 2", "aurules_drift{kind=\"missing\"} 1", "aurules_drift{kind=\"order\"} 1",
                     "aurules_drift{kind=\"setting\"} 1", "aurules_drift{kind=\"unloadable\"} 0", "aurules_kernel_immutable 0", "# TYPE aurules_drift gauge"] {
            XCTAssertTrue(text.split(separator: "\n").contains(Substring(line)), "\(line) not in\n\(text)")
        }
        XCTAssertEqual(DriftFormatter.prometheus(nil, timestamp: 1).split(separator: "\n").filter { !$0.hasPrefix("#") },
                       ["aurules_check_success 0", "aurules_check_last_run_timestamp_seconds 1.000"])
    }
}
