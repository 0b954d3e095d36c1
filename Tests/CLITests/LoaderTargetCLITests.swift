import Foundation
import XCTest

/// The loader is part of the target: what compile writes and lint reports follow the audit
/// release named (or installed), and no statement is dropped silently.
final class LoaderTargetCLITests: XCTestCase {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @discardableResult
    func run(_ args: [String], stdin: String? = nil) throws -> (status: Int32, out: String, err: String) {
        try AurulesProcess.run(AurulesProcess.binary, args, stdin: stdin, in: Self.packageRoot)
    }

    func testUncoveredKernelOrUnknownMachineIsExitTwoNamingTheRange() throws {
        let r = try run(["compile", "rules.examples", "--machine", "x86_64", "--kernel", "3.9", "--audit-version", "3.0.9"])
        XCTAssertEqual(r.status, 2, r.err)
        XCTAssertTrue(r.err.contains("outside the syscall tables for x86_64") && r.err.contains("3.10 to"), r.err)
        XCTAssertTrue(r.out.isEmpty)
        let riscv = try run(["compile", "-", "--machine", "riscv64", "--audit-version", "3.0.9"], stdin: "-a always,exit -S openat -k o\n")
        XCTAssertEqual(riscv.status, 2, riscv.err)
        XCTAssertTrue(riscv.err.contains("audit 3.0.9 cannot load rules for riscv64") && riscv.err.contains("known from audit 4.1.4"), riscv.err)
        let ok = try run(["compile", "-", "--machine", "riscv64", "--audit-version", "4.1"], stdin: "-a always,exit -S openat -k o\n")
        XCTAssertEqual(ok.status, 0, ok.err)
        XCTAssertTrue(ok.out.contains("-F arch=b64 -S openat"), ok.out)
    }

