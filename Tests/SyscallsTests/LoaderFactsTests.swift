import CLibAudit
import Foundation
import XCTest
@testable import Syscalls

/// The loader data against its sources: the installed libaudit 3.0.9 as an oracle for the 3.0.9
/// files, and the audit-userspace repository (when a clone is at hand) for every release.
final class LoaderFactsTests: XCTestCase {
    let v309 = AuditVersion.v3_0_9
    /// libaudit's machine constants (libaudit.h's machine_t) per ABI whose table they use.
    let oracleMachines: [(ABI, Int32)] = [(.x86_64, 1), (.i386, 0), (.ppc, 4), (.ppc64, 3), (.s390x, 5), (.s390, 6), (.arm, 8), (.aarch64, 9)]

    func testEveryDistributionReleaseIsShipped() {
        XCTAssertEqual(AuditVersion.allCases.map(\.rawValue), ["2.8.5", "3.0", "3.0.7", "3.0.9", "3.1.2", "4.0.2", "4.1.4", "4.2.1"])
        XCTAssertEqual(AuditVersion(loose: "3"), AuditVersion(rawValue: "3.1.2"))
        XCTAssertEqual(AuditVersion(loose: "v3.0.9"), .v3_0_9)
        XCTAssertEqual(AuditVersion(loose: "4.1"), AuditVersion(rawValue: "4.1.4"))
        XCTAssertEqual(AuditVersion(loose: "3.0.8"), AuditVersion(rawValue: "3.0.7"))
        XCTAssertNil(AuditVersion(loose: "2.8.4"))
        XCTAssertNil(AuditVersion(loose: "5"))
        XCTAssertNil(AuditVersion(loose: "3.x"))
        XCTAssertNil(AuditVersion(loose: ""))
    }

    /// Every name of the 3.0.9 tables resolves to its number in the installed libaudit, and every
    /// number 0..2047 gets the same name back (the first of a number's names, as ausyscall prints).
    func testSyscallNamesAgreeWithInstalledLibaudit() throws {
        try requireInstalled309()
        let db = SyscallDatabase.shipped
        for (abi, machine) in oracleMachines {
            let names = db.libaudit(v309)[abi] ?? [:]
            XCTAssertFalse(names.isEmpty, "\(abi)")
            for n in 0..<2048 {
                let theirs = audit_syscall_to_name(Int32(n), machine).map { String(cString: $0) }
                XCTAssertEqual(names[n], theirs, "\(abi) \(n)")
            }
            let file = try XCTUnwrap(db.fileText("libaudit-3.0.9.tsv"))
            for r in try TableText.libauditRows(file, file: "") where r.abi == abi {
                XCTAssertEqual(Int(audit_name_to_syscall(r.name, machine)), r.number, "\(abi) \(r.name)")
                XCTAssertEqual(db.libauditNumber(of: r.name.uppercased(), abi: abi, version: v309), r.number, "\(abi) \(r.name)")
            }
        }
    }

