import XCTest
@testable import AuditLint

final class AuditLintSmokeTests: XCTestCase {
    func testModuleLoads() {}
}
