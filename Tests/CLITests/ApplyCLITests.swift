import Foundation
import XCTest

/// `aurules apply` as a process, where no kernel change can happen: invalid rules and bad usage
/// stop it before the kernel is changed, and without CAP_AUDIT_CONTROL it says what is missing.
final class ApplyCLITests: XCTestCase {
    private func temporaryRules(_ text: String) throws -> (directory: String, file: String) {
        let dir = NSTemporaryDirectory() + "aurules-apply-cli-\(getpid())-\(UInt32.random(in: 0 ... .max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let file = dir + "/bad.rules"
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return (dir, file)
    }

    func testInvalidRulesChangeNothingAndExit2() throws {
        let (dir, file) = try temporaryRules("-a always,exit -F arch=b64 -S openat -k aurules-test-ok\n-a always,exit -S nosuchcall\n")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try AurulesProcess.run(AurulesProcess.binary, ["apply", "--lock-file", dir + "/lock", file])
        XCTAssertEqual(r.status, 2, r.err)
        XCTAssertTrue(r.err.contains("bad.rules:2:"), r.err)
        XCTAssertTrue(r.err.contains("nothing was changed"), r.err)
        XCTAssertEqual(r.out, "")
    }

    func testBadUsageExits2() throws {
        let r = try AurulesProcess.run(AurulesProcess.binary, ["apply", "--format", "yaml"])
        XCTAssertEqual(r.status, 2, r.err)
        let help = try AurulesProcess.run(AurulesProcess.binary, ["apply", "--help"])
        XCTAssertTrue(help.out.contains("--keep-key"), help.out)
        XCTAssertTrue(help.out.contains("--dry-run"), help.out)
    }

    func testUnprivilegedUserIsToldAboutCapAuditControl() throws {
        guard geteuid() == 0 else { throw XCTSkip("not root: cannot switch to an unprivileged user") }
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") else { throw XCTSkip("setpriv is not installed") }
        let (dir, file) = try temporaryRules("-a always,exit -F arch=b64 -S openat -k aurules-test-ok\n")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        chmod(dir, 0o777)
        let r = try AurulesProcess.run("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", AurulesProcess.binary,
                                                            "apply", "--lock-file", dir + "/lock", file])
        XCTAssertEqual(r.status, 2, r.err)
        XCTAssertTrue(r.err.contains("CAP_AUDIT_CONTROL"), r.err)
    }

    /// apply takes its lock before it reads the kernel, also when it starts reading before its
    /// command line is parsed: one started while the lock is held says it waits, and is still
    /// waiting until the lock is let go.
    func testBusyLockIsWaitedFor() throws {
        guard geteuid() == 0 else { throw XCTSkip("not root: apply cannot read the kernel") }
        let (dir, file) = try temporaryRules("-a always,exit -F arch=b64 -S openat -k aurules-test-ok\n")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        chmod(file, 0o600)
        let lock = open(dir + "/lock", O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        XCTAssertEqual(flock(lock, LOCK_EX), 0)
        var held = true
        defer { if held { close(lock) } }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: AurulesProcess.binary)
        p.arguments = ["apply", "--dry-run", "--lock-file=" + dir + "/lock", file]
        let out = Pipe(), err = Pipe()
        (p.standardOutput, p.standardError, p.standardInput) = (out, err, FileHandle.nullDevice)
        try p.run()
        // Blocks until apply writes to standard error (or exits).
        let first = String(decoding: err.fileHandleForReading.availableData, as: UTF8.self)
        XCTAssertTrue(first.contains("waiting for another apply to finish"), first)
        XCTAssertTrue(p.isRunning, "apply went on without the lock")
        close(lock)
        held = false
        let printed = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, printed)
        XCTAssertTrue(printed.contains("dry run: nothing was changed"), printed)
    }
}
