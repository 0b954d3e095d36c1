import Foundation
import XCTest

/// Inputs: regular files, standard input, pipes and FIFOs are read (process substitution, /dev/fd/N);
/// character and block devices are refused with exit 2 instead of being read forever.
final class InputKindTests: XCTestCase {
    private func directory() throws -> String { try temporaryDirectory("inputs") }

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
                // check reports a rules file it cannot load as an unloadable line of drift (exit 1, DriftCheck).
                let fileOfCheck = args[0] == "check" && args[1] == device
                XCTAssertEqual(r.status, fileOfCheck ? 1 : 2, "\(args): \(r.err)")
                XCTAssertTrue((r.out + r.err).contains("\(device): a character device, not a rules file"), "\(args): \(r.out + r.err)")
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

    /// A pipe or FIFO may carry a line without end (`cat /dev/zero |`): memory stays bounded by
    /// what is kept of a line, not by the input (300 MB here).
    func testAnEndlessLineDoesNotTakeTheMemory() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/time") else { throw XCTSkip("/usr/bin/time is not installed") }
        let dir = try directory()
        let fifo = dir + "/fifo"
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        for command in ["lint -", "fmt -", "compile --machine x86_64 -"] {
            let r = try bash("head -c 300M /dev/zero | /usr/bin/time -f 'maxrss %M' \"$0\" \(command) > /dev/null")
            XCTAssertEqual(r.status, command.hasPrefix("lint") ? 1 : 2, "\(command): \(r.err)")
            if !command.hasPrefix("lint") { XCTAssertTrue(r.err.contains("not an audit rules file"), "\(command): \(r.err)") }
            let kilobytes = try XCTUnwrap(r.err.split(separator: "\n").last { $0.hasPrefix("maxrss ") }.flatMap { Int($0.dropFirst(7)) })
            XCTAssertLessThan(kilobytes, 150_000, "\(command) kept the input: \(kilobytes) KB")
        }
        let r = try bash("head -c 300M /dev/zero > \"$1\" & /usr/bin/time -f 'maxrss %M' \"$0\" compile --machine x86_64 \"$1\" > /dev/null", [fifo])
        XCTAssertEqual(r.status, 2, r.err)
        let kilobytes = try XCTUnwrap(r.err.split(separator: "\n").last { $0.hasPrefix("maxrss ") }.flatMap { Int($0.dropFirst(7)) })
        XCTAssertLessThan(kilobytes, 150_000, "compile of a FIFO kept the input: \(kilobytes) KB")
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
