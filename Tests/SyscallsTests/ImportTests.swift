import Foundation
import XCTest
@testable import Syscalls

/// The importer reads the kernel's own 6.1 files and, merged into an empty directory, reproduces
/// the shipped tables' 6.1 view.
final class ImportTests: XCTestCase {
    let v61 = KernelVersion(6, 1)
    let tree = Paths.shared + "/kernel-6.1.192-debian-source"

    func shipped61(_ abi: ABI) throws -> [Int: String] {
        let t = try XCTUnwrap(SyscallDatabase.shipped.table(abi, at: v61))
        return Dictionary(uniqueKeysWithValues: t.entries.map { ($0.number, $0.name) })
    }

    func assertSameTable(_ got: [Int: String], _ expected: [Int: String], _ what: String, line: UInt = #line) {
        let diff = Set(got.map { "\($0.key) \($0.value)" }).symmetricDifference(expected.map { "\($0.key) \($0.value)" })
        XCTAssertTrue(diff.isEmpty, "\(what): differs in \(diff.sorted())", line: line)
    }

    func testKernelTreeImportIntoEmptyDirectoryReproducesShipped61View() throws {
        guard FileManager.default.fileExists(atPath: tree) else { throw XCTSkip("../shared/syscall-data is not available") }
        let dir = NSTemporaryDirectory() + "aurules-import-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let abis: [ABI] = [.x86_64, .x32, .i386, .ppc, .ppc64, .s390, .s390x, .arm, .aarch64, .riscv64]
        var infos: [ABIInfo] = []
        for abi in abis {
            let table = try KernelSources.fromKernelTree(tree, abi: abi, release: v61)
            var merge = TableMerge(rows: [])
            merge.merge(table, at: v61, newest: nil)
            XCTAssertEqual(merge.changes.count, table.count)
            try TableText.render(merge.rows).write(toFile: dir + "/\(abi).tsv", atomically: true, encoding: .utf8)
            infos.append(ABIInfo(abi: abi, auditArch: abi.auditArch, bits: abi.bits, machines: [], partner32: nil,
                                 first: v61, last: nil, newest: v61, source: "test"))
        }
        try TableText.render(infos).write(toFile: dir + "/abis.tsv", atomically: true, encoding: .utf8)
        let imported = try SyscallDatabase(directory: dir)
        for abi in abis {
            let t = try XCTUnwrap(imported.table(abi, at: v61))
            assertSameTable(Dictionary(uniqueKeysWithValues: t.entries.map { ($0.number, $0.name) }), try shipped61(abi), "\(abi)")
        }
    }

    func testInstalledHeadersImportEqualsShipped61View() throws {
        let base = Paths.shared + "/debian-bookworm-uapi-headers"
        guard FileManager.default.fileExists(atPath: base) else { throw XCTSkip("../shared/syscall-data is not available") }
        let dirs: [(ABI, String)] = [(.x86_64, "i686-linux-gnu"), (.i386, "i686-linux-gnu"), (.x32, "i686-linux-gnu"),
                                     (.ppc, "powerpc-linux-gnu"), (.ppc64, "powerpc64le-linux-gnu"), (.s390, "s390x-linux-gnu"),
                                     (.s390x, "s390x-linux-gnu"), (.arm, "arm-linux-gnueabihf"), (.aarch64, "aarch64-linux-gnu"),
                                     (.riscv64, "riscv64-linux-gnu")]
        for (abi, dir) in dirs {
            let got = try KernelSources.fromHeaders(base + "/\(dir)/include", abi: abi)
            assertSameTable(got, try shipped61(abi), "\(abi) from \(dir)")
        }
    }

    func testListImportReadsHrwAndAusyscallShapes() throws {
        let t = try KernelSources.fromList("# comment\nclone\t56\n_llseek\nUsing x86_64 syscall table:\n435 clone3\n")
        XCTAssertEqual(t, [56: "clone", 435: "clone3"])
        XCTAssertThrowsError(try KernelSources.fromList("clone fifty-six\n"))
    }

    func testMergeExtendsOpensRenamesAndCloses() {
        var m = TableMerge(rows: [])
        m.merge([1: "a", 2: "b", 3: "c"], at: KernelVersion(6, 1), newest: nil)
        m.merge([1: "a", 2: "b2", 4: "d"], at: KernelVersion(6, 3), newest: KernelVersion(6, 1))
        let rows = Set(m.rows)
        XCTAssertEqual(rows, [
            SyscallRow(number: 1, name: "a", first: KernelVersion(6, 1), last: nil),
            SyscallRow(number: 2, name: "b", first: KernelVersion(6, 1), last: KernelVersion(6, 2)),
            SyscallRow(number: 2, name: "b2", first: KernelVersion(6, 3), last: nil),
            SyscallRow(number: 3, name: "c", first: KernelVersion(6, 1), last: KernelVersion(6, 2)),
            SyscallRow(number: 4, name: "d", first: KernelVersion(6, 3), last: nil),
        ])
        // An older release backfills: rows present then start earlier, rows absent then stay.
        m.merge([1: "a", 2: "b"], at: KernelVersion(6, 0), newest: KernelVersion(6, 3))
        XCTAssertTrue(m.rows.contains(SyscallRow(number: 1, name: "a", first: KernelVersion(6, 0), last: nil)))
        XCTAssertTrue(m.rows.contains(SyscallRow(number: 2, name: "b", first: KernelVersion(6, 0), last: KernelVersion(6, 2))))
        XCTAssertTrue(m.rows.contains(SyscallRow(number: 3, name: "c", first: KernelVersion(6, 1), last: KernelVersion(6, 2))))
        XCTAssertEqual(KernelVersion(7, 0).previous, KernelVersion(6, 19))
        XCTAssertEqual(KernelVersion(4, 20).next, KernelVersion(5, 0))
        XCTAssertEqual(KernelVersion(7, 2, rc: 1).previous, KernelVersion(7, 1))
    }

