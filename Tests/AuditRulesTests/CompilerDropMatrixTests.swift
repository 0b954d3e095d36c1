@testable import AuditRules
import Foundation
import Syscalls
import XCTest

/// Compiling the corpus for x86_64, aarch64, ppc64le and s390x at 3.10, 4.14, 4.18, 5.10 and 6.1
/// never succeeds with a statement that asks for events but produced no kernel rule: either the
/// target is refused (a release outside the tables), or each such statement is an error, or
/// (with drops allowed) a warning naming the target.
final class CompilerDropMatrixTests: XCTestCase {
    func testNoSilentDropAcrossMachinesAndKernels() throws {
        guard FileManager.default.fileExists(atPath: CompilerCorpusTests.corpus) else { throw XCTSkip("no corpus at \(CompilerCorpusTests.corpus)") }
        let kernels = [KernelVersion(3, 10), KernelVersion(4, 14), KernelVersion(4, 18), KernelVersion(5, 10), KernelVersion(6, 1)]
        var compiled = 0, refused: [String] = [], dropErrors = 0
        for machine in [Machine.x86_64, .aarch64, .ppc64le, .s390x] {
            let file = try CompilerCorpusTests.corpusFile(for: machine)
            for kernel in kernels {
                var target = CompileTarget(machine: machine, kernel: kernel, auditVersion: .v3_0_9, watchKind: .path, resolver: nil)
                if let reason = target.unsupportedReason {
                    refused.append("\(machine) \(kernel): \(reason)")
                    continue
                }
                compiled += 1
                for allow in [false, true] {
                    target.allowDrops = allow
                    let state = CompilationState(target: target)
                    for stmt in file.statements {
                        guard case .rule(let rule) = stmt.kind, rule.command != .delete else { continue }
                        let lowered = state.lower(stmt)
                        guard case .add(let rules, _, _, _) = lowered.effect, rules.isEmpty else { continue }
                        let drop = lowered.diagnostics.first { $0.message.hasPrefix("no kernel rule for \(machine) at kernel \(kernel) with audit 3.0.9") }
                        if allow {
                            // Allowed: a warning naming the target, or an error of the statement's own.
                            XCTAssertTrue(drop?.severity == .warning || lowered.diagnostics.contains { $0.severity == .error },
                                          "\(machine) \(kernel): \(stmt.location.file):\(stmt.location.line) \(message: stmt.text)")
                        } else {
                            // The compile cannot exit 0: the statement carries an error.
                            XCTAssertTrue(lowered.diagnostics.contains { $0.severity == .error },
                                          "\(machine) \(kernel): \(stmt.location.file):\(stmt.location.line) \(message: stmt.text) produced no rule silently")
                            if drop != nil { dropErrors += 1 }
                        }
                    }
                }
            }
        }
        print("drop matrix: \(compiled) targets compiled, \(dropErrors) drop errors without --allow-drops; refused: \(refused.joined(separator: "; "))")
        // Covered: x86_64 and s390x from 3.10, aarch64 and ppc64le from 4.9.
        XCTAssertEqual(refused.count, 2, refused.joined(separator: "\n"))
        XCTAssertTrue(refused.allSatisfy { $0.contains(" 3.10: kernel 3.10 is outside the tables") })
    }
}
