import Foundation
import XCTest

/// CR LF files read as the loader reads them (CarriageReturnHandling): auditctl -R keeps the CR
/// in the last word in every release; augenrules removes it from 3.1.1 on. The kernel test
/// (CRLFKernelTests) shows auditctl 3.0.9 doing so.
final class CarriageReturnCLITests: XCTestCase {
    static let text = "-D\r\n\r\n-w /etc/passwd -p wa -k identity\r\n-a always,exit -F arch=b64 -S unlinkat\r\n# note\r\n-a always,exit -F arch=b64 -S openat -k files\r\n"

    /// Lint reports each line auditctl will refuse because of its CR, and only those.
    func testLintReportsEachLineTheLoaderRefuses() throws {
        let path = try LintCLI.temporaryFile(Self.text)
        let r = try LintCLI.run(["lint", "--no-resolve", "--audit-version", "3.0.9", "--format", "json", path])
        XCTAssertEqual(r.status, 1, r.err)
        let all = try XCTUnwrap((JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])?["diagnostics"] as? [[String: Any]], r.out)
        let errors = all.filter { $0["severity"] as? String == "error" }
        XCTAssertEqual(errors.compactMap { $0["line"] as? Int }, [1, 2, 4], "\(errors)")
        for e in errors { XCTAssertTrue((e["message"] as? String)?.contains("keeps the CR") == true, "\(e)") }
    }

    /// A rules.d directory goes through augenrules: 3.0.9's keeps the CR, 4.2's removes it. A file
    /// named on its own goes to auditctl -R, which keeps it in both.
    func testAugenrulesOfTheLoaderDecides() throws {
        let file = try LintCLI.temporaryFile(Self.text, name: "10-crlf.rules")
        let dir = URL(fileURLWithPath: file).deletingLastPathComponent().path
        func errors(_ version: String, _ path: String) throws -> Int {
            let r = try LintCLI.run(["lint", "--no-resolve", "--audit-version", version, "--format", "json", path])
            let all = try XCTUnwrap((JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])?["diagnostics"] as? [[String: Any]], r.out + r.err)
            return all.filter { $0["severity"] as? String == "error" }.count
        }
        XCTAssertEqual(try errors("3.0.9", dir), 3)
        XCTAssertEqual(try errors("4.2", dir), 0)
        XCTAssertEqual(try errors("4.2", file), 3)
    }

    /// Keys the loader kept a CR in are listed by `auditctl -l` with it (before the LF): such a
    /// listing reads, and a CRLF file checked against it is in sync.
    func testListingWithCRInKeysReads() throws {
        let rules = try LintCLI.temporaryFile("-w /etc/passwd -p wa -k identity\r\n-a always,exit -F arch=b64 -S openat -F auid>=1000 -k files\r\n")
        let listing = try LintCLI.temporaryFile("-w /etc/passwd -p wa -k identity\r\n-a always,exit -F arch=b64 -S openat -F auid>=1000 -F key=files\r\n",
                                                name: "l.txt")
        let r = try AurulesProcess.run(AurulesProcess.binary, ["check", rules, "--loaded", listing, "--machine", "x86_64", "--audit-version", "3.0.9"])
        XCTAssertEqual(r.status, 0, r.out + r.err)
        // Without the CR in the listing's keys, the kernel's rules are other rules.
        let plain = try LintCLI.temporaryFile("-w /etc/passwd -p wa -k identity\n-a always,exit -F arch=b64 -S openat -F auid>=1000 -F key=files\n",
                                              name: "p.txt")
        let drift = try AurulesProcess.run(AurulesProcess.binary, ["check", rules, "--loaded", plain, "--machine", "x86_64", "--audit-version", "3.0.9"])
        XCTAssertEqual(drift.status, 1, drift.out + drift.err)
        XCTAssertTrue(drift.out.contains("identity\\x0d"), drift.out)
    }

    /// apply reads the files as the host's loader does, exactly as check does: auditctl 3.0.9
    /// (installed here) keeps the CR, so the planned rule's key ends in it, a `-D\r` line is
    /// refused and nothing is changed. A dry run only reads the kernel.
    func testApplyFollowsTheLoaderAsCheckDoes() throws {
        guard geteuid() == 0 else { throw XCTSkip("not root: apply --dry-run reads the kernel's rules") }
        guard FileManager.default.fileExists(atPath: "/usr/sbin/auditctl") else { throw XCTSkip("auditctl 3.0.9 is not installed") }
        let lock = NSTemporaryDirectory() + "aurules-cr-apply-\(getpid()).lock"
        let rules = try LintCLI.temporaryFile("-w /etc/aurules-crlf-test -p wa -k aurules-testcr\r\n", name: "cr.rules")
        let r = try AurulesProcess.run(AurulesProcess.binary, ["apply", "--dry-run", "--format", "json", "--lock-file", lock, rules])
        XCTAssertEqual(r.status, 0, r.out + r.err)
        let changes = try XCTUnwrap((JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])?["changes"] as? [[String: Any]], r.out)
        let added = changes.filter { $0["change"] as? String == "add" }.compactMap { $0["rule"] as? String }
        XCTAssertEqual(added, ["-a always,exit -S all -F path=/etc/aurules-crlf-test -F perm=wa -F key=aurules-testcr\r"])
        // The text plan shows the CR escaped, never the raw byte.
        let text = try AurulesProcess.run(AurulesProcess.binary, ["apply", "--dry-run", "--lock-file", lock, rules])
        XCTAssertEqual(text.status, 0, text.out + text.err)
        XCTAssertFalse(text.out.utf8.contains(0x0D), text.out)
        XCTAssertTrue(text.out.contains("aurules-testcr\\x0d"), text.out)
        // check reads the same file the same way (the rule it expects has the CR in its key).
        let check = try AurulesProcess.run(AurulesProcess.binary, ["check", "--format", "json", rules])
        XCTAssertTrue(check.out.contains("aurules-testcr\\\\x0d"), check.out + check.err)
        // A line auditctl refuses for its CR: apply changes nothing and exits 2.
        let refused = try LintCLI.temporaryFile("-D\r\n-w /etc/aurules-crlf-test -p wa -k aurules-testcr\n", name: "d.rules")
        let d = try AurulesProcess.run(AurulesProcess.binary, ["apply", "--dry-run", "--lock-file", lock, refused])
        XCTAssertEqual(d.status, 2, d.out + d.err)
        XCTAssertTrue(d.err.contains("keeps the CR"), d.err)
    }
}
