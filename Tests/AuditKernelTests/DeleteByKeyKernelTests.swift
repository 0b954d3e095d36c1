import AuditRules
import Foundation
import Syscalls
import XCTest

/// `-D -k KEY` deletes what auditctl 3.0.9 deletes: the rules loaded with auditctl -R, then
/// `auditctl -D -k KEY`, leave the kernel holding exactly the rules aurules' compiler keeps
/// (loaded alone, the same listing).
final class DeleteByKeyKernelTests: XCTestCase {
    static let long = "aurules-test-" + String(repeating: "k", count: 243)
    static let rules = """
        -a always,exit -F arch=b64 -S chmod -k aurules-test-network
        -a always,exit -F arch=b64 -S chown -k aurules-test-net
        -a always,exit -F arch=b64 -S fchown -k aurules-test-other -k aurules-test-net2
        -w /tmp/aurules-test-dk -p wa -k aurules-test-zzz
        -a always,exit -F arch=b64 -S lchown -k aurules-test-Net
        -a always,exit -F arch=b64 -S fchmod -k \(long)

        """
    /// Substrings, whole keys, case, a key spanning two `-k` parts, and a key longer than the
    /// 256 bytes auditctl keeps (its first 256 are the last rule's key).
    static let probes = ["net", "aurules-test-net", "work", "other\u{1}aurules", "zzz", "NET", "Net", "nomatch",
                         long + "EXTRA", "t-n"]

    /// The source lines whose rules remain after `-D -k probe`, by aurules' compiler.
    static func kept(after probe: String) -> [Int] {
        let text = rules + "-D -k \(probe)\n"
        let file = RuleParser.parse(text: RulesText(text), file: "t.rules", options: ParseOptions(resolver: nil, hostMachine: .x86_64))
        XCTAssertFalse(file.diagnostics.contains { $0.severity == .error }, "\(file.diagnostics.map(\.message))")
        var target = CompileTarget(machine: .x86_64, kernel: SyscallDatabase.shipped.newestRelease, watchKind: .path)
        target.archless = .asLoaded
        return Compiler(target: target).compile(file).rules.compactMap { $0.provenance?.line }
    }

    func testDeleteByKeyMatchesAuditctl() throws {
        guard HostFacts.current.machine == .x86_64 else { throw XCTSkip("the rules are x86_64's") }
        let lines = Self.rules.split(separator: "\n").map(String.init)
        try KernelSandbox.run { sandbox in
            for probe in Self.probes {
                try sandbox.clearRules()
                try sandbox.load(rules: Self.rules)
                try sandbox.auditctl(["-D", "-k", probe])
                let afterAuditctl = try sandbox.listing()
                let kept = Self.kept(after: probe)
                try sandbox.clearRules()
                let keptText = kept.map { lines[$0 - 1] + "\n" }.joined()
                if !keptText.isEmpty { try sandbox.load(rules: keptText) }
                XCTAssertEqual(try sandbox.listing(), afterAuditctl, "-D -k \(probe.debugDescription): aurules keeps lines \(kept)")
                print("-D -k \(probe.debugDescription.prefix(40)): \(afterAuditctl.count) rules left")
            }
        }
    }
}
