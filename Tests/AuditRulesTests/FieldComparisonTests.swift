import CLibAudit
import Foundation
import XCTest
@testable import AuditRules

final class FieldComparisonTests: XCTestCase {
    private static let ids = ["uid", "euid", "suid", "fsuid", "auid", "obj_uid", "gid", "egid", "sgid", "fsgid",
                              "obj_gid", "loginuid", "pid", "exe"]

    /// Every pair in both orders against libaudit's audit_rule_interfield_comp_data.
    func testEveryPairMatchesLibaudit() {
        var accepted = 0
        for l in Self.ids {
            for r in Self.ids {
                for op in ["=", "!="] {
                    var rule: UnsafeMutablePointer<audit_rule_data>? = audit_rule_create_data()
                    let pair = strdup("\(l)\(op)\(r)")!
                    let rc = audit_rule_interfield_comp_data(&rule, pair, Int32(AUDIT_FILTER_EXIT))
                    free(pair)
                    let theirs: UInt32? = rc == 0 ? withUnsafeBytes(of: &rule!.pointee.values) { $0.load(as: UInt32.self) } : nil
                    free(rule)
                    XCTAssertEqual(ComparisonTable.constant(l, r), theirs, "\(l)\(op)\(r)")
                    if theirs != nil { accepted += 1 }
                }
            }
        }
        // 25 constants in both orders, plus loginuid for auid in the 5 auid pairs; two operators.
        XCTAssertEqual(accepted, (25 + 5) * 2 * 2)
    }

    func testListingOrderIsTheConstantName() {
        XCTAssertEqual(ComparisonTable.fields(of: 11)?.left, "uid")
        XCTAssertEqual(ComparisonTable.fields(of: 11)?.right, "euid")
        XCTAssertEqual(ComparisonTable.constant("euid", "uid"), 11)
        XCTAssertEqual(ComparisonTable.fields(of: 16).map { [$0.left, $0.right] }, ["auid", "euid"])
        XCTAssertNil(ComparisonTable.fields(of: 26))
        XCTAssertNil(ComparisonTable.constant("uid", "uid"))
        XCTAssertNil(ComparisonTable.constant("uid", "gid"))
        for c in UInt32(1)...25 {
            let f = ComparisonTable.fields(of: c)!
            XCTAssertEqual(ComparisonTable.constant(f.right, f.left), c)
        }
    }
}
