import Foundation
import XCTest

/// auditctl resolves user names with getpwnam, through NSS; so must lint and check. In a private
/// mount namespace /etc/passwd loses `nobody`, which NSS still answers (nss-systemd synthesizes
/// it), exactly the case of a user known to sssd or LDAP but not to the passwd file.
final class UserLookupTests: XCTestCase {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// The fully static executable scripts/package-deb builds; its tests skip when it is not built.
    static let staticBinary = packageRoot.appendingPathComponent(".build/static/release/aurules").path
    static let names = "-a always,exit -F arch=b64 -S open -F auid=nobody -F gid=root -F uid=daemon -F egid=nogroup\n"

    private func staticBinary() throws -> String {
        guard FileManager.default.isExecutableFile(atPath: Self.staticBinary) else {
            throw XCTSkip("no static build at \(Self.staticBinary) (scripts/package-deb builds it)")
        }
        return Self.staticBinary
    }

    private func assertUnknownUser(_ binary: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let r = try AurulesProcess.run(binary, ["compile", "-"], stdin: "-a always,exit -F arch=b64 -S open -F auid=aurules-nosuchuserx\n")
        XCTAssertEqual(r.status, 2, r.err, file: file, line: line)
        XCTAssertTrue(r.err.contains("Unknown user: aurules-nosuchuserx"), r.err, file: file, line: line)
        let g = try AurulesProcess.run(binary, ["compile", "-"], stdin: "-a always,exit -F arch=b64 -S open -F gid=aurules-nosuchgroupx\n")
        XCTAssertEqual(g.status, 2, g.err, file: file, line: line)
        XCTAssertTrue(g.err.contains("Unknown group: aurules-nosuchgroupx"), g.err, file: file, line: line)
    }

    func testUnknownNamesAreInputErrors() throws {
        try assertUnknownUser(AurulesProcess.binary)
    }

    /// The static executable must not use glibc's NSS (it crashed on names /etc/passwd lacks);
    /// it says "Unknown user" as the dynamic one does and resolves known names to the same ids.
    func testStaticExecutableResolvesAsTheDynamicOne() throws {
        let binary = try staticBinary()
        try assertUnknownUser(binary)
        let dynamic = try AurulesProcess.run(AurulesProcess.binary, ["compile", "-"], stdin: Self.names)
        let fullyStatic = try AurulesProcess.run(binary, ["compile", "-"], stdin: Self.names)
        XCTAssertEqual(dynamic.status, 0, dynamic.err)
        XCTAssertEqual(fullyStatic.status, 0, fullyStatic.err)
        XCTAssertEqual(fullyStatic.out, dynamic.out)
        XCTAssertTrue(dynamic.out.contains("-F auid=65534 -F gid=0 -F uid=1"), dynamic.out)
    }

    func testNamesKnownOnlyToNSSResolveAsAuditctlResolvesThem() throws {
        try namesKnownOnlyToNSS(AurulesProcess.binary)
    }

    /// The static executable asks getent for names the files lack.
    func testStaticExecutableAsksGetentForNamesKnownOnlyToNSS() throws {
        try namesKnownOnlyToNSS(try staticBinary())
    }

    private func namesKnownOnlyToNSS(_ binary: String) throws {
        guard geteuid() == 0 else { throw XCTSkip("not root: cannot bind-mount over /etc/passwd") }
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare") else { throw XCTSkip("unshare is not installed") }
        let dir = NSTemporaryDirectory() + "aurules-nss-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let passwd = try String(contentsOfFile: "/etc/passwd", encoding: .utf8).split(separator: "\n")
            .filter { !$0.hasPrefix("nobody:") }.joined(separator: "\n") + "\n"
        try passwd.write(toFile: dir + "/passwd", atomically: true, encoding: .utf8)
        let rule = "-a always,exit -F arch=b64 -S ptrace -F uid=nobody -F key=nss\n"
        try rule.write(toFile: dir + "/nss.rules", atomically: true, encoding: .utf8)
        try "-a always,exit -F arch=b64 -S ptrace -F uid=65534 -F key=nss\n".write(toFile: dir + "/listing", atomically: true, encoding: .utf8)
        let script = """
            mount --bind "$1/passwd" /etc/passwd || exit 77
            getent passwd nobody >/dev/null || exit 78
            "$2" lint "$1/nss.rules" || exit $?
            exec "$2" check "$1/nss.rules" --loaded "$1/listing" --machine x86_64
            """
        let r = try AurulesProcess.run("/usr/bin/unshare", ["-m", "sh", "-c", script, "sh", dir, binary])
        if r.status == 77 || r.status == 78 {
            let reason = r.status == 77 ? "cannot bind-mount in a new mount namespace" : "NSS does not answer for nobody without /etc/passwd"
            print("skipping: \(reason)")
            throw XCTSkip(reason)
        }
        XCTAssertEqual(r.status, 0, r.out + r.err)
        XCTAssertTrue(r.out.contains("In sync: 1 rules"), r.out + r.err)
    }
}
