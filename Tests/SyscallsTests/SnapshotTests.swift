import Foundation
import XCTest
@testable import Syscalls

/// At each release hrw/syscalls-table has a snapshot of (6.17, 6.19, 7.0-rc1, 7.0, 7.2-rc1), the
/// table equals it, apart from hrw's documented habits: it drops names it considers removed though
/// the kernel still numbers them, prints arm 341 by its alias, and lists arm's private calls.
final class SnapshotTests: XCTestCase {
    let files: [(ABI, String)] = [(.x86_64, "x86_64"), (.i386, "i386"), (.x32, "x32"), (.ppc, "powerpc"), (.ppc64, "powerpc64"),
                                  (.s390, "s390"), (.s390x, "s390x"), (.aarch64, "arm64"), (.arm, "arm"), (.riscv64, "riscv64")]
    // Names hrw's removed-names list drops; the kernel's tables still number them.
    let droppedByHrw: Set<String> = ["uselib", "_sysctl", "create_module", "get_kernel_syms", "query_module", "nfsservctl",
        "getpmsg", "putpmsg", "afs_syscall", "tuxcall", "security", "vserver", "break", "stty", "gtty", "ftime", "prof",
        "lock", "mpx", "ulimit", "profil", "idle", "bdflush"]

    func testTablesEqualHrwSnapshots() throws {
        let base = Paths.shared + "/hrw-history"
        guard FileManager.default.fileExists(atPath: base) else { throw XCTSkip("../shared/syscall-data is not available") }
        var dropped = Set<String>()
        for snapshot in ["6.17", "6.19", "7.0-rc1", "7.0", "7.2-rc1"] {
            let release = try XCTUnwrap(KernelVersion(snapshot))
            for (abi, file) in files {
                guard let table = SyscallDatabase.shipped.table(abi, at: release) else {
                    // hrw still carries s390 after the kernel dropped 31-bit compat in 6.19.
                    XCTAssertEqual(abi, .s390, "\(abi) at \(release)")
                    XCTAssertGreaterThanOrEqual(release, KernelVersion(6, 19))
                    continue
                }
                let text = try XCTUnwrap(Paths.read(base + "/\(snapshot)/syscalls-\(file)"))
                var hrw: [Int: String] = [:]
                for line in text.split(separator: "\n") {
                    let f = line.split(separator: "\t")
                    if f.count == 2, let n = Int(f[1]), !(abi == .arm && n >= 0x0f_0000) { hrw[n] = String(f[0]) }
                }
                for e in table.entries {
                    switch hrw[e.number] {
                    case e.name?: continue
                    case "sync_file_range2"? where abi == .arm && e.number == 341: continue
                    case nil where droppedByHrw.contains(e.name): dropped.insert(e.name)
                    case let other: XCTFail("\(abi) at \(release): table \(e.number) \(e.name), hrw \(other ?? "nothing")")
                    }
                }
                for (n, name) in hrw where table.name(of: n) == nil {
                    XCTFail("\(abi) at \(release): hrw \(n) \(name), table nothing")
                }
            }
        }
        print("hrw snapshots: equal apart from names hrw drops: \(dropped.sorted().joined(separator: " "))")
        XCTAssertEqual(dropped, droppedByHrw, "documented names hrw no longer drops")
    }
}
