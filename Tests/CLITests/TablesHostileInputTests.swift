import Foundation
import XCTest

/// `tables import` and `--tables` on hostile tables (issue 11, item 7): a located error and
/// exit 2, never a crash, and never a directory a later `--tables` rejects.
final class TablesHostileInputTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "aurules-tables-hostile-\(getpid())-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: dir)
    }

    @discardableResult
    func run(_ args: [String], stdin: String? = nil) throws -> (status: Int32, out: String, err: String) {
        try AurulesProcess.run(AurulesProcess.binary, args, stdin: stdin)
    }

    func writeList(_ text: String) throws -> String {
        let path = dir + "/list.txt"
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        return path
    }

    func importList(_ text: String, abi: String = "x86_64", into: String) throws -> (status: Int32, out: String, err: String) {
        try run(["tables", "import", "--abi", abi, "--release", "7.3", "--list", writeList(text), "--into", into])
    }

    func testImportRejectsBadListsWithFileAndLineAndWritesNothing() throws {
        let cases: [(String, String)] = [
            ("read 0\nevil -5\n", ":2:"),
            ("read 0\nwrite 1\nbig 2048\n", ":3:"),
            ("read 0\nbad-name 7\n", ":2:"),
            ("read 0\nfoo\tbar\tbaz\n", ":2:"),
            ("a 7\nb 7\n", ":2:"),
            ("read 4611686018427387904\n", ":1:"),
        ]
        for (text, line) in cases {
            let into = dir + "/new-\(UUID().uuidString)"
            let r = try importList(text, into: into)
            XCTAssertEqual(r.status, 2, "\(text.debugDescription): \(r.err)")
            XCTAssertTrue(r.err.contains("list.txt" + line), "\(text.debugDescription): \(r.err)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: into), "\(text.debugDescription) created \(into)")
        }
    }

    func testImportedDirectoryIsAlwaysReadableByTables() throws {
        let into = dir + "/t"
        let r = try importList("read 0\r\nwrite\t1\r\n# c\r\nexit_group 231\r\n", into: into)
        XCTAssertEqual(r.status, 0, r.err)
        let lookup = try run(["syscall", "--tables", into, "--kernel", "7.3", "x86_64", "exit_group", "--exact"])
        XCTAssertEqual(lookup.status, 0, lookup.err)
        XCTAssertEqual(lookup.out, "231\n")
        // x32 numbers carry the 0x40000000 bit; a bare number is refused and leaves the directory as it was.
        let before = try FileManager.default.contentsOfDirectory(atPath: into).sorted()
        let bare = try importList("read 0\n", abi: "x32", into: into)
        XCTAssertEqual(bare.status, 2)
        XCTAssertTrue(bare.err.contains("list.txt:1:"), bare.err)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: into).sorted(), before)
        XCTAssertEqual(try importList("read 1073741824\n", abi: "x32", into: into).status, 0)
        XCTAssertEqual(try run(["syscall", "--tables", into, "--kernel", "7.3", "x32", "read", "--exact"]).out, "1073741824\n")
    }

    /// A hand-made table with a number past the bitmap used to crash compile (SIGILL at the mask index).
    func testTablesWithNumbersPastTheBitmapAreRejectedNotCrashing() throws {
        let t = dir + "/t"
        XCTAssertEqual(try run(["tables", "export", t]).status, 0)
        let rows = t + "/x86_64.tsv"
        let original = try String(contentsOfFile: rows, encoding: .utf8)
        try (original + "2048\taurules_evil\t3.10\t\n").write(toFile: rows, atomically: false, encoding: .utf8)
        let input = "-a always,exit -F arch=b64 -S aurules_evil -k k\n"
        let rules = dir + "/r.rules"
        try input.write(toFile: rules, atomically: false, encoding: .utf8)
        for command in [["compile", "-", "--machine", "x86_64"], ["lint", "-"], ["check", "--loaded", "-", "--machine", "x86_64", rules]] {
            let r = try run(command + ["--tables", t], stdin: input)
            XCTAssertEqual(r.status, 2, "\(command): \(r.err)")
            XCTAssertTrue(r.err.contains("x86_64.tsv:"), "\(command): \(r.err)")
        }
        // Importing into that directory reports the broken table instead of merging into it.
        let r = try importList("read 0\n", into: t)
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.err.contains("x86_64.tsv:"), r.err)
        XCTAssertEqual(try String(contentsOfFile: rows, encoding: .utf8), original + "2048\taurules_evil\t3.10\t\n")
    }

    func testEmptyAndCRLFTables() throws {
        let t = dir + "/t"
        XCTAssertEqual(try run(["tables", "export", t]).status, 0)
        let input = "-a always,exit -F arch=b64 -S open -k k\n"
        let good = try run(["compile", "-", "--machine", "x86_64", "--tables", t], stdin: input)
        XCTAssertEqual(good.status, 0, good.err)
        for name in try FileManager.default.contentsOfDirectory(atPath: t) {
            let path = t + "/" + name
            try (try String(contentsOfFile: path, encoding: .utf8)).replacingOccurrences(of: "\n", with: "\r\n")
                .write(toFile: path, atomically: false, encoding: .utf8)
        }
        let crlf = try run(["compile", "-", "--machine", "x86_64", "--tables", t], stdin: input)
        XCTAssertEqual(crlf.status, 0, crlf.err)
        XCTAssertEqual(crlf.out, good.out)
        try "".write(toFile: t + "/x86_64.tsv", atomically: false, encoding: .utf8)
        let empty = try run(["compile", "-", "--machine", "x86_64", "--tables", t], stdin: input)
        XCTAssertEqual(empty.status, 2, empty.err)
        XCTAssertTrue(empty.err.contains("x86_64.tsv:1: no syscall rows"), empty.err)
    }
}
