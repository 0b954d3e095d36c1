import Foundation
import XCTest

/// Runs the built `aurules` binary, and ausyscall (auditd 3.0.9) when installed, as whole processes.
enum SyscallCLI {
    static var binary: String { AurulesProcess.binary }

    static let ausyscall = ["/usr/bin/ausyscall", "/sbin/ausyscall", "/usr/sbin/ausyscall"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
        try AurulesProcess.run(executable, arguments)
    }

    static func aurules(_ arguments: String...) throws -> (status: Int32, out: String, err: String) {
        try run(binary, arguments)
    }

    static func pairs(_ dump: String) -> [Int: String] {
        var out: [Int: String] = [:]
        for line in dump.split(separator: "\n").dropFirst() {
            let f = line.split(separator: "\t")
            if f.count == 2, let n = Int(f[0]) { out[n] = String(f[1]) }
        }
        return out
    }
}

final class SyscallCLITests: XCTestCase {
    func requireAusyscall() throws -> String {
        guard let a = SyscallCLI.ausyscall else { throw XCTSkip("ausyscall (auditd) is not installed") }
        return a
    }

    /// Every (arch, number) ausyscall knows: the same name, or libaudit's spelling that
    /// `aurules syscall --exact` resolves to the same number. Names libaudit has and the kernel's
    /// table for that ABI lacks are listed.
    func testDumpsAgreeWithAusyscallOnEveryNumberItKnows() throws {
        let ausyscall = try requireAusyscall()
        var listed: [String] = []
        var pairs = 0
        for arch in ["x86_64", "i386", "ppc", "ppc64", "s390", "s390x", "aarch64", "arm"] {
            let theirs = try SyscallCLI.run(ausyscall, [arch, "--dump"])
            XCTAssertEqual(theirs.status, 0)
            let kernel = arch == "s390" ? "6.18" : "6.1"
            let ours = try SyscallCLI.aurules("syscall", arch, "--dump", "--kernel", kernel)
            XCTAssertEqual(ours.status, 0, ours.err)
            XCTAssertEqual(ours.out.split(separator: "\n").first, theirs.out.split(separator: "\n").first, "\(arch) header")
            let (a, b) = (SyscallCLI.pairs(theirs.out), SyscallCLI.pairs(ours.out))
            XCTAssertGreaterThan(a.count, 300)
            for (n, name) in a.sorted(by: { $0.key < $1.key }) {
                pairs += 1
                if b[n] == name { continue }
                let exact = try SyscallCLI.aurules("syscall", arch, name, "--exact", "--kernel", kernel)
                if let ourName = b[n] {
                    XCTAssertEqual(exact.out, "\(n)\n", "\(arch) \(n): libaudit \(name) does not resolve to our \(ourName)")
                    listed.append("\(arch) \(n): libaudit \(name), kernel \(ourName)")
                } else {
                    XCTAssertEqual(exact.status, 1, "\(arch) \(n) \(name)")
                    listed.append("\(arch) \(n): libaudit \(name), not in the kernel's \(arch) table")
                }
            }
        }
        print("ausyscall --dump: \(pairs) pairs; differences:\n  " + listed.joined(separator: "\n  "))
        // Only spellings and libaudit's shared ppc/ppc64 and OABI arm numbers differ.
        XCTAssertTrue(listed.allSatisfy { !$0.contains("not in the kernel") || $0.hasPrefix("ppc") || $0.hasPrefix("arm ") }, "\(listed)")
    }

    func testLookupsMatchAusyscallOutputExactly() throws {
        let ausyscall = try requireAusyscall()
        let cases: [[String]] = [["x86_64", "clone"], ["x86_64", "clone", "--exact"], ["clone", "x86_64"], ["b32", "open", "--exact"],
                                 ["b64", "56"], ["i386", "56"], ["armv7l", "clone", "--exact"], ["i686", "chown"], ["ppc64le", "1"],
                                 ["aarch64", "openat", "--exact"], ["s390x", "mkdir"], ["x86_64", "CLONE"], ["x86_64", "lseek", "--exact"],
                                 ["1x"], ["x86_64", "9999"], ["x86_64", "nosuch"], ["x86_64", "_llseek"]]
        for args in cases {
            let theirs = try SyscallCLI.run(ausyscall, args)
            let ours = try SyscallCLI.run(SyscallCLI.binary, ["syscall"] + args + ["--kernel", "6.1"])
            XCTAssertEqual(ours.status, theirs.status, "\(args): \(ours.err)")
            XCTAssertEqual(ours.out, theirs.out, "\(args)")
            if theirs.status != 0 {
                XCTAssertEqual(ours.err.split(separator: "\n").first, theirs.err.split(separator: "\n").first, "\(args)")
            }
        }
    }

