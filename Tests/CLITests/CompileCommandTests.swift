import Foundation
import XCTest

/// `aurules compile` as a process: exit codes, atomic output, determinism, formats.
final class CompileCommandTests: XCTestCase {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Relative paths in the tests (rules.examples) are the package's.
    @discardableResult
    func run(_ args: [String], stdin: String? = nil) throws -> (status: Int32, out: String, err: String) {
        try AurulesProcess.run(AurulesProcess.binary, args, stdin: stdin, in: Self.packageRoot)
    }

    func tempPath(_ name: String) -> String {
        NSTemporaryDirectory() + "aurules-compile-test-\(getpid())-\(name)"
    }

    func testExamplesCompileDeterministicallyWithoutInlineComments() throws {
        let a = tempPath("a.rules"), b = tempPath("b.rules")
        defer { unlink(a); unlink(b) }
        let r1 = try run(["compile", "rules.examples", "--machine", "x86_64", "--kernel", "6.1", "--audit-version", "3.0.9", "-o", a])
        XCTAssertEqual(r1.status, 0, r1.err)
        try run(["compile", "rules.examples", "--machine", "x86_64", "--kernel", "6.1", "--audit-version", "3.0.9", "-o", b])
        let text = try String(contentsOfFile: a, encoding: .utf8)
        XCTAssertEqual(text, try String(contentsOfFile: b, encoding: .utf8))
        XCTAssertTrue(text.contains("-F arch=b64"))
        XCTAssertTrue(text.contains("-F arch=b32"))
        for line in text.split(separator: "\n") where line.contains("#") {
            XCTAssertTrue(line.hasPrefix("# "), "inline comment: \(line)")
        }
        // Every source statement's rules follow a `# file:line` comment.
        XCTAssertTrue(text.split(separator: "\n").contains { $0.hasPrefix("# rules.examples/") })
    }

    func testErrorsExitTwoAndWriteNothing() throws {
        let out = tempPath("never.rules")
        let r = try run(["compile", "-", "--machine", "x86_64", "-o", out], stdin: "-a always,exit -F arch=b64 -S nosuchcall -k x\n")
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.err.contains("nosuchcall"), r.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }

    func testNoResolveRefusesUserNames() throws {
        let r = try run(["compile", "-", "--machine", "x86_64", "--no-resolve"], stdin: "-a always,exit -F arch=b64 -S open -F uid=root -k x\n")
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.err.contains("--no-resolve"), r.err)
        let numeric = try run(["compile", "-", "--machine", "x86_64", "--no-resolve"], stdin: "-a always,exit -F arch=b64 -S open -F uid=0 -k x\n")
        XCTAssertEqual(numeric.status, 0, numeric.err)
    }

    func testSyscallStylesAndWarnings() throws {
        let input = "-a always,exit -S open,openat -k files\n"
        let numbers = try run(["compile", "-", "--machine", "aarch64", "--kernel", "6.1", "--syscalls", "numbers"], stdin: input)
        XCTAssertEqual(numbers.status, 0)
        XCTAssertTrue(numbers.out.contains("-a always,exit -F arch=b64 -S 56 -F key=files"), numbers.out)
        XCTAssertTrue(numbers.out.contains("-a always,exit -F arch=b32 -S 5,322 -F key=files"), numbers.out)
        XCTAssertTrue(numbers.err.contains("openat"), "the warning names the equivalents: \(numbers.err)")
        let names = try run(["compile", "-", "--machine", "aarch64", "--kernel", "6.1", "--audit-version", "3.0.9"], stdin: input)
        XCTAssertTrue(names.out.contains("-a always,exit -F arch=b64 -S openat -F key=files"), names.out)
    }

    func testJSONHasRulesWithProvenance() throws {
        let r = try run(["compile", "-", "--machine", "x86_64", "--kernel", "6.1", "--format", "json"], stdin: "-a always,exit -S execve -k exec\n")
        XCTAssertEqual(r.status, 0, r.err)
        let doc = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        let rules = try XCTUnwrap(doc["rules"] as? [[String: Any]])
        XCTAssertEqual(rules.count, 2)
        let abis = rules.compactMap { ($0["provenance"] as? [String: Any])?["abi"] as? String }
        XCTAssertEqual(abis, ["x86_64", "i386"])
    }

    func testUnknownMachineIsUsageError() throws {
        let r = try run(["compile", "-", "--machine", "vax"], stdin: "")
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.err.contains("unknown machine 'vax'"), r.err)
    }

    func testTablesDirectoryExtendsNames() throws {
        let dir = tempPath("tables"), list = tempPath("list.txt")
        defer { try? FileManager.default.removeItem(atPath: dir); unlink(list) }
        XCTAssertEqual(try run(["tables", "export", dir]).status, 0)
        let dump = try run(["syscall", "--dump", "x86_64", "--kernel", "7.2-rc1", "--kernel-names"]).out
        let rows = dump.split(separator: "\n").compactMap { line -> String? in
            let cols = line.split(separator: "\t")
            return cols.count == 2 && Int(cols[0]) != nil ? "\(cols[1]) \(cols[0])" : nil
        }
        XCTAssertGreaterThan(rows.count, 300)
        try (rows + ["aurules_newcall 480"]).joined(separator: "\n").write(toFile: list, atomically: true, encoding: .utf8)
        XCTAssertEqual(try run(["tables", "import", "--abi", "x86_64", "--release", "7.3", "--list", list, "--into", dir]).status, 0)
        let input = "-a always,exit -F arch=b64 -S aurules_newcall -k n\n"
        let r = try run(["compile", "-", "--machine", "x86_64", "--kernel", "7.3", "--tables", dir], stdin: input)
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("-a always,exit -F arch=b64 -S 480 -F key=n"), r.out)
        XCTAssertEqual(try run(["compile", "-", "--machine", "x86_64"], stdin: input).status, 2, "the built-in tables lack it")
    }
}
