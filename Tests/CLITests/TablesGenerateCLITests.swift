import Foundation
import XCTest

/// `aurules tables generate`: writes the kernel tables, and `--check` exits 1 naming what differs.
final class TablesGenerateCLITests: XCTestCase {
    static let data: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0 ..< 3 { url.deleteLastPathComponent() }
        return url.path + "/../shared/syscall-data"
    }()

    func testGenerateThenCheck() throws {
        guard FileManager.default.fileExists(atPath: Self.data) else { throw XCTSkip("\(Self.data) is not available: the generator's inputs are needed") }
        let dir = NSTemporaryDirectory() + "aurules-generate-\(getpid())-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        func generate(_ extra: [String] = []) throws -> (status: Int32, out: String, err: String) {
            try AurulesProcess.run(AurulesProcess.binary, ["tables", "generate", "--data", Self.data, "--into", dir] + extra)
        }
        var r = try generate(["--check"])
        XCTAssertEqual(r.status, 1, r.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir), "--check wrote")
        r = try generate()
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(r.out, "12 files, 12 written\n")
        let arm = dir + "/arm.tsv"
        let original = try String(contentsOfFile: arm, encoding: .utf8)
        try original.replacingOccurrences(of: "\tarm_sync_file_range\t", with: "\tsync_file_range2\t").write(toFile: arm, atomically: false, encoding: .utf8)
        r = try generate(["--check"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.err.contains("arm.tsv"), r.err)
        XCTAssertNotEqual(try String(contentsOfFile: arm, encoding: .utf8), original, "--check rewrote")
        // The project's OutputFile writes them: a replaced file keeps its mode, and a FIFO in
        // place of a table is refused, not replaced (Data.write(.atomic) did both wrong).
        XCTAssertEqual(chmod(arm, 0o604), 0)
        r = try generate()
        XCTAssertEqual(r.out, "12 files, 1 written\n")
        XCTAssertEqual(try String(contentsOfFile: arm, encoding: .utf8), original)
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: arm)[.posixPermissions] as? Int, 0o604)
        let i386 = dir + "/i386.tsv"
        try FileManager.default.removeItem(atPath: i386)
        XCTAssertEqual(mkfifo(i386, 0o600), 0)
        r = try generate()
        XCTAssertEqual(r.status, 2, r.out)
        XCTAssertTrue(r.err.contains("not a regular file"), r.err)
        XCTAssertTrue(Self.isFIFO(i386), "the FIFO was replaced")
    }

    /// `tables embed` writes through OutputFile too: a new file is 0644, a FIFO is refused.
    func testEmbedWritesRegularFilesOnly() throws {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let dir = try temporaryDirectory("embed")
        let out = dir + "/Embedded.swift", fifo = dir + "/fifo"
        var r = try AurulesProcess.run(AurulesProcess.binary, ["tables", "embed", repo + "/SyscallTables", out])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: out)[.posixPermissions] as? Int, 0o644)
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        r = try AurulesProcess.run(AurulesProcess.binary, ["tables", "embed", repo + "/SyscallTables", fifo])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.err.contains("not a regular file"), r.err)
        XCTAssertTrue(Self.isFIFO(fifo), "the FIFO was replaced")
        // --check does not read a FIFO (the read would block): it differs.
        r = try AurulesProcess.run(AurulesProcess.binary, ["tables", "embed", "--check", repo + "/SyscallTables", fifo])
        XCTAssertEqual(r.status, 1, r.err)
    }

    func testMissingDataIsExit2() throws {
        let r = try AurulesProcess.run(AurulesProcess.binary, ["tables", "generate", "--data", "/nonexistent-aurules-data", "--check"])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.err.contains("/nonexistent-aurules-data"), r.err)
    }

    static func isFIFO(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFIFO
    }
}
