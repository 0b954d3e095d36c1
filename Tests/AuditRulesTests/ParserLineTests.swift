import AuditRules
import XCTest

final class ParserLineTests: XCTestCase {
    func testWatches() {
        let w = P.watch("-w /etc/ssh/ -p wa -k sshd -k multi")
        XCTAssertEqual(w?.path.value, "/etc/ssh")
        XCTAssertEqual(w?.path.location.column, 4)
        XCTAssertEqual(w?.permissions?.value, "wa")
        XCTAssertEqual(w?.keys.map(\.value), ["sshd", "multi"])
        XCTAssertEqual(w?.remove, false)
        XCTAssertEqual(P.watch("-W /etc/hosts")?.remove, true)
        XCTAssertEqual(P.watch("-w /")?.path.value, "/")
        XCTAssertEqual(P.watch("-w /etc/passwd -p wa -F auid!=unset -k p")?.fields.map(\.name.value), ["auid"])
        P.expectError("-w etc/passwd", "must be absolute", column: 4)
        P.expectError("-w \"/etc/passwd\"", "must be absolute")
        P.expectError("-w /etc/passwd -p rwxz", "only contain the letters", column: 19)
        P.expectError("-w /etc/passwd -p rwxaw", "too long")
        P.expectError("-w /etc/a -w /etc/b", "only one watch")
        P.expectError("-a always,exit -w /etc/b", "cannot be combined")
        P.expectError("-w /etc/b -S open", "cannot be combined with a watch")
        P.expectError("-w /etc/b -F arch=b64", "arch cannot be given on a watch")
        P.expectError("-w /" + String(repeating: "a", count: 300), "longer than 255")
        P.expectError("-p wa", "needs a watch")
    }

    func testPermissionsOnRules() {
        let r = P.rule("-a always,exit -F arch=b64 -F path=/etc/x -p wa -F key=k")
        XCTAssertEqual(r?.fields.map(\.name.value), ["arch", "path", "perm"])
        XCTAssertEqual(r?.fields.last?.value, .permissions(Permissions(rawValue: 2 | 8)))
        let updated = P.rule("-a always,exit -F path=/etc/x -F perm=r -p wa")
        XCTAssertEqual(updated?.fields.map(\.name.value), ["path", "perm"])
        XCTAssertEqual(updated?.fields.last?.value, .permissions(Permissions(rawValue: 2 | 8)))
        P.expectError("-a always,exit -p wa", "needs another field")
    }

    func testDeleteAll() {
        guard case .deleteAll(nil)? = P.parse("-D").statements.first?.kind else { return XCTFail() }
        guard case .deleteAll(let k?)? = P.parse("-D -k mykey").statements.first?.kind else { return XCTFail() }
        XCTAssertEqual(k.value, "mykey")
        XCTAssertEqual(k.location.column, 7)
        P.expectError("-D -b 5", "-D must be alone")
        P.expectError("-b 5 -D", "-D must be alone")
    }

    func testSettings() {
        let f = P.parse("-b 8192\n-f 1\n-e 0\n-r 100\n--backlog_wait_time 60000\n--loginuid-immutable\n--reset-lost\n--reset_backlog_wait_time_actual\n-c\n-i\n--backlog=5\n-b 0x10\n")
        XCTAssertEqual(f.diagnostics, [])
        let kinds = f.statements.map { s -> String in
            switch s.kind {
            case .setting(let x): return "\(x)"
            case .loaderOption(let o): return o.rawValue
            default: return "?"
            }
        }
        XCTAssertEqual(kinds, ["backlogLimit(8192)", "failureMode(1)", "enabled(0)", "rateLimit(100)", "backlogWaitTime(60000)",
                               "loginuidImmutable", "resetLost", "resetBacklogWaitTimeActual", "-c", "-i", "backlogWaitTime(5)", "backlogLimit(16)"])
        P.expectError("-e 3", "must be 0, 1 or 2", column: 4)
        P.expectError("-f x", "must be 0, 1 or 2")
        P.expectError("-b abc", "must be a number", column: 4)
        P.expectError("-r 99999999999", "out of range")
        P.expectError("--reset", "ambiguous")
        P.expectError("--nosuch", "unknown option")
        P.expectError("--loginuid-immutable=1", "takes no value")
        P.expectError("-b", "needs a value")
        // Several settings on one line are all applied, in order.
        XCTAssertEqual(P.parse("-b 320 -f 1").statements.count, 2)
    }

