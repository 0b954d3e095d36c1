import Foundation
import XCTest

/// `-o FILE` on every command that writes one: atomic replacement, the target's permission bits
/// kept, and a clear input error (exit 2) when the file cannot be written.
final class OutputFileTests: XCTestCase {
    private func directory() throws -> String {
        let dir = NSTemporaryDirectory() + "aurules-output-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        return dir
    }

    func testUnwritableOutputIsAnInputErrorWithTheReason() throws {
        let dir = try directory()
        let rules = dir + "/in.rules", listing = dir + "/l.txt"
        try "-w /etc/hosts -p wa -k net\n".write(toFile: rules, atomically: true, encoding: .utf8)
        try "-w /etc/hosts -p wa -k net\n".write(toFile: listing, atomically: true, encoding: .utf8)
        let target = dir + "/no/such/dir/out"
        for args in [["fmt", rules], ["compile", "--machine", "x86_64", rules],
                     ["check", rules, "--loaded", listing, "--machine", "x86_64"]] {
            let r = try AurulesProcess.run(AurulesProcess.binary, args + ["-o", target])
            XCTAssertEqual(r.status, 2, "\(args): \(r.err)")
            XCTAssertTrue(r.err.contains("cannot write \(target): No such file or directory"), "\(args): \(r.err)")
            XCTAssertFalse(r.err.contains("NSCocoaErrorDomain"), r.err)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).sorted(), ["in.rules", "l.txt"])
    }

    /// Standard output on a full disk: every command says so and exits 2 (a truncated SARIF
    /// report with exit 0 would pass a CI gate it should fail).
    func testFullStandardOutputIsAnError() throws {
        let dir = try directory()
        let rules = dir + "/in.rules", listing = dir + "/l.txt"
        try "-w /etc/hosts -p wa -k net\n".write(toFile: rules, atomically: true, encoding: .utf8)
        try "-w /etc/hosts -p wa -k net\n".write(toFile: listing, atomically: true, encoding: .utf8)
        // Against an empty listing the report and the plan are written in pieces as they are made.
        let empty = dir + "/empty.txt"
        try "".write(toFile: empty, atomically: true, encoding: .utf8)
        let drift = ["check", rules, "--loaded", empty, "--machine", "x86_64"]
        let commands = [["fmt", rules], ["lint", "--format", "sarif", rules], ["compile", "--machine", "x86_64", rules],
                        ["check", rules, "--loaded", listing, "--machine", "x86_64"], ["syscall", "x86_64", "clone"],
                        drift, drift + ["--plan"], drift + ["--format", "json"]]
        for args in commands {
            let r = try AurulesProcess.run("/bin/sh", ["-c", "exec \"$0\" \"$@\" > /dev/full", AurulesProcess.binary] + args)
            XCTAssertEqual(r.status, 2, "\(args): \(r.err)")
            XCTAssertTrue(r.err.contains("cannot write standard output: No space left on device"), "\(args): \(r.err)")
        }
    }

    func testReplacingAFileKeepsItsPermissions() throws {
        let dir = try directory()
        let path = dir + "/site.rules"
        try "-w /etc/hosts   -k net\n".write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o604)
        let r = try AurulesProcess.run(AurulesProcess.binary, ["fmt", path, "-o", path])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "-w /etc/hosts -k net\n")
        XCTAssertEqual((try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue, 0o604)
        let fresh = dir + "/new.rules"
        XCTAssertEqual(try AurulesProcess.run(AurulesProcess.binary, ["fmt", path, "-o", fresh]).status, 0)
        XCTAssertEqual((try FileManager.default.attributesOfItem(atPath: fresh)[.posixPermissions] as? NSNumber)?.intValue, 0o640)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).sorted(), ["new.rules", "site.rules"], "no temporary file left")
    }

    /// node_exporter's textfile collector does not run as root: a new metrics file must be readable.
    func testCheckReportsAreWorldReadable() throws {
        let dir = try directory()
        let rules = dir + "/in.rules", prom = dir + "/aurules.prom"
        try "-w /etc/hosts -p wa -k net\n".write(toFile: rules, atomically: true, encoding: .utf8)
        let r = try AurulesProcess.run(AurulesProcess.binary, ["check", rules, "--loaded", rules, "--machine", "x86_64",
                                                               "--format", "prometheus", "-o", prom])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual((try FileManager.default.attributesOfItem(atPath: prom)[.posixPermissions] as? NSNumber)?.intValue, 0o644)
    }

    /// `fmt --check -` checks standard input, which is read once.
    func testFmtCheckReadsStandardInput() throws {
        let messy = try AurulesProcess.run(AurulesProcess.binary, ["fmt", "--check", "-"], stdin: "-w /etc/hosts    -k   net\n")
        XCTAssertEqual(messy.status, 1, messy.err)
        // fmt --check lists what would change (standard input as "-") and nothing else.
        XCTAssertEqual(messy.out, "-\n", messy.err)
        XCTAssertEqual(messy.err, "")
        let clean = try AurulesProcess.run(AurulesProcess.binary, ["fmt", "--check", "-"], stdin: "-w /etc/hosts -k net\n")
        XCTAssertEqual(clean.status, 0, clean.err)
        let broken = try AurulesProcess.run(AurulesProcess.binary, ["fmt", "--check", "-"], stdin: "-w relative\n")
        XCTAssertEqual(broken.status, 2, broken.err)
    }
}
