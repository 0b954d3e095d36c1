import Foundation
import XCTest

/// `-o` writes regular files only, replaces them atomically keeping owner, group and permission
/// bits (never a set-id bit), follows a symbolic link without replacing it, and leaves no
/// temporary file behind when interrupted.
final class OutputTargetTests: XCTestCase {
    private func directory() throws -> String { try temporaryDirectory("target") }

    private func inputs(_ dir: String) throws -> (rules: String, listing: String) {
        let rules = dir + "/in.rules", listing = dir + "/listing.txt"
        try "-w /etc/hosts   -p wa -k net\n".write(toFile: rules, atomically: true, encoding: .utf8)
        try "-w /etc/hosts -p wa -k net\n".write(toFile: listing, atomically: true, encoding: .utf8)
        return (rules, listing)
    }

    /// Every command with `-o`, writing to `target`.
    private func commands(_ dir: String, to target: String) throws -> [[String]] {
        let (rules, listing) = try inputs(dir)
        return [["fmt", rules, "-o", target], ["compile", "--machine", "x86_64", "--no-resolve", rules, "-o", target],
                ["check", rules, "--loaded", listing, "--machine", "x86_64", "--no-resolve", "-o", target]]
    }

    private func stat(_ path: String) -> stat? {
        var info = Glibc.stat()
        return lstat(path, &info) == 0 ? info : nil
    }

