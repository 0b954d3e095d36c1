@testable import AuditRules
import Syscalls
import XCTest

/// Rules text is read by its bytes, as auditctl reads it: a combining mark after an ASCII
/// separator does not hide the separator (Swift's characters would merge the two).
final class RulesTextBytesTests: XCTestCase {
    let options = ParseOptions(resolver: nil, hostMachine: .x86_64)

    func parse(_ text: RulesText) -> RuleFile { RuleParser.parse(text: text, file: "t.rules", options: options) }
    func fmt(_ text: RulesText) -> RulesText { RuleFormatter.format(parse(text)) }
    func errors(_ file: RuleFile) -> [String] { file.diagnostics.filter { $0.severity == .error }.map(\.message) }

    func rule(_ file: RuleFile, _ index: Int = 0) -> RuleStatement? {
        guard index < file.statements.count, case .rule(let r) = file.statements[index].kind else { return nil }
        return r
    }

    func watch(_ file: RuleFile, _ index: Int = 0) -> WatchStatement? {
        guard index < file.statements.count, case .watch(let w) = file.statements[index].kind else { return nil }
        return w
    }

    /// libaudit finds `!=` by strstr: the combining mark after `=` belongs to the value.
    func testOperatorBeforeACombiningMarkIsFound() throws {
        let file = parse("-a always,exit -F arch=b64 -S open -F obj_user!=\u{301}x -k k\n")
        XCTAssertEqual(errors(file), [])
        let r = try XCTUnwrap(rule(file))
        let field = try XCTUnwrap(r.fields.first { $0.name.value == "obj_user" })
        XCTAssertEqual(field.op.value, .notEqual)
        XCTAssertEqual(Array(field.rawValue.value), Array("\u{301}x".utf8))
        XCTAssertEqual(field.rawValue.location.column, 49)
        // -C and a comma list: the same byte search.
        XCTAssertEqual(errors(parse("-a always,exit -F arch=b64 -S open,\u{301}x -k k\n")).count, 1)
        let c = parse("-a always,exit -C auid!=\u{301}uid\n")
        XCTAssertEqual(c.diagnostics.map(\.message), ["unknown field '\u{301}uid' (did you mean 'uid'?)"])
        XCTAssertEqual(c.diagnostics.map(\.location.column), [25], "the unknown field is the part after '!='")
    }

    /// A `\ ` escape followed by a combining mark: one space byte, so fmt and compile write `\ ` again.
    func testEscapedSpaceBeforeACombiningMarkIsEscapedAgain() throws {
        let text: RulesText = "-w /srv/a\\ \u{301}b -p wa -k c\\ \u{308}d\n"
        let file = parse(text)
        XCTAssertEqual(errors(file), [])
        let w = try XCTUnwrap(watch(file))
        XCTAssertEqual(Array(w.path.value), Array("/srv/a \u{301}b".utf8))
        let once = fmt(text)
        XCTAssertEqual(Array(once), Array(text))
        let again = try XCTUnwrap(watch(parse(once)))
        XCTAssertEqual(Array(again.path.value), Array(w.path.value))
        XCTAssertEqual(again.keys.map { Array($0.value) }, [Array("c \u{308}d".utf8)])
        XCTAssertEqual(Array(Lexer.escape(" \u{301}\\\u{301}")), Array("\\ \u{301}\\\\\u{301}".utf8))

        // compile: the rules file written for auditctl carries the same escapes.
        let target = CompileTarget(machine: .x86_64, kernel: KernelVersion(6, 1), auditVersion: .v3_0_9, watchKind: .path, resolver: nil)
        let compiled = Compiler(target: target).compile(file)
        let written = RulesFileWriter(target: target).render(compiled)
        XCTAssertTrue(Array(written).firstRange(of: Array("/srv/a\\ \u{301}b".utf8)) != nil, written.utf8String)
        XCTAssertTrue(Array(written).firstRange(of: Array("c\\ \u{308}d".utf8)) != nil, written.utf8String)
        let recompiled = Compiler(target: target).compile(parse(written))
        XCTAssertEqual(recompiled.rules.map(WireCodec.encode), compiled.rules.map(WireCodec.encode))
    }

