import Foundation
import XCTest

/// rules.d entries as augenrules reads them (`cat DIR/NAME` for each NAME of `ls -1v DIR | grep
/// '\.rules$'`), each skipped or odd entry reported; files checked as `auditctl -R` checks them.
final class RulesDirectoryEntryTests: XCTestCase {
    private func directory() throws -> String { try temporaryDirectory("rulesd") }

    private func write(_ text: String, _ path: String, mode: mode_t = 0o644) throws {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertEqual(chmod(path, mode), 0)
    }

    /// Every entry augenrules would not read, next to one it reads.
    private func oddDirectory() throws -> String {
        let dir = try directory()
        try write("-w /etc/hosts -p wa -k hosts\n", dir + "/10-ok.rules")
        try FileManager.default.createDirectory(atPath: dir + "/20-dir.rules", withIntermediateDirectories: false)
        try FileManager.default.createSymbolicLink(atPath: dir + "/30-dangling.rules", withDestinationPath: dir + "/nowhere")
        try FileManager.default.createSymbolicLink(atPath: dir + "/40-loop.rules", withDestinationPath: dir + "/40-loop.rules")
        try write("-w /etc/passwd -p wa -k hidden\n", dir + "/.50-hidden.rules")
        try write("-w /etc/group -p wa -k spaced\n", dir + "/60-with space.rules")
        try write("-w /etc/group -p wa -k notrules\n", dir + "/70-notes.txt")
        return dir
    }

    func testSkippedEntriesAreReported() throws {
        let dir = try oddDirectory()
        let r = try AurulesProcess.run(AurulesProcess.binary, ["lint", "--no-resolve", "--no-host-checks", dir])
        XCTAssertEqual(r.status, 0, r.out + r.err)
        for (name, why) in [("20-dir.rules", "a directory named *.rules"), ("30-dangling.rules", "a symbolic link to nothing"),
                            ("40-loop.rules", "a symbolic link loop"), (".50-hidden.rules", "hidden"),
                            ("60-with space.rules", "augenrules splits or expands this name")] {
            XCTAssertTrue(r.out.contains("\(dir)/\(name): warning: skipped: \(why)"), "\(name): \(r.out)")
        }
        XCTAssertFalse(r.out.contains("70-notes.txt"), "not a *.rules name: augenrules never looks at it")
        // What compile reads is what augenrules reads: the one file.
        let c = try AurulesProcess.run(AurulesProcess.binary, ["compile", "--machine", "x86_64", "--no-resolve", dir])
        XCTAssertEqual(c.status, 0, c.err)
        XCTAssertTrue(c.out.contains("-k hosts") || c.out.contains("key=hosts"), c.out)
        for key in ["hidden", "spaced", "notrules"] { XCTAssertFalse(c.out.contains("key=\(key)"), c.out) }
        XCTAssertTrue(c.err.contains("skipped: a symbolic link loop"), c.err)
    }

    /// A `.rules` link to /etc/shadow: augenrules would cat it; its lines and hashes must appear in
    /// no report, in any format.
    func testALinkToShadowLeaksNothing() throws {
        guard let shadow = try? String(contentsOfFile: "/etc/shadow", encoding: .utf8) else {
            throw XCTSkip("/etc/shadow is not readable here (not root)")
        }
        let dir = try directory()
        try write("-w /etc/hosts -p wa -k hosts\n", dir + "/10-ok.rules")
        try FileManager.default.createSymbolicLink(atPath: dir + "/50-shadow.rules", withDestinationPath: "/etc/shadow")
        // The secrets: each line, its user name with the colon, its password field when set.
        let secrets = shadow.split(separator: "\n").flatMap { line -> [String] in
            let fields = line.split(separator: ":", omittingEmptySubsequences: false)
            return [String(line), String(fields[0]) + ":"] + (fields.count > 1 && fields[1].count > 2 ? [String(fields[1])] : [])
        }
        XCTAssertFalse(secrets.isEmpty)
        let runs: [[String]] = [
            ["lint", "--no-resolve", "--no-host-checks", dir], ["lint", "--format", "json", "--no-resolve", dir],
            ["lint", "--format", "sarif", "--no-resolve", dir], ["lint", "--no-resolve", "--max-diagnostics", "0", dir + "/50-shadow.rules"],
            ["compile", "--machine", "x86_64", "--no-resolve", dir], ["compile", "--machine", "x86_64", "--no-resolve", dir + "/50-shadow.rules"],
            ["fmt", dir], ["check", dir, "--loaded", dir + "/10-ok.rules", "--machine", "x86_64", "--no-resolve"],
            ["check", dir + "/10-ok.rules", "--loaded", "/etc/shadow", "--machine", "x86_64", "--no-resolve"],
        ]
        for args in runs {
            let r = try AurulesProcess.run(AurulesProcess.binary, args)
            XCTAssertNotEqual(r.status, 0, "\(args)")
            XCTAssertTrue((r.out + r.err).contains("not an audit rules file"), "\(args): \(r.out + r.err)")
            for secret in secrets where (r.out + r.err).contains(secret) {
                XCTFail("\(args) quotes /etc/shadow: \(secret)")
            }
        }
    }

