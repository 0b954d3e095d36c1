@testable import AuditKernel
import Foundation
import XCTest

final class AuditKernelErrorTests: XCTestCase {
    func testClassification() {
        XCTAssertEqual(AuditKernelError.classify(EPROTONOSUPPORT, operation: "open", opening: true), .auditNotInKernel(errno: EPROTONOSUPPORT))
        XCTAssertEqual(AuditKernelError.classify(EINVAL, operation: "open", opening: true), .auditNotInKernel(errno: EINVAL))
        XCTAssertEqual(AuditKernelError.classify(EINVAL, operation: "add"), .kernel(operation: "add", errno: EINVAL))
        XCTAssertEqual(AuditKernelError.classify(ECONNREFUSED, operation: "list"), .noAccessFromHere(operation: "list", errno: ECONNREFUSED))
        XCTAssertEqual(AuditKernelError.classify(EEXIST, operation: "add"), .kernel(operation: "add", errno: EEXIST))
        // EPERM means "no capability" only when the process really lacks it.
        let eperm = AuditKernelError.classify(EPERM, operation: "list")
        XCTAssertEqual(eperm, AuditKernelError.hasAuditControl() ? .noAccessFromHere(operation: "list", errno: EPERM) : .notPermitted(operation: "list"))
    }

    func testMessagesTellWhatToDo() {
        XCTAssertTrue(AuditKernelError.notPermitted(operation: "list the audit rules").description.contains("CAP_AUDIT_CONTROL"))
        XCTAssertTrue(AuditKernelError.notPermitted(operation: "list the audit rules").description.contains("--loaded"))
        XCTAssertTrue(AuditKernelError.auditNotInKernel(errno: EPROTONOSUPPORT).description.contains("CONFIG_AUDIT"))
        XCTAssertTrue(AuditKernelError.kernel(operation: "add an audit rule", errno: EEXIST).description.contains("File exists"))
    }

    /// CapEff from /proc agrees with what the kernel does: root here has the capability.
    func testCapabilityProbe() throws {
        guard geteuid() == 0 else { throw XCTSkip("not root") }
        XCTAssertTrue(AuditKernelError.hasAuditControl())
    }
}
