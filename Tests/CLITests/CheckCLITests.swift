import Foundation
import XCTest

/// `aurules check` as a process: usage errors, saved listings, and the unprivileged message.
final class CheckCLITests: XCTestCase {
    private static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../../shared/corpus").standardized.path

    private func aurules() -> String { AurulesProcess.binary }

    private func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
        try AurulesProcess.run(executable, arguments)
    }

    private func corpusPair(_ name: String) throws -> (rules: String, listing: String) {
        let rules = "\(CheckCLITests.corpus)/files/\(name)", listing = "\(CheckCLITests.corpus)/loaded/\(name).auditctl-l.txt"
        guard FileManager.default.fileExists(atPath: rules), FileManager.default.fileExists(atPath: listing) else {
            throw XCTSkip("the shared corpus is not at \(CheckCLITests.corpus)")
        }
        return (rules, listing)
    }

    func testUnprivilegedUserIsToldAboutCapAuditControl() throws {
        guard geteuid() == 0 else { throw XCTSkip("not root: cannot switch to an unprivileged user") }
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") else { throw XCTSkip("setpriv is not installed") }
        let r = try run("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", aurules(), "check"])
        XCTAssertEqual(r.status, 2, r.err)
        XCTAssertTrue(r.err.contains("CAP_AUDIT_CONTROL"), r.err)
        XCTAssertTrue(r.err.contains("--loaded"), r.err)
        XCTAssertEqual(r.out, "")
    }

    /// A container: a new user namespace (ECONNREFUSED from the kernel) or PID namespace (EPERM)
    /// refuses audit control even with the capability; the message says so.
    func testContainerNamespacesAreExplained() throws {
        guard geteuid() == 0 else { throw XCTSkip("not root: cannot create the namespaces") }
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare") else { throw XCTSkip("unshare is not installed") }
        for (flags, errno) in [(["--user", "--map-root-user"], "ECONNREFUSED"), (["--pid", "--fork"], "EPERM")] {
            guard try run("/usr/bin/unshare", flags + ["/bin/true"]).status == 0 else {
                print("skipping \(flags): this kernel does not let us create that namespace")
                continue
            }
            let r = try run("/usr/bin/unshare", flags + [aurules(), "check"])
            XCTAssertEqual(r.status, 2, r.err)
            XCTAssertTrue(r.err.contains("(\(errno)) although this process has CAP_AUDIT_CONTROL"), r.err)
            XCTAssertTrue(r.err.contains("initial user and PID namespaces"), r.err)
        }
    }

    /// auditctl 3.0.9's own listing after loading a corpus file is in sync with that file.
    func testSavedListingOfTheSameFilesIsInSync() throws {
        let (rules, listing) = try corpusPair("audit-userspace/30-ospp-v42-1-create-failed.rules")
        let r = try run(aurules(), ["check", rules, "--loaded", listing, "--machine", "x86_64", "--kernel", "6.18"])
        XCTAssertEqual(r.status, 0, r.err + r.out)
        XCTAssertTrue(r.out.contains("In sync: 12 rules"), r.out)
    }

    /// `ssh web1 auditctl -l | aurules check --loaded -`
    func testSavedListingFromStandardInput() throws {
        let (rules, listing) = try corpusPair("audit-userspace/30-ospp-v42-1-create-failed.rules")
        let r = try AurulesProcess.run(aurules(), ["check", rules, "--loaded", "-", "--machine", "x86_64"],
                                       stdin: try String(contentsOfFile: listing, encoding: .utf8))
        XCTAssertEqual(r.status, 0, r.out + r.err)
        XCTAssertTrue(r.out.contains("In sync: 12 rules"), r.out)
        XCTAssertEqual(try run(aurules(), ["check", rules, "--loaded", "/", "--machine", "x86_64"]).status, 2)
    }

    /// A listing cut in the middle of a line (a broken ssh pipe, a full disk) is damaged: its
    /// last piece must not be compared as a rule that nobody wrote.
    func testTruncatedListingIsDamagedNotDrift() throws {
        let (rules, listing) = try corpusPair("audit-userspace/30-ospp-v42-1-create-failed.rules")
        let text = try String(contentsOfFile: listing, encoding: .utf8)
        let cut = String(text.dropLast(5))
        XCTAssertFalse(cut.hasSuffix("\n"))
        let r = try AurulesProcess.run(aurules(), ["check", rules, "--loaded", "-", "--machine", "x86_64", "--kernel", "6.18"], stdin: cut)
        XCTAssertEqual(r.status, 2, r.out + r.err)
        XCTAssertTrue(r.err.contains("the saved listing - is damaged: its last line ends without a newline"), r.err)
        XCTAssertFalse(r.out.contains("unexpected"), r.out)
    }

    func testSavedListingOfOtherFilesDrifts() throws {
        let (rules, _) = try corpusPair("audit-userspace/30-ospp-v42-1-create-failed.rules")
        let (_, other) = try corpusPair("audit-userspace/30-ospp-v42-2-modify-failed.rules")
        let r = try run(aurules(), ["check", rules, "--loaded", other, "--machine", "x86_64", "--kernel", "6.18", "--format", "json"])
        XCTAssertEqual(r.status, 1, r.err)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        let counts = try XCTUnwrap(json["counts"] as? [String: Int])
        XCTAssertEqual(counts["missing"], 12)
        XCTAssertEqual(counts["in_sync"], 0)
        XCTAssertEqual((json["unexpected"] as? [[String: Any]])?.first?["key"] as? String, "unsuccessful-modification")
    }

    func testPrometheusFileIsWrittenEvenOnFailure() throws {
        let dir = NSTemporaryDirectory() + "aurules-check-cli-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let prom = dir + "/aurules.prom"
        let r = try run(aurules(), ["check", dir + "/missing.rules", "--loaded", dir + "/missing.txt", "--format", "prometheus", "-o", prom])
        XCTAssertEqual(r.status, 2)
        let text = try String(contentsOfFile: prom, encoding: .utf8)
        XCTAssertTrue(text.contains("\naurules_check_success 0\n"), text)
        XCTAssertTrue(text.contains("aurules_check_last_run_timestamp_seconds "), text)

        let (rules, listing) = try corpusPair("audit-userspace/30-ospp-v42-1-create-failed.rules")
        let ok = try run(aurules(), ["check", rules, "--loaded", listing, "--machine", "x86_64", "--format", "prometheus", "-o", prom])
        XCTAssertEqual(ok.status, 0, ok.err)
        let good = try String(contentsOfFile: prom, encoding: .utf8)
        for line in ["aurules_check_success 1", "aurules_rules_in_sync 12", "aurules_drift{kind=\"missing\"} 0", "aurules_check_in_sync 1"] {
            XCTAssertTrue(good.contains("\n\(line)\n"), good)
        }
    }

    /// A value the parser refuses (an unknown user) is one unloadable line with one reason, not
    /// one from the parser and another from the compiler.
    func testEachErrorInTheFilesIsReportedOnce() throws {
        let rules = try LintCLI.temporaryFile("-a never,exit -F arch=b64 -S adjtimex -F uid=aurules-no-such-user\n")
        let listing = try LintCLI.temporaryFile("", name: "l.txt")
        let r = try run(aurules(), ["check", rules, "--loaded", listing, "--machine", "x86_64", "--format", "json"])
        XCTAssertEqual(r.status, 1, r.err)
        let doc = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        let lines = try XCTUnwrap(doc["unloadable"] as? [[String: Any]])
        XCTAssertEqual(lines.count, 1)
        XCTAssertEqual(lines.first?["reasons"] as? [String], ["Unknown user: aurules-no-such-user"])
        XCTAssertEqual(lines.first?["host_dependent"] as? Bool, true)
    }

    /// Below the tables' first release for the machine every syscall rule would be dropped on both
    /// sides and a drifted host reported in sync: that is an error, not a verdict.
    func testKernelBeforeTheTablesIsAnError() throws {
        let rules = try LintCLI.temporaryFile("-a always,exit -F arch=b64 -S openat -k a\n")
        let listing = try LintCLI.temporaryFile("-a always,exit -F arch=b64 -S execve -F key=a\n", name: "l.txt")
        let r = try run(aurules(), ["check", rules, "--loaded", listing, "--machine", "aarch64", "--kernel", "4.8"])
        XCTAssertEqual(r.status, 2, r.out + r.err)
        XCTAssertTrue(r.err.contains("aarch64") && r.err.contains("4.9"), r.err)
        XCTAssertEqual(try run(aurules(), ["check", rules, "--loaded", listing, "--machine", "aarch64", "--kernel", "4.9"]).status, 1)
    }

    /// `auditctl -l` prints spaces in keys and paths as they are; the saved listing still reads.
    func testSavedListingWithSpacesInKeysAndPaths() throws {
        let rules = try LintCLI.temporaryFile("-a always,exit -F arch=b64 -S ptrace -k by\\ hand\n-w /srv/my\\ dir/x -p wa -k web\\ files\n")
        let listing = try LintCLI.temporaryFile("-a always,exit -F arch=b64 -S ptrace -F key=by hand\n-w /srv/my dir/x -p wa -k web\n", name: "l.txt")
        let r = try run(aurules(), ["check", rules, "--loaded", listing, "--machine", "x86_64", "--watch-kind", "path"])
        XCTAssertEqual(r.status, 1, r.out + r.err)
        XCTAssertTrue(r.out.contains("Drift: 1 in sync, 1 missing, 1 unexpected"), r.out + r.err)
        XCTAssertTrue(r.out.contains("- 1 unexpected rule with key \"web\""), r.out)
    }

    /// The kernel keeps `-F dir=/etc/selinux/`'s slash and `auditctl -l` prints it as
    /// `-w /etc/selinux/`: a listing's watch path is the kernel's, not trimmed as `-w` input is.
    func testSavedListingKeepsTrailingSlashes() throws {
        let rules = try LintCLI.temporaryFile("-a always,exit -F dir=/etc/selinux/ -F perm=wa -F key=MAC-policy\n-w /etc/ssh/ -p wa -k ssh\n")
        let listing = try LintCLI.temporaryFile("-w /etc/selinux/ -p wa -k MAC-policy\n-w /etc/ssh -p wa -k ssh\n", name: "l.txt")
        let r = try run(aurules(), ["check", rules, "--loaded", listing, "--machine", "x86_64"])
        XCTAssertEqual(r.status, 0, r.out + r.err)
        XCTAssertTrue(r.out.contains("In sync: 2 rules"), r.out + r.err)
        // The slash is compared, not ignored: without it in the listing the rule changed.
        let trimmed = try LintCLI.temporaryFile("-w /etc/selinux -p wa -k MAC-policy\n-w /etc/ssh -p wa -k ssh\n", name: "t.txt")
        let changed = try run(aurules(), ["check", rules, "--loaded", trimmed, "--machine", "x86_64"])
        XCTAssertEqual(changed.status, 1, changed.out + changed.err)
        XCTAssertTrue(changed.out.contains("1 changed"), changed.out)
        // The corpus file that showed it (auditctl 3.0.9's own listing): line 67 is in sync.
        let (file, saved) = try corpusPair("audit-userspace-history/484928d3__stig.rules")
        let corpus = try run(aurules(), ["check", file, "--loaded", saved, "--machine", "x86_64", "--kernel", "6.18"])
        XCTAssertFalse(corpus.out.contains("changed in the kernel"), corpus.out)
        XCTAssertTrue(corpus.out.contains(" 0 changed"), corpus.out)
    }

    func testFailureInJSONIsAJSONDocument() throws {
        let rules = try LintCLI.temporaryFile("-w relative -k x\n")
        let r = try run(aurules(), ["check", rules, "--loaded", rules, "--machine", "x86_64", "--format", "json"])
        XCTAssertEqual(r.status, 2, r.err)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any], r.out)
        XCTAssertTrue((json["error"] as? String)?.contains("error") == true, r.out)
    }

    func testUsageErrors() throws {
        let exe = aurules()
        XCTAssertEqual(try run(exe, ["check", "--machine", "aarch64"]).status, 2)
        XCTAssertEqual(try run(exe, ["check", "--status", "/dev/null"]).status, 2)
        XCTAssertEqual(try run(exe, ["check", "--watch-kind", "maybe"]).status, 2)
        let help = try run(exe, ["check", "--help"])
        XCTAssertTrue(help.out.contains("--loaded"), help.out)
        XCTAssertTrue(help.out.contains("Examples:"), help.out)
    }
}
