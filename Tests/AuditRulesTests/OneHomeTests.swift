import AuditRules
import Syscalls
import XCTest

/// Facts with one home: permission letters, the escape, AUDIT_ARCH values.
final class OneHomeTests: XCTestCase {
    func testPermissionLettersRoundTripInAuditctlOrder() {
        for raw in UInt32(0) ... 15 {
            let p = Permissions(rawValue: raw)
            XCTAssertEqual(Permissions(letters: p.letters), p, p.letters)
            XCTAssertEqual(Permissions(letters: p.letters.uppercased()), p)
        }
        XCTAssertEqual(Permissions(rawValue: 15).letters, "rwxa")
        XCTAssertEqual(Permissions(letters: "aw"), [.write, .attr])
        XCTAssertEqual(Permissions(letters: "ww"), .write)
        XCTAssertEqual(Permissions(letters: ""), [])
        for bad in ["rwxaw", "q", "r w", "rw\u{301}", "\u{0}", "R2"] {
            XCTAssertNil(Permissions(letters: bad), bad)
        }
    }

    func testParserAndFieldValuesReadLettersAlike() throws {
        let opts = ParseOptions(resolver: nil)
        let file = RuleParser.parse(text: "-w /etc/shadow -p Wa -k k\n-a always,exit -F path=/x -F perm=rA\n-w /y -p rwq\n", file: "t", options: opts)
        guard case .watch(let w) = file.statements[0].kind else { return XCTFail("not a watch") }
        XCTAssertEqual(w.permissions.flatMap { Permissions(letters: $0.value) }, [.write, .attr])
        guard case .rule(let r) = file.statements[1].kind else { return XCTFail("not a rule") }
        XCTAssertEqual(r.fields.last?.value, .permissions([.read, .attr]))
        XCTAssertEqual(file.diagnostics.filter { $0.severity == .error }.map(\.location.line), [3])
    }

    /// auditctl splits bytes: a space followed by a combining mark is still a space, and must be
    /// escaped for the word to read back whole.
    func testEscapeIsByteWiseAndReadsBack() {
        let words = ["plain", "a b", "a\\b", "a \u{301}b", "\\ \u{301}", " ", "é ü", "x\u{301} \\"]
        for word in words.map({ RulesText($0) }) {
            let escaped = Lexer.escape(word)
            XCTAssertEqual(Lexer.tokens(of: escaped).map(\.text), [word], escaped.utf8String)
        }
        XCTAssertEqual(Lexer.escape("a \u{301}b"), "a\\ \u{301}b")
        XCTAssertEqual(Lexer.escape("plain"), "plain")
    }
}
