import Foundation
import XCTest

/// SyscallTables/ (and the embedded copy) are exactly what scripts/generate-syscall-tables makes
/// from ../shared/syscall-data: nobody edits the tables by hand.
final class GeneratorTests: XCTestCase {
    func testCommittedTablesAreTheGeneratorsOutput() throws {
        guard FileManager.default.fileExists(atPath: Paths.shared) else { throw XCTSkip("../shared/syscall-data is not available") }
        guard let python = ["/usr/bin/python3", "/usr/local/bin/python3"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw XCTSkip("python3 is not installed")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = [Paths.root + "/scripts/generate-syscall-tables", "--check", "--data", Paths.shared]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, text)
    }
}