    /// Machines, arch spellings and the name tables of the 3.0.9 data against the installed library.
    func testMachinesAndNameTablesAgreeWithInstalledLibaudit() throws {
        try requireInstalled309()
        let loader = v309.loader
        let spellings = ["i386", "i686", "x86_64", "ppc64", "ppc64le", "ppc", "s390x", "s390", "armeb", "arm", "armv7l",
                         "armv5tejl", "aarch64", "armv8l", "riscv64", "riscv32", "alpha", "ia64", "mips", "uring", "AARCH64"]
        for s in spellings {
            XCTAssertEqual(loader.constant(named: s) != nil, audit_name_to_machine(s) >= 0, s)
        }
        // Explicit machine names take any bits; b64/b32 follow the host (x86_64 here).
        for s in spellings where loader.constant(named: s) != nil {
            let ours = Machine(uname: s).map { loader.arch(s, on: $0) }
            XCTAssertGreaterThanOrEqual(audit_determine_machine(s), 0, s)
            if case .failure(let e)? = ours { XCTFail("\(s): \(e)") }
        }
        var u = utsname()
        uname(&u)
        let host = withUnsafeBytes(of: u.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        if let machine = Machine(uname: host) {
            for bits in ["b64", "b32"] {
                let theirs = audit_determine_machine(bits)
                switch loader.arch(bits, on: machine) {
                case .success(let abi):
                    XCTAssertEqual(oracleMachines.first { $0.0 == abi }?.1 ?? -99, theirs == 10 ? 3 : theirs, "\(bits) on \(host)")
                case .failure:
                    XCTAssertLessThan(theirs, 0, "\(bits) on \(host)")
                }
            }
        }
        let checks: [(String, (String) -> Int32)] = [
            ("field", { audit_name_to_field($0) }), ("list", { audit_name_to_flag($0) }),
            ("action", { audit_name_to_action($0) }), ("msgtype", { audit_name_to_msg_type($0) }),
            ("errno", { audit_name_to_errno($0) }), ("fstype", { audit_name_to_fstype($0) }),
        ]
        for (kind, resolve) in checks {
            let names = loader.names(kind)
            XCTAssertFalse(names.isEmpty, kind)
            for name in names {
                let r = resolve(kind == "msgtype" || kind == "errno" ? name.uppercased() : name)
                XCTAssertTrue(r >= 0 || (kind == "errno" && r != 0), "\(kind) \(name) -> \(r)")
            }
        }
        for name in ["io_uring", "cgroup", "nosuchfield"] {
            XCTAssertFalse(loader.has("list", name) || loader.has("fstype", name) || loader.has("field", name), name)
        }
        XCTAssertLessThan(audit_name_to_flag("io_uring"), 0)
    }

    /// What the data says about each release, as its sources show it.
    func testReleaseFacts() throws {
        func v(_ s: String) throws -> LoaderFacts { try XCTUnwrap(AuditVersion(rawValue: s)).loader }
        for r in AuditVersion.allCases {
            // ppc64le is 64-bit only in every release.
            XCTAssertEqual(try v(r.rawValue).arch("b64", on: .ppc64le), .success(.ppc64), r.rawValue)
            if case .success = try v(r.rawValue).arch("b32", on: .ppc64le) { XCTFail("\(r): b32 on ppc64le") }
            XCTAssertEqual(try v(r.rawValue).arch("b32", on: .aarch64), .success(.arm), r.rawValue)
            XCTAssertEqual(r.loader.knows(.riscv64), r >= AuditVersion(rawValue: "4.1.4")!, "\(r) riscv64")
            XCTAssertEqual(r.loader.has("list", "io_uring"), r >= AuditVersion(rawValue: "3.1.2")!, "\(r) io_uring")
        }
        XCTAssertNil(try v("3.0").constant(named: "armv8l"))
        XCTAssertNotNil(try v("3.0.7").constant(named: "armv8l"))
        XCTAssertTrue(try v("4.2.1").has("fstype", "cgroup2"))
        XCTAssertFalse(try v("4.0.2").has("fstype", "cgroup2"))
        // The names 3.0.9 refuses that the 30-stig.rules of audit-userspace main uses.
        let db = SyscallDatabase.shipped
        for name in ["fchmodat2", "file_setattr", "lsm_set_self_attr"] {
            XCTAssertNil(db.libauditNumber(of: name, abi: .x86_64, version: v309), name)
        }
        XCTAssertNil(db.libauditNumber(of: "kexec_load", abi: .i386, version: v309))
        XCTAssertEqual(db.libauditNumber(of: "sys_kexec_load", abi: .i386, version: v309), 283)
        XCTAssertNil(db.libauditNumber(of: "stime", abi: .x86_64, version: v309))
        XCTAssertNotNil(db.libauditNumber(of: "stime", abi: .arm, version: v309))
        XCTAssertNotNil(db.libauditNumber(of: "fchmodat2", abi: .x86_64, version: try XCTUnwrap(AuditVersion(rawValue: "4.1.4"))))
    }

    /// The committed loader files are exactly what `aurules tables loader` makes from the tags,
    /// when a clone of linux-audit/audit-userspace is at hand (AURULES_AUDIT_USERSPACE, else
    /// ../audit-userspace next to the package).
    func testLoaderFilesAreTheGeneratorsOutput() throws {
        let env = ProcessInfo.processInfo.environment["AURULES_AUDIT_USERSPACE"]
        let repo = env ?? Paths.root + "/../audit-userspace"
        guard FileManager.default.fileExists(atPath: repo) else {
            throw XCTSkip("no audit-userspace clone at \(repo) (set AURULES_AUDIT_USERSPACE)")
        }
        for release in AuditVersion.allCases {
            let tree = NSTemporaryDirectory() + "aurules-audit-\(getpid())-\(release)"
            defer { try? FileManager.default.removeItem(atPath: tree) }
            try FileManager.default.createDirectory(atPath: tree, withIntermediateDirectories: true)
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            p.arguments = ["-c", "git -C \"$0\" archive \"v$1\" lib src | tar -x -C \"$2\"", repo, release.rawValue, tree]
            try p.run()
            p.waitUntilExit()
            guard p.terminationStatus == 0 else { throw XCTSkip("git archive v\(release) failed in \(repo)") }
            let (libaudit, loader) = try LoaderSources.render(tree: tree, release: release.rawValue, tag: "v\(release)")
            XCTAssertEqual(libaudit, Paths.read(Paths.tables + "/libaudit-\(release).tsv"), "libaudit-\(release).tsv")
            XCTAssertEqual(loader, Paths.read(Paths.tables + "/loader-\(release).tsv"), "loader-\(release).tsv")
        }
    }

    /// EmbeddedTables.swift is `aurules tables embed` of SyscallTables/.
    func testEmbeddedSourceIsTheEmbedderOutput() throws {
        XCTAssertEqual(try EmbeddedTablesSource.render(directory: Paths.tables), Paths.read(Paths.root + "/Sources/Syscalls/EmbeddedTables.swift"))
    }

    private func requireInstalled309() throws {
        guard let text = Paths.read("/var/lib/dpkg/status"), text.contains("Package: libaudit1\nStatus: install ok installed\n") || text.contains("Package: libaudit1\n"),
              audit_name_to_syscall("pread", 1) == 17, audit_name_to_syscall("fchmodat2", 1) < 0 else {
            throw XCTSkip("the installed libaudit is not 3.0.x")
        }
        let version = (try? String(contentsOfFile: "/var/lib/dpkg/status", encoding: .utf8))?.components(separatedBy: "Package: libaudit1\n").dropFirst().first?
            .components(separatedBy: "\n\n").first?.components(separatedBy: "\nVersion: ").dropFirst().first?.prefix { $0 != "\n" }
        guard let version, version.contains("3.0.9") else { throw XCTSkip("the installed libaudit is \(version ?? "unknown"), not 3.0.9") }
    }
}

