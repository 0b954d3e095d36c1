import AuditLint
@testable import AuditRules
import Foundation
import Syscalls
import XCTest

/// Rules text is bytes, as auditctl reads it and the kernel stores it: bytes that are not UTF-8
/// (0x80-0xFF alone, overlong forms, surrogates, truncated sequences) reach the kernel, the
/// compiled file and fmt's output as written, and are shown as `\xNN` in messages and JSON.
/// Before rules text was bytes, each such byte became U+FFFD (EF BF BD) on the way.
final class InvalidUTF8Tests: XCTestCase {
    static let options = ParseOptions(resolver: nil, hostMachine: .x86_64)
    static let target = CompileTarget(machine: .x86_64, kernel: KernelVersion(6, 1), auditVersion: .v3_0_9, watchKind: .path, resolver: nil)

    /// Invalid sequences of every kind, each in a word of its own.
    static let invalid: [[UInt8]] = [
        [0xFF], [0xFE, 0xFF], [0x80], [0xBF, 0xBF],       // never UTF-8; lone continuation bytes
        [0xC0, 0xAF], [0xE0, 0x80, 0xAF], [0xF0, 0x80, 0x80, 0xAF], [0xC1, 0xBF],  // overlong
        [0xED, 0xA0, 0x80],                               // a surrogate
        [0xE9], [0xF0, 0x9F, 0x98],                       // truncated
        [0xF5, 0x80, 0x80, 0x80],                         // above U+10FFFF
    ]

    func parse(_ bytes: [UInt8]) -> RuleFile { RuleParser.parse(text: RulesText(bytes), file: "t.rules", options: Self.options) }
    func errors(_ file: RuleFile) -> [String] { file.diagnostics.filter { $0.severity == .error }.map(\.message) }
    func b(_ s: String) -> [UInt8] { Array(s.utf8) }

    // MARK: the value type

    func testRulesTextKeepsEveryByteAndComparesBytes() {
        for length in [0, 1, 7, 8, 14, 15, 16, 17, 40] {
            let bytes = (0 ..< length).map { UInt8(truncatingIfNeeded: 0xF0 &+ $0 &* 37) }
            let text = RulesText(bytes)
            XCTAssertEqual(text.bytes, bytes)
            XCTAssertEqual(Array(text), bytes)
            XCTAssertEqual(text.count, bytes.count)
            XCTAssertEqual(text, RulesText(bytes[...]), "\(length)")
            XCTAssertEqual(text.hashValue, RulesText(bytes[...]).hashValue)
            text.withBytes { XCTAssertEqual(Array($0), bytes) }
        }
        // Strings that a Swift String would call equal are different bytes, and different texts.
        XCTAssertNotEqual(RulesText("e\u{301}"), RulesText("\u{e9}"))
        XCTAssertNotEqual(RulesText([0xFF]), RulesText([0xFE]))
        XCTAssertNotEqual(RulesText("\u{212A}ill"), RulesText("Kill"))
        // Byte order, as strcmp orders: 0xFF after every ASCII byte, a prefix first.
        XCTAssertLessThan(RulesText("a"), RulesText([0x61, 0xFF]))
        XCTAssertLessThan(RulesText([0x7F]), RulesText([0x80]))
        XCTAssertLessThan(RulesText(b("abcdefghijklmnop")), RulesText(b("abcdefghijklmnoq")))
        XCTAssertEqual(RulesText("ab") + RulesText([0xFF] + b("cdefghijklmnopqrstu")), RulesText(b("ab") + [0xFF] + b("cdefghijklmnopqrstu")))
        XCTAssertEqual(RulesText([0x41, 0xFF, 0x5A]).lowercasedASCII.bytes, [0x61, 0xFF, 0x7A])
        XCTAssertNil(RulesText([0x61, 0xFF]).validUTF8)
        XCTAssertNil(RulesText("é").asciiName)
    }

