import Foundation
import XCTest

final class FmtCommandTests: XCTestCase {
    func testPrintsCanonicalForm() throws {
        let path = try LintCLI.temporaryFile("# keep me\n-a   exit,always -F arch=b64 -S open -k k -S openat\n-w /etc/ssh/  -p wa\n")
        let r = try LintCLI.run(["fmt", path])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(r.out, "# keep me\n-a always,exit -F arch=b64 -S open,openat -k k\n-w /etc/ssh -p wa\n")
    }

    func testWritesAtomicallyAndIsIdempotent() throws {
        let path = try LintCLI.temporaryFile("-w /etc/hosts   -k  net\n")
        XCTAssertEqual(try LintCLI.run(["fmt", "--check", path]).status, 1)
        XCTAssertEqual(try LintCLI.run(["fmt", "-o", path, path]).status, 0)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "-w /etc/hosts -k net\n")
        XCTAssertEqual(try LintCLI.run(["fmt", "--check", path]).status, 0)
        let dir = (path as NSString).deletingLastPathComponent
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["t.rules"], "no temporary file left behind")
        XCTAssertEqual(try LintCLI.run(["fmt", "--check", dir]).status, 0)
        try "-w /etc/group   -p wa\n".write(toFile: dir + "/u.rules", atomically: true, encoding: .utf8)
        let r = try LintCLI.run(["fmt", "--check", dir])
        XCTAssertEqual(r.status, 1)
        // The files that would change, one per line, and nothing else.
        XCTAssertEqual(r.out, dir + "/u.rules\n")
        XCTAssertEqual(r.err, "")
    }

    /// `fmt --diff` prints a unified diff that patch(1) applies to give exactly fmt's output.
    func testDiffAppliesWithPatch() throws {
        let original = "# header\n-a   exit,always -F arch=b64 -S open -k k -S openat\n-w /etc/hosts -p wa\n\n\n\n-w /etc/group -p wa\n"
            + (1...12).map { "-w /etc/f\($0) -p wa\n" }.joined() + "-w /etc/ssh/  -p wa"
        let path = try LintCLI.temporaryFile(original)
        let diff = try LintCLI.run(["fmt", "--diff", path])
        XCTAssertEqual(diff.status, 1, diff.err)
        XCTAssertTrue(diff.out.hasPrefix("--- \(path)\n+++ \(path)\n@@ -1,"), diff.out)
        XCTAssertEqual(diff.out.components(separatedBy: "\n@@ ").count - 1, 2, "two hunks: the changes are more than 6 lines apart\n" + diff.out)
        let formatted = try LintCLI.run(["fmt", path]).out
        let patchFile = try LintCLI.temporaryFile(diff.out, name: "d.patch")
        let patched = try AurulesProcess.run("/usr/bin/patch", ["-s", path, patchFile])
        XCTAssertEqual(patched.status, 0, patched.out + patched.err)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), formatted)
        let again = try LintCLI.run(["fmt", "--diff", path])
        XCTAssertEqual(again.status, 0)
        XCTAssertEqual(again.out, "")
        let stdin = try LintCLI.run(["fmt", "--diff", "-"], stdin: "-b   320\n")
        XCTAssertEqual(stdin.out, "--- -\n+++ -\n@@ -1 +1 @@\n--b   320\n+-b 320\n")
        XCTAssertEqual(try LintCLI.run(["fmt", "--check", "-"], stdin: "-b   320\n").out, "-\n")
        XCTAssertEqual(try LintCLI.run(["fmt", "--check", "--diff", path]).status, 2)
    }

    /// Several inputs are formatted one after another, each whole; one file named twice is
    /// printed twice, not interleaved line by line.
    func testEachInputIsFormattedWholeInOrder() throws {
        let a = try LintCLI.temporaryFile("# a\n-w /etc/hosts   -k a1\n\n# a again\n-w /etc/group -k a2\n")
        let b = try LintCLI.temporaryFile("# b\n-w /etc/passwd  -k b1\n")
        let formattedA = "# a\n-w /etc/hosts -k a1\n\n# a again\n-w /etc/group -k a2\n"
        let twice = try LintCLI.run(["fmt", a, a])
        XCTAssertEqual(twice.status, 0, twice.err)
        XCTAssertEqual(twice.out, formattedA + formattedA)
        let both = try LintCLI.run(["fmt", b, a])
        XCTAssertEqual(both.out, "# b\n-w /etc/passwd -k b1\n" + formattedA)
    }

    /// fmt keeps a line that lint accepts acceptable: `-p` off the exit list stays `-p`
    /// (auditctl 3.0.9 refuses `-F perm=` there), and lint refuses `-p` where the kernel does.
    func testPermissionOptionOffTheExitListStaysAnOption() throws {
        let path = try LintCLI.temporaryFile("-a always,task -F uid=0 -p wa -k t\n")
        let r = try LintCLI.run(["fmt", path])
        XCTAssertEqual(r.out, "-a always,task -F uid=0 -p wa -k t\n")
        let formatted = try LintCLI.temporaryFile(r.out)
        let lint = try LintCLI.run(["lint", formatted])
        XCTAssertFalse(lint.out.contains("error"), lint.out)
        let fs = try LintCLI.temporaryFile("-a always,filesystem -F fstype=debugfs -p wa\n")
        let refused = try LintCLI.run(["lint", fs])
        XCTAssertEqual(refused.status, 1, refused.out + refused.err)
        XCTAssertTrue((refused.out + refused.err).contains(":1:40: error: -p cannot be used on the filesystem list"), refused.out + refused.err)
    }

    func testRefusesInvalidInput() throws {
        let path = try LintCLI.temporaryFile("-w relative\n")
        let r = try LintCLI.run(["fmt", path])
        XCTAssertEqual(r.status, 2)
        XCTAssertEqual(r.out, "")
        XCTAssertTrue(r.err.contains("\(path):1:4: error:"), r.err)
        let json = try LintCLI.run(["fmt", "--format", "json", path])
        XCTAssertEqual(json.status, 2)
        let doc = try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any]
        XCTAssertEqual(doc?["errors"] as? Int, 1)
    }

    func testJSONAndStandardInput() throws {
        let r = try LintCLI.run(["fmt", "--format", "json", "-"], stdin: "-D\n-b   320\n")
        XCTAssertEqual(r.status, 0, r.err)
        let doc = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: String]
        XCTAssertEqual(doc?["formatted"], "-D\n-b 320\n")
        XCTAssertTrue(try LintCLI.run(["fmt", "--help"]).out.contains("Examples:"))
    }
}
