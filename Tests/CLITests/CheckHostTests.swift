import AuditRules
import Foundation
import Syscalls
import XCTest

/// The libaudit version probe that compile and check use to decide the loader's syscall names.
final class CheckHostTests: XCTestCase {
    func testLibauditVersionProbeReadsTheLibaudit1Stanza() throws {
        let dir = NSTemporaryDirectory() + "aurules-dpkg-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let cases: [(String, AuditVersion?)] = [
            ("Package: libaudit-common\nVersion: 1:3.0.9-1\n\nPackage: libaudit1\nStatus: install ok installed\nVersion: 1:4.0.2-2\n\n", AuditVersion(rawValue: "4.0.2")),
            ("Package: libaudit1\nVersion: 3.0.9-1\n\nPackage: other\nVersion: 9\n", .v3_0_9),
            ("Package: libaudit1\nStatus: deinstall\n\nPackage: other\nVersion: 4.1\n", nil),
            ("Package: libaudit1-dev\nVersion: 4.1\n", nil),
            // A release between shipped ones takes the data of the one before it.
            ("Package: libaudit1\nVersion: 1:3.1.4-1\n", AuditVersion(rawValue: "3.1.2")),
            ("Package: libaudit1\nVersion: 1:2.8.4-3\n", nil),
        ]
        for (i, (text, expected)) in cases.enumerated() {
            let path = "\(dir)/status\(i)"
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            XCTAssertEqual(HostFacts.libauditVersion(dpkgStatus: path), expected, text)
        }
        XCTAssertNil(HostFacts.libauditVersion(dpkgStatus: "\(dir)/missing"))
    }

    func testLibauditVersionProbeAgreesWithDpkgQuery() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/dpkg-query")
        p.arguments = ["-W", "-f=${Version}", "libaudit1"]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { throw XCTSkip("dpkg-query is not available") }
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw XCTSkip("libaudit1 is not installed as a package") }
        var version = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        if let colon = version.firstIndex(of: ":") { version = String(version[version.index(after: colon)...]) }
        let release = String(version.prefix { $0.isNumber || $0 == "." })
        XCTAssertEqual(HostFacts.current.libauditVersion, AuditVersion(loose: release))
        XCTAssertEqual(HostFacts.current.libauditVersion?.rawValue, release, "the installed release has shipped data")
    }
}
