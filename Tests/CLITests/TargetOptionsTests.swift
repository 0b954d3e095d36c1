import Foundation
import XCTest

/// lint, compile, check and syscall read the target options the same way: one policy for a
/// release outside the tables (exit 2, naming the range they cover), one for a bad machine.
final class TargetOptionsTests: XCTestCase {
    private func run(_ arguments: [String], stdin: String? = nil) throws -> (status: Int32, out: String, err: String) {
        try AurulesProcess.run(AurulesProcess.binary, arguments, stdin: stdin)
    }

    private let rules = "-a always,exit -F arch=b64 -S execve -k exec\n"

    func testReleaseOutsideTheTablesIsAnErrorNamingTheRangeForEveryCommand() throws {
        let listing = NSTemporaryDirectory() + "aurules-target-\(getpid()).txt"
        try "-a always,exit -F arch=b64 -S execve -F key=exec\n".write(toFile: listing, atomically: true, encoding: .utf8)
        defer { unlink(listing) }
        let commands: [([String], String)] = [
            (["lint", "-", "--machine", "x86_64", "--kernel", "99.0"], "lint"),
            (["compile", "-", "--machine", "x86_64", "--kernel", "99.0"], "compile"),
            (["check", "-", "--loaded", listing, "--machine", "x86_64", "--kernel", "99.0"], "check"),
            (["syscall", "--machine", "x86_64", "--kernel", "99.0", "open"], "syscall"),
            (["compile", "-", "--machine", "x86_64", "--kernel", "2.6"], "compile"),
        ]
        for (arguments, command) in commands {
            let r = try run(arguments, stdin: rules)
            XCTAssertEqual(r.status, 2, "\(arguments): \(r.err)")
            XCTAssertEqual(r.out, "", "\(arguments)")
            let kernel = arguments[arguments.firstIndex(of: "--kernel")! + 1]
            XCTAssertTrue(r.err.contains("aurules \(command): kernel \(kernel) is outside the syscall tables for x86_64 (they cover "),
                          "\(arguments): \(r.err)")
            XCTAssertTrue(r.err.contains(" to 7.2-rc1); import that release"), "\(arguments): \(r.err)")
        }
    }

    func testReleaseInsideTheTablesIsAcceptedByEveryCommand() throws {
        XCTAssertEqual(try run(["lint", "-", "--machine", "x86_64", "--kernel", "6.1"], stdin: rules).status, 0)
        XCTAssertEqual(try run(["compile", "-", "--machine", "x86_64", "--kernel", "7.2-rc1"], stdin: rules).status, 0)
        XCTAssertEqual(try run(["syscall", "--machine", "aarch64", "--kernel", "6.1", "b64", "openat", "--exact"]).out, "56\n")
    }

    func testUnknownMachineAndAuditVersionAreUsageErrors() throws {
        for command in ["lint", "compile"] {
            let machine = try run([command, "-", "--machine", "vax"], stdin: rules)
            XCTAssertEqual(machine.status, 2)
            XCTAssertTrue(machine.err.contains("aurules \(command): unknown machine 'vax'"), machine.err)
            let version = try run([command, "-", "--machine", "x86_64", "--audit-version", "9"], stdin: rules)
            XCTAssertEqual(version.status, 2)
            XCTAssertTrue(version.err.contains("aurules \(command): unknown --audit-version '9'"), version.err)
        }
    }
}