    func testMessagesShowInvalidBytesAsHexAndNothingElse() {
        XCTAssertEqual(ControlCharacters.escaped(RulesText("plain é 日")), "plain é 日")
        XCTAssertEqual(ControlCharacters.escaped(RulesText(b("k") + [0xFF, 0xFE] + b("ey"))), "k\\xff\\xfeey")
        XCTAssertEqual(ControlCharacters.escaped(RulesText([0xC0, 0xAF])), "\\xc0\\xaf", "overlong '/'")
        XCTAssertEqual(ControlCharacters.escaped(RulesText([0xE0, 0x80, 0xAF])), "\\xe0\\x80\\xaf", "overlong '/'")
        XCTAssertEqual(ControlCharacters.escaped(RulesText([0xED, 0xA0, 0x80])), "\\xed\\xa0\\x80", "surrogate")
        XCTAssertEqual(ControlCharacters.escaped(RulesText([0x80, 0x61])), "\\x80a", "lone continuation")
        XCTAssertEqual(ControlCharacters.escaped(RulesText([0xF0, 0x9F, 0x98])), "\\xf0\\x9f\\x98", "truncated")
        XCTAssertEqual(ControlCharacters.escaped(RulesText([0xF0, 0x9F, 0x98, 0x80])), "😀")
        // Controls as the one escape writes them; a message keeps them for the renderer to escape.
        XCTAssertEqual(ControlCharacters.escaped(RulesText([0x0D, 0xC2, 0x9B, 0xFF])), "\\x0d\\u{9b}\\xff")
        XCTAssertEqual(RulesText([0x0D, 0xFF]).description, "\r\\xff")
        XCTAssertEqual("key '\(message: RulesText([0x61, 0xE9]))'", "key 'a\\xe9'")
        for seq in Self.invalid {
            let shown = ControlCharacters.escaped(RulesText(b("x") + seq))
            XCTAssertFalse(shown.unicodeScalars.contains("\u{FFFD}"), shown)
            XCTAssertEqual(shown, "x" + seq.map { String(format: "\\x%02x", $0) }.joined())
        }
    }

    // MARK: parse and compile

    /// Keys, watch paths and every string field hold the bytes written; the compiled file, the
    /// wire encoding and fmt carry them unchanged.
    func testBytesReachTheKernelTheFileAndFmtAsWritten() throws {
        for seq in Self.invalid {
            let key = b("k") + seq + b("ey")
            let path = b("/srv/") + seq + b("/x")
            let value = b("ab") + seq + b("c")
            var text: [UInt8] = []
            text += b("-w ") + path + b(" -p wa -k ") + key + [0x0A]
            text += b("-a always,exit -F arch=b64 -S openat -F obj_user=") + value + b(" -F exe=") + path + b(" -k ") + key + [0x0A]
            text += b("-a always,exit -F arch=b64 -S openat -F dir=") + path + b(" -F subj_type=") + value + b(" -F key=") + key + [0x0A]
            let file = parse(text)
            XCTAssertEqual(errors(file), [], "\(seq)")
            guard file.statements.count == 3, case .watch(let w) = file.statements[0].kind, case .rule(let r) = file.statements[1].kind else {
                return XCTFail("\(seq): \(file.statements.count) statements")
            }
            XCTAssertEqual(w.path.value.bytes, path)
            XCTAssertEqual(w.keys.map(\.value.bytes), [key])
            XCTAssertEqual(r.fields.compactMap { if case .string(let s) = $0.value { return s.bytes } else { return nil } }, [value, path])
            XCTAssertEqual(file.statements[0].text.bytes, Array(text.split(separator: 0x0A)[0]))

            // Compile: the kernel rule's strings, its wire bytes and the auditctl -R file.
            let compiled = Compiler(target: Self.target).compile(file)
            XCTAssertFalse(compiled.hasErrors, "\(compiled.diagnostics.map(\.message))")
            XCTAssertEqual(compiled.rules.count, 3)
            let strings = compiled.rules.map { $0.fields.compactMap { $0.string?.bytes } }
            XCTAssertEqual(strings, [[path, key], [value, path, key], [path, value, key]])
            for rule in compiled.rules {
                let wire = WireCodec.encode(rule)
                let buffer = Array(wire.suffix(rule.fields.compactMap(\.string).reduce(0) { $0 + $1.count }))
                XCTAssertEqual(buffer, rule.fields.compactMap(\.string).flatMap(\.bytes), "strings travel in the buffer as they are")
                XCTAssertEqual(try WireCodec.decode(wire), rule)
            }
            let written = RulesFileWriter(target: Self.target, includeControls: false).render(compiled).bytes
            XCTAssertNotNil(written.firstRange(of: b("-F key=") + key + [0x0A]), "\(seq)")
            XCTAssertNotNil(written.firstRange(of: b("-F obj_user=") + value + b(" ")))
            XCTAssertNil(written.firstRange(of: [0xEF, 0xBF, 0xBD]))
            let again = Compiler(target: Self.target).compile(parse(written))
            XCTAssertEqual(again.rules.map(WireCodec.encode), compiled.rules.map(WireCodec.encode))

            // fmt: the same bytes, in canonical order.
            let formatted = RuleFormatter.format(file)
            XCTAssertEqual(formatted.bytes, b("-w ") + path + b(" -p wa -k ") + key + [0x0A]
                + b("-a always,exit -F arch=b64 -S openat -F obj_user=") + value + b(" -F exe=") + path + b(" -k ") + key + [0x0A]
                + b("-a always,exit -F arch=b64 -S openat -F dir=") + path + b(" -F subj_type=") + value + b(" -k ") + key + [0x0A])
            XCTAssertEqual(RuleFormatter.format(parse(formatted.bytes)), formatted)
        }
    }

