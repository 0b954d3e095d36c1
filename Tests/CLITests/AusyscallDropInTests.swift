import Foundation
import XCTest

/// `aurules syscall` (and aurules called as `ausyscall`) against the installed ausyscall, as whole
/// processes: the same standard output, standard error and exit status for every invocation that
/// uses none of aurules' documented extensions (--help, --kernel, --kernel-names, --hints,
/// --audit-version, --all, --history, --format, --tables).
final class AusyscallDropInTests: XCTestCase {
    static let machineSpellings = ["i386", "i486", "i586", "i686", "x86_64", "ppc64", "ppc64le", "ppc", "s390x", "s390",
                                   "armeb", "arm", "armv5tejl", "armv5tel", "armv6l", "armv7l", "aarch64", "armv8l",
                                   "X86_64", "AArch64", "PPC64LE", "I686", "b32", "b64", "B32", "B64"]
    /// AUDIT_ARCH values as libaudit's strtoul(.., 16) reads them; the ones starting with a
    /// digit are numbers to ausyscall (0xc000003e is syscall 0).
    static let hexSpellings = ["c000003e", "C000003E", "c00000b7", "c0000015", "ffffffffc000003e", " 0x14", "+c000003e",
                               "-3fffffc2", "1ffffffffc000003e", "deadbeef", "0xc000003e", "0xdeadbeef", "40000003",
                               "80000015", "80000016", "16", "40000028"]
    /// Words that name no machine in 3.0.9 (names to ausyscall) or that it treats specially.
    static let nonMachines = ["x32", "riscv64", "riscv32", "uring", "io_uring", "amd64", "arm64", "powerpc", "mips",
                              "ia64", "IA64", "alpha", "Alpha", ""]
    static let queries: [[String]] = [["--dump"], ["open"], ["open", "--exact"], ["17"], ["283"], ["61"], ["pread", "--exact"],
                                      ["getdents", "--exact"], ["sys_kexec_load", "--exact"], ["Kexec"]]
    static let special: [[String]] = [
        // numbers as strtol reads them, then truncated to int
        ["0"], ["007"], ["1x"], ["1399"], ["1400"], ["8191"], ["9999"], ["4294967295"], ["4294967291"], ["99999999999"],
        ["18446744073709551615"], ["2147483648"], ["x86_64", "4294967295"], ["4294967295", "5"],
        // names: substrings, case, the empty name, libaudit's spellings
        ["x86_64", "clone"], ["x86_64", "CLONE"], ["x86_64", ""], ["i386", ""], ["aarch64", "", "--exact"], ["_"], ["64"],
        ["xyz"], ["\u{212A}ill", "--exact"], ["x86_64", "pread64", "--exact"], ["i386", "kexec_load", "--exact"],
        ["aarch64", "getdents64", "--exact"], ["aarch64", "newfstat", "--exact"], ["aarch64", "fstat", "--exact"],
        ["arm", "llseek", "--exact"], ["arm", "_llseek", "--exact"], ["ppc", "timerfd", "--exact"], ["ppc64", "perf_counter_open"],
        ["x86_64", "fchmodat2", "--exact"], ["x86_64", "stime", "--exact"], ["aarch64", "open", "--exact"],
        ["s390x", "getdents64"], ["s390", "clone"], ["x86_64", "_sysctl", "--exact"], ["x86_64", "sysctl"],
        // --exact and --dump in every position and combination
        ["--exact"], ["--dump"], ["--exact", "--dump"], ["--dump", "open"], ["--dump", "17"], ["17", "--exact"],
        ["execve", "--exact", "2"], ["2", "execve"], ["--exact", "execve"], ["x86_64", "--exact"], ["--dump", "--dump"],
        ["--exact", "--exact", "open"], ["open", "--dump", "x86_64"],
        // refusals
        [], ["a", "b", "c", "d"], ["1", "2"], ["open", "close"], ["x86_64", "i386"], ["b64", "b32"], ["ppc64le", "b32", "1"],
        ["aarch64", "b64", "1"], ["alpha"], ["alpha", "1", "2"], ["ia64"], ["ia64", "open"], ["ia64", "ia64", "open"],
        ["open", "ia64", "alpha"], ["1", "alpha"], ["-5"], ["--foo"], ["-"], ["--"], ["--exact=1"], ["x86_64", "-1"],
        ["1", "2", "3", "4"], ["0xdeadbeef", "open"], ["open", "0xdeadbeef", "close"],
    ]

