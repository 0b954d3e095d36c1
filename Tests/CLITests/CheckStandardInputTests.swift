import Foundation
import XCTest

/// `check` of standard input, and of a pipe among several inputs, compiles it a chunk of lines
/// at a time as it compiles a regular file (the lines it reports read again from a copy): the
/// report of the file byte for byte, without holding the input in memory.
final class CheckStandardInputTests: XCTestCase {
    /// Through bash (redirections, pipes, process substitution), killed after 300 s.
    private func bash(_ script: String, _ arguments: [String] = []) throws -> (status: Int32, out: String, err: String) {
        try AurulesProcess.run("/usr/bin/timeout", ["-s", "KILL", "300", "/bin/bash", "-c", script, AurulesProcess.binary] + arguments)
    }

    /// Rules in sync, missing, changed, out of order, unloadable, arch-less, a repeat, a setting;
    /// the listing drifts from them.
    static let rules = "-a always,exit -F arch=b64 -S openat -k a\n-w /etc/hosts -p wa -k h\n"
        + "-a exit,always -F arch=b32 -S kexec_load -k kexec\n-a always,exit -F arch=b64 -S unlinkat -k u\r\n"
        + "-a always,exit -F arch=b64 -S chmod -F auid>=1000 -k c\n-a always,exit -S mkdir -k m\n-b 8192\n"
        + "-a always,exit -F arch=b64 -S rename -k r\n-a always,exit -F arch=b64 -S openat -k a\n-w /etc/passwd -p wa"
    static let listing = "-a always,exit -F arch=b64 -S chmod -F auid>=1000 -F key=c\n-a always,exit -F arch=b64 -S openat -F key=a\n"
        + "-a always,exit -F arch=b64 -S mkdir -F key=m\n-a always,exit -F arch=b64 -S rename -F key=x\n-w /etc/shadow -p wa -k s\n"
    static let formats: [[String]] = [[], ["--format", "json"], ["--plan"]]

    func testStandardInputAndPipesReportAsTheFile() throws {
        let dir = try temporaryDirectory("check-stdin")
        let file = dir + "/f.rules", other = dir + "/g.rules", listing = dir + "/listing.txt"
        try Data(Self.rules.utf8).write(to: URL(fileURLWithPath: file))
        try Data("-w /etc/group -p wa -k g\n-a always,exit -F arch=b64 -S rename -k r\n".utf8).write(to: URL(fileURLWithPath: other))
        try Data(Self.listing.utf8).write(to: URL(fileURLWithPath: listing))
        for format in Self.formats {
            let args = ["check", "--loaded", listing, "--machine", "x86_64", "--kernel", "6.1"] + format
            let quoted = args.map { "'\($0)'" }.joined(separator: " ")
            let label = format.joined(separator: " ")
            let alone = try AurulesProcess.run(AurulesProcess.binary, args + [file])
            XCTAssertEqual(alone.status, 1, alone.err)
            if format == ["--format", "json"] { XCTAssertTrue(alone.out.contains("\"text\" : \"-a always,exit -F arch=b64 -S unlinkat -k u\""), alone.out) }
            let asStdin = alone.out.replacingOccurrences(of: file, with: "<stdin>")
                .replacingOccurrences(of: "<stdin> (x86_64", with: "- (x86_64")
            for script in ["\"$0\" \(quoted) - < \"$1\"", "cat \"$1\" | \"$0\" \(quoted) -",
                           // Without a temporary directory for a copy, the input is read whole.
                           "cat \"$1\" | TMPDIR=/nonexistent \"$0\" \(quoted) -"] {
                let r = try bash(script, [file])
                XCTAssertEqual(r.status, alone.status, "\(label): \(script)")
                XCTAssertEqual(r.out, asStdin, "\(label): \(script)")
                XCTAssertEqual(r.err, alone.err, "\(label): \(script)")
            }
            // A pipe alone: its lines are quoted too (they were not: it was compiled without
            // its lines, and they were not read again).
            let alonePipe = try bash("exec 3< <(cat \"$1\"); \"$0\" \(quoted) /dev/fd/3", [file])
            XCTAssertEqual(alonePipe.status, alone.status, label)
            XCTAssertEqual(alonePipe.out, alone.out.replacingOccurrences(of: file, with: "/dev/fd/3"), label)
            // Among several inputs, standard input and a pipe report as the file would.
            let several = try AurulesProcess.run(AurulesProcess.binary, args + [other, file])
            let stdin = try bash("cat \"$1\" | \"$0\" \(quoted) \"$2\" -", [file, other])
            XCTAssertEqual(stdin.status, several.status, label)
            XCTAssertEqual(stdin.out, several.out.replacingOccurrences(of: file, with: "<stdin>")
                .replacingOccurrences(of: "<stdin> (x86_64", with: "- (x86_64"), label)
            let pipe = try bash("exec 3< <(cat \"$1\"); \"$0\" \(quoted) \"$2\" /dev/fd/3", [file, other])
            XCTAssertEqual(pipe.status, several.status, label)
            XCTAssertEqual(pipe.out, several.out.replacingOccurrences(of: file, with: "/dev/fd/3"), label)
        }
    }

    /// Standard input that is not rules is one finding, as a file that is not rules is.
    func testStandardInputThatIsNotRulesReportsAsTheFile() throws {
        let dir = try temporaryDirectory("check-stdin-not-rules")
        let file = dir + "/f.txt", listing = dir + "/listing.txt"
        try Data("hello there\nthis is\nnot rules at all\n".utf8).write(to: URL(fileURLWithPath: file))
        try Data(Self.listing.utf8).write(to: URL(fileURLWithPath: listing))
        for format in Self.formats {
            let args = ["check", "--loaded", listing, "--machine", "x86_64", "--kernel", "6.1"] + format
            let alone = try AurulesProcess.run(AurulesProcess.binary, args + [file])
            let r = try bash("cat \"$1\" | \"$0\" " + args.map { "'\($0)'" }.joined(separator: " ") + " -", [file])
            XCTAssertEqual(r.status, alone.status, r.err)
            XCTAssertEqual(r.out, alone.out.replacingOccurrences(of: file, with: "<stdin>")
                .replacingOccurrences(of: "<stdin> (x86_64", with: "- (x86_64"))
            XCTAssertEqual(r.err, alone.err.replacingOccurrences(of: file, with: "<stdin>"))
        }
    }

    /// A large input on standard input is not held in memory (read whole, 120 MB took more than 120 MB).
    func testStandardInputIsNotReadWhole() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/time") else { throw XCTSkip("/usr/bin/time is not installed") }
        let dir = try temporaryDirectory("check-stdin-memory")
        let listing = dir + "/listing.txt"
        try Data("-w /etc/hosts -p wa -k h\n".utf8).write(to: URL(fileURLWithPath: listing))
        let r = try bash("{ echo '-w /etc/hosts -p wa -k h'; yes '# a comment line long enough to weigh something in a large input: 0123456789'"
                         + " | head -c 120M; } | TMPDIR=\"$1\" /usr/bin/time -f 'maxrss %M' \"$0\" check --loaded \"$2\" --machine x86_64"
                         + " --kernel 6.1 -", [dir, listing])
        XCTAssertEqual(r.status, 0, r.out + r.err)
        XCTAssertTrue(r.out.contains("In sync: 1 rules"), r.out)
        let kilobytes = try XCTUnwrap(r.err.split(separator: "\n").last { $0.hasPrefix("maxrss ") }.flatMap { Int($0.dropFirst(7)) })
        XCTAssertLessThan(kilobytes, 100_000, "check - kept the input: \(kilobytes) KB")
    }
}
