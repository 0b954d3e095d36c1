import Foundation
import XCTest

/// auditctl resolves user names with getpwnam, through NSS; so must lint and check. In a private
/// mount namespace /etc/passwd loses `nobody`, which NSS still answers (nss-systemd synthesizes
/// it), exactly the case of a user known to sssd or LDAP but not to the passwd file.
final class UserLookupTests: XCTestCase {
    func testNamesKnownOnlyToNSSResolveAsAuditctlResolvesThem() throws {
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
        let r = try AurulesProcess.run("/usr/bin/unshare", ["-m", "sh", "-c", script, "sh", dir, AurulesProcess.binary])
        if r.status == 77 || r.status == 78 {
            let reason = r.status == 77 ? "cannot bind-mount in a new mount namespace" : "NSS does not answer for nobody without /etc/passwd"
            print("skipping: \(reason)")
            throw XCTSkip(reason)
        }
        XCTAssertEqual(r.status, 0, r.out + r.err)
        XCTAssertTrue(r.out.contains("In sync: 1 rules"), r.out + r.err)
    }
}
