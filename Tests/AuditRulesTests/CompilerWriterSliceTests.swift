@testable import AuditRules
import Syscalls
import XCTest

/// The writer renders rules in slices on several threads; the bytes must be those of writing
/// the rules one at a time, whatever the slice and batch sizes, wherever the source changes.
extension CompilerWriterTests {
    /// Rules whose provenance changes at every kind of place: runs of 1 to 4 rules from one
    /// line, rules without provenance (which keep the previous comment in force), also inside a
    /// run, a file change on the same line number, a line coming back after another.
    private func rulesWithProvenanceChanges() -> [KernelRule] {
        let b64 = Machine.x86_64.auditArch(for: .x86_64), b32 = Machine.x86_64.auditArch(for: .i386)
        var rules: [KernelRule] = []
        var line = 1
        for run in 0 ..< 60 {
            let file = run % 7 == 3 ? "other dir/b.rules" : "a.rules"
            let provenance: Provenance? = run % 5 == 4 ? nil : Provenance(file: file, line: run % 11 == 10 ? 1 : line, text: "", abi: nil)
            for k in 0 ..< (run % 4) + 1 {
                var fields = [KernelField(id: FieldID.arch, op: .equal, value: k % 2 == 0 ? b64 : b32),
                              KernelField(id: FieldID.uid, op: run % 3 == 0 ? .notEqual : .greaterOrEqual, value: UInt32(run * 1000 + k))]
                if run % 2 == 0 { fields.append(KernelField(id: FieldID.filterkey, op: .equal, string: RulesText("key \(run)\u{01}second\\key"))) }
                var rule = KernelRule(list: .exit, action: run % 6 == 5 ? .never : .always, fields: fields,
                                      provenance: run % 5 == 2 && k == 1 ? nil : provenance)
                rule.provenance?.abi = k % 2 == 0 ? .x86_64 : .i386
                for n in [0, 2, 59, 257 + run % 3] { rule.addSyscall(n) }
                rules.append(rule)
            }
            if run % 5 != 1 { line += 1 }
        }
        // A task-list rule and a watch-like rule without `-S`.
        rules.append(KernelRule(list: .task, action: .never, fields: [KernelField(id: FieldID.uid, op: .equal, value: 5)],
                                provenance: Provenance(file: "a.rules", line: line, text: "")))
        rules.append(KernelRule(list: .exit, action: .always, mask: SyscallMask.allOnes,
                                fields: [KernelField(id: FieldID.path, op: .equal, string: "/etc/my dir")], provenance: nil))
        return rules
    }

    /// The comment logic written out plainly, around `line(for:)`.
    private func oneAtATime(_ rules: [KernelRule], _ writer: RulesFileWriter) -> RulesText {
        var out = writer.render(CompileResult())
        var lastFile = "", lastLine = -1
        for rule in rules {
            if let p = rule.provenance, p.line != lastLine || p.file != lastFile {
                out = out + RulesText("# \(p.file):\(p.line)\n")
                lastFile = p.file
                lastLine = p.line
            }
            out = out + writer.line(for: rule) + "\n"
        }
        return out
    }

    func testSlicedRenderingIsRenderingOneRuleAtATime() {
        let rules = rulesWithProvenanceChanges()
        let result = CompileResult(rules: rules)
        var writer = RulesFileWriter(target: x86, includeControls: false)
        let expected = oneAtATime(rules, writer)
        XCTAssertEqual(expected.split(separator: 0x0A).count(where: { $0.starts(with: "-a ".utf8) }), rules.count)
        for sliceSize in 1 ... 12 {
            for slicesPerBatch in [1, 2, 3, 8] {
                writer.sliceSize = sliceSize
                writer.slicesPerBatch = slicesPerBatch
                XCTAssertEqual(writer.render(result), expected, "slices of \(sliceSize), \(slicesPerBatch) at a time")
            }
        }
        writer.sliceSize = rules.count
        XCTAssertEqual(writer.render(result), expected, "one slice")
    }

