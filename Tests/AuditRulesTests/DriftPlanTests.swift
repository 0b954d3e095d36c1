@testable import AuditRules
import XCTest

final class DriftPlanTests: XCTestCase {
    /// A stand-in renderer: enough to tell rules apart in the plan.
    private func render(_ r: KernelRule) -> RulesText {
        if let path = r.fields.first(where: { $0.id == 105 })?.string { return "-w " + path + " -p wa" }
        let syscalls = (0..<2048).filter(r.hasSyscall).map(String.init).joined(separator: ",")
        return RulesText("-a \(r.action.rawValue),\(r.list.rawValue) -S \(syscalls) -F auid>=1000")
    }

    private func rule(_ syscall: Int, _ list: FilterList = .exit) -> KernelRule {
        var r = KernelRule(list: list, action: .always)
        r.addSyscall(syscall)
        return r
    }

    func testPlanReconciles() {
        let e = [rule(1), rule(2), rule(3), rule(4)]
        var watch = KernelRule(list: .exit, action: .always)
        watch.fields = [KernelField(id: 105, op: .equal, string: "/etc/x")]
        let a = [rule(1), rule(3), rule(2), watch, rule(4)]
        let status = AuditStatus(backlogLimit: 64)
        let settings = [DesiredSetting(setting: .backlogLimit(8192), provenance: nil), DesiredSetting(setting: .enabled(1), provenance: nil)]
        let report = DriftReport.compare(expected: e, actual: a, settings: settings, status: status)
        let plan = ReconcilePlan.commands(expected: e, actual: a, report: report, render: render)
        // Rules 1 and 2 stay (the longest run the kernel holds in the files' order); 3 and 4 are
        // moved behind them, each deleted right before its re-add; the foreign watch goes last.
        XCTAssertEqual(plan, ["auditctl -b 8192",
                              "auditctl -d always,exit -S 3 -F 'auid>=1000'",
                              "auditctl -a always,exit -S 3 -F 'auid>=1000'",
                              "auditctl -d always,exit -S 4 -F 'auid>=1000'",
                              "auditctl -a always,exit -S 4 -F 'auid>=1000'",
                              "auditctl -W /etc/x -p wa"])
    }

    func testPlanAppendsAMissingLastRuleOnly() {
        let e = [rule(1), rule(2), rule(9, .exclude)]
        let a = [rule(1)]
        let report = DriftReport.compare(expected: e, actual: a)
        XCTAssertEqual(ReconcilePlan.commands(expected: e, actual: a, report: report, render: render),
                       ["auditctl -a always,exit -S 2 -F 'auid>=1000'", "auditctl -a always,exclude -S 9 -F 'auid>=1000'"])
        XCTAssertEqual(ReconcilePlan.commands(expected: e, actual: e, report: DriftReport.compare(expected: e, actual: e), render: render), [])
    }

    func testImmutableKernelGetsNoCommands() {
        let report = DriftReport.compare(expected: [rule(1)], actual: [], status: AuditStatus(enabled: 2))
        XCTAssertEqual(ReconcilePlan.commands(expected: [rule(1)], actual: [], report: report, render: render).count, 1)
        XCTAssertTrue(ReconcilePlan.commands(expected: [rule(1)], actual: [], report: report, render: render)[0].first == UInt8(ascii: "#"))
    }

    func testShellQuoting() {
        XCTAssertEqual(ReconcilePlan.shellQuoted("-F key=it's -F a!=1 -S open,openat"), "-F 'key=it'\\''s' -F 'a!=1' -S open,openat")
        XCTAssertEqual(ReconcilePlan.shellQuoted("-F key=two\\ words -F key=back\\\\slash  -k x"), "-F 'key=two words' -F 'key=back\\slash' -k x")
    }

    func testSavedStatus() throws {
        let text = """
        enabled 1
        failure 1
        pid 0
        rate_limit 0
        backlog_limit 8192
        lost 3
        backlog 0
        backlog_wait_time 60000
        backlog_wait_time_actual 0
        loginuid_immutable 1 locked
        """
        let s = try AuditStatus(auditctlStatus: text)
        XCTAssertEqual(s, AuditStatus(enabled: 1, failure: 1, rateLimit: 0, backlogLimit: 8192, lost: 3,
                                      backlogWaitTime: 60000, loginuidImmutable: true))
        XCTAssertThrowsError(try AuditStatus(auditctlStatus: "-a always,exit -S open\n"))
    }
}
