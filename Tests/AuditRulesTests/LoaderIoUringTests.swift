@testable import AuditRules
import Foundation
import Syscalls
import XCTest

/// The io_uring list as each release's auditctl takes it: unknown to 2.8.5 .. 3.0.9 ("bad
/// keyword"), and from 3.1 a list whose -S names come from the release's io_uring operation
/// table (the same numbers on every ABI, no -F arch needed).
final class LoaderIoUringTests: XCTestCase {
    func parse(_ text: String, _ release: AuditVersion?, kernel: KernelVersion? = nil) -> RuleFile {
        var options = ParseOptions(resolver: nil, hostMachine: .x86_64)
        options.loader = release
        options.kernel = kernel
        return RuleParser.parse(text: RulesText(text), file: "u.rules", options: options)
    }

    func testTheListIsRefusedByReleasesWithoutIt() {
        for release in AuditVersion.allCases {
            let hasList = release.loader.has("list", "io_uring")
            for (command, id) in [("-a", "Append"), ("-A", "Add"), ("-d", "Delete")] {
                let errors = parse("\(command) always,io_uring -S openat -k u\n", release).diagnostics.filter { $0.severity == .error }
                XCTAssertEqual(errors.isEmpty, hasList, "\(release) \(command): \(errors.map(\.message))")
                if !hasList {
                    XCTAssertTrue(errors[0].message.contains("(auditctl: \"\(id) rule - bad keyword always,io_uring\")"), errors[0].message)
                    XCTAssertEqual(errors[0].code, DiagnosticCode.listAction.rawValue)
                }
            }
        }
        XCTAssertEqual(AuditVersion.allCases.filter { $0.loader.has("list", "io_uring") }.map(\.rawValue), ["3.1.2", "4.0.2", "4.1.4", "4.2.1"])
        // The kernel's io_uring filter list exists from 5.16.
        let old = parse("-a always,io_uring -S openat -k u\n", .v4_2, kernel: KernelVersion(5, 15)).diagnostics.filter { $0.severity == .error }
        XCTAssertEqual(old.count, 1)
        XCTAssertTrue(old.first?.message.contains("kernel 5.15 has no io_uring filter list") == true)
    }

    /// -S names on the io_uring list are the release's operations: every name of its table is
    /// taken, syscall names that are no operation are refused with its message.
    func testOperationsComeFromTheReleasesTable() {
        for release in AuditVersion.allCases where release.loader.has("list", "io_uring") {
            let ops = release.loader.names("uringop")
            XCTAssertGreaterThanOrEqual(ops.count, 20, "\(release)")
            let all = parse("-a always,io_uring -S \(ops.sorted().joined(separator: ",")) -k u\n", release)
            XCTAssertEqual(all.diagnostics.filter { $0.severity == .error }.map(\.message), [], "\(release)")
            let bad = parse("-a always,io_uring -S openat,execve -k u\n", release).diagnostics.filter { $0.severity == .error }
            XCTAssertEqual(bad.map(\.code), [DiagnosticCode.ioUringOperation.rawValue], "\(release)")
            XCTAssertTrue(bad.first?.message.contains("(auditctl: \"io_uring op unknown: openat,execve\")") == true, "\(bad)")
            XCTAssertEqual(bad.first?.location.column, 30)
        }
        // 4.0 added the futex operations.
        XCTAssertFalse(parse("-a always,io_uring -S futex_wait -k u\n", AuditVersion(rawValue: "3.1.2")!).diagnostics.filter { $0.severity == .error }.isEmpty)
        XCTAssertTrue(parse("-a always,io_uring -S futex_wait -k u\n", AuditVersion(rawValue: "4.0.2")!).diagnostics.filter { $0.severity == .error }.isEmpty)
    }

    /// Compiled: one rule on the io_uring list, the operations' numbers from the loader's table
    /// (openat 18, connect 16), no arch added; `-S all` sets the operations the table names;
    /// written back with the loader's names.
    func testCompiledWithTheLoadersOperationNumbers() throws {
        let target = CompileTarget(machine: .x86_64, kernel: KernelVersion(6, 1), auditVersion: .v4_2, watchKind: .path, resolver: nil)
        let file = parse("-a always,io_uring -S openat,connect -k u\n-a never,io_uring -S all\n-a always,io_uring -F uid=0\n", .v4_2)
        let result = Compiler(target: target).compile(file)
        XCTAssertEqual(result.diagnostics.filter { $0.severity == .error }.map(\.message), [])
        XCTAssertEqual(result.rules.count, 3)
        let facts = AuditVersion.v4_2.loader
        XCTAssertEqual(try XCTUnwrap(facts.uringOp("openat")), 18)
        XCTAssertEqual(try XCTUnwrap(facts.uringOp("CONNECT")), 16)
        XCTAssertEqual(SyscallMask.numbers(in: result.rules[0].mask), [16, 18])
        XCTAssertEqual(result.rules[0].list, .io_uring)
        XCTAssertFalse(result.rules[0].fields.contains { $0.id == FieldID.arch })
        XCTAssertEqual(SyscallMask.numbers(in: result.rules[1].mask), facts.uringOpNumbers)
        XCTAssertTrue(SyscallMask.isAll(result.rules[2].mask), "no -S: auditctl's default all, every bit")
        let writer = RulesFileWriter(target: target)
        let lines = result.rules.map { writer.line(for: $0).utf8String }
        XCTAssertEqual(lines[0], "-a always,io_uring -S connect,openat -F key=u")
        XCTAssertTrue(lines[1].hasPrefix("-a never,io_uring -S sendmsg,recvmsg,accept,connect,"), lines[1])
        XCTAssertEqual(lines[2], "-a always,io_uring -F uid=0")
        // What is written reads back to the same rules.
        let again = Compiler(target: target).compile(parse(lines.joined(separator: "\n") + "\n", .v4_2))
        XCTAssertEqual(again.rules.map(\.mask), result.rules.map(\.mask))
    }
}
