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
        r = try generate()
        XCTAssertEqual(r.out, "12 files, 1 written\n")
        XCTAssertEqual(try String(contentsOfFile: arm, encoding: .utf8), original)
    }

    func testMissingDataIsExit2() throws {
        let r = try AurulesProcess.run(AurulesProcess.binary, ["tables", "generate", "--data", "/nonexistent-aurules-data", "--check"])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.err.contains("/nonexistent-aurules-data"), r.err)
    }
}
