import Foundation
import XCTest

/// Inputs: regular files, standard input, pipes and FIFOs are read (process substitution, /dev/fd/N);
/// character and block devices are refused with exit 2 instead of being read forever.
final class InputKindTests: XCTestCase {
    private func directory() throws -> String {
        let dir = NSTemporaryDirectory() + "aurules-inputs-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        return dir
    }

    /// Through bash (process substitution, redirections), killed after 60 s: a command that reads
    /// a device forever fails the test instead of hanging it.
    private func bash(_ script: String, _ arguments: [String] = []) throws -> (status: Int32, out: String, err: String) {
        try AurulesProcess.run("/usr/bin/timeout", ["-s", "KILL", "60", "/bin/bash", "-c", script, AurulesProcess.binary] + arguments)
    }

    private static let rules = "-w /etc/hosts -p wa -k hosts\n"

    func testDevicesAreRefused() throws {
        let dir = try directory()
        let rules = dir + "/in.rules"
        try Self.rules.write(toFile: rules, atomically: true, encoding: .utf8)
        for device in ["/dev/zero", "/dev/urandom"] {
            for args in [["lint", device], ["fmt", device], ["fmt", "--check", device], ["compile", "--machine", "x86_64", device],
                         ["compile", "--machine", "x86_64", rules, device],
                         ["check", device, "--loaded", rules, "--machine", "x86_64"],
                         ["check", rules, "--loaded", device, "--machine", "x86_64"],
                         ["check", rules, "--loaded", rules, "--status", device, "--machine", "x86_64"]] {
                let r = try AurulesProcess.run("/usr/bin/timeout", ["-s", "KILL", "60", AurulesProcess.binary] + args)
                XCTAssertEqual(r.status, 2, "\(args): \(r.err)")
                XCTAssertTrue(r.err.contains("\(device): a character device, not a rules file"), "\(args): \(r.err)")
            }
            // Standard input from a device too.
            for command in ["lint -", "fmt -", "compile --machine x86_64 -", "check --loaded - --machine x86_64 \"$1\""] {
                let r = try bash("\"$0\" \(command) < \(device)", [rules])
                XCTAssertEqual(r.status, 2, "\(command) < \(device): \(r.err)")
                XCTAssertTrue(r.err.contains("a character device, not a rules file"), "\(command) < \(device): \(r.err)")
            }
        }
        // /dev/null is empty, not endless: it reads as an empty file.
        XCTAssertEqual(try bash("\"$0\" lint - < /dev/null").status, 0)
    }

    func testPipesAndFifosAreRead() throws {
        let dir = try directory()
        let rules = dir + "/in.rules", fifo = dir + "/fifo"
        try Self.rules.write(toFile: rules, atomically: true, encoding: .utf8)
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        let cases: [(String, String)] = [
            ("\"$0\" lint --no-host-checks <(cat \"$1\")", "no problems found (1 line with rules or settings in 1 file)\n"),
            ("\"$0\" fmt <(cat \"$1\")", Self.rules),
            ("\"$0\" fmt --check <(cat \"$1\")", ""),
            ("\"$0\" compile --machine x86_64 <(cat \"$1\") | grep -c '^-a always,exit'", "1\n"),
            ("\"$0\" lint --no-host-checks /dev/fd/3 3< \"$1\"", "no problems found (1 line with rules or settings in 1 file)\n"),
            ("cat \"$1\" > \"$2\" & \"$0\" fmt \"$2\"", Self.rules),
            ("cat \"$1\" > \"$2\" & \"$0\" compile --machine x86_64 \"$2\" | grep -c '^-a always,exit'", "1\n"),
            ("\"$0\" check \"$1\" --loaded <(cat \"$1\") --machine x86_64 | grep -c '^In sync: 1 rule'", "1\n"),
            ("cat \"$1\" > \"$2\" & \"$0\" check \"$1\" --loaded \"$2\" --machine x86_64 | grep -c '^In sync: 1 rule'", "1\n"),
        ]
        for (script, expected) in cases {
            let r = try bash(script, [rules, fifo])
            XCTAssertEqual(r.status, 0, "\(script): \(r.err)")
            XCTAssertEqual(r.out, expected, "\(script): \(r.err)")
            XCTAssertFalse(r.err.contains("cannot read"), "\(script): \(r.err)")
        }
    }
}
