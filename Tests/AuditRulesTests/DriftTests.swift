@testable import AuditRules
import XCTest

final class DriftTests: XCTestCase {
    private func rule(_ list: FilterList = .exit, _ action: RuleAction = .always, arch: UInt32? = 0xc000_003e,
                      syscalls: [Int] = [], fields: [KernelField] = [], key: RulesText? = nil, line: Int = 0) -> KernelRule {
        var r = KernelRule(list: list, action: action)
        for s in syscalls { r.addSyscall(s) }
        if let arch { r.fields.append(KernelField(id: 11, op: .equal, value: arch)) }
        r.fields += fields
        if let key { r.fields.append(KernelField(id: 210, op: .equal, string: key)) }
        if line > 0 { r.provenance = Provenance(file: "/etc/audit/rules.d/t.rules", line: line, text: RulesText("rule \(line)")) }
        return r
    }

    private let auid1000 = KernelField(id: 9, op: .greaterOrEqual, value: 1000)
    private let auidSet = KernelField(id: 9, op: .notEqual, value: 0xffff_ffff)

    private var disk: [KernelRule] {
        [rule(syscalls: [2, 257], fields: [auid1000], key: "access", line: 3),
         rule(arch: 0x4000_0003, syscalls: [5, 295], fields: [auid1000], key: "access", line: 3),
         rule(syscalls: [59], key: "exec", line: 4),
         rule(.exit, .never, syscalls: [0], fields: [auidSet], line: 5),
         rule(arch: nil, fields: [KernelField(id: 105, op: .equal, string: "/etc/passwd"), KernelField(id: 106, op: .equal, value: 6)],
              key: "identity", line: 6),
         rule(.exclude, .never, arch: nil, fields: [KernelField(id: 12, op: .equal, value: 1305)], line: 7),
         rule(.user, .never, arch: nil, fields: [KernelField(id: 1, op: .equal, value: 0)], line: 8)]
    }

    /// The kernel lists by list (user, task, exit, exclude, ...), not in file order.
    private var kernel: [KernelRule] {
        let d = disk.map { r -> KernelRule in var r = r; r.provenance = nil; return r }
        return [d[6], d[0], d[1], d[2], d[3], d[4], d[5]]
    }

    func testInSync() {
        let r = DriftReport.compare(expected: disk, actual: kernel)
        XCTAssertEqual(r.inSync, 7)
        XCTAssertFalse(r.hasDrift)
        XCTAssertEqual(r.expectedCount, 7)
        XCTAssertEqual(r.kernelCount, 7)
    }

    func testDeletedRuleIsMissingWithItsSource() {
        var k = kernel
        k.remove(at: 3)
        let r = DriftReport.compare(expected: disk, actual: k)
        XCTAssertEqual(r.missing.map { $0.rule.provenance?.line }, [4])
        XCTAssertEqual(r.missing.first?.expectedPosition, 3)
        XCTAssertTrue(r.unexpected.isEmpty && r.changed.isEmpty && r.orderDrift.isEmpty && r.settings.isEmpty)
        XCTAssertEqual(r.inSync, 6)
    }

    func testForeignRulesAreGroupedByKey() {
        let k = kernel + [rule(syscalls: [101], key: "auditbeat"), rule(syscalls: [102], key: "osquery"),
                          rule(syscalls: [103], key: "auditbeat"), rule(.task, .never, arch: nil, fields: [])]
        let r = DriftReport.compare(expected: disk, actual: k)
        XCTAssertEqual(r.unexpected.map(\.key), [nil, "auditbeat", "osquery"])
        XCTAssertEqual(r.unexpected[1].rules.map(\.kernelPosition), [6, 8])
        XCTAssertEqual(r.unexpectedCount, 4)
        XCTAssertTrue(r.missing.isEmpty && r.changed.isEmpty && r.orderDrift.isEmpty)
    }

