import AuditLint
import AuditRules
import Foundation
import Syscalls
import XCTest

/// lint and fmt of one file a chunk of lines at a time (`LintRun.lint(path:)`,
/// `RuleFormatter.format(path:)`) against the whole-file pipeline they replace in the CLI:
/// `RuleInputs.load`, `Linter.lint`, `Linter.filter`, `DiagnosticLimit.apply`, and
/// `RuleFormatter.format` of the whole syntax tree. Chunks as small as one line put a chunk
/// boundary between every two lines: a suppression and its rule, a rule and its duplicate, `-e 2`
/// and what follows it.
final class LintStreamingTests: XCTestCase {
    static let context = LintContext(targets: [.x86_64, .aarch64, .ppc64le, .s390x], checkHost: false, hostMachine: .x86_64,
                                     loaders: [.v3_0_9])
    static var options: ParseOptions {
        var o = ParseOptions(resolver: nil, hostMachine: .x86_64)
        o.unsafePermissions = .warning
        o.loader = .v3_0_9
        return o
    }

    /// What the CLI printed before lint read files a chunk at a time, reduced to what the
    /// report holds.
    struct Outcome: Equatable {
        var shown: String
        var counts: [String: Int]
        var unreadable: Int
        var highest: Severity?
    }

    static func reference(_ path: String, select: [String] = [], ignore: [String] = []) -> [Diagnostic] {
        Linter.filter(Linter.lint(RuleInputs.load(paths: [path], options: options), context: context), select: select, ignore: ignore)
    }

    static func outcome(_ all: [Diagnostic], limit: Int) -> Outcome {
        var counts: [String: Int] = [:]
        for d in all { counts[d.code ?? "-", default: 0] += 1 }
        return Outcome(shown: DiagnosticRenderer.json(DiagnosticLimit.apply(all, perFile: limit)), counts: counts,
                       unreadable: all.filter { $0.code == RuleInputs.unreadableCode }.count, highest: all.map(\.severity).max())
    }

    static func outcome(_ r: LintReport) -> Outcome {
        Outcome(shown: DiagnosticRenderer.json(r.shown), counts: r.counts, unreadable: r.unreadable.count, highest: r.highestSeverity)
    }

    func assertSame(_ path: String, limits: [Int] = [0, 1, 3, 100], select: [String] = [], ignore: [String] = [],
                    chunks: [Int] = [1, 2, 5, 2048], file: StaticString = #filePath, line: UInt = #line) throws {
        let all = Self.reference(path, select: select, ignore: ignore)
        for limit in limits {
            let expected = Self.outcome(all, limit: limit)
            let whole = LintRun(context: Self.context, limit: limit)
            whole.add(RuleInputs.load(paths: [path], options: Self.options))
            XCTAssertEqual(Self.outcome(whole.finish(select: select, ignore: ignore)), expected, "\(path), one chunk, limit \(limit)", file: file, line: line)
            for n in chunks {
                let report = try XCTUnwrap(LintRun.lint(path: path, options: Self.options, context: Self.context, limit: limit,
                                                        select: select, ignore: ignore, linesPerChunk: n), file: file, line: line)
                XCTAssertEqual(Self.outcome(report), expected, "\(path), \(n) lines a chunk, limit \(limit)", file: file, line: line)
            }
        }
    }

    func assertSameFormat(_ path: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let whole = RuleInputs.load(paths: [path], options: Self.options)
        let expected = RuleFormatter.format(whole)
        for n in [1, 2, 3, 128] {
            let streamed = try XCTUnwrap(RuleFormatter.format(path: path, options: Self.options, linesPerChunk: n), file: file, line: line)
            XCTAssertEqual(streamed.text, expected, "\(path), \(n) lines a chunk", file: file, line: line)
            XCTAssertEqual(DiagnosticRenderer.json(streamed.diagnostics), DiagnosticRenderer.json(whole.diagnostics), "\(path), \(n) lines a chunk",
                           file: file, line: line)
        }
    }

