import CLibAudit
@testable import AuditRules
import Syscalls
import XCTest

/// The `auditctl -R` file: control lines in augenrules order, `# file:line` comments on their
/// own lines, fields in kernel order with -S right after the arch, values libaudit reads back.
final class CompilerWriterTests: XCTestCase {
    typealias B = RuleBuilder
    let x86 = B.target(.x86_64)

    func testRuleLines() {
        let stmts = [
            B.rule(syscalls: [.name("open"), .name("openat")], fields: [B.field("exit", .equal, .number(UInt32(bitPattern: -13)))],
                   keys: ["access", "two words"], line: 3),
            B.rule(syscalls: [.all], fields: [B.field("a1", .bitMask, .number(0o100)), B.field("perm", .equal, .permissions(Permissions(rawValue: 10)))], line: 4),
            B.watch("/etc/my dir", perms: "wa", keys: ["w"], line: 5),
        ]
        let result = B.compile(stmts, for: x86)
        let text = RulesFileWriter(target: x86, syscallStyle: .auto).render(result).utf8String
        XCTAssertEqual(text, """
        # aurules compile: machine x86_64, kernel 6.1, audit 3.0.9
        # by \(ProductVersion.oneLine)
        # t.rules:3
        -a always,exit -F arch=b64 -S open,openat -F exit=-13 -F key=access -F key=two\\ words
        -a always,exit -F arch=b32 -S open,openat -F exit=-13 -F key=access -F key=two\\ words
        # t.rules:4
        -a always,exit -S all -F a1&0x40 -F perm=wa
        # t.rules:5
        -a always,exit -S all -F path=/etc/my\\ dir -F perm=wa -F key=w

        """)
        let numbers = RulesFileWriter(target: x86, syscallStyle: .numbers).render(result).utf8String
        XCTAssertTrue(numbers.contains("-a always,exit -F arch=b64 -S 2,257 -F exit=-13"), numbers)
        XCTAssertTrue(numbers.contains("-a always,exit -F arch=b32 -S 5,295 -F exit=-13"), numbers)
    }

    func testSyscallAfterLastArchField() {
        let stmt = B.rule(syscalls: [.name("kill")], fields: [B.field("uid", .equal, .number(0)), B.field("arch", .notEqual, .arch(.b32)),
                                                              B.field("gid", .equal, .number(4))])
        let line = RulesFileWriter(target: x86).line(for: B.compile([stmt], for: x86).rules[0])
        XCTAssertEqual(line, "-a always,exit -F uid=0 -F arch!=b32 -S kill -F gid=4")
    }

    func testControlLinesOrderAndNoInlineComments() {
        func s(_ setting: Setting, _ line: Int) -> Statement { Statement(kind: .setting(setting), location: B.loc(line), text: "") }
        let stmts = [s(.enabled(1), 1), Statement(kind: .deleteAll(key: nil), location: B.loc(2), text: "-D"),
                     s(.backlogLimit(8192), 3), B.watch("/etc/hosts", line: 4), s(.failureMode(1), 5), s(.rateLimit(100), 6)]
        let text = RulesFileWriter(target: x86).render(B.compile(stmts, for: x86)).utf8String
        let lines = text.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.filter { !$0.hasPrefix("#") }, ["-D", "-b 8192", "-f 1", "-r 100",
                                                             "-a always,exit -S all -F path=/etc/hosts -F perm=rwxa", "-e 1"])
        for l in lines where l.contains("#") { XCTAssertTrue(l.hasPrefix("#"), "inline comment: \(l)") }
        let noControls = RulesFileWriter(target: x86, includeControls: false).render(B.compile(stmts, for: x86)).utf8String
        XCTAssertFalse(noControls.contains("-e 1") || noControls.contains("-D") || noControls.contains("-b "))
    }

    func testSameInputSameBytes() {
        let stmts = (1 ... 50).map { B.rule(syscalls: [.name("read"), .number($0)], keys: [RulesText("k\($0)")], line: $0) }
        let a = RulesFileWriter(target: x86).render(B.compile(stmts, for: x86)).utf8String
        let b = RulesFileWriter(target: x86).render(B.compile(stmts, for: x86)).utf8String
        XCTAssertEqual(a, b)
        XCTAssertEqual(try CompileJSON.render(B.compile(stmts, for: x86), target: x86), try CompileJSON.render(B.compile(stmts, for: x86), target: x86))
    }

    func testEscapes() {
        XCTAssertEqual(Lexer.escape("a b\\c"), "a\\ b\\\\c")
        XCTAssertEqual(Lexer.escape("plain"), "plain")
    }
}


/// Every syscall name the writer emits is one libaudit 3.0.9 resolves back to the same number
/// on that ABI (the loader's own table decides what `-S name` means).
final class CompilerWriterLibauditTests: XCTestCase {
    func testEmittedNamesResolveToTheSameNumberInLibaudit() throws {
        let machines: [(Machine, ABI, Int32)] = [
            (.x86_64, .x86_64, Int32(MACH_86_64.rawValue)), (.x86_64, .i386, Int32(MACH_X86.rawValue)),
            (.aarch64, .aarch64, Int32(MACH_AARCH64.rawValue)), (.aarch64, .arm, Int32(MACH_ARM.rawValue)),
            (.ppc64, .ppc64, Int32(MACH_PPC64.rawValue)), (.ppc64, .ppc, Int32(MACH_PPC.rawValue)),
            (.s390x, .s390x, Int32(MACH_S390X.rawValue)), (.s390x, .s390, Int32(MACH_S390.rawValue)),
        ]
        var names = 0, numbers = 0
        for (machine, abi, mach) in machines {
            let target = RuleBuilder.target(machine)
            let writer = RulesFileWriter(target: target, syscallStyle: .auto)
            let table = try XCTUnwrap(target.database.table(abi, at: target.kernel))
            for entry in table.entries {
                var rule = KernelRule(list: .exit, action: .always, fields: [KernelField(id: FieldID.arch, op: .equal, value: machine.auditArch(for: abi))],
                                      provenance: Provenance(file: "t", line: 1, text: "", abi: abi))
                rule.addSyscall(entry.number)
                let line = writer.line(for: rule).utf8String
                let words = line.split(separator: " ")
                let s = try XCTUnwrap(words.firstIndex(of: "-S").map { String(words[$0 + 1]) }, line)
                if let n = Int(s) {
                    XCTAssertEqual(n, entry.number)
                    numbers += 1
                } else {
                    XCTAssertEqual(Int(audit_name_to_syscall(s, mach)), entry.number, "\(abi) \(s)")
                    names += 1
                }
            }
        }
        print("writer: \(names) syscalls as libaudit 3.0.9 names, \(numbers) as numbers, all resolving to their number")
    }
}