    func testDevicesFifosSocketsAndDirectoriesAreRefused() throws {
        let dir = try directory()
        let fifo = dir + "/fifo", sub = dir + "/sub", socketPath = dir + "/socket"
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        try FileManager.default.createDirectory(atPath: sub, withIntermediateDirectories: false)
        // Copies of /dev/null and /dev/full (same device numbers), never the shared nodes: on a
        // machine where several builds run these tests, an older binary would turn the real
        // /dev/null into a regular file for everyone.
        var devices: [String] = []
        for node in ["/dev/null", "/dev/full"] {
            guard let original = stat(node), original.st_mode & S_IFMT == S_IFCHR else { continue }
            let copy = dir + "/" + (node as NSString).lastPathComponent
            if mknod(copy, S_IFCHR | 0o666, original.st_rdev) == 0 { devices.append(copy) }
        }
        if devices.isEmpty { print("skip: the character device cases need CAP_MKNOD (\(String(cString: strerror(errno))))") }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in socketPath.utf8.enumerated() where i < raw.count - 1 { raw[i] = b }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        XCTAssertEqual(bound, 0, "bind \(socketPath)")
        defer { close(fd) }

        let targets = [(fifo, "a FIFO"), (sub, "a directory"), (socketPath, "a socket")] + devices.map { ($0, "a character device") }
        for (target, kind) in targets {
            let before = stat(target)
            for args in try commands(dir, to: target) {
                let r = try AurulesProcess.run(AurulesProcess.binary, args)
                XCTAssertEqual(r.status, 2, "\(args): \(r.err)")
                XCTAssertTrue(r.err.contains("cannot write \(target): not a regular file (\(kind)); -o writes regular files only"),
                              "\(args): \(r.err)")
                let after = stat(target)
                XCTAssertEqual(after?.st_mode, before?.st_mode, "\(target) changed kind or mode")
                XCTAssertEqual(after?.st_ino, before?.st_ino, "\(target) replaced")
            }
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: sub), [], "nothing written into the directory")
        XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: dir).contains { $0.contains("aurules-tmp") })
    }

    func testASymbolicLinkIsFollowedAndKept() throws {
        let dir = try directory()
        let real = dir + "/real.rules", link = dir + "/link.rules"
        try "old\n".write(toFile: real, atomically: true, encoding: .utf8)
        chmod(real, 0o600)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: real)
        for args in try commands(dir, to: link) {
            let r = try AurulesProcess.run(AurulesProcess.binary, args)
            XCTAssertEqual(r.status, 0, "\(args): \(r.err)")
            XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: link), real, "the link stays")
            XCTAssertEqual(stat(real).map { $0.st_mode & 0o7777 }, 0o600)
            XCTAssertNotEqual(try String(contentsOfFile: real, encoding: .utf8), "old\n")
        }
        // A link to nothing is refused rather than creating a file wherever it points.
        let dangling = dir + "/dangling.rules"
        try FileManager.default.createSymbolicLink(atPath: dangling, withDestinationPath: dir + "/nowhere/x.rules")
        let r = try AurulesProcess.run(AurulesProcess.binary, try commands(dir, to: dangling)[0])
        XCTAssertEqual(r.status, 2, r.err)
        XCTAssertTrue(r.err.contains("a symbolic link to nothing"), r.err)
    }

    func testAReplacedFileKeepsOwnerGroupAndModeWithoutSetIDBits() throws {
        guard geteuid() == 0 else { throw XCTSkip("changing a file's owner needs root") }
        let dir = try directory()
        let out = dir + "/audit.rules"
        for args in try commands(dir, to: out) {
            try "old\n".write(toFile: out, atomically: true, encoding: .utf8)
            XCTAssertEqual(chown(out, 1234, 2345), 0)
            XCTAssertEqual(chmod(out, 0o7754), 0)
            let r = try AurulesProcess.run(AurulesProcess.binary, args)
            XCTAssertEqual(r.status, 0, "\(args): \(r.err)")
            let info = try XCTUnwrap(stat(out))
            XCTAssertEqual(info.st_uid, 1234, "\(args)")
            XCTAssertEqual(info.st_gid, 2345, "\(args)")
            XCTAssertEqual(info.st_mode & 0o7777, 0o754, "\(args): setuid, setgid and sticky dropped")
        }
        let fresh = dir + "/new.rules"
        XCTAssertEqual(try AurulesProcess.run(AurulesProcess.binary, try commands(dir, to: fresh)[1]).status, 0)
        XCTAssertEqual(stat(fresh).map { $0.st_mode & 0o7777 }, 0o640)
        XCTAssertEqual(stat(fresh)?.st_uid, geteuid())
    }

    /// The write is held in fsync(2) by strace (a syscall delay, not a timing guess) while the
    /// signal is sent: the handler removes the temporary file and the process dies of the signal.
    func testTheTemporaryFileIsRemovedOnSIGINTAndSIGTERM() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/strace") else { throw XCTSkip("strace is not installed") }
        let dir = try directory()
        let rules = try inputs(dir).rules
        for sig in [SIGINT, SIGTERM] {
            let out = dir + "/out-\(sig).rules"
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/strace")
            p.arguments = ["-f", "-qq", "-o", "/dev/null", "-e", "trace=fsync", "-e", "inject=fsync:delay_enter=5000000",
                           AurulesProcess.binary, "fmt", rules, "-o", out]
            p.standardError = FileHandle.nullDevice
            try p.run()
            // The temporary file exists from before fsync until the rename, which waits for the delay.
            var temporary: String?
            while p.isRunning, temporary == nil {
                temporary = try FileManager.default.contentsOfDirectory(atPath: dir).first { $0.hasPrefix(".out-\(sig).rules.aurules-tmp-") }
                if temporary == nil { usleep(2000) }
            }
            guard let temporary, let pid = pid_t(temporary.split(separator: "-").dropLast().last ?? "") else {
                p.waitUntilExit()
                throw XCTSkip("strace could not hold the write (ptrace not permitted here?): exit \(p.terminationStatus)")
            }
            XCTAssertEqual(kill(pid, sig), 0)
            p.waitUntilExit()
            // strace dies of the signal its tracee died of.
            XCTAssertEqual(p.terminationReason, .uncaughtSignal)
            XCTAssertEqual(p.terminationStatus, sig)
            XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/" + temporary), "temporary file left after signal \(sig)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: out), "no output after an interrupted write")
        }
    }

    /// SIGKILL cannot be caught: its leftover is removed by the next write of the same file,
    /// when the process that made it is gone. A live process's file is not touched.
    func testLeftoversOfKilledWritesAreRemovedByTheNextWrite() throws {
        let dir = try directory()
        var dead: pid_t = 4_000_000
        while kill(dead, 0) == 0 || errno != ESRCH { dead -= 1 }
        let stale = dir + "/.out.rules.aurules-tmp-\(dead)-12345", live = dir + "/.out.rules.aurules-tmp-\(getpid())-67890"
        let other = dir + "/.other.rules.aurules-tmp-\(dead)-1"
        for path in [stale, live, other] { XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data("x".utf8))) }
        let r = try AurulesProcess.run(AurulesProcess.binary, try commands(dir, to: dir + "/out.rules")[0])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: stale))
        XCTAssertTrue(FileManager.default.fileExists(atPath: live))
        XCTAssertTrue(FileManager.default.fileExists(atPath: other), "only the leftovers of the file being written")
    }

    /// `-o -` is standard output, as for other tools: every command with `-o` prints what it
    /// would have written to a file, and no file named `-` appears.
    func testDashMeansStandardOutput() throws {
        let dir = try directory()
        for args in try commands(dir, to: "-") {
            let toFile = try AurulesProcess.run(AurulesProcess.binary, Array(args.dropLast(2)) + ["-o", dir + "/out"], in: URL(fileURLWithPath: dir))
            let toDash = try AurulesProcess.run(AurulesProcess.binary, args, in: URL(fileURLWithPath: dir))
            XCTAssertEqual(toDash.status, toFile.status, "\(args): \(toDash.err)")
            XCTAssertFalse(toDash.out.isEmpty, "\(args)")
            XCTAssertEqual(toDash.out, try String(contentsOfFile: dir + "/out", encoding: .utf8), "\(args)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/-"), "\(args) wrote a file named -")
            try FileManager.default.removeItem(atPath: dir + "/out")
        }
    }
}
