import AuditKernel
import AuditRules
import Foundation
import XCTest

/// `apply` against a kernel in memory: order of writes, all or nothing under every fault,
/// immutability (which must never be tried on the real kernel), concurrent changes.
final class ApplyFakeKernelTests: XCTestCase {
    private func rule(_ key: RulesText, _ list: FilterList = .exit, syscall: Int = 2) -> KernelRule {
        var r = KernelRule(list: list, action: .always)
        if list == .exit { r.addSyscall(syscall) }
        r.fields.append(KernelField(id: 210, op: .equal, string: key))
        return r
    }

    /// The keys of `rules` in the order the kernel lists them (list by list).
    private func keys(_ rules: [KernelRule]) -> [RulesText] {
        KernelListModel(rules).rules.map { $0.filterKey ?? "?" }
    }

    private func apply(_ kernel: FakeAuditKernel, _ expected: [KernelRule], settings: [Setting] = [],
                       keepGoing: Bool = false, keepKeys: [String] = []) throws -> ApplyResult {
        let applier = AuditApplier(transport: kernel)
        applier.keepGoing = keepGoing
        applier.keepKeys = keepKeys
        return try applier.apply(target: { _ in expected },
                                 settings: settings.map { DesiredSetting(setting: $0, provenance: nil) })
    }

    func testNoChangeWritesNothing() throws {
        let rules = (0 ..< 6).map { rule(RulesText("k\($0)")) }
        let kernel = FakeAuditKernel(rules: rules, status: AuditStatus(enabled: 1, backlogLimit: 8192))
        let result = try apply(kernel, rules, settings: [.backlogLimit(8192), .enabled(1)])
        XCTAssertTrue(result.plan.isEmpty)
        XCTAssertEqual(result.plan.unchanged, 6)
        XCTAssertEqual(kernel.writes, 0)
    }

    func testOneChangedRuleIsAddedBeforeTheOldIsDeleted() throws {
        let before = [rule("a"), rule("b"), rule("c", syscall: 3)]
        let after = [rule("a"), rule("b"), rule("c", syscall: 4)]
        let kernel = FakeAuditKernel(rules: before)
        let result = try apply(kernel, after)
        XCTAssertEqual(kernel.log, ["append c", "delete c"])
        XCTAssertEqual(kernel.rules, after)
        XCTAssertEqual(result.plan.added, 1)
        XCTAssertEqual(result.plan.deleted, 1)
        XCTAssertEqual(result.plan.unchanged, 2)
    }

    /// The kernel's list order is what prepend and append make of it: a rule inserted between
    /// others is built around, and the fake's byte-level flags handling agrees with the model.
    func testInsertionInTheMiddleAndPrependFlag() throws {
        let before = [rule("a"), rule("b"), rule("c"), rule("d")]
        let after = [rule("a"), rule("n"), rule("b"), rule("c"), rule("d")]
        let kernel = FakeAuditKernel(rules: before)
        _ = try apply(kernel, after)
        XCTAssertEqual(kernel.log, ["prepend n", "delete a", "prepend a"])
        XCTAssertEqual(kernel.rules, after)
        XCTAssertTrue(kernel.raw.allSatisfy { $0[0] & 0x10 == 0 })
    }

    func testForeignRulesDeletedUnlessKept() throws {
        let mine = [rule("aurules-a"), rule("aurules-b")]
        let foreign = [rule("auditbeat-1", syscall: 7), rule("adhoc", syscall: 8)]
        let kernel = FakeAuditKernel(rules: [mine[0], foreign[0], mine[1], foreign[1]])
        let result = try apply(kernel, mine, keepKeys: ["auditbeat*"])
        XCTAssertEqual(keys(kernel.rules), keys([mine[0], foreign[0], mine[1]]))
        XCTAssertEqual(result.plan.kept, [foreign[0]])
        _ = try apply(kernel, mine)
        XCTAssertEqual(kernel.rules, mine)
    }

    /// A plan of exactly 20 writes: settings, additions at both ends, moves, a changed rule,
    /// foreign rules, several lists.
    private func twentyStepScenario() -> (before: [KernelRule], after: [KernelRule], settings: [Setting], status: AuditStatus) {
        let before = [rule("x1"), rule("m1"), rule("k1"), rule("k2"), rule("k3"), rule("m2"), rule("k4"), rule("f1", syscall: 9),
                      rule("c1", syscall: 5), rule("e1", .exclude), rule("e2", .exclude), rule("u1", .user)]
        let after = [rule("m2"), rule("n1"), rule("k1"), rule("k2"), rule("k3"), rule("k4"), rule("n2"), rule("m1"),
                     rule("c1", syscall: 6), rule("n3"), rule("n4"),
                     rule("e0", .exclude), rule("e1", .exclude), rule("e2", .exclude), rule("e3", .exclude),
                     rule("u2", .user)]
        return (before, after, [.backlogLimit(8192), .rateLimit(100), .backlogWaitTime(1000), .failureMode(2)],
                AuditStatus(enabled: 1, failure: 1, rateLimit: 0, backlogLimit: 64))
    }

