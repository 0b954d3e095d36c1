import AuditRules
import Syscalls
import XCTest

/// `CompileTarget.resolve`: the defaults and the out-of-range policy, on made-up hosts.
final class TargetResolutionTests: XCTestCase {
    private func host(_ machine: String, _ release: String, _ libaudit: AuditVersion? = nil) -> HostFacts {
        HostFacts(machineName: machine, release: release, libauditVersion: libaudit)
    }

    func testDefaultsComeFromTheHost() throws {
        let t = try CompileTarget.resolve(TargetRequest(), host: host("aarch64", "6.1.0-27-arm64", .v4_2))
        XCTAssertEqual(t.machine, .aarch64)
        XCTAssertEqual(t.kernel, KernelVersion(6, 1))
        XCTAssertEqual(t.auditVersion, .v4_2)
        XCTAssertNotNil(t.resolver)
        let unknownLibaudit = try CompileTarget.resolve(TargetRequest(resolvesNames: false), host: host("x86_64", "6.8.0"))
        // No installed libaudit to follow: the newest loader release.
        XCTAssertEqual(unknownLibaudit.auditVersion, .newest)
        XCTAssertNil(unknownLibaudit.resolver)
    }

    func testAnotherMachineDefaultsToTheNewestRelease() throws {
        let t = try CompileTarget.resolve(TargetRequest(machine: "s390x"), host: host("x86_64", "5.10.0"))
        XCTAssertEqual(t.machine, .s390x)
        XCTAssertEqual(t.kernel, SyscallDatabase.shipped.newestRelease)
    }

    /// A running kernel newer than the tables has at least their syscalls: the newest release answers.
    func testARunningKernelNewerThanTheTablesUsesTheNewest() throws {
        let t = try CompileTarget.resolve(TargetRequest(), host: host("x86_64", "99.1.0"))
        XCTAssertEqual(t.kernel, SyscallDatabase.shipped.newestRelease)
    }

    func testAGivenReleaseOutsideTheTablesNamesTheirRange() throws {
        let db = SyscallDatabase.shipped
        let range = try XCTUnwrap(CompileTarget.coverage(of: .x86_64, database: db))
        XCTAssertEqual(range.upperBound, db.newestRelease)
        for text in ["99.0", "2.0"] {
            XCTAssertThrowsError(try CompileTarget.resolve(TargetRequest(machine: "x86_64", kernel: text), host: host("x86_64", "6.1"))) { error in
                let message = (error as? TargetError)?.message ?? ""
                XCTAssertTrue(message.contains("kernel \(text) is outside the syscall tables for x86_64 (they cover \(range.lowerBound) to \(range.upperBound))"), message)
            }
        }
        XCTAssertEqual(try CompileTarget.resolve(TargetRequest(machine: "x86_64", kernel: "\(range.lowerBound)")).kernel, range.lowerBound)
        XCTAssertThrowsError(try CompileTarget.resolve(TargetRequest(kernel: "6.x1"), host: host("x86_64", "6.1")))
    }

    func testAnUnknownHostMachineMustBeNamed() {
        XCTAssertThrowsError(try CompileTarget.resolve(TargetRequest(), host: host("vax", "6.1"))) { error in
            XCTAssertTrue((error as? TargetError)?.message.contains("this host's machine 'vax'") == true, "\(error)")
        }
        XCTAssertNoThrow(try CompileTarget.resolve(TargetRequest(machine: "ppc64le"), host: host("vax", "6.1")))
    }

    /// A loader that does not know the machine loads nothing for it: every command refuses.
    func testALoaderThatCannotLoadTheMachineIsRefused() throws {
        XCTAssertThrowsError(try CompileTarget.resolve(TargetRequest(machine: "riscv64", auditVersion: "3.0.9"), host: host("x86_64", "6.1"))) { error in
            XCTAssertTrue((error as? TargetError)?.message.contains("audit 3.0.9 cannot load rules for riscv64") == true, "\(error)")
        }
        XCTAssertNoThrow(try CompileTarget.resolve(TargetRequest(machine: "riscv64", auditVersion: "4.1"), host: host("x86_64", "6.1")))
    }

    func testAuditVersionIsReadInOnePlace() throws {
        XCTAssertEqual(try CompileTarget.auditVersion("4.2.1"), .v4_2)
        // A prefix names its newest release; a release in between takes the data of the one before.
        XCTAssertEqual(try CompileTarget.auditVersion("3"), AuditVersion(rawValue: "3.1.2"))
        XCTAssertEqual(try CompileTarget.auditVersion("3.0"), AuditVersion(rawValue: "3.0"))
        XCTAssertEqual(try CompileTarget.auditVersion("3.0.8"), AuditVersion(rawValue: "3.0.7"))
        XCTAssertThrowsError(try CompileTarget.auditVersion("2.7"))
        XCTAssertEqual(try CompileTarget.auditVersion(nil, host: host("x86_64", "6.1", .v4_2)), .v4_2)
        XCTAssertThrowsError(try CompileTarget.auditVersion("five"))
    }

    /// The host's running kernel is not judged by its release number (distribution kernels
    /// backport: RHEL 7's 3.10.0-351 has exe); a release named with --kernel, or another
    /// machine's default, is (KernelAuditFacts).
    func testARunningKernelIsNotJudgedByItsRelease() throws {
        let rhel7 = host("x86_64", "3.10.0-1160.el7.x86_64", AuditVersion(rawValue: "2.8.5"))
        let text = RulesText("-a always,exit -F arch=b64 -S execve -F exe=/usr/bin/sudo -k priv\n")
        func errors(_ t: CompileTarget) -> [String] {
            RuleParser.parse(text: text, file: "r.rules", options: t.parseOptions).diagnostics.filter { $0.severity == .error }.map(\.message)
        }
        let running = try CompileTarget.resolve(TargetRequest(resolvesNames: false), host: rhel7)
        XCTAssertEqual(running.kernel, KernelVersion(3, 10))
        XCTAssertTrue(running.kernelIsRunning)
        XCTAssertEqual(errors(running), [])
        let named = try CompileTarget.resolve(TargetRequest(kernel: "3.10", resolvesNames: false), host: rhel7)
        XCTAssertFalse(named.kernelIsRunning)
        XCTAssertEqual(errors(named).count, 1)
        XCTAssertTrue(errors(named).first?.contains("needs Linux 4.3") == true)
        XCTAssertFalse(try CompileTarget.resolve(TargetRequest(machine: "s390x", resolvesNames: false), host: rhel7).kernelIsRunning)
    }
}
