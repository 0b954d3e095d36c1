import AuditKernel
import AuditRules
import Foundation
import Syscalls
import XCTest

/// `apply` of several inputs and a rules.d directory, read a chunk of lines at a time
/// (`AppliedFiles`), against a kernel in memory: the same diagnostics, settings and target
/// rules as the whole read, and the same writes.
final class ApplyInputsTests: XCTestCase {
    static let target = CompileTarget(machine: .x86_64, kernel: KernelVersion(6, 18), auditVersion: .v3_0_9, watchKind: .path, resolver: nil)

    private func makeInputs() throws -> (dir: String, file: String) {
        let dir = NSTemporaryDirectory() + "aurules-apply-inputs-\(getpid())-\(UInt32.random(in: 0 ... .max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let files: [(String, String)] = [
            ("10-a.rules", "-D\n-b 8192\n-a always,exit -F arch=b64 -S open -k a\n-a always,exit -S execve -k ex\n-e 1\n"),
            ("20-b.rules", "-D\n-w /etc/hosts -p wa\n-b 320\r\n-f 2\n" + (0 ..< 300).map { "-a always,exit -S unlink -F auid=\($0)\n" }.joined()),
            ("30-c.rules", "-w /etc/passwd -p wa -k p\n-e 0"),
        ]
        for (name, text) in files { try Data(text.utf8).write(to: URL(fileURLWithPath: dir + "/" + name)) }
        let file = dir + ".extra.rules"
        try Data("-a always,exit -S chmod -F auid>=1000 -k perm\n-a always,exit -F arch=b32 -S open -k a32\n".utf8)
            .write(to: URL(fileURLWithPath: file))
        return (dir, file)
    }

    func testSeveralInputsApplyAsTheWholeRead() throws {
        let (dir, file) = try makeInputs()
        defer {
            try? FileManager.default.removeItem(atPath: dir)
            try? FileManager.default.removeItem(atPath: file)
        }
        let options = Self.target.parseOptions
        for paths in [[dir], [file, dir], [dir, file, dir + "/30-c.rules"]] {
            let source = RuleInputs.load(paths: paths, options: options)
            let compiled = Compiler(target: Self.target).compile(source)
            let files = AppliedFiles(paths: paths, options: options, target: Self.target)
            XCTAssertEqual(files.diagnostics, DriftCheck.diagnostics(source, compiled), "\(paths)")
            XCTAssertEqual(files.compiled.settings.map(\.setting), compiled.settings.map(\.setting))
            XCTAssertEqual(files.compiled.rules.map(\.provenance?.line), compiled.rules.map(\.provenance?.line))
            // The kernel holds the arch-less rules as auditctl loads them, or as the compiler writes them.
            let asLoaded = ExpectedRules.adapt(compiled.rules, source: source, machine: .x86_64, kernelRules: [])
            for held in [[], asLoaded, Array(compiled.rules.suffix(20))] {
                XCTAssertEqual(files.expected(for: held), ExpectedRules.adapt(compiled.rules, source: source, machine: .x86_64, kernelRules: held))
                var logs: [[String]] = []
                for target in [files.expected(for:), { ExpectedRules.adapt(compiled.rules, source: source, machine: .x86_64, kernelRules: $0) }] {
                    let kernel = FakeAuditKernel(rules: held)
                    let applier = AuditApplier(transport: kernel)
                    _ = try applier.apply(target: target, settings: files.settings)
                    XCTAssertEqual(kernel.rules, target(held))
                    logs.append(kernel.log)
                }
                XCTAssertEqual(logs[0], logs[1], "\(paths), \(held.count) held")
                // Planned over the files' arena, each step's rule made when it is sent: the same
                // writes, the same rules, and the same dry-run plan.
                let kernel = FakeAuditKernel(rules: held)
                let applier = AuditApplier(transport: kernel)
                let dry = try applier.apply(files: files, dryRun: true)
                let wholeDry = try AuditApplier(transport: FakeAuditKernel(rules: held)).apply(target: logsTarget(source, compiled), settings: files.settings, dryRun: true)
                XCTAssertEqual(dry.plan.steps.map(\.role), wholeDry.plan.steps.map(\.role))
                XCTAssertEqual(dry.plan.steps.map(\.operation.rule), wholeDry.plan.steps.map(\.operation.rule))
                XCTAssertEqual(dry.plan.steps.map { $0.operation.rule?.provenance?.line }, wholeDry.plan.steps.map { $0.operation.rule?.provenance?.line })
                XCTAssertEqual(dry.plan.settingsChanged, wholeDry.plan.settingsChanged)
                XCTAssertEqual(kernel.writes, 0)
                let result = try applier.apply(files: files)
                XCTAssertEqual(kernel.log, logs[0], "\(paths), \(held.count) held")
                XCTAssertEqual(kernel.rules, files.expected(for: held))
                XCTAssertEqual(Array(result.plan.final), kernel.rules)
            }
        }
    }

    private func logsTarget(_ source: RuleFile, _ compiled: CompileResult) -> ([KernelRule]) -> [KernelRule] {
        { ExpectedRules.adapt(compiled.rules, source: source, machine: .x86_64, kernelRules: $0) }
    }

    /// An error in the second input stops apply before any change, as the whole read does.
    func testAnErrorInTheSecondInputIsReported() throws {
        let (dir, file) = try makeInputs()
        defer {
            try? FileManager.default.removeItem(atPath: dir)
            try? FileManager.default.removeItem(atPath: file)
        }
        try Data("-a always,exit -S nosuchcall -k bad\n".utf8).write(to: URL(fileURLWithPath: file))
        let source = RuleInputs.load(paths: [dir, file], options: Self.target.parseOptions)
        let files = AppliedFiles(paths: [dir, file], options: Self.target.parseOptions, target: Self.target)
        XCTAssertEqual(files.diagnostics, DriftCheck.diagnostics(source, Compiler(target: Self.target).compile(source)))
        XCTAssertTrue(files.diagnostics.contains { $0.severity == .error && $0.location.file == file })
    }
}
