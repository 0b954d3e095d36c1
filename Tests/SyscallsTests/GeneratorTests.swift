import Foundation
import Syscalls
import XCTest

/// SyscallTables/ is exactly what `aurules tables generate` (TableGenerator) makes from
/// ../shared/syscall-data: nobody edits the kernel tables by hand.
final class GeneratorTests: XCTestCase {
    static let generated = ["abis.tsv", "equivalents.tsv"] + ["aarch64", "arm", "i386", "ppc", "ppc64", "riscv64", "s390", "s390x", "x32", "x86_64"].map { $0 + ".tsv" }

    func generate() throws -> TableGenerator.Output {
        guard FileManager.default.fileExists(atPath: Paths.shared) else {
            throw XCTSkip("\(Paths.shared) is not available: the generator's inputs are needed")
        }
        return try TableGenerator.generate(data: Paths.shared)
    }

    func testCommittedTablesAreTheGeneratorsOutput() throws {
        let output = try generate()
        XCTAssertEqual(output.files.keys.sorted(), Self.generated.sorted())
        for name in Self.generated {
            let committed = try XCTUnwrap(Paths.read(Paths.tables + "/" + name), name)
            let made = try XCTUnwrap(output.files[name], name)
            guard committed != made else { continue }
            let (a, b) = (committed.split(separator: "\n", omittingEmptySubsequences: false), made.split(separator: "\n", omittingEmptySubsequences: false))
            let line = (0 ..< min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
            XCTFail("\(name) differs from the generator's output at line \(line + 1): committed '\(line < a.count ? a[line] : "")', generated '\(line < b.count ? b[line] : "")'")
        }
        XCTAssertEqual(TableGenerator.stale(output, in: Paths.tables), [])
        // The rows taken to predate coverage, as SyscallTables/README.md names them.
        XCTAssertEqual(output.inferred.first { $0.abi == .s390x }?.names, ["_llseek", "_sysctl", "bdflush", "getrlimit", "mmap2", "uselib"])
    }

    func testStaleNamesChangedAndMissingFiles() throws {
        let output = try generate()
        let dir = NSTemporaryDirectory() + "aurules-generator-\(getpid())-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (name, text) in output.files where name != "x32.tsv" { try text.write(toFile: dir + "/" + name, atomically: false, encoding: .utf8) }
        try (output.files["abis.tsv"]! + "\n").write(toFile: dir + "/abis.tsv", atomically: false, encoding: .utf8)
        XCTAssertEqual(TableGenerator.stale(output, in: dir), ["abis.tsv", "x32.tsv"])
    }

    func testAMissingDataDirectoryIsAnError() {
        XCTAssertThrowsError(try TableGenerator.generate(data: "/nonexistent-aurules-data")) { error in
            XCTAssertTrue("\(error)".contains("/nonexistent-aurules-data"), "\(error)")
        }
    }
}
