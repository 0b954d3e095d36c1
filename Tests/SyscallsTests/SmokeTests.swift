import XCTest
@testable import Syscalls

final class KernelVersionTests: XCTestCase {
    func testParsesReleasesAndOrdersRCsFirst() {
        XCTAssertEqual(KernelVersion("6.1"), KernelVersion(6, 1))
        XCTAssertEqual(KernelVersion("v6.1.192"), KernelVersion(6, 1))
        XCTAssertEqual(KernelVersion("6.18.44-fc-v657"), KernelVersion(6, 18))
        XCTAssertEqual(KernelVersion("7.2-rc1"), KernelVersion(7, 2, rc: 1))
        XCTAssertLessThan(KernelVersion(7, 2, rc: 1), KernelVersion(7, 2))
        XCTAssertLessThan(KernelVersion(6, 9), KernelVersion(6, 10))
        XCTAssertNil(KernelVersion("six"))
    }
}
