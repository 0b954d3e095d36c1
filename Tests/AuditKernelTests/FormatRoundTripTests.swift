import AuditRules
import Foundation
import XCTest

/// `aurules fmt` output must load into the kernel exactly like its input: for every corpus file
/// auditctl loaded, the kernel's listing after `auditctl -R` of the formatted text equals the
/// listing after loading the original. Both are loaded with `-c` (continue past errors) so lines
/// the kernel refuses on this host are skipped the same way. Lines that could lock the kernel or
/// change enablement (`-e`, `--loginuid-immutable`, `-f 2`) are removed before anything is loaded.
final class FormatRoundTripTests: XCTestCase {
    static var corpus: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("../shared/corpus").standardized
    }

    func testFormattedCorpusLoadsLikeTheOriginal() throws {
        let manifest = Self.corpus.appendingPathComponent("MANIFEST.tsv")
        try XCTSkipUnless(FileManager.default.fileExists(atPath: manifest.path), "../shared/corpus is not available")
        var paths: [String] = []
        for row in try String(contentsOf: manifest, encoding: .utf8).split(separator: "\n").dropFirst() {
            let cols = row.split(separator: "\t", omittingEmptySubsequences: false)
            if cols.count > 7, !cols[7].hasPrefix("n/a") { paths.append(String(cols[0])) }
        }
        XCTAssertGreaterThan(paths.count, 50)
        let start = Date()
        var compared = 0, rules = 0, seen = Set<String>()
        try KernelSandbox.run { sandbox in
            for path in paths {
                let original = Self.safe(String(decoding: try Data(contentsOf: Self.corpus.appendingPathComponent(path)), as: UTF8.self))
                // Identical files (forks copied verbatim) load identically: compare each text once.
                guard seen.insert(original).inserted else { continue }
                let parsed = RuleParser.parse(text: RulesText(original), file: path, options: ParseOptions(resolver: nil))
                let formatted = RuleFormatter.format(parsed).utf8String
                try Self.assertSafe(original, path)
                try Self.assertSafe(formatted, path + " (formatted)")
                let before = try Self.load(original, sandbox)
                let after = try Self.load(formatted, sandbox)
                XCTAssertEqual(after, before, "\(path): the kernel holds different rules after loading the formatted text")
                compared += 1
                rules += before.count
            }
        }
        print(String(format: "fmt round trip: %d files, %d kernel rules compared, %.1f s", compared, rules, Date().timeIntervalSince(start)))
    }

    /// Empties the rule set, loads `text` with `auditctl -c -R`, and returns `auditctl -l`.
    static func load(_ text: String, _ sandbox: KernelSandbox) throws -> [RulesText] {
        try sandbox.clearRules()
        let path = NSTemporaryDirectory() + "aurules-test-fmt-\(getpid())-\(UInt32.random(in: 0 ... .max)).rules"
        guard FileManager.default.createFile(atPath: path, contents: Data(("-c\n" + text).utf8), attributes: [.posixPermissions: 0o600]) else {
            throw XCTSkip("cannot write \(path)")
        }
        defer { unlink(path) }
        _ = try KernelSandbox.runProcess(KernelSandbox.auditctlPath!, ["-R", path])
        return try sandbox.listing()
    }

    /// The text without any line that could touch enablement, immutability or panic mode.
    static func safe(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).filter { line in
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map(String.init)
            for (i, w) in words.enumerated() {
                if w.hasPrefix("--loginuid") { return false }
                if w.hasPrefix("-"), !w.hasPrefix("--"), w.dropFirst().prefix(while: { $0.isLetter }).contains("e") { return false }
                if w.hasPrefix("-f") && !w.hasPrefix("--") && (w == "-f2" || (w == "-f" && i + 1 < words.count && words[i + 1].hasPrefix("2"))) { return false }
            }
            return true
        }.joined(separator: "\n")
    }

    /// Refuses to go on if the text would still set -e, --loginuid-immutable or -f 2.
    static func assertSafe(_ text: String, _ what: String) throws {
        for s in RuleParser.parse(text: RulesText(text), file: what, options: ParseOptions(resolver: nil)).statements {
            switch s.kind {
            case .setting(.enabled), .setting(.loginuidImmutable), .setting(.failureMode(2)):
                XCTFail("\(what):\(s.location.line) still has \(message: s.text); not loading it")
                throw XCTSkip("unsafe line in \(what)")
            default:
                break
            }
        }
    }
}