    /// From 6.11 generic ABIs are generated from scripts/syscall.tbl and the arch's ABI list.
    func testGenericTableFrom611UsesScriptsSyscallTblAndMakefileABIs() throws {
        let root = NSTemporaryDirectory() + "aurules-tree-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/scripts", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/arch/riscv/kernel", withIntermediateDirectories: true)
        try """
        # comment
        38\trenameat\trenameat\tsys_renameat
        56\tcommon\topenat\tsys_openat\tcompat_sys_openat
        79\tstat64\tfstatat64\tsys_fstatat64
        79\tnewstat\tnewfstatat\tsys_newfstatat
        163\trlimit\tgetrlimit\tsys_getrlimit
        244\t32\tarch_only_32\tsys_x
        259\triscv\triscv_flush_icache\tsys_riscv_flush_icache
        """.write(toFile: root + "/scripts/syscall.tbl", atomically: true, encoding: .utf8)
        try "syscall_abis_32 += riscv memfd_secret\nsyscall_abis_64 += riscv newstat rlimit\n"
            .write(toFile: root + "/arch/riscv/kernel/Makefile.syscalls", atomically: true, encoding: .utf8)
        let t = try KernelSources.fromKernelTree(root, abi: .riscv64, release: KernelVersion(6, 11))
        XCTAssertEqual(t, [56: "openat", 79: "newfstatat", 163: "getrlimit", 259: "riscv_flush_icache"])
    }
}

final class DirectoryDatabaseErrorTests: XCTestCase {
    func testBrokenDirectoriesAreReportedWithFileAndLine() throws {
        let dir = NSTemporaryDirectory() + "aurules-broken-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        XCTAssertThrowsError(try SyscallDatabase(directory: dir + "/none"))
        XCTAssertThrowsError(try SyscallDatabase(directory: dir)) { XCTAssertTrue("\($0)".contains("abis.tsv")) }
        try "x86_64\t0xc000003e\t64\tx86_64\ti386\t4.0\t\t6.1\ttest\n".write(toFile: dir + "/abis.tsv", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try SyscallDatabase(directory: dir)) { XCTAssertTrue("\($0)".contains("table file is missing"), "\($0)") }
        try "# number\tname\tfirst\tlast\n0\tread\t4.0\t\n1\twr!te\t4.0\t\n".write(toFile: dir + "/x86_64.tsv", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try SyscallDatabase(directory: dir)) { XCTAssertTrue("\($0)".hasSuffix("x86_64.tsv:3: bad syscall name 'wr!te'"), "\($0)") }
        try "0\tread\t4.0\t\n1\twrite\t4.x\t\n".write(toFile: dir + "/x86_64.tsv", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try SyscallDatabase(directory: dir)) { XCTAssertTrue("\($0)".hasSuffix(":2: bad release '4.x'"), "\($0)") }
        try "0\tread\t4.0\t\n1\twrite\t4.0\t\n".write(toFile: dir + "/x86_64.tsv", atomically: true, encoding: .utf8)
        let db = try SyscallDatabase(directory: dir)
        XCTAssertEqual(db.table(.x86_64, at: KernelVersion(6, 1))?.number(of: "write"), 1)
        XCTAssertEqual(db.newestRelease, KernelVersion(6, 1))
        XCTAssertNil(db.table(.i386, at: KernelVersion(6, 1)))
        // libaudit spellings come from the built-in tables when the directory has none.
        XCTAssertEqual(db.kernelName(libaudit: "write", abi: .x86_64, version: .v3_0_9), "write")
    }

    /// Rows that contradict each other or the ABI file are refused, not answered by whichever row
    /// a lookup meets first.
    func testContradictoryRowsAreRefused() throws {
        let dir = NSTemporaryDirectory() + "aurules-contradictory-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        func refuses(_ table: String, _ message: String, file: StaticString = #filePath, line: UInt = #line) throws {
            try table.write(toFile: dir + "/x86_64.tsv", atomically: true, encoding: .utf8)
            XCTAssertThrowsError(try SyscallDatabase(directory: dir), file: file, line: line) {
                XCTAssertTrue("\($0)".contains(message), "\($0)", file: file, line: line)
            }
        }
        try "".write(toFile: dir + "/abis.tsv", atomically: true, encoding: .utf8)
        try refuses("0\tread\t4.0\t\n", "lists no ABI")
        try "x86_64\t0xc000003e\t64\tx86_64\ti386\t4.0\t\t6.1\ttest\n".write(toFile: dir + "/abis.tsv", atomically: true, encoding: .utf8)
        try refuses("0\tread\t4.0\t\n0\tdup\t5.0\t\n", "number 0 has two names at 5.0")
        try refuses("0\tread\t4.0\t5.0\n0\tdup\t5.0\t\n", "number 0 has two names at 5.0")
        try refuses("0\tread\t4.0\t\n9\tlater\t6.6\t\n", "starts after 6.1")
        try refuses("0\tread\t5.0\t4.19\n", "bad last release")
        // A rename closes one row and opens the next: no overlap.
        try "0\tread\t4.0\t4.19\n0\tread2\t5.0\t\n".write(toFile: dir + "/x86_64.tsv", atomically: true, encoding: .utf8)
        XCTAssertEqual(try SyscallDatabase(directory: dir).table(.x86_64, at: KernelVersion(5, 0))?.name(of: 0), "read2")
    }
}
