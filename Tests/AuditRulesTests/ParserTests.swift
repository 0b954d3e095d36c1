import AuditRules
import XCTest

/// Shared helpers: parse with a fixed host so results do not depend on this machine.
enum P {
    static let options = ParseOptions(resolver: StaticUserResolver(users: ["root": 0, "alice": 1000], groups: ["root": 0, "wheel": 10]),
                                      hostMachine: .x86_64)

    static func parse(_ text: String, options: ParseOptions = P.options) -> RuleFile {
        RuleParser.parse(text: RulesText(text), file: "t.rules", options: options)
    }

    static func errors(_ text: String, options: ParseOptions = P.options) -> [Diagnostic] {
        parse(text, options: options).diagnostics.filter { $0.severity == .error }
    }

    static func rule(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> RuleStatement? {
        let f = parse(text)
        XCTAssertEqual(f.diagnostics.filter { $0.severity == .error }.map(\.message), [], file: file, line: line)
        guard case .rule(let r)? = f.statements.first?.kind else { XCTFail("no rule", file: file, line: line); return nil }
        return r
    }

    static func watch(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> WatchStatement? {
        let f = parse(text)
        XCTAssertEqual(f.diagnostics.filter { $0.severity == .error }.map(\.message), [], file: file, line: line)
        guard case .watch(let w)? = f.statements.first?.kind else { XCTFail("no watch", file: file, line: line); return nil }
        return w
    }

    /// Asserts exactly one error whose message contains `fragment`, at `column` when given.
    static func expectError(_ text: String, _ fragment: String, column: Int? = nil, options: ParseOptions = P.options,
                            file: StaticString = #filePath, line: UInt = #line) {
        let es = errors(text, options: options)
        XCTAssertTrue(es.contains { $0.message.contains(fragment) && (column == nil || $0.location.column == column) },
                      "expected an error containing '\(fragment)' at column \(column.map(String.init) ?? "any"), got \(es.map { "\($0.location.column): \($0.message)" })",
                      file: file, line: line)
        XCTAssertTrue(parse(text, options: options).statements.isEmpty || es.allSatisfy(\.hostDependent),
                      "a line with an error must not yield statements", file: file, line: line)
    }
}

final class ParserRuleTests: XCTestCase {
    func testListAndActionInBothOrders() {
        for text in ["-a always,exit", "-a exit,always"] {
            let r = P.rule(text)
            XCTAssertEqual(r?.list.value, .exit)
            XCTAssertEqual(r?.action.value, .always)
            XCTAssertEqual(r?.command, .append)
        }
        XCTAssertEqual(P.rule("-A never,task")?.command, .prepend)
        XCTAssertEqual(P.rule("-d always,exit -F arch=b64 -S open")?.command, .delete)
    }

    func testEveryList() {
        for l in ["task", "exit", "user", "exclude", "filesystem", "io_uring"] {
            XCTAssertEqual(P.rule("-a always,\(l)")?.list.value.rawValue, l)
        }
        XCTAssertTrue(P.parse("-a always,io_uring").diagnostics.contains { $0.severity == .warning && $0.message.contains("3.1") })
    }

    func testListAndActionErrors() {
        P.expectError("-a entry,always", "entry list no longer exists", column: 4)
        P.expectError("-a always,entry", "entry list no longer exists", column: 11)
        P.expectError("-a Always,exit", "lower case", column: 4)
        P.expectError("-a always", "expected LIST,ACTION", column: 4)
        P.expectError("-a always,exit,task", "expected LIST,ACTION")
        P.expectError("-a always,never", "needs one list and one action")
        P.expectError("-a possible,exit", "obsolete")
        P.expectError("-a always,exit -a always,exit", "only one of -a", column: 16)
    }

    func testSyscalls() {
        let r = P.rule("-a always,exit -F arch=b64 -S open,openat -S creat -S 2 -S 0x3b -S 073 -S all")
        XCTAssertEqual(r?.syscalls.map(\.value), [.name("open"), .name("openat"), .name("creat"), .number(2), .number(59), .number(59), .all])
        XCTAssertEqual(r?.syscalls[1].location.column, 36)
        XCTAssertEqual(P.rule("-a always,exit -F arch=b64 -S open,,close,")?.syscalls.map(\.value), [.name("open"), .name("close")])
        XCTAssertEqual(P.rule("-a always,exit -F arch=b64 -S 2047")?.syscalls.map(\.value), [.number(2047)])
        P.expectError("-a always,exit -F arch=b64 -S 2048", "out of range", column: 31)
        P.expectError("-a always,exit -F arch=b64 -S opne", "did you mean 'open'", column: 31)
        P.expectError("-a always,exit -F arch=b64 -S open,rmdirunlinkat", "unknown syscall 'rmdirunlinkat'", column: 36)
        P.expectError("-a always,exit -F arch=b64 -S ,", "-S needs")
        XCTAssertTrue(P.parse("-a always,exit -F arch=b64 -S 12abc").diagnostics.contains { $0.severity == .warning && $0.location.column == 33 })
        // Names are case-insensitive; libaudit spellings are known too.
        XCTAssertNotNil(P.rule("-a always,exit -F arch=b64 -S OPEN,pread"))
    }

    func testSyscallsRefusedOnSomeLists() {
        for l in ["task", "user", "filesystem", "exclude"] {
            P.expectError("-a always,\(l) -S open", "cannot be used on the \(l) list", column: 12 + l.count)
        }
        P.expectError("-S open -a always,task", "cannot be used on the task list", column: 1)
        P.expectError("-S open", "-S needs a rule", column: 1)
    }

    func testArchMustPrecedeSyscalls() {
        P.expectError("-a always,exit -S open -F arch=b64", "arch must be given before -S", column: 27)
        XCTAssertEqual(P.rule("-a always,exit -F arch=b32 -S open")?.fields.first?.value, .arch(.b32))
        P.expectError("-a always,exit -F arch=b64", "32-bit host", options: ParseOptions(resolver: nil, hostMachine: .i386))
    }

    func testEveryOperatorAndSearchOrder() {
        let cases: [(String, FieldOperator, String, String)] = [
            ("a0!=1", .notEqual, "a0", "1"), ("auid>=1000", .greaterOrEqual, "auid", "1000"), ("auid<=5", .lessOrEqual, "auid", "5"),
            ("a1&=8", .bitTest, "a1", "8"), ("uid=0", .equal, "uid", "0"), ("pid>5", .greaterThan, "pid", "5"),
            ("pid<5", .lessThan, "pid", "5"), ("a2&0100", .bitMask, "a2", "0100"),
        ]
        for (text, op, name, raw) in cases {
            let f = P.rule("-a always,exit -F arch=b64 -S open -F \(text)")?.fields.last
            XCTAssertEqual(f?.op.value, op, text)
            XCTAssertEqual(f?.name.value, name, text)
            XCTAssertEqual(f?.rawValue.value, RulesText(raw), text)
        }
        // The first operator of the search order found anywhere wins, even inside the value.
        P.expectError("-a always,exit -F path=/tmp/a!=b", "unknown field 'path=/tmp/a'")
        XCTAssertEqual(P.rule("-a always,exit -F path=/tmp/a<b")?.fields.first?.rawValue.value, "/tmp/a<b")
    }

    func testAttachedFieldValueAndLocations() {
        let r = P.rule("-a always,exit -F arch=b64 -S execve -Fauid>=1000 -F auid!=unset")
        XCTAssertEqual(r?.fields[1].name.value, "auid")
        XCTAssertEqual(r?.fields[1].name.location.column, 40)
        XCTAssertEqual(r?.fields[1].op.location.column, 44)
        XCTAssertEqual(r?.fields[1].rawValue.location.column, 46)
        XCTAssertEqual(r?.fields[2].value, .number(0xFFFF_FFFF))
        XCTAssertEqual(P.rule("-a always,exit -F arch=b64 -S open -F loginuid=0")?.fields.last?.name.value, "auid")
    }

    func testFieldErrors() {
        P.expectError("-a always,exit -F auid", "has no operator", column: 19)
        P.expectError("-a always,exit -F =5", "no field name", column: 19)
        P.expectError("-a always,exit -F auid=", "no value", column: 23)
        P.expectError("-a always,exit -F obj=x", "unknown field 'obj'", column: 19)
        P.expectError("-a always,exit -F \"auid>=500\"", "quotes are not understood", column: 19)
        P.expectError("-F uid=0", "needs a rule")
        P.expectError("-a always,task -F path=/etc", "cannot be used on the task list", column: 19)
        P.expectError("-a always,exit -F arch=b64 -S open -F exe<x", "does not take '<'", column: 42)
        P.expectError("-a never,exclude -F path=/x", "cannot be used on the exclude list")
        XCTAssertNotNil(P.rule("-a never,exclude -F msgtype=CWD"))
        P.expectError("-a always,user -F exit=-EPERM", "cannot be used on the user list")
    }

    func testIdsAndHostDependentUsers() {
        P.expectError("-a always,exit -F arch=b64 -S open -F uid=-1", "-1")
        P.expectError("-a always,exit -F arch=b64 -S open -F uid=unset", "unset")
        XCTAssertEqual(P.rule("-a always,exit -F arch=b64 -S open -F auid=-1")?.fields.last?.value, .number(0xFFFF_FFFF))
        XCTAssertEqual(P.rule("-a always,exit -F arch=b64 -S open -F uid=alice")?.fields.last?.value, .number(1000))
        let f = P.parse("-a always,exit -F arch=b64 -S open -F uid=chrony")
        XCTAssertEqual(f.diagnostics.count, 1)
        XCTAssertTrue(f.diagnostics[0].hostDependent)
        XCTAssertEqual(f.diagnostics[0].location.column, 43)
        guard case .rule(let r)? = f.statements.first?.kind else { return XCTFail("a host-dependent error keeps the statement") }
        XCTAssertEqual(r.fields.last?.value, .userName("chrony"))
        let unresolved = P.parse("-a always,exit -F arch=b64 -S open -F uid=chrony", options: ParseOptions(resolver: nil, hostMachine: .x86_64))
        XCTAssertEqual(unresolved.diagnostics.count, 0)
    }

    func testComparisons() {
        let r = P.rule("-a always,exit -F arch=b64 -S all -C auid!=obj_uid")
        XCTAssertEqual(r?.fields.last.map(\.isComparison), true)
        XCTAssertEqual(r?.fields.last?.rawValue.value, "obj_uid")
        P.expectError("-a always,exit -C uid=gid", "cannot compare uid with gid")
        P.expectError("-a always,exit -C auid<obj_uid", "needs '=' or '!='")
        P.expectError("-a always,task -C auid=uid", "only be used on the exit list")
        P.expectError("-a always,exit -C auid=nosuch", "unknown field 'nosuch'", column: 24)
        P.expectError("-a always,exit -C =uid", "no field before")
    }

    func testKeys() {
        let r = P.rule("-a always,exit -F arch=b64 -S open -F key=a -k b")
        XCTAssertEqual(r?.keys.map(\.value), ["a", "b"])
        XCTAssertEqual(r?.keys.first?.location.column, 43)
        P.expectError("-a always,exit -k x -F arch=b64 -S open", "-k needs a syscall", column: 16)
        P.expectError("-a always,exit -F auid=0 -F key=x", "a key needs a syscall", column: 33)
        XCTAssertNotNil(P.rule("-a always,exit -F path=/etc/shadow -F perm=wa -k shadow"))
        XCTAssertNotNil(P.rule("-a never,exit -F arch=b64 -S all -F exe=/usr/bin/ls -k ls"))
        XCTAssertNotNil(P.rule("-a always,filesystem -F fstype=debugfs -k dbg"))
        let k128 = String(repeating: "k", count: 128)
        XCTAssertNotNil(P.rule("-a always,exit -F arch=b64 -S open -k \(k128) -k \(String(k128.dropLast()))"))
        P.expectError("-a always,exit -F arch=b64 -S open -k \(k128) -k \(k128)", "256")
    }

    func testFieldLimit() {
        let fields62 = (0..<61).map { _ in "-F auid!=5" }.joined(separator: " ")
        XCTAssertNotNil(P.rule("-a always,exit -F arch=b64 -S open \(fields62) -k k"))
        P.expectError("-a always,exit -F arch=b64 -S open \(fields62) -F uid=0 -k k", "the key would be field 64")
        P.expectError("-a always,exit -F arch=b64 -S open \(fields62) -F uid=0 -F gid=0", "this is field 64")
    }
}