    func testOwnershipAndModeAsAuditctlChecksThem() throws {
        guard geteuid() == 0 else { throw XCTSkip("files owned by another user need root to make") }
        let dir = try directory()
        try write("-w /etc/hosts -p wa -k a\n", dir + "/10-ok.rules")
        try write("-w /etc/passwd -p wa -k b\n", dir + "/20-world.rules", mode: 0o666)
        try write("-w /etc/group -p wa -k c\n", dir + "/30-user.rules")
        XCTAssertEqual(chown(dir + "/30-user.rules", 1234, 0), 0)
        try write("-w /etc/shells -p wa -k d\n", dir + "/40-group.rules", mode: 0o664)
        XCTAssertEqual(chown(dir + "/40-group.rules", 0, 2345), 0)
        let world = "\(dir)/20-world.rules: error: world writable (mode 666): auditctl -R refuses it (\"is world writable\")"
        let user = "\(dir)/30-user.rules: error: owned by uid 1234, not root: auditctl -R refuses it (\"isn't owned by root\")"
        let group = "\(dir)/40-group.rules: warning: writable by group 2345 (mode 664)"
        let listing = dir + "/listing.txt"
        try write("No rules\n", listing)
        for args in [["compile", "--machine", "x86_64", "--no-resolve", dir], ["compile", "--machine", "x86_64", "--no-resolve", dir + "/20-world.rules"],
                     ["check", dir, "--loaded", listing, "--machine", "x86_64", "--no-resolve"]] {
            let r = try AurulesProcess.run(AurulesProcess.binary, args)
            if args[0] == "check" {
                // check shows a file it cannot load as an unloadable line of drift (DriftCheck): exit 1.
                XCTAssertEqual(r.status, 1, "\(args): \(r.out + r.err)")
                XCTAssertTrue((r.out + r.err).contains("world writable (mode 666): auditctl -R refuses it"), "\(args): \(r.out + r.err)")
            } else {
                XCTAssertEqual(r.status, 2, "\(args): \(r.err)")
                XCTAssertTrue(r.err.contains(world), "\(args): \(r.err)")
            }
            if args.last == dir, args[0] == "compile" {
                XCTAssertTrue(r.err.contains(user), r.err)
                XCTAssertTrue(r.err.contains(group), r.err)
            }
            XCTAssertEqual(args[0] == "compile" ? r.out : "", "", "nothing compiled")
            let allowed = try AurulesProcess.run(AurulesProcess.binary, args + ["--allow-unsafe-permissions"])
            XCTAssertLessThan(allowed.status, 2, "\(args): \(allowed.err)")
            XCTAssertTrue(allowed.err.contains("warning: world writable") || args[0] == "check", "\(args): \(allowed.err)")
        }
        // lint: warnings, so CI with --fail-on warning catches them.
        let lint = try AurulesProcess.run(AurulesProcess.binary, ["lint", "--no-resolve", "--no-host-checks", dir])
        XCTAssertEqual(lint.status, 0, lint.out)
        for expected in [world, user] {
            XCTAssertTrue(lint.out.contains(expected.replacingOccurrences(of: ": error: ", with: ": warning: ")), lint.out)
        }
        XCTAssertEqual(try AurulesProcess.run(AurulesProcess.binary, ["lint", "--fail-on", "warning", "--no-resolve", "--no-host-checks", dir]).status, 1)
    }
}
