import CLibAudit
import Foundation
import XCTest
@testable import Syscalls

/// The tables against libaudit 3.0.9 (ausyscall's tables): every (arch, number) libaudit knows has
/// the same name in our newest table, or a difference listed here with its reason.
final class AusyscallDifferentialTests: XCTestCase {
    static let arches: [(ABI, String)] = [(.x86_64, "x86_64"), (.i386, "i386"), (.ppc, "ppc"), (.ppc64, "ppc64"),
        (.s390, "s390"), (.s390x, "s390x"), (.aarch64, "aarch64"), (.arm, "arm")]

    /// libaudit spells these differently from the kernel's table.
    static let spellings: [ABI: [Int: String]] = [
        .x86_64: [17: "pread", 18: "pwrite"],
        .i386: [283: "sys_kexec_load", 423: "sched_rr_get_interval64"],
        .ppc: [179: "pread", 180: "pwrite", 306: "timerfd", 319: "perf_counter_open"],
        .ppc64: [179: "pread", 180: "pwrite", 306: "timerfd", 319: "perf_counter_open", 291: "fstatat64"],
        .s390: [180: "pread", 181: "pwrite"],
        .s390x: [180: "pread", 181: "pwrite"],
        .aarch64: [61: "getdents", 67: "pread", 68: "pwrite", 80: "newfstat"],
        .arm: [140: "llseek", 142: "newselect", 149: "sysctl", 270: "fadvise64_64", 341: "sync_file_range",
               423: "sched_rr_get_interval64"],
    ]

    /// Numbers libaudit names that the kernel's table for that ABI does not have.
    static let notInKernelTable: [ABI: (numbers: Set<Int>, why: String)] = [
        .ppc: ([392], "ppc and ppc64 share one libaudit table: 392 semtimedop is ppc64-only"),
        .ppc64: (Set([192, 193, 194, 195, 196, 197, 204, 226, 254]).union(403...423).subtracting([415]),
                 "ppc and ppc64 share one libaudit table: 32-bit-only calls (mmap2, *64, *_time64)"),
        .arm: ([13, 22, 25, 27, 30, 76, 82, 89, 90, 102, 113, 117],
               "libaudit's arm table keeps OABI-only numbers the EABI table lacks"),
    ]

    func libauditTable(_ arch: String) -> [Int: String]? {
        let machine = audit_name_to_machine(arch)
        guard machine >= 0 else { return nil }
        var out: [Int: String] = [:]
        for n in 0..<2048 {
            if let p = audit_syscall_to_name(Int32(n), machine) { out[n] = String(cString: p) }
        }
        return out
    }

    /// The installed libaudit, the saved ausyscall dumps and our libaudit-3.0.9 data agree.
    func testLibauditSpellingDataEqualsInstalledLibaudit() throws {
        for (abi, arch) in Self.arches {
            let live = try XCTUnwrap(libauditTable(arch), arch)
            if let saved = Paths.numberNamePairs(Paths.shared + "/audit/ausyscall-3.0.9-dump/\(arch).txt") {
                XCTAssertEqual(live, saved, "\(arch): installed libaudit vs saved dump")
            }
            var ours: [Int: String] = [:]
            for n in 0..<2048 { ours[n] = LibauditNames.name(of: n, abi: abi, version: .v3_0_9) }
            XCTAssertEqual(ours, live, "\(arch): LibauditNames 3.0.9 vs audit_syscall_to_name")
        }
    }

    func testEveryNumberLibauditKnowsMatchesTheNewestTable() throws {
        let db = SyscallDatabase.shipped
        var compared = 0, same = 0
        for (abi, arch) in Self.arches {
            let lib = try XCTUnwrap(libauditTable(arch), arch)
            let release = db.info(abi)?.last ?? db.newestRelease
            let table = try XCTUnwrap(db.table(abi, at: release))
            let spellings = Self.spellings[abi] ?? [:]
            let absent = Self.notInKernelTable[abi]?.numbers ?? []
            var usedSpellings = Set<Int>(), usedAbsent = Set<Int>()
            for (n, libName) in lib.sorted(by: { $0.key < $1.key }) {
                compared += 1
                guard let ourName = table.name(of: n) else {
                    XCTAssertTrue(absent.contains(n), "\(arch) \(n) \(libName): libaudit knows it, our \(release) table does not")
                    usedAbsent.insert(n)
                    continue
                }
                if ourName == libName { same += 1; continue }
                XCTAssertEqual(spellings[n], libName, "\(arch) \(n): libaudit \(libName), table \(ourName): undocumented spelling")
                // The spelling maps back to the table name, as the compiler resolves it.
                XCTAssertEqual(LibauditNames.kernelName(libName, abi: abi, version: .v3_0_9), ourName, "\(arch) \(libName)")
                usedSpellings.insert(n)
            }
            XCTAssertEqual(usedSpellings, Set(spellings.keys), "\(arch): documented spellings that no longer occur")
            XCTAssertEqual(usedAbsent, absent, "\(arch): documented absences that no longer occur")
        }
        print("ausyscall 3.0.9: \(compared) (arch, number) pairs, \(same) same name, the rest documented spellings or absences")
    }
}