    /// Plain lookups skip the argument parser; with any other option they go through it. Both
    /// must answer alike.
    func testFastPathAndParserAgree() throws {
        for args in [["x86_64", "clone", "--exact"], ["aarch64", "open"], ["b32", "5"], ["s390x", "--dump"], ["x86_64", "opne", "--exact"],
                     ["x86_64", "9999"], ["clone"]] {
            let fast = try SyscallCLI.run(SyscallCLI.binary, ["syscall"] + args)
            let parsed = try SyscallCLI.run(SyscallCLI.binary, ["syscall"] + args + ["--format", "text"])
            XCTAssertEqual(fast.status, parsed.status, "\(args)")
            XCTAssertEqual(fast.out, parsed.out, "\(args)")
            XCTAssertEqual(fast.err, parsed.err, "\(args)")
        }
    }

    func testKernelReleaseAndNewestAdditions() throws {
        let old = try SyscallCLI.aurules("syscall", "--kernel", "6.1", "x86_64", "fchmodat2", "--exact", "--hints")
        XCTAssertEqual(old.status, 1)
        XCTAssertTrue(old.err.contains("fchmodat2 does not exist yet on x86_64 at 6.1: it arrived in 6.6 (number 452)"), old.err)
        XCTAssertEqual(try SyscallCLI.aurules("syscall", "--kernel", "6.6", "x86_64", "fchmodat2", "--exact").out, "452\n")
        XCTAssertEqual(try SyscallCLI.aurules("syscall", "--kernel-names", "x86_64", "listns", "--exact").out, "470\n")
        XCTAssertEqual(try SyscallCLI.aurules("syscall", "--kernel-names", "aarch64", "rseq_slice_yield", "--exact").out, "471\n")
        XCTAssertEqual(try SyscallCLI.aurules("syscall", "--kernel-names", "x86_64", "uprobe", "--exact").out, "336\n")
        XCTAssertEqual(try SyscallCLI.aurules("syscall", "--kernel-names", "x86_64", "336").out, "uprobe\n")
        XCTAssertEqual(try SyscallCLI.aurules("syscall", "--kernel-names", "x86_64", "pread", "--exact").out, "17\n")
        XCTAssertEqual(try SyscallCLI.aurules("syscall", "--kernel-names", "s390x", "getdents64", "--exact").out, "220\n")
        // libaudit's spelling where the loader's libaudit has one, the kernel's name elsewhere.
        XCTAssertEqual(try SyscallCLI.aurules("syscall", "--kernel", "7.0", "--audit-version", "3.0.9", "x86_64", "17").out, "pread\n")
        XCTAssertEqual(try SyscallCLI.aurules("syscall", "--kernel", "7.0", "--audit-version", "3.0.9", "x86_64", "452").out, "fchmodat2\n")
        // An aurules option's bad value is refused as every aurules command refuses it.
        XCTAssertEqual(try SyscallCLI.aurules("syscall", "--kernel", "six", "clone").status, 2)
        let future = try SyscallCLI.aurules("syscall", "--kernel", "99.0", "--format", "json", "x86_64", "open", "--exact")
        XCTAssertEqual(future.status, 2, future.err)
        XCTAssertTrue(future.err.contains("kernel 99.0 is outside the syscall tables (they cover "), future.err)
        XCTAssertTrue(future.err.contains(" to 7.2-rc1)"), future.err)
        XCTAssertEqual(future.out, "")
        let gone = try SyscallCLI.aurules("syscall", "--kernel", "6.19", "s390", "clone")
        XCTAssertEqual(gone.status, 2)
        XCTAssertTrue(gone.err.contains("not covered at 6.19"), gone.err)
    }