    func testChangedFieldShowsTheDifference() {
        var k = kernel
        k[1].fields[1] = KernelField(id: 9, op: .greaterOrEqual, value: 500)
        let r = DriftReport.compare(expected: disk, actual: k)
        XCTAssertEqual(r.changed.count, 1)
        XCTAssertEqual(r.changed[0].expected.provenance?.line, 3)
        XCTAssertEqual(r.changed[0].difference.addedFields, [KernelField(id: 9, op: .greaterOrEqual, value: 500)])
        XCTAssertEqual(r.changed[0].difference.removedFields, [auid1000])
        XCTAssertEqual(r.changed[0].kernelPosition, 1)
        XCTAssertTrue(r.missing.isEmpty && r.unexpected.isEmpty && r.orderDrift.isEmpty)
    }

    func testChangedSyscalls() {
        var k = kernel
        k[3].addSyscall(322)
        k[3].mask[59 / 32] &= ~(1 << UInt32(59 % 32))
        let r = DriftReport.compare(expected: disk, actual: k)
        XCTAssertEqual(r.changed.map(\.difference.addedSyscalls), [[322]])
        XCTAssertEqual(r.changed.map(\.difference.removedSyscalls), [[59]])
        XCTAssertEqual(r.changed.first?.expected.provenance?.line, 4)
    }

    /// Drift trap 1: the same fields in another order are another kernel rule.
    func testFieldOrderIsAChange() {
        var k = kernel
        k[1].fields.swapAt(0, 1)
        let r = DriftReport.compare(expected: disk, actual: k)
        XCTAssertEqual(r.changed.count, 1)
        XCTAssertTrue(r.changed[0].difference.fieldOrderDiffers)
        XCTAssertTrue(r.changed[0].difference.addedFields.isEmpty)
    }

    func testChangedKeyIsMissingPlusUnexpected() {
        var k = kernel
        k[3].fields[1] = KernelField(id: 210, op: .equal, string: "exec2")
        let r = DriftReport.compare(expected: disk, actual: k)
        XCTAssertEqual(r.missing.map { $0.rule.provenance?.line }, [4])
        XCTAssertEqual(r.unexpected.map(\.key), ["exec2"])
        XCTAssertTrue(r.changed.isEmpty)
    }

    func testUnrelatedKeylessRulesDoNotPair() {
        var k = kernel
        k[4] = rule(.exit, .never, syscalls: [1], fields: [KernelField(id: 1, op: .equal, value: 0)])
        let r = DriftReport.compare(expected: disk, actual: k)
        XCTAssertEqual(r.missing.map { $0.rule.provenance?.line }, [5])
        XCTAssertEqual(r.unexpectedCount, 1)
        XCTAssertTrue(r.changed.isEmpty)
    }

    func testSwapIsOrderDriftNamingBothRules() {
        var k = kernel
        k.swapAt(3, 4)   // exec (line 4) and the never rule (line 5)
        let r = DriftReport.compare(expected: disk, actual: k)
        XCTAssertEqual(r.orderDrift.count, 1)
        XCTAssertEqual(r.orderDrift[0].list, .exit)
        XCTAssertTrue(r.orderDrift[0].listHasNeverRules)
        XCTAssertEqual(r.orderDrift[0].moved.count, 1)
        let moved = r.orderDrift[0].moved[0]
        XCTAssertEqual(moved.rule.provenance?.line, 5)
        XCTAssertEqual(moved.expectedAfter?.provenance?.line, 4)
        XCTAssertEqual(moved.kernelPosition, 3)
        XCTAssertEqual(moved.expectedPosition, 4)
        XCTAssertTrue(r.missing.isEmpty && r.unexpected.isEmpty && r.changed.isEmpty)
        XCTAssertEqual(r.inSync, 7)
    }

    func testOrderAcrossListsDoesNotMatter() {
        let k = [kernel[6], kernel[1], kernel[0], kernel[2], kernel[3], kernel[4], kernel[5]]
        XCTAssertFalse(DriftReport.compare(expected: disk, actual: k).hasDrift)
    }

    func testMovedRuleFarAway() {
        var k = kernel
        let first = k.remove(at: 1)
        k.insert(first, at: 5)   // the first exit rule now comes last in its list
        let r = DriftReport.compare(expected: disk, actual: k)
        XCTAssertEqual(r.orderDrift.first?.moved.map { $0.rule.provenance?.line }, [3])
        XCTAssertEqual(r.orderDrift.first?.moved.first?.kernelPosition, 5)
        XCTAssertEqual(r.orderDrift.first?.moved.first?.expectedPosition, 1)
        XCTAssertNil(r.orderDrift.first?.moved.first?.expectedAfter)
    }

