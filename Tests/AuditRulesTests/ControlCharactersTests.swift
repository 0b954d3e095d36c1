@testable import AuditRules
import Syscalls
import XCTest

/// Untrusted text copied into messages and compiled comments is made inert in one place.
final class ControlCharactersTests: XCTestCase {
    func testEveryControlIsEscapedAndNothingElse() {
        for value in Array(0x01 ... 0x1F) + [0x7F] {
            let s = "a" + String(UnicodeScalar(UInt8(value))) + "b"
            XCTAssertEqual(ControlCharacters.escaped(s), "a\\x" + String(format: "%02x", value) + "b")
        }
        XCTAssertEqual(ControlCharacters.escaped("\u{9B}31m"), "\\u{9b}31m", "8-bit CSI")
        XCTAssertEqual(ControlCharacters.escaped("tab\there\n", except: ["\t", "\n"]), "tab\there\n")
        XCTAssertEqual(ControlCharacters.escaped("plain bäse \\ path"), "plain bäse \\ path")
    }

    func testQuotedLinesKeepTheirWidth() {
        let line = "-w /x\u{1B}[2J\u{9B} -k k"
        let masked = DiagnosticRenderer.masked(RulesText(line))
        XCTAssertEqual(masked.utf8.count, line.utf8.count)
        XCTAssertEqual(masked, "-w /x?[2J?? -k k")
    }

    /// The injection of issue 11: a file name that carries a rule into the compiled file.
    func testProvenanceCommentsCannotCarryARule() {
        let target = RuleBuilder.target(.x86_64)
        let name = "10-x\n-a never,exit -S all\n# .rules"
        let file = RuleParser.parse(text: "-w /etc/hosts -p wa -k hosts\n-e 1\n", file: name, options: ParseOptions(resolver: nil))
        let text = RulesFileWriter(target: target).render(Compiler(target: target).compile(file)).utf8String
        XCTAssertFalse(text.split(separator: "\n").contains { $0.hasPrefix("-a never") }, text)
        XCTAssertTrue(text.contains("# 10-x\\x0a-a never,exit -S all\\x0a# .rules:1\n"), text)
        XCTAssertTrue(text.contains("# 10-x\\x0a-a never,exit -S all\\x0a# .rules:2\n-e 1\n"), text)
    }

    func testDiagnosticsEscapeTheFileNameAndMessage() {
        let d = Diagnostic(.error, "bad \u{1B}]0;title\u{07}", at: SourceLocation(file: "a\nb", line: 3, column: 1), length: 1,
                           sourceLine: "x\u{1B}y")
        XCTAssertEqual(DiagnosticRenderer.text(d), "a\\x0ab:3:1: error: bad \\x1b]0;title\\x07\nx?y\n^")
    }

    /// The word-at-a-time test against the byte test it stands for, at every offset and length
    /// of lines holding each boundary byte.
    func testPrintableASCIIWordTestIsTheByteTest() {
        var rng = SplitMix64(state: 3)
        let special: [UInt8] = [0x00, 0x09, 0x0D, 0x1F, 0x20, 0x21, 0x7E, 0x7F, 0x80, 0xC2, 0xFF]
        for _ in 0..<4000 {
            let bytes = (0..<Int.random(in: 0...40, using: &rng)).map { _ in
                Bool.random(using: &rng) ? special.randomElement(using: &rng)! : UInt8.random(in: 0x20...0x7E, using: &rng)
            }
            let start = Int.random(in: 0...bytes.count, using: &rng)
            bytes.withUnsafeBufferPointer { all in
                let b = UnsafeBufferPointer(rebasing: all[start...])
                XCTAssertEqual(ControlCharacters.isPrintableASCII(b), b.allSatisfy { $0 >= 0x20 && $0 < 0x7F }, "\(Array(b))")
            }
        }
    }

    /// The caret line of printable ASCII (made by counting bytes) and of other lines (by characters).
    func testCaretLinesOfPrintableAndOtherLines() {
        XCTAssertEqual(DiagnosticRenderer.caret(line: "-a always,exit", column: 4, length: 6), "   ^~~~~~")
        XCTAssertEqual(DiagnosticRenderer.caret(line: "-a", column: 3, length: 4), "  ^")
        XCTAssertEqual(DiagnosticRenderer.caret(line: "\t-a x", column: 3, length: 1), "\t ^")
        XCTAssertEqual(DiagnosticRenderer.caret(line: "é -F x", column: 4, length: 2), "  ^~")
        XCTAssertEqual(DiagnosticRenderer.caret(line: "a é", column: 1, length: 4), "^~~")
    }
}
