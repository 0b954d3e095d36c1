import CLibAudit
import Foundation
import XCTest
@testable import AuditRules

/// Our refusal messages against auditctl's own, for one value of every kind of refusal libaudit
/// makes: auditctl runs with the field on its command line and refuses before sending anything.
/// It runs in a KernelSandbox all the same (the rule set is restored byte for byte should auditctl
/// load a rule after all). Runs of spaces are compared as one (auditctl has a few doubled spaces
/// in its messages that we do not copy).
final class FieldAuditctlMessageTests: XCTestCase {
    func testMessagesMatchAuditctl() throws {
        let parser = FieldValueParser(resolver: HostUserResolver())
        var cases: [(FieldSpec, FilterList, FieldOperator, String, String)] = []
        var seen = Set<String>()
        for spec in FieldTable.all where spec.id != FieldID.key {
            for list in FieldLibauditSweepTests.lists {
                for op in FieldOperator.allCases {
                    for raw in FieldLibauditSweepTests.values {
                        guard case .rejected = FieldLibauditOracle.parse("\(spec.name)\(op.rawValue)\(raw)", list: list,
                                                                         syscallAdded: spec.id != FieldID.arch),
                              case .failure(let e) = parser.parse(spec, op: op, raw: RulesText(raw), list: list),
                              seen.insert(Self.template(e.message, spec, raw)).inserted else { continue }
                        cases.append((spec, list, op, raw, e.message))
                    }
                }
            }
        }
        let start = Date()
        var same = 0
        var different: [String] = []
        // Nothing should be loaded: the rules in place stay (clear: false), and are restored at the end.
        try KernelSandbox.run(clear: false) { _ in
            for (spec, list, op, raw, ours) in cases {
                var args = ["-a", "never,\(list.rawValue)"]
                if list == .exit && spec.id != FieldID.arch { args += ["-F", "arch=b64", "-S", "openat"] }
                args += ["-F", "\(spec.name)\(op.rawValue)\(raw)"]
                let (status, _, stderr) = try KernelSandbox.runProcess(KernelSandbox.auditctlPath!, args)
                if status == 0 {
                    XCTFail("auditctl \(args.joined(separator: " ")) was accepted")
                    continue
                }
                let message = stderr.split(separator: "\n").first.map(String.init) ?? ""
                if Self.squeezed(message) == Self.squeezed(ours) { same += 1 } else {
                    different.append("\(list.rawValue) \(spec.name)\(op.rawValue)\(raw): auditctl \"\(message)\", we \"\(ours)\"")
                }
            }
        }
        print("auditctl messages: \(same) of \(cases.count) refusal kinds worded as auditctl words them"
              + " (\(Int(Date().timeIntervalSince(start) * 1000)) ms with the lock)")
        for d in different { print("  " + d) }
        XCTAssertEqual(different.count, 0)
    }

    /// One case per wording: the message with the field's name and the value taken out.
    static func template(_ message: String, _ spec: FieldSpec, _ raw: String) -> String {
        message.replacingOccurrences(of: spec.name, with: "NAME").replacingOccurrences(of: raw, with: "VALUE")
    }

    static func squeezed(_ s: String) -> String {
        s.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }
}