    func write(_ text: String, name: String = "t.rules") throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lintstream-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    static let generated: [(name: String, text: String)] = [
        ("duplicates and shadowing across chunks", """
        -D
        -b 8
        -a always,exit -F arch=b64 -S openat -k a
        -a always,exit -F arch=b64 -S openat -k a
        -a always,exit -S open -F auid>=1000 -k b
        -a never,exit -F arch=b64 -S openat -F uid=0
        -a always,exit -F arch=b64 -S openat -F uid=0 -k c
        -w /etc/ssh -p wa -k k
        -a always,exit -F dir=/etc/ssh -F perm=wa -k k
        -w /etc/ssh/sshd_config -p w -k k
        -a always,exit -F arch=b64 -S gettimeofday,getpid
        -a always,exit -S all
        -a never,exclude -F msgtype=DAEMON_START
        -w /etc/passwd -p wa -k b
        -A always,exit -F arch=b64 -S openat -F uid=1 -k p
        -d always,exit -F arch=b64 -S openat -k a
        -a always,exit -F arch=b64 -S openat -k a
        -D -k b
        -a always,exit -F arch=b32 -S chmod -k more
        -e 2
        -w /etc/shadow -p wa
        -b 9

        """),
        ("suppressions before chunk boundaries", """
        # aurules: disable=AUR001
        -a always,exit -S openat -k a
        # aurules: disable=AUR001,AUR005

        # another comment
        -a always,exit -S openat -k a
        # aurules: disable=missing-arch
        -w /etc/../x -p wa
        # aurules: disable=no-such-check
        # aurules: nonsense
        -a always,exit -F arch=b64 -S openat -F arch=b32
        -D
        # aurules: disable=AUR009
        -D
        # aurules: disable-file=AUR007
        # aurules: disable=AUR003
        """),
        ("file directive at the end", """
        -a always,exit -S open -k x
        -a always,exit -S open -k x
        -w /tmp/a* -p wa
        # aurules: disable-file=AUR004,AUR005
        # aurules: disable-file=AUR110
        # aurules: disable=AUR001
        """),
        ("runs of blank lines", "\n\n# head\n\n\n-w /etc/a -p wa\n\n\n\n   # indented\n-a always,exit -S open\n\n\n"),
        ("CRLF lines and no final newline", "-w /etc/passwd -p wa -k a\r\n# c\r\n-a always,exit -S openat\r\n-w /etc/group -p wa -k a\r\n-e 1"),
        ("errors and warnings", """
        -a always,exit -F arch=b64 -S nosuchcall -k x
        -a sometimes,exit -S openat
        -w relative/path
        -a always,exit -F auid>=1000 -S openat
        -a always,exit -F arch=b64 -S openat -F arch=b64
        -a always,exit -F arch=b64 -F arch=b32 -S openat
        -w /etc/cron.* -p wa
        -a never,exit -F arch=b64 -S chmod -k a
        -a always,exit -F arch=b64 -S fchmod -k a
        -f 3
        -w /etc/x -p z

        """),
    ]

    func testGeneratedFilesLintAsWhole() throws {
        var codes = Set<String>()
        for (_, text) in Self.generated {
            let path = try write(text)
            try assertSame(path)
            try assertSame(path, limits: [2], select: ["rule-set"])
            try assertSame(path, limits: [2], ignore: ["AUR001", "AUR007"])
            try assertSameFormat(path)
            codes.formUnion(Self.reference(path).compactMap(\.code))
        }
        // The inputs reach every kind of check: per statement, across statements, per target.
        let expected: Set<String> = ["AUR001", "AUR002", "AUR003", "AUR004", "AUR005", "AUR007", "AUR008", "AUR009", "AUR010",
                                     "AUR011", "AUR012", "AUR110", "AUR502", "AUR503", "AUR504", "AUR505", "AUR506", "AUR507", "AUR508"]
        XCTAssertEqual(expected.subtracting(codes), [], "codes the generated inputs do not reach")
    }

