import XCTest
@testable import AuditKernel

final class AuditKernelSmokeTests: XCTestCase {
    func testModuleLoads() {}
}
