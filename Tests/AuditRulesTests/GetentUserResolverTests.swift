import Foundation
import XCTest
@testable import AuditRules

/// The static executable's resolver: files, then getent. Compared with getpwnam/getgrnam, which
/// this (dynamic) test process can call safely.
final class GetentUserResolverTests: XCTestCase {
    func testParsesGetentLines() {
        XCTAssertEqual(FilesThenGetentUserResolver.parseID(Array("root:x:0:0:root:/root:/bin/bash\n".utf8)), 0)
        XCTAssertEqual(FilesThenGetentUserResolver.parseID(Array("nogroup:x:65534:\n".utf8)), 65534)
        XCTAssertEqual(FilesThenGetentUserResolver.parseID(Array("a:x:7:7:x:y:z\nb:x:8:8::/:\n".utf8)), 7)
        XCTAssertEqual(FilesThenGetentUserResolver.parseID(Array("big:x:4294967295:\n".utf8)), 4_294_967_295)
        XCTAssertNil(FilesThenGetentUserResolver.parseID(Array("big:x:4294967296:\n".utf8)))
        XCTAssertNil(FilesThenGetentUserResolver.parseID(Array("neg:x:-1:\n".utf8)))
        XCTAssertNil(FilesThenGetentUserResolver.parseID(Array("plus:x:+1:\n".utf8)))
        XCTAssertNil(FilesThenGetentUserResolver.parseID(Array("short:x\n".utf8)))
        XCTAssertNil(FilesThenGetentUserResolver.parseID(Array(":x:1:\n".utf8)))
        XCTAssertNil(FilesThenGetentUserResolver.parseID(Array("empty:x::\n".utf8)))
        XCTAssertNil(FilesThenGetentUserResolver.parseID([]))
    }

