import AuditKernel
import AuditRules
import Foundation
import XCTest

/// `aurules check` against the running kernel and against saved listings of it: a corpus rule
/// set loaded by auditctl, then one drift at a time, each reported as the right kind with the
/// right source line and nothing else.
final class CheckKernelTests: XCTestCase {
    /// Settings, explicit syscall rules with dir/filetype/bit tests, arch-less path rules, and
    /// auditd's own OSPP rules: 29 rules, in augenrules order.
    static let corpusFiles = ["audit-userspace/10-base-config.rules", "audit-userspace/25-make-exec.rules",
                              "audit-userspace/25-unpacking.rules", "audit-userspace/30-ospp-v42-1-create-failed.rules"]

    struct RuleSet {
        var directory: String
        var text: String
        /// (file, line) of each rule in load order: the kernel holds them in this order.
        var ruleLines: [(file: String, line: Int)]
        var backlogLine: (file: String, line: Int)
    }

    struct CheckResult {
        var exit: Int32
        var json: [String: Any]
        var stderr: String

        var counts: [String: Int] { json["counts"] as? [String: Int] ?? [:] }
        func entries(_ kind: String) -> [[String: Any]] { json[kind] as? [[String: Any]] ?? [] }
    }

    func testDriftScenariosLiveAndFromSavedListings() throws {
        let set = try makeRuleSet()
        defer { try? FileManager.default.removeItem(atPath: set.directory) }
        try KernelSandbox.run { sandbox in
            try sandbox.load(rules: set.text)
            let baseline = try sandbox.connection.listRules()
            XCTAssertEqual(baseline.count, set.ruleLines.count, "auditctl loaded every rule")

            try scenario("in sync", sandbox, set) { results in
                for r in results {
                    XCTAssertEqual(r.exit, 0, r.stderr)
                    XCTAssertEqual(r.counts["in_sync"], baseline.count)
                    XCTAssertEqual(r.json["in_sync"] as? Bool, true)
                }
            }

            let deleted = 6
            try sandbox.replaceRules(baseline.enumerated().filter { $0.offset != deleted }.map(\.element))
            try scenario("rule deleted", sandbox, set) { results in
                for r in results {
                    self.assertOnly("missing", in: r)
                    self.assertSource(r.entries("missing").first?["source"], set.ruleLines[deleted])
                }
            }

            try sandbox.replaceRules(baseline)
            try sandbox.auditctl(["-a", "always,exit", "-F", "arch=b64", "-S", "chmod", "-k", "aurules-test-other"])
            try scenario("rule of another key added", sandbox, set) { results in
                for r in results {
                    self.assertOnly("unexpected", in: r)
                    XCTAssertEqual(r.entries("unexpected").first?["key"] as? String, "aurules-test-other")
                }
            }

            let changedIndex = 20
            var modified = try WireCodec.decode(baseline[changedIndex])
            let auid = try XCTUnwrap(modified.fields.firstIndex { $0.id == 9 && $0.op == .greaterOrEqual })
            modified.fields[auid].value = 1001
            var withChange = baseline
            withChange[changedIndex] = WireCodec.encode(modified)
            try sandbox.replaceRules(withChange)
            try scenario("one field changed", sandbox, set) { results in
                for r in results {
                    self.assertOnly("changed", in: r)
                    let c = r.entries("changed").first
                    self.assertSource(c?["source"], set.ruleLines[changedIndex])
                    XCTAssertEqual(c?["fields_added"] as? [String], ["-F auid>=1001"])
                    XCTAssertEqual(c?["fields_removed"] as? [String], ["-F auid>=1000"])
                }
            }

            let swapped = 14
            var withSwap = baseline
            withSwap.swapAt(swapped, swapped + 1)
            try sandbox.replaceRules(withSwap)
            try scenario("two rules swapped", sandbox, set) { results in
                for r in results {
                    self.assertOnly("out_of_order", in: r)
                    let moved = (r.entries("out_of_order").first?["moved"] as? [[String: Any]])?.first
                    let lines = [moved?["source"], moved?["expected_after"]].compactMap { ($0 as? [String: Any])?["line"] as? Int }
                    XCTAssertEqual(Set(lines), [set.ruleLines[swapped].line, set.ruleLines[swapped + 1].line])
                }
            }

            try sandbox.replaceRules(baseline)
            let backlog = try sandbox.connection.status().backlogLimit
            try sandbox.connection.setBacklogLimit(backlog + 1)
            try scenario("backlog limit changed", sandbox, set) { results in
                for r in results {
                    self.assertOnly("settings", in: r)
                    let s = r.entries("settings").first
                    XCTAssertEqual(s?["option"] as? String, "-b")
                    XCTAssertEqual(s?["actual"] as? Int, Int(backlog + 1))
                    self.assertSource(s?["source"], set.backlogLine)
                }
            }
        }
    }