    func testRemainingErrors() {
        P.expectError("-w /etc/x -a always,exit", "cannot be combined with a watch", column: 11)
        P.expectError("-a always,exti", "needs one list (task, exit", column: 11)
        P.expectError("-w /" + String(repeating: "d/", count: 2100), "the limit is 4095")
        P.expectError("-w /etc/x -k a\u{1}b", "0x01")
        P.expectError("-a always,exit -F arch=b64 -S open -F key!=x", "only takes '='", column: 42)
        P.expectError("-a always,exit -F arch=b64 -S open -F exit=NOSUCH", "unknown errno", column: 44)
        P.expectError("-a always,exit -C auid=", "no field after")
        P.expectError("-a always,exit -C nosuch=uid", "unknown field 'nosuch'", column: 19)
        P.expectError("-C auid=uid", "-C needs a rule", column: 1)
        P.expectError("--backlog_wait_time", "needs a value")
        P.expectError("-w /etc/x\u{0} -k ignored", "NUL byte", column: 10)
        XCTAssertTrue(P.parse("-b 12abc").diagnostics.contains { $0.severity == .warning && $0.location.column == 6 })
        XCTAssertTrue(P.parse("-a always,exit -F path=/x -k -F").diagnostics.contains { $0.severity == .warning && $0.message.contains("looks like an option") })
    }

    func testOptionsThatEndTheLine() {
        P.expectError("-ci", "stops reading the line after -c", column: 3)
        P.expectError("-c -i", "stops reading the line after -c", column: 4)
        XCTAssertEqual(P.parse("-b 5 -i").statements.count, 2)
        // These act at once and auditctl drops the rest of the line, rule included.
        let f = P.parse("-w /etc/passwd -k x --reset-lost")
        XCTAssertEqual(f.diagnostics.map(\.severity), [.warning])
        guard case .setting(.resetLost)? = f.statements.first?.kind, f.statements.count == 1 else { return XCTFail("\(f.statements)") }
    }

    func testOptionsThatAreNotRules() {
        XCTAssertTrue(P.parse("-l").diagnostics.allSatisfy { $0.severity == .warning })
        P.expectError("-R /etc/audit/audit.rules", "cannot be nested")
        P.expectError("-h", "usage")
        P.expectError("--signal TERM", "not a rule")
        P.expectError("-x", "unknown option '-x'", column: 1)
        P.expectError("-ix", "unknown option '-x'", column: 3)
    }

    func testCommentsBlankLinesAndStrayWords() {
        let f = P.parse("# comment\n   # indented comment\n\n     \n-w /etc/hosts\n")
        XCTAssertEqual(f.diagnostics, [])
        XCTAssertEqual(f.statements.count, 1)
        XCTAssertEqual(f.statements[0].location.line, 5)
        XCTAssertEqual(f.trivia.map(\.value), ["# comment", "   # indented comment", "", ""])
        P.expectError("-w /etc/hosts -p wa # identity", "comment must start its line", column: 21)
        P.expectError("-w /etc/hosts stray", "'stray' is not an option", column: 15)
        P.expectError("\t", "is not an option")
        P.expectError("\t# tab-indented comment", "indented with spaces only", column: 1)
        P.expectError("-a always,exit -F arch=b64 -S open -F auid>={{{ uid_min }}}", "'uid_min' is not an option")
    }

