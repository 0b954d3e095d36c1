import Foundation
import XCTest

/// `fmt --check -` and `fmt --diff -` read standard input a chunk of lines at a time, with the
/// answer the same file gives by name; a diff of many scattered changes is one bounded hunk.
final class FmtStreamingTests: XCTestCase {
    private func bash(_ script: String, _ arguments: [String] = []) throws -> (status: Int32, out: String, err: String) {
        try AurulesProcess.run("/usr/bin/timeout", ["-s", "KILL", "300", "/bin/bash", "-c", script, AurulesProcess.binary] + arguments)
    }

    /// Inputs around fmt's chunk of 2,048 lines: blank runs and comments across a chunk's end,
    /// trailing blanks, CR LF, no final newline, canonical and not.
    static var inputs: [(name: String, text: String)] {
        let canonical = (0 ..< 5000).map { "-w /etc/aurules-fmt-\($0) -p wa -k k\($0)\n" }.joined()
        var blanksAcross = (0 ..< 2046).map { "-w /etc/b\($0) -p wa\n" }.joined() + "\n\n\n\n# across\n\n"
        blanksAcross += (0 ..< 100).map { "-w /etc/c\($0) -p wa\n" }.joined() + "\n\n"
        return [
            ("canonical.rules", canonical),
            ("late-change.rules", canonical + "-w /etc/last   -p wa\n"),
            ("early-change.rules", "-b   320\n" + canonical),
            ("blanks-across.rules", blanksAcross),
            ("canonical-blanks.rules", (0 ..< 2047).map { "-w /etc/b\($0) -p wa\n" }.joined() + "\n" + (0 ..< 10).map { "-w /etc/c\($0) -p wa\n" }.joined()),
            ("crlf.rules", "-w /etc/hosts -p wa -k a\r\n-b 320\r\n"),
            ("unterminated.rules", "-w /etc/hosts -p wa\n-b 320"),
            ("leading-blank.rules", "\n-w /etc/hosts -p wa\n"),
            ("empty.rules", ""),
            ("comments.rules", "# only\n#comments\n"),
        ]
    }

    func testStandardInputAnswersAsTheFile() throws {
        let dir = try temporaryDirectory("fmt-stdin")
        for (name, text) in Self.inputs {
            let path = dir + "/" + name
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            for mode in ["--check", "--diff"] {
                let file = try AurulesProcess.run(AurulesProcess.binary, ["fmt", mode, path])
                for script in ["\"$0\" fmt \(mode) - < \"$1\"", "cat \"$1\" | \"$0\" fmt \(mode) -"] {
                    let r = try bash(script, [path])
                    XCTAssertEqual(r.status, file.status, "\(name) \(mode): \(script)\n\(r.err)")
                    XCTAssertEqual(r.out, file.out.replacingOccurrences(of: path, with: "-"), "\(name) \(mode): \(script)")
                    XCTAssertEqual(r.err, file.err, "\(name) \(mode): \(script)")
                }
            }
        }
    }

    /// `fmt --check -` keeps neither the input nor its syntax tree (read whole, these 17 MB
    /// took several times that). Whole lines only: a cut last line would change the answer.
    func testCheckOfStandardInputIsNotReadWhole() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/time") else { throw XCTSkip("/usr/bin/time is not installed") }
        let r = try bash("yes -- '-w /etc/aurules-fmt-memory/a-long-enough-path/to-weigh/something -p wa -k key' | head -n 200000"
                         + " | /usr/bin/time -f 'maxrss %M' \"$0\" fmt --check - > /dev/null")
        XCTAssertEqual(r.status, 0, r.err)
        let kilobytes = try XCTUnwrap(r.err.split(separator: "\n").last { $0.hasPrefix("maxrss ") }.flatMap { Int($0.dropFirst(7)) })
        XCTAssertLessThan(kilobytes, 60_000, "fmt --check - kept the input: \(kilobytes) KB")
        let changed = try bash("{ yes -- '-w /etc/hosts -p wa' | head -n 300000; echo '-w  /etc/x'; } | \"$0\" fmt --check -")
        XCTAssertEqual(changed.status, 1, changed.err)
        XCTAssertEqual(changed.out, "-\n")
    }

    /// Past `UnifiedDiff.maxEdits` edits the diff is one hunk from the first change to the
    /// last, which patch(1) still applies; memory stays bounded (the search's trace grew with
    /// edits times lines: 20,000 scattered changes would take tens of GB).
    func testDiffOfManyScatteredChangesIsOneBoundedHunk() throws {
        let dir = try temporaryDirectory("fmt-diff-bound")
        let path = dir + "/many.rules"
        let text = "# head\n" + (0 ..< 20_000).map { "-w /etc/x\($0) -p wa\n-w  /etc/y\($0) -p wa\n" }.joined() + "# tail\n"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let r = try bash("/usr/bin/time -f 'maxrss %M' \"$0\" fmt --diff \"$1\" > \"$1.patch\"", [path])
        XCTAssertEqual(r.status, 1, r.err)
        let kilobytes = try XCTUnwrap(r.err.split(separator: "\n").last { $0.hasPrefix("maxrss ") }.flatMap { Int($0.dropFirst(7)) })
        XCTAssertLessThan(kilobytes, 300_000, "\(kilobytes) KB")
        let diff = try String(contentsOfFile: path + ".patch", encoding: .utf8)
        XCTAssertEqual(diff.components(separatedBy: "\n@@ ").count - 1, 1, "one hunk")
        XCTAssertTrue(diff.contains("\n@@ -1,40002 +1,40002 @@\n # head\n -w /etc/x0 -p wa\n--w  /etc/y0 -p wa\n"), String(diff.prefix(300)))
        let formatted = try AurulesProcess.run(AurulesProcess.binary, ["fmt", path]).out
        let patched = try AurulesProcess.run("/usr/bin/patch", ["-s", path, path + ".patch"])
        XCTAssertEqual(patched.status, 0, patched.out + patched.err)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), formatted)
    }
}