    /// `--plan` after several drifts at once: running its commands gives back exactly the rules
    /// and settings the files asked for.
    func testPlanReconciles() throws {
        let set = try makeRuleSet()
        defer { try? FileManager.default.removeItem(atPath: set.directory) }
        try KernelSandbox.run { sandbox in
            try sandbox.load(rules: set.text)
            let baseline = try sandbox.connection.listRules()
            let backlog = try sandbox.connection.status().backlogLimit
            var drifted = baseline
            var changed = try WireCodec.decode(drifted[3])
            changed.fields.removeLast(2)
            drifted[3] = WireCodec.encode(changed)
            drifted.swapAt(10, 11)
            drifted.remove(at: 20)
            try sandbox.replaceRules(drifted)
            try sandbox.auditctl(["-a", "always,exit", "-F", "arch=b32", "-S", "chmod", "-F", "auid>=1000", "-k", "aurules-test-other"])
            try sandbox.connection.setBacklogLimit(backlog + 3)
            XCTAssertEqual(try runCheck([set.directory]).exit, 1)

            let (status, plan, err) = try KernelSandbox.runProcess(try CheckKernelTests.aurulesPath(), ["check", "--plan", set.directory])
            XCTAssertEqual(status, 1, err)
            let commands = plan.split(separator: "\n").filter { !$0.hasPrefix("#") }
            XCTAssertFalse(commands.contains { $0.contains(" -e ") }, plan)
            for command in commands {
                XCTAssertTrue(command.hasPrefix("auditctl "), String(command))
                let (rc, _, stderr) = try KernelSandbox.runProcess("/bin/sh", ["-c", String(command)])
                XCTAssertEqual(rc, 0, "\(command): \(stderr)")
            }
            print("check --plan: \(commands.count) auditctl commands reconciled the kernel")
            XCTAssertEqual(try runCheck([set.directory]).exit, 0)
            let after = try sandbox.connection.listRules()
            XCTAssertTrue(after == baseline, "the kernel holds \(after.count) rules, \(zip(after, baseline).filter { $0 != $1 }.count) "
                          + "differ from the \(baseline.count) auditctl loaded")
            XCTAssertEqual(try sandbox.connection.status().backlogLimit, backlog)
        }
    }

    /// auditctl 3.0.9 lists an arch-less syscall rule by the previous arch's table; the saved
    /// listing check reads it back that way and finds the files in sync.
    func testArchlessRuleAfterB32RuleInSavedListing() throws {
        let dir = NSTemporaryDirectory() + "aurules-check-archless-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let rules = "-a always,exit -F arch=b32 -S open -k aurules-test-a32\n-a always,exit -S openat,chmod -F auid>=1000 -k aurules-test-noarch\n"
        try rules.write(toFile: dir + "/rules", atomically: true, encoding: .utf8)
        chmod(dir + "/rules", 0o600)
        try KernelSandbox.run { sandbox in
            try sandbox.load(rules: rules)
            let listing = try sandbox.listing()
            XCTAssertFalse(listing.map(\.utf8String).joined().contains("openat"), "auditctl 3.0.9 names them by i386's table: \(listing.map(\.utf8String))")
            try (listing.map(\.utf8String).joined(separator: "\n") + "\n").write(toFile: dir + "/listing", atomically: true, encoding: .utf8)
            XCTAssertEqual(try runCheck([dir + "/rules"]).exit, 0)
            let saved = try runCheck([dir + "/rules", "--loaded", dir + "/listing", "--machine", "x86_64", "--kernel", "6.18"])
            XCTAssertEqual(saved.exit, 0, "\(saved.json)")
            XCTAssertTrue(saved.stderr.contains("read as auditctl 3.0.9 lists them"), saved.stderr)
        }
    }