    func testUnknownNamesSuggestAndEquivalentsAreNamed() throws {
        let typo = try SyscallCLI.aurules("syscall", "--kernel-names", "x86_64", "opne", "--exact", "--hints")
        XCTAssertEqual(typo.status, 1)
        XCTAssertTrue(typo.err.contains("did you mean: open"), typo.err)
        let arm64 = try SyscallCLI.aurules("syscall", "--kernel-names", "aarch64", "open", "--exact", "--hints")
        XCTAssertEqual(arm64.status, 1)
        XCTAssertTrue(arm64.err.contains("equivalents on aarch64 at 7.2-rc1: openat, openat2"), arm64.err)
    }

    /// A word starting with a digit is a number to ausyscall, 0x... included (strtol stops at the
    /// x: syscall 0), and a name given beside it wins. As a drop-in, aurules answers the same;
    /// AUDIT_ARCH values select a table when written without 0x (`c000003e`), as libaudit reads them.
    /// (This supersedes the usage error issue 11 made of `0xdeadbeef open`.)
    func testHexWordsAreReadAsAusyscallReadsThem() throws {
        XCTAssertEqual(try SyscallCLI.aurules("syscall", "0xdeadbeef", "open", "--exact").out, "2\n")
        XCTAssertEqual(try SyscallCLI.aurules("syscall", "0xc000003e").out, "read\n")
        XCTAssertEqual(try SyscallCLI.aurules("syscall", "c00000b7", "getdents", "--exact").out, "61\n")
        let typo = try SyscallCLI.aurules("syscall", "deadbeef", "open")
        XCTAssertEqual(typo.status, 1)
        XCTAssertEqual(typo.err, "Two syscall names not allowed\nusage: ausyscall [arch] name | number | --dump | --exact\n")
    }