    func testEveryFaultOfATwentyStepPlanIsUndone() throws {
        let s = twentyStepScenario()
        let probe = FakeAuditKernel(rules: s.before, status: s.status)
        _ = try apply(probe, s.after, settings: s.settings)
        XCTAssertEqual(probe.writes, 20, "\(probe.log)")
        XCTAssertEqual(keys(probe.rules), keys(s.after))
        XCTAssertEqual(probe.state.failure, 2)

        let faults: [FakeAuditKernel.Fault] = [.refuse(EINVAL), .refuse(ENOENT), .refuse(EEXIST), .refuse(EPERM),
                                               .refuse(ENOMEM), .loseReply]
        for fault in faults {
            for k in 1 ... 20 {
                let kernel = FakeAuditKernel(rules: s.before, status: s.status)
                let raw = kernel.raw
                kernel.fault = (k, fault)
                XCTAssertThrowsError(try apply(kernel, s.after, settings: s.settings), "fault \(fault) at \(k)") { error in
                    guard case ApplyError.refused(let failure, let restored, let problem)? = error as? ApplyError else {
                        return XCTFail("fault \(fault) at \(k): \(error)")
                    }
                    XCTAssertTrue(restored, "fault \(fault) at \(k): \(problem ?? "")")
                    // Every step is one write: the k-th write is step k.
                    XCTAssertEqual(failure.index, k - 1, "fault \(fault) at \(k)")
                }
                XCTAssertEqual(kernel.raw, raw, "fault \(fault) at \(k): \(kernel.log)")
                XCTAssertEqual(kernel.state, s.status, "fault \(fault) at \(k)")
            }
        }
    }

    func testKeepGoingLoadsEverythingElse() throws {
        let s = twentyStepScenario()
        let probe = FakeAuditKernel(rules: s.before, status: s.status)
        _ = try apply(probe, s.after, settings: s.settings)
        guard let k = probe.log.firstIndex(of: "append n3").map({ $0 + 1 }) else { return XCTFail("\(probe.log)") }

        let kernel = FakeAuditKernel(rules: s.before, status: s.status)
        kernel.fault = (k, .refuse(ENOENT))
        let result = try apply(kernel, s.after, settings: s.settings, keepGoing: true)
        XCTAssertEqual(result.failures.count, 1)
        XCTAssertEqual(result.failures.first?.error, .kernel(operation: "append n3", errno: ENOENT))
        XCTAssertEqual(keys(kernel.rules), keys(s.after.filter { $0.filterKey != "n3" }))
        XCTAssertEqual(kernel.state.failure, 2)
    }

    func testImmutableKernelIsNotTouched() throws {
        let kernel = FakeAuditKernel(rules: [rule("a")], status: AuditStatus(enabled: 2))
        XCTAssertThrowsError(try apply(kernel, [rule("b")])) { error in
            guard case ApplyError.immutable? = error as? ApplyError else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(kernel.writes, 0)
        XCTAssertEqual(kernel.rules, [rule("a")])
    }

    /// `-e 2` and `--loginuid-immutable` are set after everything else, lock the (fake) kernel,
    /// and a second apply then attempts nothing.
    func testLockingSettingsComeLast() throws {
        let kernel = FakeAuditKernel(rules: [rule("old")], status: AuditStatus(enabled: 0, failure: 1, backlogLimit: 64, loginuidImmutable: false))
        _ = try apply(kernel, [rule("a")], settings: [.enabled(2), .loginuidImmutable, .backlogLimit(320), .failureMode(2)])
        XCTAssertEqual(kernel.log, ["-b 320", "append a", "delete old", "-f 2", "--loginuid-immutable 1", "-e 2"])
        XCTAssertEqual(kernel.state.enabled, 2)
        XCTAssertThrowsError(try apply(kernel, [rule("b")]))
        XCTAssertEqual(kernel.writes, 6)
    }

    /// A failure before the locking settings leaves the kernel unlocked.
    func testLockNotSetWhenAnythingFailed() throws {
        let kernel = FakeAuditKernel(rules: [], status: AuditStatus(enabled: 1))
        kernel.fault = (1, .refuse(EINVAL))
        let result = try apply(kernel, [rule("a"), rule("b")], settings: [.enabled(2)], keepGoing: true)
        XCTAssertEqual(result.failures.count, 1)
        XCTAssertEqual(result.skipped.count, 1)
        XCTAssertEqual(kernel.state.enabled, 1)
    }

    func testConcurrentChangeIsCaughtAndRetried() throws {
        let kernel = FakeAuditKernel(rules: [rule("a")])
        kernel.interloper = { k, kernel in if k == 1 { kernel.inject(self.rule("intruder", syscall: 11)) } }
        let result = try apply(kernel, [rule("a"), rule("b")])
        XCTAssertTrue(result.retried)
        XCTAssertEqual(kernel.rules, [rule("a"), rule("b")])
    }

    func testKernelThatKeepsChangingIsNeverReportedInSync() throws {
        let kernel = FakeAuditKernel(rules: [rule("a")])
        var n = 0
        kernel.interloper = { _, kernel in
            n += 1
            kernel.inject(self.rule(RulesText("intruder\(n)"), syscall: 11))
        }
        XCTAssertThrowsError(try apply(kernel, [rule("a"), rule("b")])) { error in
            guard case ApplyError.differs? = error as? ApplyError else { return XCTFail("\(error)") }
        }
    }
}
