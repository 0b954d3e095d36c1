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
}
