@testable import AuditRules
import Foundation
import Syscalls
import XCTest

/// Large inputs are parsed in pieces and lowered on several threads; the results must be what
/// one thread going through the input in order gives, to the diagnostic.
final class ParallelWorkTests: XCTestCase {
    private let options = ParseOptions(resolver: HostUserResolver(), hostMachine: .x86_64)

    /// Lines of every kind, errors and warnings included, repeated past the size at which the
    /// parser cuts its input into pieces.
    private func largeText(endingWith last: String) -> String {
        let lines = [
            "-a always,exit -F arch=b64 -S open,openat -F auid>=1000 -F auid!=unset -k files",
            "# a comment",
            "",
            "-w /etc/passwd -p wa -k identity",
            "-a always,exit -S stime -k dropped-on-x86_64",
            "-a always,exit -S open -F uid=-1 -k bad",
            "-a never,exit -F arch=b64 -S all -F path=/usr/bin/tool -F perm=x",
            "-a always,exit -F arch=b64 -S chmod -F exit=-EACCES -k twice",
            "-a always,exit -F arch=b64 -S chmod -F exit=-EACCES -k twice",
            "-b 8192\r",
            "-F uid=0",
        ]
        var text = ""
        var i = 0
        while text.utf8.count < 3 * RuleParser.bytesPerPiece {
            text += lines[i % lines.count] + "\n"
            i += 1
        }
        return text + last
    }

    func testPiecesParseAsOneText() {
        for last in ["", "-a always,exit -S open -k unterminated", "-e 1\r\n"] {
            var text = largeText(endingWith: last)
            let pieces = text.withUTF8 { RuleParser.pieces(of: $0) }
            XCTAssertGreaterThan(pieces.count, Parallelism.threads > 1 ? 1 : 0)
            let parallel = RuleParser.parse(text: RulesText(text), file: "big.rules", options: options)
            let sequential = text.withUTF8 { RuleParser.parse(bytes: $0, firstLine: 1, file: "big.rules", options: options) }
            XCTAssertEqual(parallel.statements.map(\.location), sequential.statements.map(\.location))
            XCTAssertEqual(parallel.statements.map(\.text), sequential.statements.map(\.text))
            XCTAssertEqual(parallel.diagnostics, sequential.diagnostics)
            XCTAssertEqual(parallel.trivia, sequential.trivia)
            XCTAssertEqual(parallel.carriageReturnLines, sequential.carriageReturnLines)
            XCTAssertEqual(parallel.unterminatedLastLines, sequential.unterminatedLastLines)
            XCTAssertEqual(parallel.unterminatedLastLines.isEmpty, last.isEmpty || last.utf8.last == 0x0A)
        }
    }

    func testPiecesStartAtLineBoundaries() {
        var text = largeText(endingWith: "")
        text.withUTF8 { all in
            let pieces = RuleParser.pieces(of: all)
            XCTAssertEqual(pieces.first?.range.lowerBound, 0)
            XCTAssertEqual(pieces.last?.range.upperBound, all.count)
            var line = 1
            for (k, p) in pieces.enumerated() {
                XCTAssertEqual(p.firstLine, line, "piece \(k)")
                if k > 0 { XCTAssertEqual(all[p.range.lowerBound - 1], 0x0A, "piece \(k) starts after a newline") }
                line += all[p.range].filter { $0 == 0x0A }.count
            }
        }
    }

    /// Statements lowered on several threads and applied in order: duplicates across the pieces
    /// are still found, a dropped syscall is still reported once, where it first occurs.
    func testParallelLoweringEqualsOneByOne() {
        let text = largeText(endingWith: "")
        let file = RuleParser.parse(text: RulesText(text), file: "big.rules", options: options)
        XCTAssertGreaterThan(file.statements.count, 512)
        let target = RuleBuilder.target(.x86_64)
        let together = CompileSession(target: target)
        together.add(file.statements)
        let parallel = together.finish()
        let oneByOne = CompileSession(target: target)
        for stmt in file.statements { oneByOne.add(stmt) }
        let sequential = oneByOne.finish()
        XCTAssertEqual(parallel.rules, sequential.rules)
        XCTAssertEqual(parallel.rules.map(\.provenance), sequential.rules.map(\.provenance))
        XCTAssertEqual(parallel.diagnostics, sequential.diagnostics)
        XCTAssertEqual(parallel.diagnostics.filter { $0.message.contains("'stime'") }.count, 1)
        XCTAssertTrue(parallel.diagnostics.contains { $0.message.contains("Rule exists") })
    }

    func testUnreadableFileFailsTheCompile() throws {
        let dir = NSTemporaryDirectory() + "aurules-unreadable-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // A directory opens but cannot be read: the error is reported, not an empty file.
        let diagnostics = ChunkedInput.compile(path: dir, options: options, into: CompileSession(target: RuleBuilder.target(.x86_64)))
        XCTAssertEqual(diagnostics?.map(\.code), [RuleInputs.unreadableCode])
        XCTAssertEqual(diagnostics?.first?.message, "cannot read \(dir): is a directory")
        XCTAssertNil(ChunkedInput.compile(path: dir + "/missing", options: options,
                                          into: CompileSession(target: RuleBuilder.target(.x86_64))))
    }
}

/// The held rule set's hash table against a plain search, with hashes chosen to collide.
final class HeldRulesTests: XCTestCase {
    func testCollidingHashesGrowthAndDeletion() {
        func rule(_ i: Int) -> KernelRule {
            KernelRule(list: .exit, action: .always, fields: [KernelField(id: FieldID.uid, op: .equal, value: UInt32(i))],
                       provenance: Provenance(file: "f", line: i, text: ""))
        }
        var held = HeldRules()
        var reference: [Int: Bool] = [:]   // rule number -> live
        for i in 0 ..< 3000 {
            held.add([rule(i)], hashes: [i % 7], prepend: i % 500 == 0)
            reference[i] = true
            if i % 3 == 0 {
                let victim = i / 2
                XCTAssertEqual(held.remove(rule(victim), hash: victim % 7), reference[victim] == true, "remove \(victim)")
                reference[victim] = false
            }
        }
        for i in 0 ..< 3100 {
            let expected = reference[i] == true
            XCTAssertEqual(held.origin(of: rule(i), hash: i % 7)?.line, expected ? i : nil, "rule \(i)")
        }
        let ordered = held.ordered()
        XCTAssertEqual(ordered.count, reference.values.filter { $0 }.count)
        // Prepended rules come first, the latest group first.
        let prepended = [2500, 2000, 1500, 1000, 500, 0].filter { reference[$0] == true }
        XCTAssertEqual(ordered.prefix(prepended.count).map { $0.provenance!.line }, prepended)
        XCTAssertEqual(ordered.dropFirst(prepended.count).map { $0.provenance!.line },
                       (0 ..< 3000).filter { reference[$0] == true && $0 % 500 != 0 })
    }
}
