@testable import AuditRules
import Syscalls
import XCTest

/// `check` models the host loading the files with auditctl of the target release: a line that
/// loader refuses is `unloadable` (as lint's AUR007 says), also when the compiler would write it
/// in the loader's spelling (i386 `kexec_load` is `sys_kexec_load` to libaudit 3.0.9). Live
/// check (kernel rules), `--loaded` (a listing) and `--plan` agree; a rule `aurules apply`
/// loaded from such a line is not unexpected.
final class DriftLoaderRefusalTests: XCTestCase {
    static let target = CompileTarget(machine: .x86_64, kernel: KernelVersion(6, 18), auditVersion: .v3_0_9, watchKind: .path, resolver: nil)
    static let rules = "-a exit,always -F arch=b32 -S kexec_load -k kexec\n-a always,exit -F arch=b64 -S openat -k ok\n"
    static let reason = "auditctl refuses syscall 'kexec_load' (\"Syscall name unknown\") on x86_64 (i386) with audit 3.0.9"

    private func parse(_ text: String) -> RuleFile {
        RuleParser.parse(text: RulesText(text), file: "t.rules", options: Self.target.parseOptions)
    }

    /// The rules the kernel holds after `auditctl -R` of `text` (the compiler's rules of the lines given).
    private func kernelRules(_ text: String) -> [KernelRule] {
        Compiler(target: Self.target).compile(parse(text)).rules
    }

    private func assertUnloadableLineOne(_ outcome: DriftOutcome, file: StaticString = #filePath, line: UInt = #line) {
        let r = outcome.report
        XCTAssertEqual(r.unloadable.map(\.line), [1], file: file, line: line)
        XCTAssertEqual(r.unloadable.first?.reasons, [Self.reason], file: file, line: line)
        XCTAssertEqual(r.unloadable.first?.text, "-a exit,always -F arch=b32 -S kexec_load -k kexec", file: file, line: line)
        XCTAssertEqual(r.missing.count, 0, "\(r.missing.map { outcome.formatter.line($0.rule) })", file: file, line: line)
        XCTAssertEqual(r.unexpectedCount, 0, file: file, line: line)
        XCTAssertEqual(r.inSync, 1, file: file, line: line)
        XCTAssertTrue(r.hasDrift, file: file, line: line)
    }

    func testLiveKernelAfterAuditctlLeavesTheRefusedLineOut() throws {
        let check = DriftCheck(source: parse(Self.rules), target: Self.target)
        let outcome = try check.compare(with: .kernel(rules: kernelRules("-a always,exit -F arch=b64 -S openat -k ok\n"), status: AuditStatus()))
        assertUnloadableLineOne(outcome)
        // The plan says the line cannot be loaded and loads nothing for it.
        let plan = outcome.planText.description
        XCTAssertTrue(plan.hasPrefix("# t.rules:1 is not loadable (\(Self.reason))"), plan)
        XCTAssertFalse(plan.contains("kexec_load -F"), plan)
    }

    func testSavedListingLeavesTheRefusedLineOut() throws {
        let check = DriftCheck(source: parse(Self.rules), target: Self.target)
        let outcome = try check.compare(with: .listing(text: "-a always,exit -F arch=b64 -S openat -F key=ok\n", name: "l", status: nil))
        assertUnloadableLineOne(outcome)
    }

    func testRuleLoadedByApplyIsNotUnexpected() throws {
        // apply loads the compiled rule (sys_kexec_load, number 283): the kernel holds both.
        let check = DriftCheck(source: parse(Self.rules), target: Self.target)
        let outcome = try check.compare(with: .kernel(rules: kernelRules(Self.rules), status: AuditStatus()))
        assertUnloadableLineOne(outcome)
        XCTAssertTrue(outcome.warnings.contains { $0.hasPrefix("1 kernel rule of unloadable lines held anyway") }, "\(outcome.warnings)")
        XCTAssertFalse(outcome.planText.description.contains("auditctl -d"), outcome.planText.description)
        // The same through a listing of that kernel.
        let listed = try check.compare(with: .listing(text: "-a always,exit -F arch=b32 -S sys_kexec_load -F key=kexec\n"
                                                      + "-a always,exit -F arch=b64 -S openat -F key=ok\n", name: "l", status: nil))
        assertUnloadableLineOne(listed)
    }

    func testArchlessNameTheLoaderLacksIsUnloadable() throws {
        // fchmodat2 (kernel 6.6) is in the kernel tables but not in libaudit 3.0.9's: auditctl refuses the line.
        let check = DriftCheck(source: parse("-a always,exit -S fchmodat2 -k m\n"), target: Self.target)
        let outcome = try check.compare(with: .kernel(rules: [], status: AuditStatus()))
        XCTAssertEqual(outcome.report.unloadable.map(\.line), [1])
        XCTAssertEqual(outcome.report.unloadable.first?.reasons,
                       ["auditctl refuses syscall 'fchmodat2' (\"Syscall name unknown\") on x86_64 with audit 3.0.9"])
        XCTAssertEqual(outcome.report.missing.count, 0)
    }

    func testTheLoadersSpellingLoadsTheLine() throws {
        // Written as libaudit 3.0.9 spells it, the line loads: the same kernel rule, in sync.
        let source = parse("-a exit,always -F arch=b32 -S sys_kexec_load -k kexec\n")
        let outcome = try DriftCheck(source: source, target: Self.target)
            .compare(with: .kernel(rules: kernelRules("-a exit,always -F arch=b32 -S kexec_load -k kexec\n"), status: AuditStatus()))
        XCTAssertEqual(outcome.report.unloadable.map(\.line), [])
        XCTAssertFalse(outcome.report.hasDrift)
        XCTAssertEqual(outcome.report.inSync, 1)
    }

    func testMissingNeverWatchShowsItsAction() {
        let f = DriftFormatter(machine: .x86_64, kernel: KernelVersion(6, 18))
        let rules = kernelRules("-a never,exit -F path=/bin/grep -F perm=x\n-w /etc/passwd -p wa -k p\n")
        XCTAssertEqual(rules.map(f.line), ["-a never,exit -S all -F path=/bin/grep -F perm=x", "-w /etc/passwd -p wa -k p"])
        // auditctl's own listing still prints the watch form.
        XCTAssertEqual(Listing.line(for: rules[0], host: .x86_64).description, "-w /bin/grep -p x")
    }
}
