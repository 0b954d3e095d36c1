import AuditKernel
import Foundation
import XCTest

/// `aurules check` reads the kernel's rules and status on two threads (KernelRead). It once
/// waited on the status before that thread had entered its group, and a live check exited 2
/// ("status read did not run") about once in a hundred runs on a host whose rules were
/// changing. Here another process adds and deletes a test rule in a loop while 1,000 live reads
/// run as `aurules check` runs them, and whole `aurules check` processes too: every read must
/// deliver the rules and the status, every check must report sync or drift.
final class CheckConcurrencyKernelTests: XCTestCase {
    func testLiveChecksWhileRulesChangeNeverFailSpuriously() throws {
        let aurules = try CheckKernelTests.aurulesPath()
        try KernelSandbox.run { sandbox in
            guard let auditctl = KernelSandbox.auditctlPath else { throw XCTSkip("auditctl is not installed") }
            let dir = NSTemporaryDirectory() + "aurules-race-\(getpid())"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let base = "-a always,exit -F arch=b64 -S execve -k aurules-test-base\n"
            let rules = dir + "/base.rules", stop = dir + "/stop"
            try base.write(toFile: rules, atomically: true, encoding: .utf8)
            chmod(rules, 0o600)
            try sandbox.load(rules: base)

            let churn = Process()
            churn.executableURL = URL(fileURLWithPath: "/bin/sh")
            let rule = "always,exit -F arch=b64 -S chmod -k aurules-test-churn"
            churn.arguments = ["-c", "n=0; while [ ! -e '\(stop)' ]; do \(auditctl) -a \(rule) >/dev/null 2>&1; "
                                   + "\(auditctl) -d \(rule) >/dev/null 2>&1; n=$((n+1)); done; echo $n"]
            let churnOut = Pipe()
            churn.standardOutput = churnOut
            try churn.run()
            defer {
                FileManager.default.createFile(atPath: stop, contents: nil)
                churn.waitUntilExit()
            }

            var failures: [String] = [], ruleCounts: Set<Int> = []
            for _ in 0 ..< 1_000 {
                do {
                    let (read, _) = try KernelRead().wait()
                    ruleCounts.insert(read.count)
                } catch {
                    failures.append("\(error)")
                }
            }
            var statuses: [Int32: Int] = [:], checkErrors: [String] = []
            for _ in 0 ..< 20 {
                let (status, _, err) = try KernelSandbox.runProcess(aurules, ["check", rules, "--no-resolve", "--format", "prometheus"])
                statuses[status, default: 0] += 1
                if status != 0 && status != 1 { checkErrors.append(err) }
            }
            FileManager.default.createFile(atPath: stop, contents: nil)
            churn.waitUntilExit()
            let cycles = String(decoding: churnOut.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            print("1,000 live reads: \(failures.count) failed, rule counts seen \(ruleCounts.sorted()); "
                  + "20 aurules check runs: exit statuses \(statuses.sorted { $0.key < $1.key }); \(cycles) add/delete cycles meanwhile")
            XCTAssertEqual(failures, [], "spurious read failures")
            XCTAssertEqual(checkErrors, [], "spurious check failures")
            // The rules really changed under the reads: some saw the churned rule, some did not.
            XCTAssertEqual(ruleCounts, [1, 2])
        }
    }
}
