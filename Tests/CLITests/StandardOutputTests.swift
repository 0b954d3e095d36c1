import Foundation
import XCTest

/// Every write to standard output is checked, for every command: a report cut short by a full
/// disk exits 2 with a message, never 0 (a truncated SARIF report must not pass a CI gate).
final class StandardOutputTests: XCTestCase {
    private func directory() throws -> String { try temporaryDirectory("stdout") }

    /// A 64 KiB tmpfs, mounted for the test and unmounted after it.
    private func smallFilesystem() throws -> String {
        guard geteuid() == 0 else { throw XCTSkip("mounting a small tmpfs needs root") }
        let mountPoint = try directory() + "/small"
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: false)
        let mounted = try AurulesProcess.run("/bin/mount", ["-t", "tmpfs", "-o", "size=64k", "aurules-test-small", mountPoint])
        guard mounted.status == 0 else { throw XCTSkip("mount of a tmpfs is not permitted here: \(mounted.err)") }
        addTeardownBlock { _ = try? AurulesProcess.run("/bin/umount", [mountPoint]) }
        return mountPoint
    }

    /// Runs `aurules args > target` through the shell (stdout is the file itself, not a pipe).
    private func run(_ args: [String], stdoutTo target: String) throws -> (status: Int32, out: String, err: String) {
        try AurulesProcess.run("/bin/sh", ["-c", "exec \"$0\" \"$@\" > '\(target)'", AurulesProcess.binary] + args)
    }

    /// Inputs whose reports are far larger than the filesystem, stdio's buffer and a pipe.
    private func largeInputs(_ dir: String) throws -> (rules: String, rulesDirectory: String, listing: String) {
        let rules = dir + "/big.rules"
        try (0 ..< 4000).map { "-w /etc/aurules-test-\($0) -p wa -k key\($0)\n" }.joined().write(toFile: rules, atomically: true, encoding: .utf8)
        let rulesDirectory = dir + "/rules.d"
        try FileManager.default.createDirectory(atPath: rulesDirectory, withIntermediateDirectories: true)
        // Rules that load but draw warnings (no -F arch=): each file reports all of its lines.
        for f in 0 ..< 10 {
            try (0 ..< 80).map { "-a always,exit -S open -F auid=\(1000 + $0) -k f\(f)\n" }.joined()
                .write(toFile: rulesDirectory + "/\(10 + f)-w.rules", atomically: true, encoding: .utf8)
        }
        let listing = dir + "/listing.txt"
        try "No rules\n".write(toFile: listing, atomically: true, encoding: .utf8)
        return (rules, rulesDirectory, listing)
    }

    func testEveryCommandFailsWhenAFullFilesystemCutsItsOutput() throws {
        let small = try smallFilesystem()
        let dir = try directory()
        let (rules, rulesDirectory, listing) = try largeInputs(dir)
        let target = small + "/out"
        let commands: [[String]] = [
            ["fmt", rules], ["fmt", "--format", "json", rules],
            ["compile", "--machine", "x86_64", "--no-resolve", rules], ["compile", "--machine", "x86_64", "--no-resolve", "--format", "json", rules],
            ["lint", "--no-resolve", "--no-host-checks", rulesDirectory], ["lint", "--no-resolve", "--no-host-checks", "--format", "json", rulesDirectory],
            ["lint", "--no-resolve", "--no-host-checks", "--format", "sarif", rulesDirectory],
            ["check", rules, "--loaded", listing, "--machine", "x86_64", "--no-resolve"],
            ["check", rules, "--loaded", listing, "--machine", "x86_64", "--no-resolve", "--plan"],
            ["check", rules, "--loaded", listing, "--machine", "x86_64", "--no-resolve", "--format", "json"],
        ]
        for args in commands {
            // Large enough to fail only after the first writes succeeded.
            let unlimited = try run(args, stdoutTo: "/dev/null")
            XCTAssertLessThan(unlimited.status, 2, "\(args): \(unlimited.err)")
            let r = try run(args, stdoutTo: target)
            XCTAssertEqual(r.status, 2, "\(args): \(r.err)")
            XCTAssertTrue(r.err.contains("cannot write standard output: No space left on device"), "\(args): \(r.err)")
            let written = (try? FileManager.default.attributesOfItem(atPath: target)[.size] as? NSNumber)?.intValue ?? 0
            XCTAssertGreaterThan(written, 0, "\(args): the failure came after some output was written")
            try FileManager.default.removeItem(atPath: target)
        }
    }

    /// The small answers too, when the filesystem is full before they start.
    func testSmallOutputsOnAFullFilesystem() throws {
        let small = try smallFilesystem()
        let filler = FileHandle(forWritingAtPath: small + "/filler") ?? {
            FileManager.default.createFile(atPath: small + "/filler", contents: nil)
            return FileHandle(forWritingAtPath: small + "/filler")!
        }()
        let page = Data(count: 4096)
        while (try? filler.write(contentsOf: page)) != nil {}
        try filler.close()
        let target = small + "/out"
        let exportDir = try directory() + "/export"
        for args in [["syscall", "x86_64", "clone"], ["syscall", "x86_64", "--dump"], ["syscall", "--format", "json", "--all", "open"],
                     ["syscall", "--history", "clone"], ["lint", "--list-checks"], ["lint", "--explain", "AUR001"],
                     ["tables", "export", exportDir]] {
            let r = try run(args, stdoutTo: target)
            XCTAssertEqual(r.status, 2, "\(args): \(r.err)")
            XCTAssertTrue(r.err.contains("cannot write standard output: No space left on device"), "\(args): \(r.err)")
        }
    }
}
