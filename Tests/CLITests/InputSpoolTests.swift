import Foundation
import XCTest

/// The copy of standard input lint quotes lines from: nameless (O_TMPFILE) and closed on exec,
/// capped (AURULES_SPOOL_LIMIT), and a copy cut short (the cap, a full disk) is said once.
final class InputSpoolTests: XCTestCase {
    private func bash(_ script: String, _ arguments: [String] = []) throws -> (status: Int32, out: String, err: String) {
        try AurulesProcess.run("/usr/bin/timeout", ["-s", "KILL", "120", "/bin/bash", "-c", script, AurulesProcess.binary] + arguments)
    }

    /// 200 clean watches, then a rule-set finding at the end (AUR502 quotes the last line).
    static let input = (0 ..< 200).map { "-w /etc/aurules-spool-\($0) -p wa -k k\($0)\n" }.joined()
        + "-a never,exit -F arch=b64 -S all\n-a always,exit -F arch=b64 -S openat -F key=z\n"

    private func write(_ dir: String) throws -> String {
        let path = dir + "/in.rules"
        try Self.input.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Past the cap the line quoted is shown without its text and one warning says why; under it
    /// the report is the file's, and stderr says nothing.
    func testCapShowsLinesWithoutTextAndWarnsOnce() throws {
        let dir = try temporaryDirectory("spool-cap")
        let path = try write(dir)
        let file = try AurulesProcess.run(AurulesProcess.binary, ["lint", "--no-host-checks", "--no-config", path])
        XCTAssertTrue(file.out.contains("[AUR502]\n-a always,exit -F arch=b64 -S openat -F key=z\n"), file.out)
        let under = try bash("AURULES_SPOOL_LIMIT=100000000 \"$0\" lint --no-host-checks --no-config --stdin-filename \"$1\" - < \"$1\"", [path])
        XCTAssertEqual(under.out, file.out)
        XCTAssertEqual(under.err, file.err)
        for format in ["text", "json", "sarif"] {
            let capped = try bash("AURULES_SPOOL_LIMIT=4096 \"$0\" lint --format \(format) --no-host-checks --no-config - < \"$1\"", [path])
            XCTAssertEqual(capped.status, file.status, format)
            XCTAssertFalse(capped.out.contains("-S openat -F key=z"), "\(format): \(capped.out)")
            let warnings = capped.err.components(separatedBy: "\n").filter { $0.contains("AURULES_SPOOL_LIMIT") }
            XCTAssertEqual(warnings.count, 1, capped.err)
            XCTAssertTrue(capped.err.hasPrefix("aurules lint: warning: <stdin> is larger than the copy kept of it (4096 bytes"), capped.err)
        }
    }

    /// A full disk: one warning, the exit status of the file, lines copied before it still quoted.
    func testWriteErrorIsAWarning() throws {
        guard geteuid() == 0 else { throw XCTSkip("mounting a small tmpfs needs root") }
        let dir = try temporaryDirectory("spool-full")
        let path = try write(dir)
        let small = dir + "/small"
        try FileManager.default.createDirectory(atPath: small, withIntermediateDirectories: false)
        let mounted = try AurulesProcess.run("/bin/mount", ["-t", "tmpfs", "-o", "size=4k", "aurules-test-spool", small])
        guard mounted.status == 0 else { throw XCTSkip("mount of a tmpfs is not permitted here: \(mounted.err)") }
        addTeardownBlock { _ = try? AurulesProcess.run("/bin/umount", [small]) }
        // Fill it, so the copy's first write fails.
        _ = try bash("head -c 1M /dev/zero > \"$1\"/filler 2>/dev/null; true", [small])
        let file = try AurulesProcess.run(AurulesProcess.binary, ["lint", "--no-host-checks", "--no-config", path])
        let r = try bash("TMPDIR=\"$2\" \"$0\" lint --no-host-checks --no-config - < \"$1\"", [path, small])
        XCTAssertEqual(r.status, file.status, r.err)
        XCTAssertFalse(r.out.contains("-S openat -F key=z"), r.out)
        let warnings = r.err.components(separatedBy: "\n").filter { $0.contains("cannot keep a copy of <stdin>") }
        XCTAssertEqual(warnings.count, 1, r.err)
        XCTAssertTrue(r.err.contains("no space left on device"), r.err)
    }

    /// The copy never has a name in TMPDIR (O_TMPFILE), and is closed on exec.
    func testCopyIsNamelessAndClosedOnExec() throws {
        let dir = try temporaryDirectory("spool-tmpfile")
        let spoolDir = dir + "/tmp"
        try FileManager.default.createDirectory(atPath: spoolDir, withIntermediateDirectories: false)
        // lint waits on the open FIFO while its descriptors are looked at.
        let r = try bash("""
            mkfifo "$1/fifo"; exec 3<>"$1/fifo"; printf -- '-w /etc/hosts -p wa\\n' >&3
            TMPDIR="$2" "$0" lint --no-host-checks --no-config - < "$1/fifo" > /dev/null 3>&- & pid=$!
            for i in $(seq 100); do
              for fd in /proc/$pid/fd/*; do
                case $(readlink "$fd") in "$2"/*) echo "link $(readlink "$fd")"; echo "flags $(awk '/^flags/ {print $2}' /proc/$pid/fdinfo/${fd##*/})"; break 2;; esac
              done
              sleep 0.05
            done
            ls -A "$2" | sed 's/^/entry /'
            exec 3>&-; wait $pid
            """, [dir, spoolDir])
        let lines = r.out.split(separator: "\n").map(String.init)
        let link = try XCTUnwrap(lines.first { $0.hasPrefix("link ") }, r.out + r.err)
        XCTAssertFalse(link.contains("aurules-input-"), "made with mkstemp, not O_TMPFILE: \(link)")
        let flags = try XCTUnwrap(lines.first { $0.hasPrefix("flags ") }.flatMap { Int($0.dropFirst(6), radix: 8) }, r.out)
        XCTAssertNotEqual(flags & 0o2000000, 0, "not O_CLOEXEC: \(String(flags, radix: 8))")
        XCTAssertFalse(lines.contains { $0.hasPrefix("entry ") }, r.out)
    }
}
