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

    /// A large status file is searched from a stanza found by bisection (dpkg sorts the stanzas by
    /// name): libaudit1 anywhere in a sorted file, the first of two, and in an unsorted file.
    func testLibauditVersionProbeInLargeStatusFiles() throws {
        let dir = NSTemporaryDirectory() + "aurules-dpkg-large-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        func stanza(_ name: String, _ version: String) -> String {
            "Package: \(name)\nStatus: install ok installed\nPriority: optional\nProvides: x\nVersion: \(version)\n"
                + "Description: Package \(name)\n Padding Padding Padding Padding Padding Padding Padding Padding\n\n"
        }
        /// 3,000 packages named `prefix` and a number, sorted, with `inserted` where its name sorts.
        func file(_ prefix: String, inserting inserted: [(String, String)] = []) -> String {
            let names = (0 ..< 3000).map { prefix + String(format: "%05d", $0) }
            let before = names.filter { $0.utf8.lexicographicallyPrecedes("libaudit1".utf8) }
            let after = names.filter { !$0.utf8.lexicographicallyPrecedes("libaudit1".utf8) }
            return (before.map { stanza($0, "1.0") } + inserted.map(stanza) + after.map { stanza($0, "1.0") }).joined()
        }
        let cases: [(String, AuditVersion?)] = [
            (file("pkg", inserting: [("libaudit1", "1:3.0.9-1")]), .v3_0_9),
            (file("a", inserting: [("libaudit1", "1:3.0.9-1")]), .v3_0_9),
            (file("lib", inserting: [("libaudit-common", "1:4.2.1-1"), ("libaudit1", "1:4.0.2-2")]), AuditVersion(rawValue: "4.0.2")),
            (file("lib", inserting: [("libaudit1", "1:4.0.2-2"), ("libaudit1", "1:3.0.9-1")]), AuditVersion(rawValue: "4.0.2")),
            (file("lib", inserting: [("libaudit1x", "1:3.0.9-1")]), nil),
            // Not sorted: searched from the start.
            (file("pkg") + stanza("libaudit1", "1:3.0.9-1"), .v3_0_9),
            (stanza("other", "1") + stanza("libaudit1", "1:4.0.2-2") + file("a"), AuditVersion(rawValue: "4.0.2")),
            (file("pkg") + stanza("libaudit1", "1:4.0.2-2") + file("pkg"), AuditVersion(rawValue: "4.0.2")),
        ]
        for (i, (text, expected)) in cases.enumerated() {
            let path = "\(dir)/status\(i)"
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            XCTAssertEqual(HostFacts.libauditVersion(dpkgStatus: path), expected, "case \(i)")
        }
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