    /// A CR inside a line is part of its word; fmt puts keys last, and a CR that would then end
    /// the line (where reading drops it) is followed by a space.
    func testWordEndingInCarriageReturnKeepsItsCarriageReturn() throws {
        let text: RulesText = "-w /etc/x -k a\r -p wa\n"
        let original = try XCTUnwrap(watch(parse(text)))
        XCTAssertEqual(original.keys.map(\.value), ["a\r"])
        let once = fmt(text)
        XCTAssertEqual(once, "-w /etc/x -p wa -k a\r \n")
        let reread = try XCTUnwrap(watch(parse(once)))
        XCTAssertEqual(reread.keys.map(\.value), ["a\r"])
        XCTAssertEqual(fmt(once), once)
        // The same for a rule, and for a comment whose last byte is a CR kept by the line's own CR LF.
        let r: RulesText = "-a always,exit -F arch=b64 -S open -k b\r -F auid=1\n"
        XCTAssertEqual(rule(parse(fmt(r)))?.keys.map(\.value), ["b\r"])
        XCTAssertEqual(fmt("# note\r\r\n"), "# note\r \n")
        XCTAssertEqual(fmt(fmt("# note\r\r\n")), "# note\r \n")
    }

    /// Option letters are bytes: a combining mark after `-c` does not make it another letter.
    func testOptionClustersAreBytes() {
        let file = parse("-w /x -k a -\u{301}\n")
        XCTAssertEqual(file.diagnostics.map(\.message), ["unknown option '-\u{301}'"])
        XCTAssertEqual(file.diagnostics.map(\.location.column), [12])
        XCTAssertEqual(file.diagnostics.map(\.length), [3])
        let lowerK = parse("-w /x -k\u{301}a\n")
        XCTAssertEqual(errors(lowerK), [])
        XCTAssertEqual(watch(lowerK)?.keys.map { Array($0.value) }, [Array("\u{301}a".utf8)])
    }

    /// Comments, control lines and syscall names are decided by bytes too.
    func testCommentsAndNamesAreBytes() {
        XCTAssertEqual(parse("#\u{301} not a rule\n").statements.count, 0)
        XCTAssertEqual(errors(parse("#\u{301} not a rule\n")), [])
        // U+212A KELVIN SIGN folds to 'k' in Unicode, never in libaudit's ASCII folding.
        let kelvin = RuleParser.parse(text: "-a always,exit -F arch=b64 -S \u{212A}ill -k k\n", file: "t.rules", options: ParseOptions(resolver: nil, hostMachine: .x86_64))
        XCTAssertEqual(kelvin.diagnostics.filter { $0.severity == .error }.count, 1)
        XCTAssertEqual(RuleInputs.firstWord(of: "  -e\u{301} 1").word.count, 4)
    }

    /// Field values are checked by bytes too: "/" before a combining mark starts an absolute path.
    func testFieldValuesAreBytes() {
        XCTAssertEqual(errors(parse("-a always,exit -F arch=b64 -S open -F path=/\u{301}x -k k\n")), [])
        XCTAssertEqual(errors(parse("-a always,exit -F arch=b64 -S open -F dir=\u{301}/x -k k\n")).count, 1)
    }

    /// A saved listing is cut into lines at LF bytes: a CR LF listing has as many lines as LFs.
    func testListingLinesAreBytes() {
        let text: RulesText = "-a always,exit -S all -F key=by hand\r\n-w /srv/\u{301} dir -p wa\n"
        XCTAssertEqual(SavedListing.loadableText(text), "-a always,exit -S all -F key=by\\ hand\r\n-w /srv/\u{301}\\ dir -p wa\n")
    }

    /// Names that differ only in the high byte of a storage word (bytes 7 and 14) spread over
    /// the known-syscall memo's 512 slots, not over two.
    func testQuickSlotSeesEveryByte() {
        for at in [7, 14] {
            let slots = Set((UInt8(ascii: "a") ... UInt8(ascii: "p")).map { b -> Int in
                var bytes = Array(repeating: UInt8(ascii: "x"), count: 15)
                bytes[at] = b
                return RulesText(bytes).quickSlot(512)
            })
            XCTAssertGreaterThan(slots.count, 8, "byte \(at)")
        }
        XCTAssertEqual(RulesText("open").quickSlot(1), 0)
    }
}
