import XCTest
@testable import AuditRules

final class AuditRulesSmokeTests: XCTestCase {
    func testModuleLoads() {}
}
