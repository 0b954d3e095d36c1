import Foundation
import XCTest
@testable import Syscalls

final class ShippedTablesTests: XCTestCase {
    let db = SyscallDatabase.shipped
    let newest = SyscallDatabase.shipped.newestRelease

    /// The copy compiled into the binary is exactly SyscallTables/: they cannot drift apart.
    func testEmbeddedCopyEqualsSyscallTablesDirectory() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Paths.tables).filter { $0.hasSuffix(".tsv") }.sorted()
        XCTAssertEqual(names, EmbeddedTables.files.map(\.name).sorted())
        for f in EmbeddedTables.files {
            XCTAssertTrue(Paths.read(Paths.tables + "/" + f.name) == f.text, "\(f.name) differs from SyscallTables/: run aurules tables embed")
        }
    }

    func testDirectoryDatabaseReadsTheSameRows() throws {
        let dir = try SyscallDatabase(directory: Paths.tables)
        XCTAssertEqual(dir.newestRelease, newest)
        for abi in db.abiInfos.map(\.abi) { XCTAssertEqual(dir.rows(abi), db.rows(abi), "\(abi)") }
    }

    func testEveryPromisedABIIsCoveredFromItsFirstRelease() {
        let starts: [ABI: KernelVersion] = [.x86_64: .init(3, 10), .i386: .init(3, 10), .x32: .init(3, 10),
            .s390: .init(3, 10), .s390x: .init(3, 10), .ppc: .init(4, 9), .ppc64: .init(4, 9),
            .arm: .init(4, 9), .aarch64: .init(4, 9), .riscv64: .init(4, 15)]
        for (abi, start) in starts {
            XCTAssertNotNil(db.table(abi, at: start), "\(abi) at \(start)")
            let before = start.minor == 0 ? KernelVersion(start.major - 1, 19) : KernelVersion(start.major, start.minor - 1)
            XCTAssertNil(db.table(abi, at: before), "\(abi) before coverage")
        }
        XCTAssertEqual(newest, KernelVersion(7, 2, rc: 1))
    }

    func testNewestAdditionsResolve() throws {
        let x86 = try XCTUnwrap(db.table(.x86_64, at: newest))
        XCTAssertEqual(x86.number(of: "listns"), 470)
        XCTAssertEqual(x86.number(of: "rseq_slice_yield"), 471)
        XCTAssertEqual(x86.number(of: "uprobe"), 336)
        XCTAssertEqual(x86.number(of: "uretprobe"), 335)
        XCTAssertEqual(x86.name(of: 336), "uprobe")
        for abi in [ABI.i386, .aarch64, .arm, .ppc, .ppc64, .s390x, .riscv64] {
            let t = try XCTUnwrap(db.table(abi, at: newest))
            XCTAssertEqual(t.number(of: "LISTNS"), 470, "\(abi)")
            XCTAssertEqual(t.number(of: "rseq_slice_yield"), 471, "\(abi)")
        }
        XCTAssertEqual(db.table(.x32, at: newest)?.number(of: "listns"), 0x4000_0000 + 470)
    }

    func testFchmodat2IsAbsentAt61AndArrivedIn66() throws {
        XCTAssertNil(db.table(.x86_64, at: KernelVersion(6, 1))?.number(of: "fchmodat2"))
        let rows = db.rows(.x86_64).filter { $0.name == "fchmodat2" }
        XCTAssertEqual(rows.map(\.first), [KernelVersion(6, 6)])
        XCTAssertEqual(db.table(.x86_64, at: KernelVersion(6, 6))?.number(of: "fchmodat2"), 452)
    }

    /// The asm-generic ABIs number a call when asm-generic/unistd.h does: pkey_* in 4.9 (with
    /// x86; the hrw table of 2016-10-12 shows 4.8 and lacks them everywhere), rseq in 4.19 (arm,
    /// x86 and ppc wired it in 4.18; the 4.18 tables of arm64 and riscv lack it, 4.19-rc1's have it).
    func testAsmGenericFirstReleases() {
        for (abi, name, number, first) in [(ABI.aarch64, "pkey_mprotect", 288, KernelVersion(4, 9)), (ABI.aarch64, "pkey_alloc", 289, KernelVersion(4, 9)),
                                           (ABI.aarch64, "pkey_free", 290, KernelVersion(4, 9)), (ABI.aarch64, "rseq", 293, KernelVersion(4, 19)),
                                           (ABI.riscv64, "rseq", 293, KernelVersion(4, 19))] {
            XCTAssertEqual(db.rows(abi).filter { $0.name == name }.map(\.first), [first], "\(abi) \(name)")
            XCTAssertEqual(db.table(abi, at: first)?.number(of: name), number, "\(abi) \(name) at \(first)")
            if first > KernelVersion(4, 9) {
                XCTAssertNil(db.table(abi, at: KernelVersion(first.major, first.minor - 1))?.number(of: name), "\(abi) \(name) before \(first)")
            }
        }
    }

    func testS390CompatEndsIn619() {
        XCTAssertNotNil(db.table(.s390, at: KernelVersion(6, 18)))
        XCTAssertNil(db.table(.s390, at: KernelVersion(6, 19)))
        XCTAssertTrue(db.abis(for: .s390x, at: KernelVersion(6, 18)) == (.s390x, .s390))
        XCTAssertTrue(db.abis(for: .s390x, at: KernelVersion(6, 19)) == (.s390x, nil))
        XCTAssertTrue(db.abis(for: .x86_64, at: KernelVersion(6, 1)) == (.x86_64, .i386))
        XCTAssertTrue(db.abis(for: .ppc64le, at: KernelVersion(6, 1)) == (.ppc64, .ppc))
        XCTAssertTrue(db.abis(for: .riscv64, at: KernelVersion(6, 1)) == (.riscv64, nil))
        XCTAssertTrue(db.abis(for: .i386, at: KernelVersion(6, 1)) == (nil, .i386))
    }

    func testEquivalents() {
        let v = KernelVersion(6, 1)
        XCTAssertEqual(db.equivalents(of: "open", on: .aarch64, at: v), ["openat", "openat2"])
        XCTAssertEqual(db.equivalents(of: "mmap", on: .arm, at: v), ["mmap2"])
        XCTAssertEqual(db.equivalents(of: "fork", on: .riscv64, at: v), ["clone", "clone3"])
        XCTAssertTrue(db.equivalents(of: "socket", on: .i386, at: v).contains("socketcall"))
        XCTAssertEqual(db.equivalents(of: "_llseek", on: .x86_64, at: v), ["lseek"])
        XCTAssertEqual(db.equivalents(of: "llseek", on: .x86_64, at: v), ["lseek"])
    }

    func testLibauditSpellings() {
        XCTAssertEqual(LibauditNames.name(of: 17, abi: .x86_64, version: .v3_0_9), "pread")
        XCTAssertEqual(LibauditNames.kernelName("pread", abi: .x86_64, version: .v3_0_9), "pread64")
        XCTAssertEqual(LibauditNames.kernelName("newfstat", abi: .aarch64, version: .v3_0_9), "fstat")
        XCTAssertEqual(LibauditNames.kernelName("timerfd", abi: .ppc, version: .v4_2), "timerfd_create")
        XCTAssertNil(LibauditNames.name(of: 452, abi: .x86_64, version: .v3_0_9))
        XCTAssertNil(LibauditNames.name(of: 0, abi: .riscv64, version: .v3_0_9))
        XCTAssertEqual(LibauditNames.name(of: 0, abi: .riscv64, version: .v4_2), "io_setup")
        XCTAssertTrue(db.isKnownOnAnyABI("pread"))
        XCTAssertTrue(db.isKnownOnAnyABI("OPENAT2"))
        XCTAssertTrue(db.isKnownOnAnyABI("socketcall"))
        XCTAssertFalse(db.isKnownOnAnyABI("opne"))
    }
}