    /// Runs the check live and from `auditctl -l` / `auditctl -s` saved now, and hands both results over.
    private func scenario(_ name: String, _ sandbox: KernelSandbox, _ set: RuleSet,
                          _ verify: ([CheckResult]) throws -> Void) throws {
        let listing = set.directory + "/../listing-\(getpid()).txt", status = set.directory + "/../status-\(getpid()).txt"
        defer { unlink(listing); unlink(status) }
        try sandbox.auditctl(["-l"]).write(toFile: listing, atomically: true, encoding: .utf8)
        try sandbox.auditctl(["-s"]).write(toFile: status, atomically: true, encoding: .utf8)
        let live = try runCheck([set.directory])
        let saved = try runCheck([set.directory, "--loaded", listing, "--status", status, "--machine", "x86_64",
                                  "--kernel", "6.18"])
        print("check scenario \(name): live exit \(live.exit), saved listing exit \(saved.exit)")
        try verify([live, saved])
    }

    private func assertOnly(_ kind: String, in r: CheckResult, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(r.exit, 1, r.stderr, file: file, line: line)
        let keys = ["missing", "unexpected", "changed", "out_of_order", "settings"]
        for k in keys {
            XCTAssertEqual(r.counts[k], k == kind ? 1 : 0, "\(k) in \(r.json)", file: file, line: line)
        }
    }

    private func assertSource(_ source: Any?, _ expected: (file: String, line: Int), file: StaticString = #filePath, line: UInt = #line) {
        let s = source as? [String: Any]
        XCTAssertEqual((s?["file"] as? String).map { URL(fileURLWithPath: $0).lastPathComponent }, URL(fileURLWithPath: expected.file).lastPathComponent,
                       file: file, line: line)
        XCTAssertEqual(s?["line"] as? Int, expected.line, file: file, line: line)
    }

    private func runCheck(_ arguments: [String]) throws -> CheckResult {
        let (status, out, err) = try KernelSandbox.runProcess(try CheckKernelTests.aurulesPath(), ["check", "--format", "json"] + arguments)
        guard let json = try? JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any] else {
            throw SandboxError("aurules check \(arguments) printed no JSON (exit \(status)): \(err)\(out)")
        }
        return CheckResult(exit: status, json: json, stderr: err)
    }

    static func aurulesPath() throws -> String {
        let candidates = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path,
                          FileManager.default.currentDirectoryPath + "/.build/debug"]
            .flatMap { [$0 + "/aurules", $0 + "/../aurules", $0 + "/../../../aurules"] }
        guard let path = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw XCTSkip("the aurules executable is not built next to the tests")
        }
        return path
    }

    /// The corpus files copied to a private rules.d (auditctl refuses world-writable files).
    private func makeRuleSet() throws -> RuleSet {
        let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../shared/corpus/files").standardized.path
        let dir = NSTemporaryDirectory() + "aurules-check-\(getpid())/rules.d"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var text = "", ruleLines: [(String, Int)] = [], backlogLine: (String, Int)?
        for name in CheckKernelTests.corpusFiles {
            guard let content = try? String(contentsOfFile: corpus + "/" + name, encoding: .utf8) else {
                throw XCTSkip("the shared corpus is not at \(corpus)")
            }
            let target = dir + "/" + URL(fileURLWithPath: name).lastPathComponent
            try content.write(toFile: target, atomically: true, encoding: .utf8)
            chmod(target, 0o600)
            for (i, line) in content.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                if line.hasPrefix("-a ") || line.hasPrefix("-w ") { ruleLines.append((target, i + 1)) }
                if line.hasPrefix("-b ") { backlogLine = (target, i + 1) }
            }
            text += content.hasSuffix("\n") ? content : content + "\n"
        }
        return RuleSet(directory: dir, text: text, ruleLines: ruleLines, backlogLine: try XCTUnwrap(backlogLine))
    }
}
