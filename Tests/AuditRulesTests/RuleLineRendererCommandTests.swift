@testable import AuditRules
import Syscalls
import XCTest

/// `appendCommand` spells each action and list pair as a literal (static text, no allocation):
/// every pair is the enums' raw values.
final class RuleLineRendererCommandTests: XCTestCase {
    func testEveryActionAndListRendersAsTheirRawValues() {
        let target = CompileTarget(machine: .x86_64, kernel: KernelVersion(6, 18), auditVersion: .v3_0_9, watchKind: .path, resolver: nil)
        for action in RuleAction.allCases {
            for list in FilterList.allCases {
                var renderer = RuleLineRenderer(target: target, syscallStyle: .auto)
                renderer.appendLine(KernelRule(list: list, action: action))
                let expected = "-a \(action.rawValue),\(list.rawValue)"
                XCTAssertEqual(String(decoding: renderer.bytes.prefix(expected.utf8.count), as: UTF8.self), expected)
                XCTAssertTrue(renderer.bytes.count == expected.utf8.count || renderer.bytes[expected.utf8.count] == 0x20, expected)
            }
        }
    }
}