    /// `aurules compile --format json`: a JSON string cannot hold such bytes; they are written
    /// `\xNN`, and the document is valid UTF-8.
    func testCompileJSONEscapesInvalidBytes() throws {
        let file = parse(b("-w /etc/passwd -p wa -k k") + [0xFF, 0xFE] + b("ey\n-a always,exit -F arch=b64 -S openat -F obj_user=ab") + [0xE9]
                         + b("c -k x\n"))
        let json = try CompileJSON.render(Compiler(target: Self.target).compile(file), target: Self.target)
        XCTAssertTrue(json.contains(#""string" : "k\\xff\\xfeey""#), json)
        XCTAssertTrue(json.contains(#""string" : "ab\\xe9c""#), json)
        XCTAssertTrue(json.contains(#""text" : "-w \/etc\/passwd -p wa -k k\\xff\\xfeey""#) || json.contains(#""text" : "-w /etc/passwd -p wa -k k\\xff\\xfeey""#), json)
        XCTAssertFalse(json.unicodeScalars.contains("\u{FFFD}"))
        XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(json.utf8)))
    }

    /// String-valued fields that take names (file types) and names of any kind (fields, syscalls,
    /// lists) are ASCII in every table: a name with other bytes is unknown, and the message shows them.
    func testNamesWithInvalidBytesAreUnknownAndShownEscaped() {
        let cases: [([UInt8], String)] = [
            (b("-a always,exit -F arch=b64 -S open") + [0xFF] + b(" -k k\n"), "unknown syscall 'open\\xff'"),
            (b("-a always,exit -F arch=b64 -S open -F obj_") + [0xC0, 0xAF] + b("user=x -k k\n"), "unknown field 'obj_\\xc0\\xafuser'"),
            (b("-a always,exit -F arch=b64 -S open -F filetype=fil") + [0xE9] + b(" -k k\n"), "-F unknown file type - filetype"),
            (b("-a always,ex") + [0x80] + b("it -S all\n"), "'always,ex\\x80it' needs one list (task, exit, user, exclude, filesystem, io_uring) and one action (always, never), not 'ex\\x80it'"),
            (b("-w /etc/x -k -") + [0xFF] + b("\n"), "the key is '-\\xff': -k takes the next word as its value, even one that looks like an option"),
            (b("-w /etc/x -p w") + [0xFF] + b("\n"), "permissions may only contain the letters r, w, x and a, not 'w\\xff'"),
        ]
        for (text, message) in cases {
            let file = parse(text)
            XCTAssertTrue(file.diagnostics.contains { $0.message.hasPrefix(message) }, "\(file.diagnostics.map(\.message))")
            for d in file.diagnostics {
                XCTAssertFalse(d.message.unicodeScalars.contains("\u{FFFD}"), d.message)
                // The quoted line keeps its width: one `?` per byte that is not UTF-8.
                let shown = DiagnosticRenderer.text(d)
                XCTAssertFalse(shown.unicodeScalars.contains("\u{FFFD}"), shown)
                let quoted = shown.split(separator: "\n", omittingEmptySubsequences: false)[1]
                XCTAssertEqual(quoted.utf8.count, text.count - 1, String(quoted))
            }
            let json = DiagnosticRenderer.json(file.diagnostics)
            XCTAssertFalse(json.unicodeScalars.contains("\u{FFFD}"), json)
            XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(json.utf8)))
        }
    }

    /// Lint findings about such text (text, JSON and SARIF) show the bytes escaped.
    func testLintFindingsEscapeInvalidBytes() throws {
        let text = b("-a always,exit -F dir=/etc -F perm=wa -k k") + [0xFF] + b("\n-w /etc/") + [0xE9] + b("x -p wa -k k") + [0xFF] + b("\n")
        let file = parse(text)
        let findings = Linter.lint(file, context: LintContext(targets: [.x86_64], checkHost: false, hostMachine: .x86_64))
        let covered = try XCTUnwrap(findings.first { $0.code == WatchCoveredCheck().code })
        XCTAssertEqual(covered.location.line, 2)
        XCTAssertTrue(covered.message.contains("records /etc/\\xe9x with"), covered.message)
        let sarif = SarifReport.render(findings)
        XCTAssertTrue(sarif.contains("\\\\xe9x"), sarif)
        XCTAssertFalse(sarif.unicodeScalars.contains("\u{FFFD}"))
        XCTAssertFalse(DiagnosticRenderer.json(findings).unicodeScalars.contains("\u{FFFD}"))
    }

    // MARK: listing and drift

    /// `auditctl -l` prints keys and paths as the kernel holds them; the listing does too, and a
    /// saved listing is read back by its bytes: keys that differ in one invalid byte are different
    /// keys (as text decoded to U+FFFD they were the same).
    func testListingAndSavedListingCompareBytes() throws {
        let rules = b("-w /srv/d") + [0xFF] + b(" -p wa -k aurules-test-") + [0xFE] + b("\n-a always,exit -F arch=b64 -S openat -F obj_user=") + [0xC0, 0xAF]
            + b(" -k aurules-test-") + [0x80] + b("\n")
        let source = parse(rules)
        let compiled = Compiler(target: Self.target).compile(source)
        let lines = Listing.lines(for: compiled.rules, host: .x86_64)
        XCTAssertEqual(lines.map(\.bytes), [
            b("-a always,exit -F arch=b64 -S openat -F obj_user=") + [0xC0, 0xAF] + b(" -F key=aurules-test-") + [0x80],
            b("-w /srv/d") + [0xFF] + b(" -p wa -k aurules-test-") + [0xFE],
        ].reversed())
        func check(_ listing: [UInt8]) throws -> DriftReport {
            try DriftCheck(source: source, target: Self.target).compare(with: .listing(text: RulesText(listing), name: "l", status: nil)).report
        }
        let exact: [UInt8] = lines.flatMap { $0.bytes + [0x0A] }
        let same = try check(exact)
        XCTAssertFalse(same.hasDrift, "\(same.missing.count) missing, \(same.unexpectedCount) unexpected")
        XCTAssertEqual(same.inSync, 2)
        // One byte of the key changed (0xFE -> 0xFD): decoded, both were U+FFFD.
        var other = exact
        other[other.firstIndex(of: 0xFE)!] = 0xFD
        let drift = try check(other)
        XCTAssertTrue(drift.hasDrift)
        XCTAssertEqual(drift.missing.count, 1)
        XCTAssertEqual(drift.unexpected.first?.key?.bytes, b("aurules-test-") + [0xFD])
        let report = DriftFormatter(machine: .x86_64, kernel: KernelVersion(6, 1)).text(drift, subject: "t")
        XCTAssertTrue(report.contains("key \"aurules-test-\\xfd\""), report)
        XCTAssertTrue(report.contains("-w /srv/d\\xff -p wa -k aurules-test-\\xfe"), report)
        XCTAssertFalse(report.unicodeScalars.contains("\u{FFFD}"), report)
        // The plan's commands carry the bytes (a shell passes them on inside single quotes).
        let plan = try DriftCheck(source: source, target: Self.target)
            .compare(with: .listing(text: RulesText(other), name: "l", status: nil)).planText.bytes
        XCTAssertNotNil(plan.firstRange(of: b("'key=aurules-test-") + [0xFE] + b("'")), String(decoding: plan, as: UTF8.self))
        XCTAssertNotNil(plan.firstRange(of: b("'path=/srv/d") + [0xFF] + b("'")), String(decoding: plan, as: UTF8.self))
        XCTAssertNil(plan.firstRange(of: [0xEF, 0xBF, 0xBD]))
    }

    /// fmt --diff of such a file: a diff line per changed line, bytes kept (the diff applies).
    func testDiffKeepsBytes() {
        let old = RulesText(b("-w /x") + [0xFF] + b(" -k a -p wa\n"))
        let new = RuleFormatter.format(parse(old.bytes))
        XCTAssertEqual(new.bytes, b("-w /x") + [0xFF] + b(" -p wa -k a\n"))
        let diff = UnifiedDiff.render(old: old, new: new, oldName: "a", newName: "a").bytes
        XCTAssertNotNil(diff.firstRange(of: b("\n-") + old.bytes))
        XCTAssertNotNil(diff.firstRange(of: b("\n+") + new.bytes))
        // Lines that decode alike are different lines.
        XCTAssertNotEqual(UnifiedDiff.render(old: RulesText([0xFF, 0x0A]), new: RulesText([0xFE, 0x0A]), oldName: "a", newName: "a"), "")
    }
}