    /// `--format json` answers a miss with a JSON document too (exit 1), never an empty stdout.
    func testUnknownNamesAndNumbersInJSON() throws {
        func object(_ args: String...) throws -> [String: Any] {
            let r = try SyscallCLI.run(SyscallCLI.binary, ["syscall", "--format", "json"] + args)
            XCTAssertEqual(r.status, 1, r.err)
            return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any], "\(args): \(r.out)")
        }
        let old = try object("--kernel", "6.1", "x86_64", "fchmodat2", "--exact")
        XCTAssertEqual((old["matches"] as? [Any])?.count, 0)
        XCTAssertEqual((old["releases"] as? [[String: Any]])?.first?["first"] as? String, "6.6")
        XCTAssertEqual(old["equivalents"] as? [String], ["chmod", "fchmodat"])
        XCTAssertEqual(try object("--kernel-names", "x86_64", "opne", "--exact")["suggestions"] as? [String], ["open"])
        XCTAssertEqual(try object("--kernel-names", "x86_64", "99999")["query"] as? Int, 99999)
        // From libaudit's table: where the kernel has the name libaudit lacks.
        let lib = try object("--audit-version", "3.0.9", "x86_64", "fchmodat2", "--exact")
        XCTAssertEqual(lib["auditVersion"] as? String, "3.0.9")
        XCTAssertEqual(lib["kernelNumber"] as? Int, 452)
        XCTAssertEqual((try object("--history", "nosuchcall")["abis"] as? [Any])?.count, 0)
    }

    func testAllHistoryAndJSON() throws {
        let all = try SyscallCLI.aurules("syscall", "--all", "open")
        XCTAssertEqual(all.status, 0)
        let lines = all.out.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
        XCTAssertTrue(lines.contains(["x86_64", "2", "creat,", "openat,", "openat2"]), all.out)
        XCTAssertTrue(lines.contains(["aarch64", "-", "openat,", "openat2"]), all.out)
        let history = try SyscallCLI.aurules("syscall", "--history", "fchmodat2", "--format", "json")
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(history.out.utf8)) as? [String: Any])
        let abis = try XCTUnwrap(object["abis"] as? [[String: Any]])
        let x86 = try XCTUnwrap(abis.first { $0["abi"] as? String == "x86_64" }?["rows"] as? [[String: Any]])
        XCTAssertEqual(x86.first?["first"] as? String, "6.6")
        XCTAssertEqual(x86.first?["number"] as? Int, 452)
        let s390 = try XCTUnwrap(abis.first { $0["abi"] as? String == "s390" }?["rows"] as? [[String: Any]])
        XCTAssertEqual(s390.first?["last"] as? String, "6.18")
        let json = try SyscallCLI.aurules("syscall", "--format", "json", "--kernel-names", "x86_64", "clone")
        let matches = try XCTUnwrap((JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any])?["matches"] as? [[String: Any]])
        XCTAssertEqual(matches.compactMap { $0["number"] as? Int }, [56, 435])
        XCTAssertEqual(try SyscallCLI.aurules("syscall", "--history", "nosuchcall").status, 1)
    }

    /// `tables import` of the kernel's 6.1 sources into an empty directory, then lookups through
    /// `--tables DIR`, give the built-in tables' 6.1 answers.
    func testImportIntoEmptyDirectoryThenUseIt() throws {
        let tree = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("../shared/syscall-data/kernel-6.1.192-debian-source").standardized.path
        guard FileManager.default.fileExists(atPath: tree) else { throw XCTSkip("../shared/syscall-data is not available") }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("aurules-tables-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for abi in ["x86_64", "aarch64", "s390x"] {
            let r = try SyscallCLI.aurules("tables", "import", "--abi", abi, "--release", "6.1", "--kernel-tree", tree, "--into", dir)
            XCTAssertEqual(r.status, 0, r.err)
            let imported = try SyscallCLI.aurules("syscall", "--tables", dir, "--kernel", "6.1", "--kernel-names", abi, "--dump")
            let shipped = try SyscallCLI.aurules("syscall", "--kernel", "6.1", "--kernel-names", abi, "--dump")
            XCTAssertEqual(imported.out, shipped.out, abi)
        }
        // A newer release with the same table changes no row; one that drops a call and adds one
        // closes and opens rows.
        let same = try SyscallCLI.aurules("tables", "import", "--abi", "x86_64", "--release", "6.2", "--kernel-tree", tree, "--into", dir)
        XCTAssertTrue(same.out.hasPrefix("x86_64 at 6.2: 362 syscalls; 0 added, 0 extended, 0 closed"), same.out)
        let dump = try SyscallCLI.aurules("syscall", "--kernel", "6.1", "--kernel-names", "x86_64", "--dump").out
        let list = dump.split(separator: "\n").dropFirst().filter { !$0.hasSuffix("\tuselib") }.joined(separator: "\n") + "\n999\tnewcall\n"
        let listFile = dir + "/list.txt"
        try list.write(toFile: listFile, atomically: true, encoding: .utf8)
        let changed = try SyscallCLI.aurules("tables", "import", "--abi", "x86_64", "--release", "6.3", "--list", listFile, "--into", dir)
        XCTAssertTrue(changed.out.hasPrefix("x86_64 at 6.3: 362 syscalls; 1 added, 0 extended, 1 closed"), changed.out + changed.err)
        XCTAssertEqual(try SyscallCLI.aurules("syscall", "--tables", dir, "--kernel", "6.2", "x86_64", "uselib", "--exact").out, "134\n")
        XCTAssertEqual(try SyscallCLI.aurules("syscall", "--tables", dir, "--kernel", "6.3", "x86_64", "uselib", "--exact").status, 1)
        XCTAssertEqual(try SyscallCLI.aurules("syscall", "--tables", dir, "--kernel-names", "x86_64", "newcall", "--exact").out, "999\n")
        XCTAssertEqual(try SyscallCLI.aurules("syscall", "--tables", dir + "/missing", "clone").status, 2)
        // A file where the tables directory should be is an input error with its reason.
        let notDirectory = try SyscallCLI.aurules("tables", "import", "--abi", "x86_64", "--release", "6.4", "--list", listFile, "--into", listFile)
        XCTAssertEqual(notDirectory.status, 2, notDirectory.err)
        XCTAssertTrue(notDirectory.err.hasPrefix("aurules tables import: \(listFile): "), notDirectory.err)
        XCTAssertFalse(notDirectory.err.contains("NSCocoaErrorDomain"), notDirectory.err)
    }
}
