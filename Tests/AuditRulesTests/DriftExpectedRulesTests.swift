@testable import AuditRules
import Syscalls
import XCTest

final class DriftExpectedRulesTests: XCTestCase {
    private let file = "/etc/audit/rules.d/t.rules"

    private func statement(line: Int, withArch: Bool, syscalls: [SyscallSpec] = [.name("open")]) -> Statement {
        let at = SourceLocation(file: file, line: line, column: 1)
        var fields: [FieldClause] = []
        if withArch {
            fields.append(FieldClause(name: Located("arch", at: at), op: Located(.equal, at: at),
                                      rawValue: Located("b64", at: at), value: .arch(.b64)))
        }
        let rule = RuleStatement(command: .append, list: Located(.exit, at: at), action: Located(.always, at: at),
                                 syscalls: syscalls.map { Located($0, at: at) }, fields: fields)
        return Statement(kind: .rule(rule), location: at, text: RulesText("line \(line)"))
    }

    private func compiled(line: Int, abi: ABI, syscall: Int) -> KernelRule {
        var r = KernelRule(list: .exit, action: .always,
                           provenance: Provenance(file: file, line: line, text: RulesText("line \(line)"), abi: abi))
        r.addSyscall(syscall)
        r.fields = [KernelField(id: 11, op: .equal, value: Machine.x86_64.auditArch(for: abi)),
                    KernelField(id: 9, op: .greaterOrEqual, value: 1000)]
        return r
    }

    private var source: RuleFile {
        RuleFile(path: file, statements: [statement(line: 1, withArch: false), statement(line: 2, withArch: true)])
    }

    /// line 1 has no arch: compiled to x86_64 open (2) and i386 open (5); line 2 is explicit.
    private var compiledRules: [KernelRule] {
        [compiled(line: 1, abi: .x86_64, syscall: 2), compiled(line: 1, abi: .i386, syscall: 5), compiled(line: 2, abi: .x86_64, syscall: 2)]
    }

    private var auditctlForm: KernelRule {
        var r = compiledRules[0]
        r.fields.removeFirst()
        return r
    }

    func testArchlessRuleExpectedAsAuditctlLoadsIt() {
        for kernel in [[], [auditctlForm, compiledRules[2]]] {
            let out = ExpectedRules.adapt(compiledRules, source: source, machine: .x86_64, kernelRules: kernel)
            XCTAssertEqual(out, [auditctlForm, compiledRules[2]])
            XCTAssertEqual(out[0].provenance?.line, 1)
        }
    }

    func testArchlessRuleExpectedAsCompiledWhenTheKernelHoldsThatForm() {
        let out = ExpectedRules.adapt(compiledRules, source: source, machine: .x86_64, kernelRules: [compiledRules[1]])
        XCTAssertEqual(out, compiledRules)
    }

    func testExplicitRulesUntouched() {
        let explicit = RuleFile(path: file, statements: [statement(line: 1, withArch: true), statement(line: 2, withArch: true)])
        XCTAssertEqual(ExpectedRules.adapt(compiledRules, source: explicit, machine: .x86_64, kernelRules: []), compiledRules)
    }

    func testUntrustworthyListingLines() {
        let listing = RuleFile(path: "l", statements: [statement(line: 1, withArch: false), statement(line: 2, withArch: true),
                                                       statement(line: 3, withArch: false, syscalls: [.all])])
        XCTAssertEqual(ExpectedRules.untrustworthyListingLines(listing), [1])
    }
}

final class DriftSavedListingTests: XCTestCase {
    func testFileTypesBecomeNames() {
        let listing: RulesText = "-a always,exit -F arch=b64 -S openat -F filetype=32768 -F dir=/var/log\n-a always,exit -S all -F filetype!=16384 -F key=filetype=1\n"
        XCTAssertEqual(SavedListing.loadableText(listing),
                       "-a always,exit -F arch=b64 -S openat -F filetype=file -F dir=/var/log\n-a always,exit -S all -F filetype!=dir -F key=filetype=1\n")
    }

    /// Listings are read by their bytes, ASCII or not.
    func testSpacesInValuesAreEscapedWhateverTheBytes() {
        let plain: RulesText = "-a always,exit -S all -F key=by hand\n-w /srv/my dir -p wa -k d k\n-a always,exit -S all -F key=ok"
        XCTAssertEqual(SavedListing.loadableText(plain),
                       "-a always,exit -S all -F key=by\\ hand\n-w /srv/my\\ dir -p wa -k d\\ k\n-a always,exit -S all -F key=ok")
        let accented = plain + RulesText("\n-a always,exit -S all -F key=é")
        XCTAssertEqual(SavedListing.loadableText(accented), SavedListing.loadableText(plain) + "\n-a always,exit -S all -F key=é")
    }

    func testNoRules() {
        XCTAssertEqual(SavedListing.loadableText("No rules\n"), "")
        XCTAssertEqual(SavedListing.loadableText("-w /etc/hosts -p wa\n"), "-w /etc/hosts -p wa\n")
    }
}

final class DriftListingQuirkTests: XCTestCase {
    /// The reference's live pair: after a b32 rule, 3.0.9 lists an arch-less openat (257) as remap_file_pages.
    func testArchlessNamesAreReadByThePreviousArch() {
        let listing: RulesText = """
        -a always,exit -S openat -F key=first
        -a always,exit -F arch=b32 -S open -F key=a32
        -a always,exit -S remap_file_pages,mmap,7 -F key=noarch
        -a always,exit -S all -F key=everything
        -a always,exit -F arch=b64 -S open -F key=a64
        -a always,exit -S openat -F key=after64
        -w /etc/hosts -p wa
        """
        let (text, lines) = SavedListing.recoveringArchlessSyscalls(listing, machine: .x86_64, database: .shipped, auditVersion: .v3_0_9)
        XCTAssertEqual(lines, [3, 6])
        let out = text.utf8String.split(separator: "\n").map(String.init)
        XCTAssertEqual(out[0], "-a always,exit -S openat -F key=first")
        XCTAssertEqual(out[2], "-a always,exit -S 257,90,7 -F key=noarch")
        XCTAssertEqual(out[3], "-a always,exit -S all -F key=everything")
        XCTAssertEqual(out[5], "-a always,exit -S 257 -F key=after64")
        XCTAssertEqual(SavedListing.recoveringArchlessSyscalls(listing, machine: .x86_64, database: .shipped, auditVersion: .v4_2).text, listing)
        // A listing that is not plain ASCII is read the same way.
        let accented = listing + RulesText("\n-a always,exit -S all -F key=é")
        let slow = SavedListing.recoveringArchlessSyscalls(accented, machine: .x86_64, database: .shipped, auditVersion: .v3_0_9)
        XCTAssertEqual(slow.lines, lines)
        XCTAssertEqual(slow.text, text + "\n-a always,exit -S all -F key=é")
    }
}
