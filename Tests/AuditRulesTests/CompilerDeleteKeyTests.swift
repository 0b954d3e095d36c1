import AuditRules
import Syscalls
import XCTest

/// `-D -k KEY` as auditctl 3.0.9's key_match decides (checked against auditctl itself in
/// AuditKernelTests/DeleteByKeyKernelTests): a substring of the whole key field, KEY cut to 256 bytes.
final class CompilerDeleteKeyTests: XCTestCase {
    func kept(_ text: String) -> [Int] {
        let file = RuleParser.parse(text: RulesText(text), file: "t.rules", options: ParseOptions(resolver: nil, hostMachine: .x86_64))
        let target = CompileTarget(machine: .x86_64, kernel: SyscallDatabase.shipped.newestRelease, watchKind: .path)
        return Compiler(target: target).compile(file).rules.compactMap { $0.provenance?.line }
    }

    func testSubstringOfTheWholeKeyField() {
        let rules = "-a always,exit -F arch=b64 -S chmod -k network\n-a always,exit -F arch=b64 -S chown -k a -k net\n"
            + "-a always,exit -F arch=b64 -S fchown -k other\n-a always,exit -F arch=b64 -S lchown\n"
        XCTAssertEqual(kept(rules + "-D -k net\n"), [3, 4])
        XCTAssertEqual(kept(rules + "-D -k wor\n"), [2, 3, 4], "a substring inside a key")
        XCTAssertEqual(kept(rules + "-D -k a\u{1}ne\n"), [1, 3, 4], "a KEY spanning two -k parts")
        XCTAssertEqual(kept(rules + "-D -k NET\n"), [1, 2, 3, 4], "case matters")
        XCTAssertEqual(kept(rules + "-D -k other\n"), [1, 2, 4], "a keyless rule is never taken by a KEY")
    }

    func testKeyCutTo256Bytes() {
        let key = String(repeating: "k", count: 256)
        let rules = "-a always,exit -F arch=b64 -S chmod -k \(key)\n"
        XCTAssertEqual(kept(rules + "-D -k \(key)EXTRA\n"), [], "auditctl keeps 256 bytes of KEY")
        XCTAssertEqual(kept(rules + "-D -k x\(key)\n"), [1])
    }
}
