import AuditLint
import AuditRules
import Foundation
import Syscalls
import XCTest

/// Our verdict on every line of every corpus file auditctl 3.0.9 loaded, against auditctl's.
final class CorpusTests: XCTestCase {
    enum Outcome { case agree, hostDependent(String), disagree(String) }

    func testVerdictsAgreeWithAuditctl() throws {
        try XCTSkipUnless(Corpus.isAvailable, "../shared/corpus is not available")
        let files = try Corpus.loadedFiles()
        XCTAssertGreaterThan(files.count, 50)
        var agree = 0, hostDependent: [String] = [], disagree: [String] = [], rejectedByAuditctl = 0, rejectedByUs = 0
        for f in files {
            let text = RulesText(try Data(contentsOf: f.url))
            let parsed = RuleParser.parse(text: text, file: f.relativePath, options: ParseOptions())
            // The verdicts were taken by auditctl 3.0.9 on x86_64: that is the target.
            let findings = Linter.lint(parsed, context: LintContext(targets: [.x86_64], hostMachine: .x86_64, loaders: [.v3_0_9]))
            for line in Lexer.lines(of: text) {
                let words = Lexer.tokens(of: line.text)
                guard !words.isEmpty, words[0].text.first != UInt8(ascii: "#"), !f.stripped.contains(line.number) else { continue }
                let here = findings.filter { $0.location.line == line.number && $0.location.file == f.relativePath }
                if f.rejected[line.number] != nil {
                    rejectedByAuditctl += 1
                    for d in here where d.severity == .error {
                        XCTAssertGreaterThanOrEqual(d.location.column, 1, "\(f.relativePath):\(line.number): rejection without a column")
                    }
                }
                if here.contains(where: { $0.severity == .error }) { rejectedByUs += 1 }
                let where_ = "\(f.relativePath):\(line.number): \(message: line.text)"
                switch outcome(auditctl: f.rejected[line.number], ours: here, line: line.text.utf8String) {
                case .agree: agree += 1
                case .hostDependent(let why): hostDependent.append("\(where_)\n    host-dependent: \(why)")
                case .disagree(let why): disagree.append("\(where_)\n    DISAGREE: \(why)")
                }
            }
        }
        let total = agree + hostDependent.count + disagree.count
        let strict = Double(agree) / Double(total) * 100
        let adjusted = Double(agree + hostDependent.count) / Double(total) * 100
        print("corpus: \(files.count) files, \(total) lines compared; auditctl rejected \(rejectedByAuditctl), we reject \(rejectedByUs)")
        print(String(format: "corpus agreement: %.2f%% strict (%d/%d); %.2f%% counting %d host-dependent differences as explained",
                     strict, agree, total, adjusted, hostDependent.count))
        for line in hostDependent { print(line) }
        for line in disagree { print(line) }
        // Every line agrees, counting only ENOENT and unknown users of the verdict host as host-dependent.
        XCTAssertEqual(disagree.count, 0)
    }

    func outcome(auditctl: [String]?, ours: [Diagnostic], line: String) -> Outcome {
        let errors = ours.filter { $0.severity == .error }
        let grammar = errors.filter { !$0.hostDependent }
        guard let messages = auditctl else {
            if let e = grammar.first { return .disagree("auditctl accepted; we say: \(e.message)") }
            if let e = errors.first { return .hostDependent("auditctl accepted there; on this host: \(e.message)") }
            return .agree
        }
        let m = messages.joined(separator: "; ")
        if !grammar.isEmpty { return .agree }
        if m.contains("No such file or directory") {
            if ours.contains(where: { $0.code == "AUR006" }) || !errors.isEmpty { return .agree }
            return .hostDependent("auditctl: \(m) on the verdict host; the directory exists on this host")
        }
        if m.hasPrefix("Unknown user") || m.hasPrefix("Unknown group") {
            return errors.isEmpty ? .hostDependent("auditctl: \(m); that name exists on this host") : .agree
        }
        return .disagree("auditctl: \(m); we accept")
    }
}
