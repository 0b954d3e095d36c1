import Foundation
import XCTest

/// Standard input, pipes and FIFOs are linted a chunk of lines at a time, as a regular file is:
/// the same report byte for byte (the quoted lines of findings made at the end of the input too,
/// read again from a copy of it), without holding the input in memory.
final class LintStandardInputTests: XCTestCase {
    /// Through bash (redirections, pipes, process substitution), killed after 120 s.
    private func bash(_ script: String, _ arguments: [String] = []) throws -> (status: Int32, out: String, err: String) {
        try AurulesProcess.run("/usr/bin/timeout", ["-s", "KILL", "120", "/bin/bash", "-c", script, AurulesProcess.binary] + arguments)
    }

    /// Inputs whose findings quote their lines: a rule-set finding (AUR502, made at the end),
    /// a last line without its newline, CR LF lines, a NUL byte, a line longer than a read block.
    static let inputs: [(name: String, text: String)] = [
        ("rule-set.rules", "-a always,exit -F arch=b64 -S open -k a\n-a never,exit -F arch=b64 -S all\n"
            + "-a always,exit -F arch=b64 -S open -k a\n-w /etc/hosts -p wa\n-a always,exit -F arch=b64 -S openat -F key=z\n"),
        ("unterminated.rules", "-w /etc/hosts -p wa\n-a always,exit -F arch=b64 -S opne"),
        ("crlf.rules", "-w /etc/hosts -p wa -k a\r\n-a always,exit -F arch=b64 -S opne -k b\r\n-b 8192\r\n"),
        ("nul.rules", "-w /etc/hosts -p wa\n-a always,exit -F arch=b64 -S op\u{0}en -k n\n-w /etc/x -p z\n"),
        ("long.rules", "-w /etc/hosts -p wa\n-a always,exit -F arch=b64 -S open -k " + String(repeating: "k", count: 1_536 * 1_024)
            + "\n-a never,exit -F arch=b64 -S all\n-a always,exit -F arch=b64 -S openat -k z\n"),
        ("empty.rules", ""),
    ]

    static let formats: [[String]] = [
        [], ["--format", "json"], ["--format", "sarif"], ["--format", "github"],
        ["--max-diagnostics", "1"], ["--format", "json", "--statistics"],
    ]

    func testStandardInputPipesAndFifosReportAsTheFile() throws {
        let dir = try temporaryDirectory("lint-stdin")
        for (name, text) in Self.inputs {
            let path = dir + "/" + name
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            for format in Self.formats {
                let args = ["lint", "--no-host-checks", "--no-config"] + format
                let quoted = args.map { "'\($0)'" }.joined(separator: " ")
                let file = try AurulesProcess.run(AurulesProcess.binary, args + [path])
                let label = "\(name) \(format.joined(separator: " "))"
                if name == "rule-set.rules" && format.isEmpty { XCTAssertTrue(file.out.contains("[AUR502]\n-a always,exit -F arch=b64 -S openat -F key=z\n^~\n"), file.out) }
                for script in ["\"$0\" \(quoted) --stdin-filename \"$1\" - < \"$1\"",
                               "cat \"$1\" | \"$0\" \(quoted) --stdin-filename \"$1\" -",
                               // Without a temporary directory the lines are kept in memory instead.
                               "TMPDIR=/nonexistent \"$0\" \(quoted) --stdin-filename \"$1\" - < \"$1\""] {
                    let r = try bash(script, [path])
                    XCTAssertEqual(r.status, file.status, "\(label): \(script)")
                    XCTAssertEqual(r.out, file.out, "\(label): \(script)")
                    XCTAssertEqual(r.err, file.err, "\(label): \(script)")
                }
                // A FIFO has a name of its own: the same report under that name.
                let fifo = try bash("exec 3< <(cat \"$1\"); \"$0\" \(quoted) /dev/fd/3", [path])
                XCTAssertEqual(fifo.status, file.status, label)
                XCTAssertEqual(fifo.out.replacingOccurrences(of: "/dev/fd/3", with: path), file.out, label)
            }
        }
    }

    /// `<stdin>` when no name is given, and a clean empty input.
    func testStandardInputIsNamedStdin() throws {
        let r = try bash("printf -- '-w /etc/hosts -p wa\\n-a always,exit -S opne' | \"$0\" lint --no-host-checks --no-config -")
        XCTAssertEqual(r.status, 1, r.err)
        XCTAssertTrue(r.out.contains("<stdin>:2:19: error: unknown syscall 'opne'"), r.out)
        XCTAssertTrue(r.out.contains("\n-a always,exit -S opne\n                  ^~~~\n"), r.out)
        let empty = try bash("\"$0\" lint --no-host-checks --no-config - < /dev/null")
        XCTAssertEqual(empty.status, 0, empty.err)
        XCTAssertEqual(empty.out, "no problems found (0 lines with rules or settings in 0 files)\n")
    }

    /// A large input on standard input is not held in memory (read whole, 120 MB took 540 MB).
    func testStandardInputIsNotReadWhole() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/time") else { throw XCTSkip("/usr/bin/time is not installed") }
        let dir = try temporaryDirectory("lint-stdin-memory")
        let r = try bash("yes '# a comment line long enough to weigh something in a large input: 0123456789' | head -c 120M"
                         + " | TMPDIR=\"$1\" /usr/bin/time -f 'maxrss %M' \"$0\" lint --no-host-checks --no-config - > /dev/null", [dir])
        let kilobytes = try XCTUnwrap(r.err.split(separator: "\n").last { $0.hasPrefix("maxrss ") }.flatMap { Int($0.dropFirst(7)) })
        XCTAssertLessThan(kilobytes, 100_000, "lint - kept the input: \(kilobytes) KB")
    }
}
