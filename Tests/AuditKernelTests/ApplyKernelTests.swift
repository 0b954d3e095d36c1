import AuditKernel
import AuditRules
import Foundation
import XCTest

/// `aurules apply` on the live kernel (KernelSandbox, keys aurules-test*, a few rules each): after
/// every scenario the kernel holds, byte for byte, what `auditctl -R` of the same rules makes of
/// an empty rule set, and apply wrote no more than it had to. Never -e 2 or --loginuid-immutable.
final class ApplyKernelTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "aurules-apply-\(getpid())-\(UInt32.random(in: 0 ... .max))"
        try FileManager.default.createDirectory(atPath: directory + "/rules.d", withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func line(_ n: Int, uid: Int? = nil, syscall: String = "openat") -> String {
        "-a always,exit -F arch=b64 -S \(syscall) -F uid=\(uid ?? 30000 + n) -k aurules-test-apply-\(n)"
    }

    struct Run {
        var status: Int32
        var json: [String: Any]
        var stderr: String
        func count(_ key: String) -> Int? { json[key] as? Int }
    }

    /// Writes `lines` as the only rules file and runs `aurules apply` on it.
    private func apply(_ lines: [String], _ extra: [String] = []) throws -> Run {
        let file = directory + "/rules.d/50-test.rules"
        try (lines.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        chmod(file, 0o600)
        let (status, out, err) = try KernelSandbox.runProcess(try CheckKernelTests.aurulesPath(),
                                                              ["apply", "--format", "json", "--lock-file", directory + "/lock",
                                                               directory + "/rules.d"] + extra)
        guard let json = try? JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any] else {
            throw SandboxError("aurules apply printed no JSON (exit \(status)): \(err)\(out)")
        }
        return Run(status: status, json: json, stderr: err)
    }

    /// What auditctl -R makes of `lines` on an empty rule set, raw; the kernel is left holding it.
    private func reference(_ sandbox: KernelSandbox, _ lines: [String]) throws -> [[UInt8]] {
        try sandbox.clearRules()
        try sandbox.load(rules: lines.joined(separator: "\n") + "\n")
        return try sandbox.connection.listRules()
    }

    /// Applies `lines`, checks the counts, and compares the kernel with auditctl's result.
    private func step(_ name: String, _ sandbox: KernelSandbox, _ lines: [String], extra: [String] = [],
                      added: Int, deleted: Int, moved: Int = 0, writes: Int) throws {
        let run = try apply(lines, extra)
        XCTAssertEqual(run.status, 0, "\(name): \(run.stderr)")
        XCTAssertEqual(run.count("added"), added, name)
        XCTAssertEqual(run.count("deleted"), deleted, name)
        XCTAssertEqual(run.count("moved"), moved, name)
        XCTAssertEqual(run.count("kernel_writes"), writes, name)
        let applied = try sandbox.connection.listRules()
        XCTAssertTrue(applied == (try reference(sandbox, lines)), "\(name): the kernel differs from auditctl -R of the same rules")
    }

    func testScenariosMatchAuditctl() throws {
        try KernelSandbox.run { sandbox in
            let base = (1 ... 4).map { line($0) }
            try step("from empty", sandbox, base, added: 4, deleted: 0, writes: 4)
            try step("no change", sandbox, base, added: 0, deleted: 0, writes: 0)
            try step("add one", sandbox, base + [line(5)], added: 1, deleted: 0, writes: 1)
            try step("delete one", sandbox, [line(1), line(3), line(4), line(5)], added: 0, deleted: 1, writes: 1)
            try step("change one field at the end", sandbox, [line(1), line(3), line(4), line(5, uid: 31234)], added: 1, deleted: 1, writes: 2)
            // A new rule between others: the shorter side (rule 1) is rebuilt around it with a prepend.
            try step("insert in the middle", sandbox, [line(1), line(6), line(3), line(4), line(5, uid: 31234)],
                     added: 1, deleted: 0, moved: 1, writes: 3)
            try step("reorder", sandbox, [line(6), line(3), line(4), line(5, uid: 31234), line(1)],
                     added: 0, deleted: 0, moved: 1, writes: 2)
            try step("change one field in the middle", sandbox, [line(6), line(3, syscall: "openat,creat"), line(4), line(5, uid: 31234), line(1)],
                     added: 1, deleted: 1, moved: 1, writes: 4)
        }
    }

    func testForeignRuleKeptOrDeleted() throws {
        try KernelSandbox.run { sandbox in
            let mine = [line(1), line(2)]
            _ = try reference(sandbox, mine)
            try sandbox.auditctl(["-a", "always,exit", "-F", "arch=b64", "-S", "chmod", "-k", "aurules-test-foreign"])
            let kept = try apply(mine, ["--keep-key", "aurules-test-for*"])
            XCTAssertEqual(kept.status, 0, kept.stderr)
            XCTAssertEqual(kept.count("kept"), 1)
            XCTAssertEqual(kept.count("kernel_writes"), 0)
            XCTAssertTrue(try sandbox.listing().contains { $0.utf8String.contains("aurules-test-foreign") })

            let deleted = try apply(mine)
            XCTAssertEqual(deleted.count("deleted"), 1)
            XCTAssertTrue(try sandbox.connection.listRules() == (try reference(sandbox, mine)))
        }
    }

    /// -b -r -f --backlog_wait_time and -e 0|1 (the sandbox restores all but -e, restored here).
    func testSettings() throws {
        try KernelSandbox.run { sandbox in
            let before = try sandbox.connection.status()
            defer { try? sandbox.connection.set("-e", to: before.enabled) }
            let settings = ["-b \(before.backlogLimit + 7)", "-r \(before.rateLimit + 3)", "-f \(before.failure == 1 ? 0 : 1)",
                            "--backlog_wait_time \(before.backlogWaitTime + 11)", "-e \(before.enabled == 1 ? 0 : 1)"]
            let run = try apply(settings + [line(1)])
            XCTAssertEqual(run.status, 0, run.stderr)
            XCTAssertEqual(run.count("settings_changed"), 5)
            let after = try sandbox.connection.status()
            XCTAssertEqual(after.backlogLimit, before.backlogLimit + 7)
            XCTAssertEqual(after.rateLimit, before.rateLimit + 3)
            XCTAssertEqual(after.failure, before.failure == 1 ? 0 : 1)
            XCTAssertEqual(after.backlogWaitTime, before.backlogWaitTime + 11)
            XCTAssertEqual(after.enabled, before.enabled == 1 ? 0 : 1)
            XCTAssertEqual(try apply(settings + [line(1)]).count("kernel_writes"), 0)
        }
    }

    /// The kernel refuses a watch on a missing directory (ENOENT): everything is undone, byte for
    /// byte, and the refused rule is reported with its line; --keep-going loads the rest.
    func testKernelRefusalIsRolledBack() throws {
        try KernelSandbox.run { sandbox in
            let old = [line(1), line(2), line(3)]
            let before = try reference(sandbox, old)
            try sandbox.auditctl(["-a", "always,exit", "-F", "arch=b64", "-S", "chmod", "-k", "aurules-test-foreign"])
            let beforeWithForeign = try sandbox.connection.listRules()
            let missing = "-w /nonexistent-aurules-test-\(getpid())/dir/file -p wa -k aurules-test-missing"
            let target = [line(0), line(1), line(3), line(2, uid: 31000), missing, line(4)]
            let run = try apply(target)
            XCTAssertEqual(run.status, 1, run.stderr)
            XCTAssertTrue(run.stderr.contains("50-test.rules:5:"), run.stderr)
            XCTAssertTrue(run.stderr.contains("ENOENT"), run.stderr)
            XCTAssertTrue(run.stderr.contains("verified byte for byte"), run.stderr)
            XCTAssertTrue(try sandbox.connection.listRules() == beforeWithForeign, "the kernel is not as before")

            let going = try apply(target, ["--keep-going"])
            XCTAssertEqual(going.status, 1, going.stderr)
            XCTAssertEqual((going.json["refused"] as? [[String: Any]])?.count, 1)
            XCTAssertEqual((going.json["refused"] as? [[String: Any]])?.first?["source"] as? String,
                           directory + "/rules.d/50-test.rules:5")
            let loadable = target.filter { $0 != missing }
            XCTAssertTrue(try sandbox.connection.listRules() == (try reference(sandbox, loadable)))
            _ = before
        }
    }

    private func rule(_ n: Int, uid: UInt32? = nil) -> KernelRule {
        var r = KernelRule(list: .exit, action: .always)
        r.addSyscall(257)
        r.fields = [KernelField(id: 11, op: .equal, value: 0xC000_003E), KernelField(id: 0, op: .equal, value: uid ?? UInt32(30000 + n)),
                    KernelField(id: 210, op: .equal, string: RulesText("aurules-test-apply-\(n)"))]
        return r
    }

    /// The k-th write refused, for every k of a plan with additions at both ends, a move, a
    /// changed rule and a deletion: the live kernel is byte for byte as before each time.
    func testEveryFaultUndoneOnTheLiveKernel() throws {
        try KernelSandbox.run { sandbox in
            let old = [rule(1), rule(2), rule(3), rule(4), rule(9)]
            for r in old { try sandbox.connection.addRule(r) }
            let before = try sandbox.connection.listRules()
            let target = [rule(0), rule(2), rule(3), rule(1), rule(4, uid: 31000), rule(5)]
            let steps = ApplyPlan.make(expected: target, actual: old).steps.count
            XCTAssertEqual(steps, 7)
            for k in 1 ... steps {
                let transport = FailingTransport(try AuditConnection(), failAt: k)
                let applier = AuditApplier(transport: transport)
                XCTAssertThrowsError(try applier.apply(target: { _ in target }, settings: [])) { error in
                    guard case ApplyError.refused(_, let restored, let problem)? = error as? ApplyError else { return XCTFail("\(k): \(error)") }
                    XCTAssertTrue(restored, "\(k): \(problem ?? "")")
                }
                XCTAssertTrue(try sandbox.connection.listRules() == before, "fault at \(k): the kernel is not as before")
            }
            _ = try AuditApplier(transport: try AuditConnection()).apply(target: { _ in target }, settings: [])
            XCTAssertEqual(try sandbox.connection.listRules().map { try WireCodec.decode($0) }, target)
        }
    }
}

/// The real kernel, except that the k-th write is refused with EINVAL before it is sent.
final class FailingTransport: AuditTransport {
    private let inner: AuditConnection
    private let failAt: Int
    private(set) var writes = 0

    init(_ inner: AuditConnection, failAt: Int) {
        self.inner = inner
        self.failAt = failAt
    }

    private func next() -> Bool {
        writes += 1
        return writes == failAt
    }

    func listRules() throws -> [[UInt8]] { try inner.listRules() }
    func status() throws -> AuditStatus { try inner.status() }

    func addRule(_ payload: [UInt8], prepend: Bool) throws {
        if next() { throw AuditKernelError.kernel(operation: "add", errno: EINVAL) }
        try inner.addRule(payload, prepend: prepend)
    }

    func deleteRules(_ payloads: [[UInt8]]) -> [AuditKernelError?] {
        payloads.map { next() ? .kernel(operation: "delete", errno: EINVAL) : inner.deleteRules([$0])[0] }
    }

    func set(_ option: String, to value: UInt32) throws {
        if next() { throw AuditKernelError.kernel(operation: option, errno: EINVAL) }
        try inner.set(option, to: value)
    }
}