    func testPpc64leGetsNoB32Copy() throws {
        let r = try run(["compile", "-", "--machine", "ppc64le", "--kernel", "6.1", "--audit-version", "3.0.9"], stdin: "-a always,exit -S openat -k o\n")
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("-F arch=b64"), r.out)
        XCTAssertFalse(r.out.contains("arch=b32"), r.out)
    }

    func testDroppedStatementIsAnErrorUnlessAllowed() throws {
        let rules = "-a always,exit -F arch=b32 -S openat -k o\n-w /etc/passwd -p wa -k p\n"
        let r = try run(["compile", "-", "--machine", "s390x", "--kernel", "6.19", "--audit-version", "3.0.9"], stdin: rules)
        XCTAssertEqual(r.status, 2, r.err)
        XCTAssertTrue(r.err.contains("no kernel rule for s390x at kernel 6.19 with audit 3.0.9"), r.err)
        XCTAssertTrue(r.out.isEmpty)
        let allowed = try run(["compile", "-", "--machine", "s390x", "--kernel", "6.19", "--audit-version", "3.0.9", "--allow-drops"], stdin: rules)
        XCTAssertEqual(allowed.status, 0, allowed.err)
        XCTAssertTrue(allowed.err.contains("--allow-drops"), allowed.err)
        XCTAssertTrue(allowed.out.contains("path=/etc/passwd"), allowed.out)
        // A name dropped from a longer list stays a warning naming the equivalents.
        let partial = try run(["compile", "-", "--machine", "aarch64", "--kernel", "6.1", "--audit-version", "3.0.9"],
                              stdin: "-a always,exit -F arch=b64 -S open,openat -k o\n")
        XCTAssertEqual(partial.status, 0, partial.err)
        XCTAssertTrue(partial.err.contains("'open'") && partial.err.contains("openat"), partial.err)
    }

    func testNamesStyleWritesOnlyNamesTheLoaderKnows() throws {
        let r = try run(["compile", "-", "--machine", "x86_64", "--kernel", "6.12", "--audit-version", "3.0.9", "--syscalls", "names"],
                        stdin: "-a always,exit -F arch=b64 -S fchmodat2,chmod -k c\n")
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("-S chmod,452"), r.out)
        let v4 = try run(["compile", "-", "--machine", "x86_64", "--kernel", "6.12", "--audit-version", "4.1", "--syscalls", "names"],
                         stdin: "-a always,exit -F arch=b64 -S fchmodat2,chmod -k c\n")
        XCTAssertTrue(v4.out.contains("fchmodat2"), v4.out)
    }

    /// Lint errors are what the named loader refuses on the named machine.
    func testLintSeveritiesFollowTheLoader() throws {
        func lint(_ text: String, _ args: [String]) throws -> (status: Int32, out: String, err: String) {
            try run(["lint", "--no-resolve", "--no-host-checks", "--format", "json", "-"] + args, stdin: text)
        }
        func severities(_ r: (status: Int32, out: String, err: String)) throws -> [String] {
            let object = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any]
            let list = object?["diagnostics"] as? [[String: Any]] ?? []
            return list.filter { $0["code"] as? String == "AUR007" }.compactMap { $0["severity"] as? String }
        }
        let x86 = ["--target", "x86_64", "--audit-version", "3.0.9"]
        XCTAssertEqual(try severities(lint("-a always,exit -F arch=b64 -S stime -k t\n", x86)), ["error"])
        XCTAssertEqual(try severities(lint("-a always,exit -F arch=b64 -S fchmodat2 -k t\n", x86)), ["error"])
        XCTAssertEqual(try severities(lint("-a always,exit -F arch=b64 -S fchmodat2 -k t\n", ["--target", "x86_64", "--audit-version", "4.2"])), [])
        XCTAssertEqual(try severities(lint("-a always,exit -F arch=b32 -S kexec_load -k t\n", x86)), ["error"])
        XCTAssertEqual(try severities(lint("-a always,exit -F arch=b32 -S sys_kexec_load -k t\n", x86)), [])
        let arm = ["--target", "aarch64", "--audit-version", "3.0.9"]
        XCTAssertEqual(try severities(lint("-a always,exit -F arch=b64 -S open -k t\n", arm)), ["error"])
        XCTAssertFalse(try severities(lint("-a always,exit -F arch=b32 -S stime -k t\n", arm)).contains("error"))
        XCTAssertEqual(try severities(lint("-a always,exit -F arch=b32 -S openat -k t\n", ["--target", "ppc64le", "--audit-version", "3.0.9"])), ["error"])
        // Several loaders: an error when any of them refuses.
        XCTAssertEqual(try severities(lint("-a always,exit -F arch=b64 -S fchmodat2 -k t\n", ["--target", "x86_64:4.2", "--target", "x86_64:3.0.9"])), ["error"])
        XCTAssertEqual(try severities(lint("-a always,exit -F arch=b64 -S fchmodat2 -k t\n", ["--target", "x86_64:4.2", "--target", "x86_64:4.1"])), [])
        XCTAssertEqual(try lint("", ["--audit-version", "2.1"]).status, 2)
    }

    /// `--explain` states the per-release facts of a check for every release, or for the loader
    /// named with --audit-version / --target MACHINE:RELEASE only.
    func testExplainSpeaksForTheLoaderNamed() throws {
        let all = try AurulesProcess.run(AurulesProcess.binary, ["lint", "--explain", "AUR203"])
        XCTAssertEqual(all.status, 0, all.err)
        XCTAssertTrue(all.out.contains("## Per audit release"), all.out)
        for v in ["2.8.5", "3.0", "3.0.7", "3.0.9", "3.1.2", "4.0.2", "4.1.4", "4.2.1"] { XCTAssertTrue(all.out.contains("- audit \(v): "), v) }
        let old = try AurulesProcess.run(AurulesProcess.binary, ["lint", "--explain", "field-not-on-list", "--audit-version", "2.8.5"])
        XCTAssertTrue(old.out.contains("## For audit 2.8.5"), old.out)
        XCTAssertFalse(old.out.contains("audit 4.2.1"), old.out)
        // 2.8.5's exclude set lacks exe; 4.2's exclude list takes every field on a new kernel.
        XCTAssertTrue(old.out.contains("only auid, gid, loginuid, msgtype, pid, subj_clr, subj_role, subj_sen, subj_type, subj_user, uid"), old.out)
        let new = try AurulesProcess.run(AurulesProcess.binary, ["lint", "--explain", "AUR203", "--target", "x86_64:4.2"])
        XCTAssertTrue(new.out.contains("## For audit 4.2.1") && new.out.contains("every field not limited above"), new.out)
        let json = try AurulesProcess.run(AurulesProcess.binary, ["lint", "--explain", "AUR305", "--audit-version", "3.0.9", "--format", "json"])
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any])
        XCTAssertEqual(object["releases"] as? String, "## For audit 3.0.9\n\nFrom the loader data of each release (`aurules tables loader`, read from its sources).\n\n- audit 3.0.9: no io_uring list\n")
        // A check whose facts do not depend on the loader has no such section.
        XCTAssertFalse(try AurulesProcess.run(AurulesProcess.binary, ["lint", "--explain", "AUR101"]).out.contains("audit release"))
    }

    /// `--kernel R` reaches the parser of lint and compile: a rule the release lacks a feature
    /// for is an error (exit 1 for lint, 2 for compile, nothing written), the first release that
    /// has it is clean; `--explain` names the release and its source.
    func testKernelReleaseFeaturesAreErrors() throws {
        let text = "-a always,exit -F arch=b64 -S execve -F exe=/usr/bin/sudo -k priv\n"
        let compileOld = try run(["compile", "--no-resolve", "--machine", "x86_64", "--kernel", "4.2", "--audit-version", "3.0.9", "-"], stdin: text)
        XCTAssertEqual(compileOld.status, 2, compileOld.err)
        XCTAssertEqual(compileOld.out, "")
        XCTAssertTrue(compileOld.err.contains("field 'exe' needs Linux 4.3 or later (kernel feature EXECUTABLE_PATH); kernel 4.2 lacks it: auditctl 3.0.9 refuses it (\"Field option not supported by kernel: exe\") [AUR202]"), compileOld.err)
        let compileNew = try run(["compile", "--no-resolve", "--machine", "x86_64", "--kernel", "4.3", "--audit-version", "3.0.9", "-"], stdin: text)
        XCTAssertEqual(compileNew.status, 0, compileNew.err)
        let lintOld = try run(["lint", "--no-resolve", "--no-host-checks", "--target", "x86_64", "--kernel", "4.2", "--audit-version", "3.0.9", "-"], stdin: text)
        XCTAssertEqual(lintOld.status, 1, lintOld.out + lintOld.err)
        XCTAssertTrue(lintOld.out.contains("[AUR202]"), lintOld.out)
        let lintNew = try run(["lint", "--no-resolve", "--no-host-checks", "--target", "x86_64", "--kernel", "4.3", "--audit-version", "3.0.9", "-"], stdin: text)
        XCTAssertFalse(lintNew.out.contains("AUR202"), lintNew.out)
        let explain = try run(["lint", "--explain", "AUR202"])
        XCTAssertTrue(explain.out.contains("## Per kernel release") && explain.out.contains("- field exe from Linux 4.3 on") && explain.out.contains("34d99af52ad4"), explain.out)
    }
}