    func testPiecesAreEmittedInOrderAndWhole() {
        let rules = rulesWithProvenanceChanges()
        var writer = RulesFileWriter(target: x86)
        writer.sliceSize = 5
        writer.slicesPerBatch = 3
        var pieces = 0
        var bytes: [UInt8] = []
        writer.render(CompileResult(rules: rules)) {
            pieces += 1
            bytes.append(contentsOf: $0)
        }
        XCTAssertGreaterThan(pieces, 2)
        XCTAssertEqual(RulesText(bytes), oneAtATime(rules, writer))
    }

    /// auditctl -R cuts lines at 6144 bytes: such a line with names is written with numbers.
    func testTooLongLineIsWrittenWithNumbers() {
        var rule = KernelRule(list: .exit, action: .always,
                              fields: [KernelField(id: FieldID.arch, op: .equal, value: Machine.x86_64.auditArch(for: .x86_64)),
                                       KernelField(id: FieldID.path, op: .equal, string: RulesText("/" + String(repeating: "d", count: 3000)))],
                              provenance: Provenance(file: "t.rules", line: 1, text: "", abi: .x86_64))
        for n in 0 ..< 335 { rule.addSyscall(n) }
        var short = rule
        short.fields[1] = KernelField(id: FieldID.path, op: .equal, string: "/d")
        for style in [SyscallStyle.auto, .names] {
            var writer = RulesFileWriter(target: x86, syscallStyle: style)
            let long = writer.line(for: rule)
            XCTAssertTrue(long.utf8String.hasPrefix("-a always,exit -F arch=b64 -S 0,1,2,3,"), String(long.utf8String.prefix(60)))
            XCTAssertLessThan(long.count, RulesFileWriter.lineLimit)
            XCTAssertTrue(writer.line(for: short).utf8String.hasPrefix("-a always,exit -F arch=b64 -S read,write,open,"))
            writer.sliceSize = 1
            let text = writer.render(CompileResult(rules: [short, rule, short, rule]))
            XCTAssertEqual(text.split(separator: 0x0A).filter { $0.starts(with: "-a".utf8) }.map { RulesText($0) },
                           [writer.line(for: short), long, writer.line(for: short), long])
        }
    }

    func testNumbersAsStringWritesThem() {
        for v: Int64 in [0, 1, 9, 10, 99, 100, 4_294_967_295, -1, -13, Int64(Int32.min), Int64.max, Int64.min, 1_000_000_007] {
            var bytes: [UInt8] = []
            bytes.appendDecimal(v)
            XCTAssertEqual(String(decoding: bytes, as: UTF8.self), String(v))
        }
        for v: UInt32 in [0, 1, 9, 10, 15, 16, 0x40, 0xDEAD_BEEF, 0xC000_003E, .max] {
            for uppercase in [false, true] {
                var bytes: [UInt8] = []
                bytes.appendHex(v, uppercase: uppercase)
                XCTAssertEqual(String(decoding: bytes, as: UTF8.self), "0x" + String(v, radix: 16, uppercase: uppercase))
            }
        }
    }

    /// The renderer's escaping is `escape`, also where a space or backslash begins a grapheme
    /// with a combining mark (a space byte is escaped whatever follows it).
    func testByteEscapesAreEscape() {
        for s in ["plain", "a b", "a\\b", " ", "\\", "", "two  spaces", "é x", " \u{301}x", "a\\\u{301}b", "ü\\ü", "日本 語"] {
            var bytes: [UInt8] = []
            bytes.appendEscaped(RulesText(s))
            XCTAssertEqual(RulesText(bytes), Lexer.escape(RulesText(s)), s)
            XCTAssertEqual(Lexer.tokens(of: Lexer.escape(RulesText(s))).map { Array($0.text) }, s.isEmpty ? [] : [Array(s.utf8)], s)
        }
    }
}