    /// A finding on a line of only a CR quotes it, escaped, read whole or a chunk at a time (a
    /// chunk at a time it was not quoted: its empty quote was taken for one to read again).
    func testLineOfOnlyACarriageReturnIsQuoted() throws {
        let path = try write("-w /etc/hosts -p wa\r\n\r\n-w /etc/passwd -p wa\n\r\n")
        try assertSame(path)
        let onCR = Self.reference(path).filter { [2, 4].contains($0.location.line) }
        XCTAssertEqual(onCR.map(\.location.line), [2, 4])
        XCTAssertEqual(onCR.map(\.sourceLine), ["\r", "\r"])
        XCTAssertTrue(DiagnosticRenderer.text(onCR[0]).hasSuffix("[AUR101]\n?\n^"), DiagnosticRenderer.text(onCR[0]))
        XCTAssertTrue(DiagnosticRenderer.json(onCR).contains("\"sourceLine\" : \"\\r\""), DiagnosticRenderer.json(onCR))
    }

    /// Many findings of a few codes, more than the limit: the first N in output order are kept.
    func testLimitOverManyFindings() throws {
        var text = "-D\n"
        for i in 0 ..< 300 {
            text += i % 3 == 0 ? "-a always,exit -S open -k k\(i)\n" : i % 3 == 1 ? "-w /etc/a\(i)/../b -p wa\n" : "-a always,exit -F arch=b64 -S openat -k same\n"
        }
        let path = try write(text)
        try assertSame(path, limits: [0, 1, 7, 100], chunks: [1, 13, 2048])
    }

    /// A file that is not rules is one error; its first lines decide, in whichever chunk they are.
    func testNotRulesFileIsOneError() throws {
        var lines = (0 ..< 30).map { "root:x:0:0:root \($0):/root:/bin/bash" }
        lines.insert("# aurules: disable=AUR001", at: 25)
        let path = try write(lines.joined(separator: "\n") + "\n")
        try assertSame(path, limits: [0, 100], chunks: [1, 4, 19, 2048])
        let comments = String(repeating: "# comment\n", count: 50) + "garbage here\n-a always,exit -S open\n"
        try assertSame(try write(comments), chunks: [1, 7, 2048])
    }

