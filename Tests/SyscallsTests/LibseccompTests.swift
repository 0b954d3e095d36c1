import Foundation
import XCTest
@testable import Syscalls

/// An independent source: libseccomp's syscall table (main, updated for 7.1-rc4) gives the same
/// name and number as our 7.1 view on every ABI (6.18 for s390, whose compat ABI ends there).
final class LibseccompTests: XCTestCase {
    func testTablesAt71EqualLibseccompMain() throws {
        guard let text = Paths.read(Paths.shared + "/libseccomp/syscalls.csv.main-7e95f5b") else {
            throw XCTSkip("../shared/syscall-data is not available")
        }
        let lines = text.split(separator: "\n")
        let header = try XCTUnwrap(lines.first).split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        XCTAssertTrue(header[0].contains("v7.1"), header[0])
        let columns: [(String, ABI)] = [("x86", .i386), ("x86_64", .x86_64), ("x32", .x32), ("arm", .arm), ("aarch64", .aarch64),
                                        ("ppc", .ppc), ("ppc64", .ppc64), ("riscv64", .riscv64), ("s390", .s390), ("s390x", .s390x)]
        var compared = 0
        for (column, abi) in columns {
            let i = try XCTUnwrap(header.firstIndex(of: column), column)
            let table = try XCTUnwrap(SyscallDatabase.shipped.table(abi, at: abi == .s390 ? KernelVersion(6, 18) : KernelVersion(7, 1)))
            var theirs: [String: Int] = [:]
            for line in lines.dropFirst() {
                let f = line.split(separator: ",", omittingEmptySubsequences: false)
                guard f.count > i, let n = Int(f[i]) else { continue }
                // arm's private calls (0x0f0001..) are outside the numbered table.
                if abi == .arm && n >= 0x0f_0000 { continue }
                theirs[String(f[0])] = abi == .x32 ? n + 0x4000_0000 : n
            }
            let ours = Dictionary(uniqueKeysWithValues: table.entries.map { ($0.name, $0.number) })
            let diff = Set(ours.map { "\($0.key) \($0.value)" }).symmetricDifference(theirs.map { "\($0.key) \($0.value)" })
            XCTAssertTrue(diff.isEmpty, "\(abi): \(diff.sorted())")
            compared += theirs.count
        }
        print("libseccomp main: \(compared) (ABI, name, number) triples, all equal")
    }
}
