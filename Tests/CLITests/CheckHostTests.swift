@testable import aurules
import AuditRules
import Foundation
import XCTest

/// The check's fast libaudit version probe agrees with the compiler's reading of the same file.
final class CheckHostTests: XCTestCase {
    func testLibauditVersionProbe() throws {
        XCTAssertEqual(CheckRun.installedLibauditVersion(), HostSystem.libauditVersion())
        let dir = NSTemporaryDirectory() + "aurules-dpkg-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let cases = [
            "Package: libaudit-common\nVersion: 1:3.0.9-1\n\nPackage: libaudit1\nStatus: install ok installed\nVersion: 1:4.0.2-2\n\n",
            "Package: libaudit1\nVersion: 3.0.9-1\n\nPackage: other\nVersion: 9\n",
            "Package: libaudit1\nStatus: deinstall\n\nPackage: other\nVersion: 4.1\n",
            "Package: libaudit1-dev\nVersion: 4.1\n",
        ]
        for (i, text) in cases.enumerated() {
            let path = "\(dir)/status\(i)"
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            XCTAssertEqual(CheckRun.installedLibauditVersion(dpkgStatus: path), HostSystem.libauditVersion(dpkgStatus: path), text)
        }
        XCTAssertEqual(CheckRun.installedLibauditVersion(dpkgStatus: "\(dir)/status0"), .v4_2)
        XCTAssertNil(CheckRun.installedLibauditVersion(dpkgStatus: "\(dir)/missing"))
    }
}