    func testEscapesAndNoQuotes() {
        XCTAssertEqual(P.watch("-w /srv/my\\ dir -k two\\ words")?.path.value, "/srv/my dir")
        XCTAssertEqual(P.watch("-w /srv/x -k a\\\\b")?.keys.first?.value, "a\\b")
        XCTAssertEqual(P.watch("-w /srv/x -k a\\b")?.keys.first?.value, "a\\b")
        XCTAssertEqual(P.watch("-w /srv/x -k \ttabbed")?.keys.first?.value, "\ttabbed")
        P.expectError("-w /srv/x -k \"two words\"", "'words\"' is not an option")
    }

    func testLineLimitAndCarriageReturns() {
        let long = "-w /etc/" + String(repeating: "a", count: 200) + " -k " + String(repeating: "k", count: 6000)
        P.expectError(long, "auditctl reads at most 6142 bytes")
        let f = P.parse("-w /etc/hosts -k net\r\n-b 10\r\n")
        XCTAssertEqual(f.carriageReturnLines.map(\.line), [1, 2])
        guard case .watch(let w)? = f.statements.first?.kind else { return XCTFail() }
        XCTAssertEqual(w.keys.first?.value, "net")
        XCTAssertEqual(f.statements[0].text, "-w /etc/hosts -k net")
    }

    func testEveryErrorOfEveryLineIsReported() {
        let text = "-a bad,exit -F nosuch=1\n-w relative\n-a always,exit -F arch=b64 -S opne,clsoe -F uid=root -k\n-e 7\n"
        let es = P.errors(text)
        XCTAssertEqual(es.map(\.location.line), [1, 1, 2, 3, 3, 3, 4])
        XCTAssertTrue(es.allSatisfy { $0.location.column >= 1 && $0.sourceLine != nil })
        XCTAssertEqual(P.parse(text).statements.count, 0)
    }

    func testStatementsKeepFileLineAndText() {
        let f = RuleParser.parse(text: "\n-w /etc/hosts\n  -a always,exit -F arch=b64 -S open\n", file: "x/10-a.rules", options: P.options)
        XCTAssertEqual(f.statements.map(\.location), [SourceLocation(file: "x/10-a.rules", line: 2, column: 1),
                                                       SourceLocation(file: "x/10-a.rules", line: 3, column: 3)])
        XCTAssertEqual(f.statements[1].text, "  -a always,exit -F arch=b64 -S open")
    }

    func testRenderer() {
        guard let d = P.errors("-a always,exit -F arch=b64 -S opne").first else { return XCTFail("no error") }
        let text = DiagnosticRenderer.text(d)
        XCTAssertEqual(text, """
            t.rules:1:31: error: unknown syscall 'opne': no ABI has a syscall of that name (did you mean 'open'?) [AUR301]
            -a always,exit -F arch=b64 -S opne
                                          ^~~~
            """)
        guard let tabbed = P.errors("-w /x -k\tk stray").first else { return XCTFail("no error") }
        XCTAssertTrue(DiagnosticRenderer.text(tabbed).hasSuffix("\n-w /x -k\tk stray\n        \t  ^~~~~"), DiagnosticRenderer.text(tabbed))
        // A very long line is shown around the error, with the caret still under it.
        let long = "-a always,exit -F arch=b64 -S " + String(repeating: "open,", count: 300) + "opne"
        guard let far = P.errors(long).first else { return XCTFail("no error") }
        let rendered = DiagnosticRenderer.text(far).split(separator: "\n").map(String.init)
        XCTAssertTrue(rendered[1].hasPrefix("..."), rendered[1])
        XCTAssertLessThan(rendered[1].utf8.count, 600)
        let caretAt = rendered[2].firstIndex(of: "^").map { rendered[2].distance(from: rendered[2].startIndex, to: $0) }!
        XCTAssertEqual(String(rendered[1].dropFirst(caretAt).prefix(4)), "opne")
        let json = DiagnosticRenderer.json([d])
        let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        XCTAssertEqual(object?["errors"] as? Int, 1)
        let first = (object?["diagnostics"] as? [[String: Any]])?.first
        XCTAssertEqual(first?["line"] as? Int, 1)
        XCTAssertEqual(first?["column"] as? Int, 31)
        XCTAssertEqual(first?["severity"] as? String, "error")
    }
}