    func testCorpusLintsAndFormatsAsWhole() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("../shared/corpus/files").standardized
        guard let e = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) else {
            throw XCTSkip("../shared/corpus is not here: the corpus comparison needs it")
        }
        let files = e.compactMap { $0 as? URL }.filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true }
        guard !files.isEmpty else { throw XCTSkip("../shared/corpus/files is empty") }
        for url in files.sorted(by: { $0.path < $1.path }) {
            try assertSame(url.path, limits: [0, 5, 100], chunks: [3, 64])
            try assertSameFormat(url.path)
        }
    }

    /// The quadratic scan AUR502 had, kept here as the reference for its index.
    func testShadowedIndexAgreesWithAScan() throws {
        var text = ""
        let fields = ["-F uid=0", "-F auid>=1000", "-F auid!=unset", "-F gid=5", ""]
        let calls = ["openat", "openat,open", "open", "all", "chmod,fchmod", "execve"]
        // A fixed-seed LCG (Knuth's MMIX constants): a failure reproduces on every run.
        var seed: UInt64 = 0x5EED_0502
        func pick(_ n: Int) -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(seed >> 33) % n
        }
        for _ in 0 ..< 120 {
            let action = pick(2) == 0 ? "always" : "never"
            let f = (0 ..< pick(4)).map { _ in fields[pick(fields.count)] }.joined(separator: " ")
            text += "-a \(action),exit -F arch=b64 -S \(calls[pick(calls.count)]) \(f)\n"
        }
        let file = RuleParser.parse(text: RulesText(text), file: "s.rules", options: Self.options)
        let context = LintContext(targets: [.x86_64], checkHost: false, hostMachine: .x86_64, loaders: [.v3_0_9])
        let found = ShadowedRuleCheck().findings(in: file, context: context).map { "\($0.location.line) \($0.message)" }
        var expected: [String] = []
        for set in context.compile(file) {
            var earlier: [KernelRule] = []
            for rule in set.rules {
                defer { earlier.append(rule) }
                let fields = Set(rule.fields.filter { $0.id != FieldID.key })
                guard let cover = earlier.first(where: { e in
                    zip(e.mask, rule.mask).allSatisfy { $0 | $1 == $0 } && Set(e.fields.filter { $0.id != FieldID.key }).isSubset(of: fields)
                }), let at = cover.provenance, let here = rule.provenance, at.line != here.line else { continue }
                expected.append("\(here.line) covered by \(at.line)")
            }
        }
        XCTAssertEqual(found.map { String($0.prefix(while: { $0 != " " })) + " covered by " + ($0.components(separatedBy: "rule on line ").last?.prefix(while: { $0.isNumber }) ?? "") },
                       expected, text)
    }

    /// AUR502's index against the scan of every earlier rule, with rules of up to 13 filtering
    /// fields (more than the index enumerates the subsets of), arch-less rules and path rules,
    /// on two targets, from rule sets kept whole (`Linter.lint`) and kept in the shared store a
    /// chunk at a time (`LintRun`).
    func testShadowedIndexAgreesWithAScanOnManyFields() throws {
        let fields = ["-F uid=0", "-F auid>=1000", "-F auid!=unset", "-F gid=5", "-F euid=0", "-F egid=0", "-F suid=0", "-F fsuid=0",
                      "-F sgid=0", "-F fsgid=0", "-F pid=1", "-F ppid=1", "-F exit=-13", "-F success=0", "-F path=/etc/x"]
        let calls = ["openat", "openat,open", "open", "all", "chmod,fchmod", "execve", "openat,execve,chmod"]
        let arches = ["-F arch=b64", "-F arch=b32", ""]
        var seed: UInt64 = 0x5EED_0503
        func pick(_ n: Int) -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(seed >> 33) % n
        }
        var text = ""
        for _ in 0 ..< 400 {
            let action = pick(2) == 0 ? "always" : "never"
            let count = pick(3) == 0 ? 9 + pick(5) : pick(4)
            let f = (0 ..< count).map { _ in fields[pick(fields.count)] }.joined(separator: " ")
            text += "-a \(action),exit \(arches[pick(arches.count)]) -S \(calls[pick(calls.count)]) \(f)\n"
        }
        let context = LintContext(targets: [.x86_64, .s390x], checkHost: false, hostMachine: .x86_64, loaders: [.v3_0_9])
        let file = RuleParser.parse(text: RulesText(text), file: "s.rules", options: Self.options)
        func summary(_ ds: [Diagnostic]) -> [String] {
            ds.filter { $0.code == "AUR502" }.map { "\($0.location.line) covered by " + ($0.message.components(separatedBy: "rule on line ").last?.prefix(while: { $0.isNumber }) ?? "") }
        }
        var expected: [Int: [String]] = [:]
        for (t, set) in context.compile(file).enumerated() {
            var earlier: [KernelRule] = []
            for rule in set.rules where !rule.fields.contains(where: { $0.id == FieldID.path }) {
                defer { earlier.append(rule) }
                let fields = Set(rule.fields.filter { $0.id != FieldID.key })
                guard let cover = earlier.first(where: { e in
                    e.list == rule.list && zip(e.mask, rule.mask).allSatisfy { $0 | $1 == $0 } && Set(e.fields.filter { $0.id != FieldID.key }).isSubset(of: fields)
                }), let at = cover.provenance, let here = rule.provenance, at.line != here.line else { continue }
                expected[here.line, default: []].append("\(t)")
                if expected[here.line]!.count == 1 { expected[here.line]!.append("\(at.line)") }
            }
        }
        let scanned = expected.keys.sorted().map { "\($0) covered by \(expected[$0]![1])" }
        XCTAssertFalse(scanned.isEmpty)
        XCTAssertEqual(summary(Linter.lint(file, context: context)), scanned, text)
        let run = LintRun(context: context, limit: 0)
        for chunk in stride(from: 0, to: file.statements.count, by: 64) {
            var part = RuleFile(path: "s.rules")
            part.statements = Array(file.statements[chunk ..< min(chunk + 64, file.statements.count)])
            run.add(part)
        }
        XCTAssertEqual(summary(run.finish().shown), scanned)
    }
}
