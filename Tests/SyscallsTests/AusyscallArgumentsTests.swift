import XCTest
@testable import Syscalls

/// The parts of ausyscall's argument rules the installed binary cannot show on this x86_64 host:
/// b32/b64 on other machines, an undetectable machine, strtoul's edge cases, 4.x's machines.
final class AusyscallArgumentsTests: XCTestCase {
    func arch(_ word: String, host: LibauditMachine?, _ version: AuditVersion = .v3_0_9) -> LibauditMachine? {
        LibauditMachine.determine(word, version: version, host: host)
    }

    func testB32AndB64FollowTheHostAsLibauditDoes() {
        XCTAssertEqual(arch("b32", host: .aarch64), .arm)
        XCTAssertEqual(arch("b32", host: .s390x), .s390)
        XCTAssertEqual(arch("b32", host: .ppc64), .ppc)
        // libaudit has no 32-bit fix-up for ppc64le, and ppc64le is 64-bit only: b32 is refused.
        XCTAssertNil(arch("b32", host: .ppc64le))
        XCTAssertEqual(arch("b64", host: .ppc64le), .ppc64le)
        XCTAssertNil(arch("b64", host: .i386))
        XCTAssertNil(arch("b64", host: .arm))
        XCTAssertEqual(arch("B64", host: .s390x), .s390x)
        XCTAssertNil(arch("b64", host: nil))
        XCTAssertEqual(arch("b32", host: .riscv64, .v4_2), .riscv32)
    }

    func testMachineNamesPerRelease() {
        // 2.x's ausyscall knew machine names only.
        let v285 = AuditVersion(loose: "2.8.5")!
        XCTAssertNil(arch("b64", host: .x86_64, v285))
        XCTAssertNil(arch("c000003e", host: .x86_64, v285))
        XCTAssertEqual(arch("i686", host: .x86_64, v285), .i386)
        XCTAssertNil(arch("riscv64", host: .x86_64, .v3_0_9))
        XCTAssertEqual(arch("riscv64", host: .x86_64, .v4_2), .riscv64)
        XCTAssertEqual(arch("c00000f3", host: .x86_64, .v4_2), .riscv64)
        XCTAssertNil(arch("c00000f3", host: .x86_64, .v3_0_9))
        XCTAssertEqual(arch("c0000015", host: .x86_64), .ppc64le)
        XCTAssertEqual(arch("ARMV7L", host: .x86_64), .arm)
    }

    func testStrtoul16() {
        XCTAssertEqual(LibauditMachine.strtoul16(Array("\t 0Xc000003e".utf8)), 0xc000_003e)
        XCTAssertEqual(LibauditMachine.strtoul16(Array("0xg".utf8)), 0)
        XCTAssertEqual(LibauditMachine.strtoul16(Array("-1".utf8)), UInt64.max)
        XCTAssertEqual(LibauditMachine.strtoul16(Array("ffffffffffffffff".utf8)), UInt64.max)
        XCTAssertNil(LibauditMachine.strtoul16(Array("10000000000000000".utf8)))
        XCTAssertEqual(LibauditMachine.strtoul16(Array("open".utf8)), 0)
    }

    func testUndetectableHost() {
        // audit_detect_machine fails: b64 is no machine, so it is a name.
        guard case .success(let q) = Ausyscall.parse(["b64"], version: .v3_0_9, host: nil) else { return XCTFail() }
        XCTAssertNil(q.arch)
        XCTAssertEqual(q.name, "b64")
        guard case .failure(let r) = Ausyscall.parse(["b64", "open"], version: .v3_0_9, host: nil) else { return XCTFail() }
        XCTAssertEqual(r.lines, ["Two syscall names not allowed", Ausyscall.usage])
    }

    func testKernelOnlyArchesOnlyWhenAsked() {
        guard case .success(let plain) = Ausyscall.parse(["x32", "1"], version: .v3_0_9, host: .x86_64),
              case .success(let kernel) = Ausyscall.parse(["x32", "1"], version: .v3_0_9, host: .x86_64, kernelArches: true)
        else { return XCTFail() }
        XCTAssertEqual(plain.name, "x32")
        XCTAssertEqual(kernel.arch, .kernelOnly(.x32))
    }
}
