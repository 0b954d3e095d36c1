import AuditKernel
@testable import AuditRules
import Syscalls
import XCTest

/// io_uring rules compiled for audit 4.2 (operations from its table, no arch) are taken by the
/// running kernel (the io_uring filter list exists from Linux 5.16), and read back with the same
/// list, operations and fields.
final class IoUringKernelTests: XCTestCase {
    func testCompiledIoUringRulesLoad() throws {
        let text = "-a always,io_uring -S openat,connect -k aurules-test-uring\n-a never,io_uring -S all -k aurules-test-uring-all\n"
        var options = ParseOptions(resolver: nil, hostMachine: .x86_64)
        options.loader = .v4_2
        let file = RuleParser.parse(text: RulesText(text), file: "u.rules", options: options)
        let target = CompileTarget(machine: .x86_64, kernel: KernelVersion(6, 1), auditVersion: .v4_2, watchKind: .path, resolver: nil)
        let compiled = Compiler(target: target).compile(file)
        XCTAssertEqual(compiled.diagnostics.filter { $0.severity == .error }.map(\.message), [])
        XCTAssertEqual(compiled.rules.count, 2)
        try KernelSandbox.run { sandbox in
            for rule in compiled.rules { try sandbox.connection.addRule(rule) }
            let loaded = try sandbox.connection.listRules().map { try WireCodec.decode($0) }.filter { $0.list == .io_uring }
            XCTAssertEqual(loaded.count, 2)
            for (ours, theirs) in zip(compiled.rules, loaded) {
                XCTAssertEqual(SyscallMask.numbers(in: theirs.mask), SyscallMask.numbers(in: ours.mask))
                XCTAssertEqual(theirs.fields.map(\.id), ours.fields.map(\.id))
            }
            for rule in compiled.rules { try sandbox.connection.deleteRule(rule) }
        }
    }
}
