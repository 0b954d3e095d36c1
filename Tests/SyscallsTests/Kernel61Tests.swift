import XCTest
@testable import Syscalls

/// The 6.1 view of every ABI equals the kernel's own 6.1 headers (number and name, both ways).
final class Kernel61Tests: XCTestCase {
    func testSixOneViewEqualsKernelHeaders() throws {
        let headers: [ABI: String] = [.x86_64: "x86_64", .i386: "i386", .ppc: "ppc", .ppc64: "ppc64", .s390: "s390",
                                      .s390x: "s390x", .aarch64: "aarch64", .arm: "arm", .riscv64: "riscv64"]
        for (abi, file) in headers {
            guard let expected = Paths.numberNamePairs(Paths.shared + "/derived/headers-6.1-nr/\(file).txt") else {
                throw XCTSkip("../shared/syscall-data is not available")
            }
            let table = try XCTUnwrap(SyscallDatabase.shipped.table(abi, at: KernelVersion(6, 1)))
            var got = Dictionary(uniqueKeysWithValues: table.entries.map { ($0.number, $0.name) })
            // arm's unistd.h defines sync_file_range2 as an alias of the table's arm_sync_file_range,
            // and the derived list kept the alias.
            if abi == .arm {
                XCTAssertEqual(got[341], "arm_sync_file_range")
                got[341] = "sync_file_range2"
            }
            XCTAssertEqual(got, expected, "\(abi) at 6.1: \(Set(got.map { "\($0.key) \($0.value)" }).symmetricDifference(expected.map { "\($0.key) \($0.value)" }).sorted())")
        }
    }

    func testX32SixOneViewEqualsInstalledHeader() throws {
        guard let text = Paths.read(Paths.shared + "/debian-bookworm-uapi-headers/i686-linux-gnu/include/asm/unistd_x32.h") else {
            throw XCTSkip("../shared/syscall-data is not available")
        }
        var expected: [Int: String] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("#define __NR_") {
            let f = line.split(separator: " ")
            guard f.count == 5, f[2] == "(__X32_SYSCALL_BIT", let n = Int(f[4].dropLast()) else { continue }
            expected[0x4000_0000 + n] = String(f[1].dropFirst(5))
        }
        XCTAssertGreaterThan(expected.count, 300)
        let table = try XCTUnwrap(SyscallDatabase.shipped.table(.x32, at: KernelVersion(6, 1)))
        XCTAssertEqual(Dictionary(uniqueKeysWithValues: table.entries.map { ($0.number, $0.name) }), expected)
    }
}
