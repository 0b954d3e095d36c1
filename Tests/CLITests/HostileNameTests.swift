import Foundation
import XCTest

/// File names are input too: in CI they come from whoever opens the pull request. A name with a
/// control character is an error for lint and compile, and no output ever carries one raw.
final class HostileNameTests: XCTestCase {
    private static let controlBytes: [UInt8] = Array(0x01 ... 0x1F) + [0x7F]

    private func rulesDirectory() throws -> String { try temporaryDirectory("names") }

    /// One file per control byte (`10-a<byte>b.rules`), plus the injection the issue reproduced.
    private func hostileDirectory() throws -> (dir: String, names: [String]) {
        let dir = try rulesDirectory()
        var names = Self.controlBytes.map { "10-a" + String(UnicodeScalar($0)) + "b.rules" }
        names.append("20-x\n-a never,exit -S all\n# .rules")
        for name in names {
            XCTAssertTrue(FileManager.default.createFile(atPath: dir + "/" + name, contents: Data("-w /etc/hosts -p wa -k hosts\n".utf8)),
                          "cannot create \(name.debugDescription)")
        }
        return (dir, names)
    }

    /// No control character but the line breaks the format itself writes.
    private func assertInert(_ text: String, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        let raw = text.unicodeScalars.filter { $0 != "\n" && ($0.value < 0x20 || $0.value == 0x7F) }
        XCTAssertTrue(raw.isEmpty, "\(what) carries raw control characters \(raw.map { String($0.value, radix: 16) })", file: file, line: line)
        XCTAssertFalse(text.split(separator: "\n").contains { $0.hasPrefix("-a never") }, "\(what): injected rule line", file: file, line: line)
    }

    func testCompileRefusesEveryControlCharacterInAFileName() throws {
        let (dir, names) = try hostileDirectory()
        let r = try AurulesProcess.run(AurulesProcess.binary, ["compile", "--machine", "x86_64", "--no-resolve", dir])
        XCTAssertEqual(r.status, 2, r.err)
        XCTAssertEqual(r.out, "", "nothing written")
        assertInert(r.err, "compile's messages")
        for byte in Self.controlBytes {
            XCTAssertTrue(r.err.contains("10-a\\x" + String(format: "%02x", byte) + "b.rules: error: the file name contains the control character"),
                          "byte \(byte): \(r.err)")
        }
        XCTAssertEqual(r.err.components(separatedBy: "[AUR604]").count - 1, names.count, r.err)

        // One named file takes the chunked path: refused there too.
        let one = dir + "/" + names.last!
        let single = try AurulesProcess.run(AurulesProcess.binary, ["compile", "--machine", "x86_64", "--no-resolve", one])
        XCTAssertEqual(single.status, 2, single.err)
        XCTAssertEqual(single.out, "")
        assertInert(single.err, "compile of one file")
        XCTAssertTrue(single.err.contains("20-x\\x0a-a never,exit -S all\\x0a# .rules: error: the file name contains the control character \\x0a"),
                      single.err)
    }

    func testLintReportsControlCharactersInFileNamesInEveryFormat() throws {
        let (dir, names) = try hostileDirectory()
        for format in ["text", "json", "sarif"] {
            let r = try AurulesProcess.run(AurulesProcess.binary, ["lint", "--no-resolve", "--no-host-checks", "--format", format, dir])
            XCTAssertEqual(r.status, 1, "\(format): \(r.err)")
            assertInert(r.out, "lint --format \(format)")
            assertInert(r.err, "lint --format \(format) stderr")
            let marker = ["text": "[AUR604]", "json": "\"code\" : \"AUR604\"", "sarif": "\"ruleId\" : \"AUR604\""][format]!
            XCTAssertEqual(r.out.components(separatedBy: marker).count - 1, names.count, "\(format): \(r.out)")
        }
    }

    /// Names that are fine stay as they are (UTF-8; a space is a rules.d matter: augenrules splits it).
    func testOrdinaryNamesAreNotReported() throws {
        let dir = try rulesDirectory()
        let name = dir + "/10-bäse_rules.rules"
        try "-w /etc/hosts -p wa -k hosts\n".write(toFile: name, atomically: true, encoding: .utf8)
        let r = try AurulesProcess.run(AurulesProcess.binary, ["compile", "--machine", "x86_64", "--no-resolve", dir])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("# \(name):1\n"), r.out)
    }
}