    static var cases: [[String]] {
        var out: [[String]] = []
        for arch in machineSpellings + hexSpellings + nonMachines {
            for q in queries { out.append([arch] + q) }
        }
        // Word order does not matter to ausyscall.
        for arch in ["x86_64", "i686", "aarch64", "armv7l", "ppc64le", "s390x", "b32"] {
            out.append(["open", arch])
            out.append(["--exact", "clone", arch])
            out.append(["56", arch])
        }
        return out + special
    }

    func testEveryInvocationMatchesAusyscall() throws {
        guard let ausyscall = SyscallCLI.ausyscall else { throw XCTSkip("ausyscall (auditd) is not installed: no oracle") }
        let cases = Self.cases
        XCTAssertGreaterThanOrEqual(cases.count, 500)
        let theirs = try Self.batch(ausyscall, prefix: [], cases)
        let ours = try Self.batch(SyscallCLI.binary, prefix: ["syscall"], cases)
        var same = 0
        for (i, args) in cases.enumerated() {
            let label = args.map { "'\($0)'" }.joined(separator: " ")
            XCTAssertEqual(ours[i].status, theirs[i].status, "exit status of \(label): \(ours[i].err)")
            XCTAssertEqual(ours[i].out, theirs[i].out, "stdout of \(label)")
            XCTAssertEqual(ours[i].err, theirs[i].err, "stderr of \(label)")
            if ours[i] == theirs[i] { same += 1 }
        }
        let found = theirs.filter { $0.status == 0 }.count
        print("ausyscall drop-in: \(same) of \(cases.count) invocations identical (stdout, stderr, status); ausyscall exited 0 on \(found)")
    }

    /// Called through a symlink named ausyscall, aurules is `aurules syscall`.
    func testSymlinkNamedAusyscall() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("aurules-ausyscall-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let link = dir.appendingPathComponent("ausyscall").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: SyscallCLI.binary)
        let cases: [[String]] = [["x86_64", "open"], ["17"], ["b32", "open", "--exact"], ["1", "2"], [], ["alpha"], ["--kernel-names", "17"]]
        let viaLink = try Self.batch(link, prefix: [], cases)
        let viaCommand = try Self.batch(SyscallCLI.binary, prefix: ["syscall"], cases)
        XCTAssertEqual(viaLink, viaCommand)
        XCTAssertEqual(viaLink[1].out, "pread\n")
        XCTAssertEqual(viaLink[3].status, 1)
        XCTAssertEqual(viaLink[6].out, "pread64\n")
        if let ausyscall = SyscallCLI.ausyscall {
            XCTAssertEqual(Array(viaLink.prefix(6)), try Self.batch(ausyscall, prefix: [], Array(cases.prefix(6))))
        }
    }

    struct Run: Equatable {
        var status: Int32
        var out: String
        var err: String
    }

    /// Runs `executable prefix case...` for every case from one shell, each case's output in files
    /// of its own: one process start for the test instead of one per invocation.
    static func batch(_ executable: String, prefix: [String], _ cases: [[String]]) throws -> [Run] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("aurules-batch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        var script = ""
        for (i, args) in cases.enumerated() {
            let words = ([executable] + prefix + args).map(quote).joined(separator: " ")
            // Eight at a time: a process start is mostly waiting, not work.
            script += "(\(words) >\(i).out 2>\(i).err </dev/null; echo $? >\(i).rc) &\n" + (i % 8 == 7 ? "wait\n" : "")
        }
        script += "wait\n"
        let file = dir.appendingPathComponent("run.sh")
        try script.write(to: file, atomically: true, encoding: .utf8)
        let shell = try AurulesProcess.run("/bin/sh", [file.path], in: dir)
        XCTAssertEqual(shell.status, 0, shell.err)
        return try cases.indices.map { i in
            func text(_ ext: String) throws -> String {
                String(decoding: try Data(contentsOf: dir.appendingPathComponent("\(i).\(ext)")), as: UTF8.self)
            }
            let status = Int32(try text("rc").trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
            return Run(status: status, out: try text("out"), err: try text("err"))
        }
    }
}
