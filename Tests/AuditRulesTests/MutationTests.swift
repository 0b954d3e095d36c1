import AuditRules
import Foundation
import XCTest

/// 10,000 seeded random mutations of corpus lines: the parser must never crash or hang, must
/// locate every rejection, and whatever it accepts must format to text that means the same.
final class MutationTests: XCTestCase {
    static let fragments = [" ", "-", ",", "=", "!=", ">=", "<", "&", "\\", "\\ ", "#", "\t", "\r", "\"", "'", "0x", "-1", "99999999999",
                            "-S", "-F", "-k", "-w", "-a", "-D", "-C", "-p", "--", "all", "arch=b32", "b64", "exit", "entry", "task",
                            "never", "uid", "auid", "key=", "/", "..", "*", "é", "\u{0}", "\u{1}", "2048", "perm=wax", "unset"]

    func testRandomMutationsOfCorpusLines() throws {
        try XCTSkipUnless(Corpus.isAvailable, "../shared/corpus is not available")
        var lines: [String] = []
        for url in Corpus.allFiles() {
            let text = RulesText(try Data(contentsOf: url))
            lines += Lexer.lines(of: text).map(\.text.utf8String).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        }
        XCTAssertGreaterThan(lines.count, 1000)
        var rng = SplitMix64(state: 20_261_124)
        let options = [ParseOptions(resolver: nil, hostMachine: .x86_64), P.options]
        let start = Date()
        var rejected = 0, accepted = 0
        for i in 0..<10_000 {
            let line = mutate(lines[Int.random(in: 0..<lines.count, using: &rng)], other: lines[Int.random(in: 0..<lines.count, using: &rng)], rng: &rng)
            let parsed = RuleParser.parse(text: RulesText(line), file: "m.rules", options: options[i % 2])
            let errors = parsed.diagnostics.filter { $0.severity == .error }
            let byteCount = line.utf8.count
            for d in parsed.diagnostics {
                XCTAssertGreaterThanOrEqual(d.location.line, 1, line)
                XCTAssertGreaterThanOrEqual(d.location.column, 1, "\(d.message) in \(line.debugDescription)")
                XCTAssertLessThanOrEqual(d.location.column, byteCount + 1, "\(d.message) in \(line.debugDescription)")
                XCTAssertNotNil(d.sourceLine, d.message)
                _ = DiagnosticRenderer.text(d)
            }
            if errors.isEmpty {
                accepted += 1
                let formatted = RuleFormatter.format(parsed)
                let again = RuleParser.parse(text: RulesText(formatted), file: "f.rules", options: options[i % 2])
                XCTAssertEqual(again.diagnostics.filter { $0.severity == .error }.map(\.message), [],
                               "formatted \(line.debugDescription) as \(formatted.debugDescription)")
                XCTAssertEqual(again.statements.map(FormatTests.meaning), parsed.statements.map(FormatTests.meaning), line.debugDescription)
            } else {
                rejected += 1
                if errors.allSatisfy({ !$0.hostDependent }) {
                    XCTAssertTrue(parsed.statements.isEmpty, "statements from a rejected line: \(line.debugDescription)")
                }
            }
        }
        // Speed is measured by the benchmarks, not asserted here.
        print(String(format: "mutations: 10000 lines, %d rejected, %d accepted, %.2f s", rejected, accepted, Date().timeIntervalSince(start)))
    }

    func mutate(_ line: String, other: String, rng: inout SplitMix64) -> String {
        var chars = Array(line)
        var words = line.split(separator: " ").map(String.init)
        let otherWords = other.split(separator: " ").map(String.init)
        for _ in 0..<Int.random(in: 1...3, using: &rng) {
            switch Int.random(in: 0..<7, using: &rng) {
            case 0 where !chars.isEmpty:
                chars.remove(at: Int.random(in: 0..<chars.count, using: &rng))
                words = String(chars).split(separator: " ").map(String.init)
            case 1:
                let f = Self.fragments.randomElement(using: &rng)!
                chars.insert(contentsOf: f, at: Int.random(in: 0...chars.count, using: &rng))
                words = String(chars).split(separator: " ").map(String.init)
            case 2 where words.count > 1:
                words.swapAt(Int.random(in: 0..<words.count, using: &rng), Int.random(in: 0..<words.count, using: &rng))
                chars = Array(words.joined(separator: " "))
            case 3 where !words.isEmpty:
                words.remove(at: Int.random(in: 0..<words.count, using: &rng))
                chars = Array(words.joined(separator: " "))
            case 4 where !otherWords.isEmpty:
                words.insert(otherWords.randomElement(using: &rng)!, at: Int.random(in: 0...words.count, using: &rng))
                chars = Array(words.joined(separator: " "))
            case 5 where !words.isEmpty:
                words.append(contentsOf: words[Int.random(in: 0..<words.count, using: &rng)...])
                chars = Array(words.joined(separator: " "))
            default:
                chars = Array(String(chars.prefix(Int.random(in: 0...chars.count, using: &rng))))
                words = String(chars).split(separator: " ").map(String.init)
            }
        }
        return String(chars)
    }
}