    /// With empty files every answer comes from getent; it must be getpwnam's / getgrnam's.
    func testGetentAnswersAsGetpwnamDoes() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/getent") else { throw XCTSkip("getent is not installed") }
        let viaGetent = FilesThenGetentUserResolver(files: HostUserResolver(passwdPath: "/nonexistent", groupPath: "/nonexistent"))
        let system = SystemUserResolver()
        XCTAssertFalse(ExecutableLinkage.isStatic, "the test process is dynamic: SystemUserResolver must be getpwnam here")
        for name: RulesText in ["root", "nobody", "daemon", "aurules-no-such-user", "-x", "--help", "a:b"] {
            XCTAssertEqual(viaGetent.uid(named: name), system.uid(named: name), "\(name)")
            XCTAssertEqual(viaGetent.gid(named: name), system.gid(named: name), "\(name)")
        }
        XCTAssertEqual(viaGetent.uid(named: "root"), 0)
        XCTAssertNotNil(viaGetent.uid(named: "nobody"))
        XCTAssertNil(viaGetent.uid(named: ""))
        XCTAssertNil(viaGetent.uid(named: RulesText(Array("ro\0ot".utf8))))
        XCTAssertNil(viaGetent.uid(named: "0"), "a digit-led name is an id to getent, not a name")
    }

    func testFilesComeFirstAndMissingGetentMeansUnknown() throws {
        let dir = NSTemporaryDirectory() + "aurules-getent-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "root:x:4242:0::/:/bin/sh\n".write(toFile: dir + "/passwd", atomically: true, encoding: .utf8)
        try "root:x:4343:\n".write(toFile: dir + "/group", atomically: true, encoding: .utf8)
        let files = HostUserResolver(passwdPath: dir + "/passwd", groupPath: dir + "/group")
        let r = FilesThenGetentUserResolver(files: files, getent: [dir + "/no-getent"])
        XCTAssertEqual(r.uid(named: "root"), 4242)
        XCTAssertEqual(r.gid(named: "root"), 4343)
        XCTAssertNil(r.uid(named: "nobody"))
        XCTAssertNil(r.gid(named: "nobody"))
    }

    /// A getent that hangs (an unreachable LDAP server) is killed at the timeout and reaped; its
    /// name is unanswered, and so is every later name, without asking getent again. A prompt one
    /// is answered, so the fake itself is known to work.
    func testAHangingGetentIsKilledAtTheTimeoutAndNotAskedAgain() throws {
        let dir = NSTemporaryDirectory() + "aurules-getent-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let hanging = dir + "/hanging-getent", prompt = dir + "/prompt-getent"
        try "#!/bin/sh\necho $$ >> \(dir)/pids\nexec /bin/sleep 60\n".write(toFile: hanging, atomically: true, encoding: .utf8)
        try "#!/bin/sh\n[ \"$3\" = alice ] || exit 2\necho \"$3:x:1234:1234::/:/bin/sh\"\n".write(toFile: prompt, atomically: true, encoding: .utf8)
        for path in [hanging, prompt] { XCTAssertEqual(chmod(path, 0o755), 0) }
        let noFiles = HostUserResolver(passwdPath: "/nonexistent", groupPath: "/nonexistent")

        let answered = FilesThenGetentUserResolver(files: noFiles, getent: [prompt], timeoutMilliseconds: 10_000)
        XCTAssertEqual(answered.uid(named: "alice"), 1234)
        XCTAssertNil(answered.uid(named: "bob"))
        XCTAssertNil(answered.whyUnresolved(user: true, named: "bob"), "getent said no: the answer is final")

        let hung = FilesThenGetentUserResolver(files: noFiles, getent: [hanging], timeoutMilliseconds: 2_000)
        XCTAssertNil(hung.uid(named: "alice"))
        XCTAssertNotNil(hung.whyUnresolved(user: true, named: "alice"))
        let pids = try String(contentsOfFile: dir + "/pids", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(pids.count, 1)
        let pid = try XCTUnwrap(pid_t(String(pids[0])))
        XCTAssertEqual(kill(pid, 0), -1, "the hanging getent was killed and reaped")
        XCTAssertEqual(errno, ESRCH)

        XCTAssertNil(hung.gid(named: "staff"))
        XCTAssertNil(hung.uid(named: "carol"))
        XCTAssertNotNil(hung.whyUnresolved(user: false, named: "staff"))
        XCTAssertEqual(try String(contentsOfFile: dir + "/pids", encoding: .utf8).split(separator: "\n").count, 1,
                       "after a timeout getent is not asked again")

        // The messages lint, compile and check print say why the name is unknown.
        let parser = FieldValueParser(resolver: hung)
        let auid = try XCTUnwrap(FieldTable.spec(named: "auid")), gid = try XCTUnwrap(FieldTable.spec(named: "gid"))
        func message(_ result: Result<FieldValue, FieldValueError>) -> String {
            if case .failure(let e) = result { return e.message } else { return "accepted" }
        }
        XCTAssertEqual(message(parser.parse(auid, op: .equal, raw: "alice", list: .exit)),
                       "Unknown user: alice: getent did not answer within 2 s (is the directory server reachable?)")
        XCTAssertEqual(message(parser.parse(gid, op: .equal, raw: "staff", list: .exit)),
                       "Unknown group: staff: getent was not asked: an earlier lookup timed out after 2 s")
        XCTAssertEqual(message(FieldValueParser(resolver: answered).parse(auid, op: .equal, raw: "bob", list: .exit)), "Unknown user: bob")
    }

    /// A getent that closes its output but goes on running is killed at the same deadline.
    func testAGetentThatClosesItsOutputButDoesNotExitIsKilled() throws {
        let dir = NSTemporaryDirectory() + "aurules-getent-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let lingering = dir + "/lingering-getent"
        try "#!/bin/sh\nexec >&-\necho $$ >> \(dir)/pids\nexec /bin/sleep 60\n".write(toFile: lingering, atomically: true, encoding: .utf8)
        XCTAssertEqual(chmod(lingering, 0o755), 0)
        let r = FilesThenGetentUserResolver(files: HostUserResolver(passwdPath: "/nonexistent", groupPath: "/nonexistent"),
                                            getent: [lingering], timeoutMilliseconds: 2_000)
        XCTAssertNil(r.uid(named: "alice"))
        XCTAssertNotNil(r.whyUnresolved(user: true, named: "alice"))
        let pid = try XCTUnwrap(pid_t(try String(contentsOfFile: dir + "/pids", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        XCTAssertEqual(kill(pid, 0), -1, "killed and reaped")
        XCTAssertEqual(errno, ESRCH)
    }
}