    func testDuplicatesCountOnce() {
        let r = DriftReport.compare(expected: disk + [disk[2]], actual: kernel)
        XCTAssertEqual(r.missing.count, 1)
        XCTAssertEqual(r.inSync, 7)
        XCTAssertTrue(r.orderDrift.isEmpty)
    }

    func testSettings() {
        let p = Provenance(file: "f", line: 2, text: "-b 8192")
        let desired = [DesiredSetting(setting: .backlogLimit(320), provenance: nil),
                       DesiredSetting(setting: .backlogLimit(8192), provenance: p),
                       DesiredSetting(setting: .failureMode(1), provenance: nil),
                       DesiredSetting(setting: .rateLimit(0), provenance: nil),
                       DesiredSetting(setting: .backlogWaitTime(60000), provenance: nil),
                       DesiredSetting(setting: .resetLost, provenance: nil),
                       DesiredSetting(setting: .loginuidImmutable, provenance: nil),
                       DesiredSetting(setting: .enabled(1), provenance: nil)]
        let status = AuditStatus(enabled: 1, failure: 1, rateLimit: 0, backlogLimit: 64, backlogWaitTime: 60000,
                                 loginuidImmutable: false)
        let r = DriftReport.compare(expected: disk, actual: kernel, settings: desired, status: status)
        XCTAssertEqual(r.settings.map(\.option), ["-b", "--loginuid-immutable"])
        XCTAssertEqual(r.settings[0].expected, 8192)
        XCTAssertEqual(r.settings[0].actual, 64)
        XCTAssertEqual(r.settings[0].provenance, p)
        XCTAssertTrue(r.hasDrift)
        XCTAssertFalse(r.immutable)
        XCTAssertTrue(DriftReport.compare(expected: disk, actual: kernel, settings: desired, status: nil).settings.isEmpty)
        var unknownFeature = status
        unknownFeature.loginuidImmutable = nil
        XCTAssertEqual(DriftReport.compare(expected: [], actual: [], settings: desired, status: unknownFeature).settings.map(\.option), ["-b"])
    }

    func testImmutableKernelIsNoted() {
        let r = DriftReport.compare(expected: disk, actual: kernel, settings: [DesiredSetting(setting: .enabled(2), provenance: nil)],
                                    status: AuditStatus(enabled: 2))
        XCTAssertTrue(r.immutable)
        XCTAssertFalse(r.hasDrift)
    }

    func testLongestIncreasingRun() {
        XCTAssertEqual(DriftReport.longestIncreasingRun([0, 1, 2, 3]), [0, 1, 2, 3])
        XCTAssertEqual(DriftReport.longestIncreasingRun([1, 0, 2, 3]), [0, 2, 3])
        XCTAssertEqual(DriftReport.longestIncreasingRun([3, 0, 1, 2]), [0, 1, 2])
        XCTAssertEqual(DriftReport.longestIncreasingRun([0, 3, 2, 1, 4]).count, 3)
        XCTAssertEqual(DriftReport.longestIncreasingRun([]), [])
    }

    /// Many rules with keys of their own (grouped through a table): groups in first-seen order,
    /// a later rule of a key joins its group. Speed is measured in Benchmarks, not here.
    func testManyUnexpectedKeysAreGroupedInOrder() {
        let count = 2_000
        let held = (0 ..< count).map { rule(syscalls: [$0 % 300], key: RulesText("k\($0)")) } + [rule(syscalls: [1], key: "k7")]
        let r = DriftReport.compare(expected: [], actual: held)
        XCTAssertEqual(r.unexpected.count, count)
        XCTAssertEqual(r.unexpected[7].rules.map(\.kernelPosition), [8, count + 1])
        XCTAssertEqual(r.unexpected.prefix(3).map(\.key), ["k0", "k1", "k2"])
        XCTAssertEqual(r.unexpected.last?.key, RulesText("k\(count - 1)"))
    }
}
