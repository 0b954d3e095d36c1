import Foundation
import XCTest

/// What a team adopting the linter in CI uses: version, codes in every format, config, GitHub
/// annotations, statistics, colour.
final class LintAdoptionTests: XCTestCase {
    func json(_ text: String) throws -> Any { try JSONSerialization.jsonObject(with: Data(text.utf8)) }

    func testVersionEverywhere() throws {
        let v = try LintCLI.run(["--version"])
        XCTAssertEqual(v.status, 0)
        let lines = v.out.split(separator: "\n")
        XCTAssertEqual(lines.count, 3, v.out)
        XCTAssertTrue(lines[0].range(of: #"^aurules \d+\.\d+\.\d+$"#, options: .regularExpression) != nil, v.out)
        XCTAssertTrue(lines[1].hasPrefix("syscall tables: kernel "), v.out)
        XCTAssertTrue(lines[2].hasPrefix("loader data: audit-userspace ") && lines[2].contains("3.0.9"), v.out)
        let version = String(lines[0].dropFirst("aurules ".count))
        XCTAssertEqual(try LintCLI.run(["version"]).out, v.out)
        let doc = try json(try LintCLI.run(["version", "--format", "json"]).out) as? [String: Any]
        XCTAssertEqual(doc?["version"] as? String, version)
        let path = try LintCLI.temporaryFile("-w relative\n")
        let sarif = try json(try LintCLI.run(["lint", "--format", "sarif", path]).out) as? [String: Any]
        let driver = (((sarif?["runs"] as? [[String: Any]])?.first?["tool"] as? [String: Any])?["driver"] as? [String: Any])
        XCTAssertEqual(driver?["version"] as? String, version)
        let lintJSON = try json(try LintCLI.run(["lint", "--format", "json", path]).out) as? [String: Any]
        XCTAssertEqual((lintJSON?["aurules"] as? [String: Any])?["version"] as? String, version)
        let rules = try LintCLI.temporaryFile("-w /etc/passwd -p wa\n")
        let compiled = try LintCLI.run(["compile", "--no-resolve", "--machine", "x86_64", rules])
        XCTAssertTrue(compiled.out.split(separator: "\n").prefix(3).contains { $0.hasPrefix("# by aurules \(version) (tables ") }, compiled.out)
        let compiledJSON = try json(try LintCLI.run(["compile", "--no-resolve", "--machine", "x86_64", "--format", "json", rules]).out) as? [String: Any]
        XCTAssertEqual((compiledJSON?["aurules"] as? [String: Any])?["version"] as? String, version)
    }

    func testEveryDiagnosticHasACodeInEveryFormat() throws {
        let path = try LintCLI.temporaryFile("-a always,entry -S open\n-F auid=0\n-w relative\n-a always,exit -F arch=b64 -S opne\n")
        let text = try LintCLI.run(["lint", "--no-resolve", path])
        XCTAssertEqual(text.status, 1)
        for line in text.out.split(separator: "\n") where line.contains(": error: ") || line.contains(": warning: ") {
            XCTAssertTrue(line.range(of: #"\[AUR\d{3}\]$"#, options: .regularExpression) != nil, String(line))
        }
        let doc = try json(try LintCLI.run(["lint", "--no-resolve", "--format", "json", path]).out) as? [String: Any]
        let codes = (doc?["diagnostics"] as? [[String: Any]])?.compactMap { $0["code"] as? String } ?? []
        XCTAssertEqual(codes, ["AUR107", "AUR105", "AUR401", "AUR301"])
        let sarif = try json(try LintCLI.run(["lint", "--no-resolve", "--format", "sarif", path]).out) as? [String: Any]
        let run = (sarif?["runs"] as? [[String: Any]])?.first
        let driver = (run?["tool"] as? [String: Any])?["driver"] as? [String: Any]
        let rules = driver?["rules"] as? [[String: Any]] ?? []
        XCTAssertGreaterThanOrEqual(rules.count, 30)
        XCTAssertTrue((driver?["informationUri"] as? String)?.hasPrefix("https://") == true)
        for r in rules {
            XCTAssertTrue((r["helpUri"] as? String)?.hasSuffix("docs/checks/\(r["id"] as? String ?? "").md") == true, "\(r)")
            XCTAssertNotNil((r["help"] as? [String: Any])?["text"])
        }
        let results = run?["results"] as? [[String: Any]] ?? []
        XCTAssertEqual(results.compactMap { $0["ruleId"] as? String }, codes)
        for r in results {
            let i = r["ruleIndex"] as? Int ?? -1
            XCTAssertEqual(rules[i]["id"] as? String, r["ruleId"] as? String)
        }
    }

    func testSarifForStandardInputAndOddNames() throws {
        let stdin = try LintCLI.run(["lint", "--format", "sarif", "-"], stdin: "-w relative\n")
        XCTAssertFalse(stdin.out.contains("<stdin>"), stdin.out)
        XCTAssertTrue(stdin.out.contains("standard input"), stdin.out)
        let named = try LintCLI.run(["lint", "--format", "sarif", "--stdin-filename", "rules.d/my rules.rules", "-"], stdin: "-w relative\n")
        XCTAssertTrue(named.out.contains("\"uri\" : \"rules.d/my%20rules.rules\""), named.out)
        let text = try LintCLI.run(["lint", "--stdin-filename", "rules.d/x.rules", "-"], stdin: "-w relative\n")
        XCTAssertTrue(text.out.hasPrefix("rules.d/x.rules:1:4: error:"), text.out)
    }

    func testListAndExplainAsJSON() throws {
        let list = try json(try LintCLI.run(["lint", "--list-checks", "--format", "json"]).out) as? [[String: Any]] ?? []
        XCTAssertGreaterThanOrEqual(list.count, 30)
        XCTAssertEqual(Set(list.compactMap { $0["family"] as? String }), ["syntax", "fields", "syscalls", "watches", "rule-set", "host"])
        let explained = try LintCLI.run(["lint", "--explain", "AUR001", "--format", "json"])
        XCTAssertEqual(explained.status, 0)
        let doc = try json(explained.out) as? [String: Any]
        XCTAssertEqual(doc?["name"] as? String, "missing-arch")
        XCTAssertFalse((doc?["examples"] as? [[String: Any]] ?? []).isEmpty)
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let page = try String(contentsOf: docs.appendingPathComponent("docs/checks/AUR105.md"), encoding: .utf8)
        XCTAssertEqual(try LintCLI.run(["lint", "--explain", "misplaced-option"]).out, page)
    }

    func testConfigurationFileSelectIgnoreAndOverrides() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("aurules-cfgcli-\(UUID().uuidString)")
        let rulesDir = root.appendingPathComponent("rules.d")
        try FileManager.default.createDirectory(at: rulesDir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let rules = rulesDir.appendingPathComponent("10-a.rules").path
        try "-a always,exit -S openat -k a\n-w /etc/a*/x -p wa\n".write(toFile: rules, atomically: true, encoding: .utf8)
        // Without configuration: warnings only, exit 0.
        XCTAssertEqual(try LintCLI.run(["lint", "--no-resolve", rules]).status, 0)
        try "fail-on=warning\nignore=AUR004\n".write(to: root.appendingPathComponent(".aurules"), atomically: true, encoding: .utf8)
        let configured = try LintCLI.run(["lint", "--no-resolve", rules])
        XCTAssertEqual(configured.status, 1, configured.out + configured.err)
        XCTAssertFalse(configured.out.contains("AUR004"), configured.out)
        XCTAssertTrue(configured.out.contains("AUR001"), configured.out)
        // The command line wins; --no-config ignores the file.
        XCTAssertEqual(try LintCLI.run(["lint", "--no-resolve", "--fail-on", "error", rules]).status, 0)
        XCTAssertTrue(try LintCLI.run(["lint", "--no-resolve", "--no-config", rules]).out.contains("AUR004"))
        let other = root.appendingPathComponent("other.conf").path
        try "select=watches\n".write(toFile: other, atomically: true, encoding: .utf8)
        let selected = try LintCLI.run(["lint", "--no-resolve", "--config", other, rules])
        XCTAssertTrue(selected.out.contains("AUR004") && !selected.out.contains("AUR001"), selected.out)
        XCTAssertFalse(try LintCLI.run(["lint", "--no-resolve", "--select", "AUR004", "--ignore", "AUR004", rules]).out.contains("AUR004"))
        // A bad configuration is an input error with its location.
        try "fail-on=sometimes\n".write(to: root.appendingPathComponent(".aurules"), atomically: true, encoding: .utf8)
        let bad = try LintCLI.run(["lint", "--no-resolve", rules])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.err.contains(".aurules:1:9: error: fail-on is error, warning or note"), bad.err)
        XCTAssertEqual(try LintCLI.run(["lint", "--select", "AUR999", rules]).status, 2)
    }

    func testGitHubAnnotationsAreEscaped() throws {
        let path = try LintCLI.temporaryFile("-a always,exit -S openat -k a\n-w relative%\n", name: "a,b:c.rules")
        let r = try LintCLI.run(["lint", "--no-resolve", "--format", "github", path])
        XCTAssertEqual(r.status, 1)
        let lines = r.out.split(separator: "\n")
        XCTAssertEqual(lines.count, 2, r.out)
        let escapedPath = path.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
        XCTAssertTrue(lines[0].hasPrefix("::warning file=\(escapedPath),line=1,endLine=1,col=19,endColumn=25,title=AUR001::syscall rule without"), String(lines[0]))
        XCTAssertTrue(lines[1].hasPrefix("::error file=\(escapedPath),line=2,endLine=2,col=4,endColumn=13,title=AUR401::"), String(lines[1]))
        // Properties never hold an unescaped separator; messages never an unescaped % or newline.
        for line in lines {
            let body = line.dropFirst(2)
            let parts = body.components(separatedBy: "::")
            XCTAssertEqual(parts.count >= 2, true)
            XCTAssertFalse(parts[0].contains("\n"))
        }
    }

    func testStatisticsColourAndCleanSummary() throws {
        let path = try LintCLI.temporaryFile("-a always,exit -S openat -k a\n-a always,exit -S execve -k b\n-w relative\n")
        let stats = try LintCLI.run(["lint", "--no-resolve", "--statistics", path])
        XCTAssertEqual(stats.out, "2  AUR001  missing-arch\n1  AUR401  watch-path\n")
        XCTAssertEqual(stats.status, 1)
        let statsJSON = try json(try LintCLI.run(["lint", "--no-resolve", "--statistics", "--format", "json", path]).out) as? [[String: Any]]
        XCTAssertEqual(statsJSON?.first?["count"] as? Int, 2)
        XCTAssertTrue(try LintCLI.run(["lint", "--no-resolve", "--color", "always", path]).out.contains("\u{1B}[1;31merror:"))
        XCTAssertFalse(try LintCLI.run(["lint", "--no-resolve", path]).out.contains("\u{1B}["), "a pipe is not a terminal")
        XCTAssertFalse(try LintCLI.run(["lint", "--no-resolve", "--color", "never", path]).out.contains("\u{1B}["))
        let clean = try LintCLI.temporaryFile("-w /etc/passwd -p wa\n-b 8192\n")
        let r = try LintCLI.run(["lint", "--no-resolve", clean])
        XCTAssertEqual(r.out, "no problems found (2 lines with rules or settings in 1 file)\n")
        XCTAssertEqual(try LintCLI.run(["lint", "--no-resolve", "--format", "github", clean]).out, "")
        let capped = try LintCLI.run(["lint", "--no-resolve", "--max-diagnostics", "1", path])
        XCTAssertTrue(capped.out.contains("note: 2 more diagnostics in this file not shown"), capped.out)
        XCTAssertEqual(capped.status, 1)
    }
}

/// A GitHub-format run over the corpus gives one annotation per finding: the same count, codes,
/// lines and severities as the JSON output of the same run.
final class LintGitHubCorpusTests: XCTestCase {
    func testOneAnnotationPerFindingOverTheCorpus() throws {
        let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/corpus/files")
        guard FileManager.default.fileExists(atPath: corpus.path) else { throw XCTSkip("../shared/corpus is absent: \(corpus.path)") }
        let files = FileManager.default.enumerator(atPath: corpus.path)!.compactMap { $0 as? String }.filter { $0.hasSuffix(".rules") }.sorted()
        XCTAssertGreaterThan(files.count, 20)
        let paths = files.map { corpus.appendingPathComponent($0).path }
        let args = ["lint", "--no-resolve", "--no-host-checks", "--no-config"] + paths
        let github = try LintCLI.run(args + ["--format", "github"])
        let doc = try JSONSerialization.jsonObject(with: Data(try LintCLI.run(args + ["--format", "json"]).out.utf8)) as? [String: Any]
        let findings = doc?["diagnostics"] as? [[String: Any]] ?? []
        let annotations = github.out.split(separator: "\n")
        XCTAssertGreaterThan(findings.count, 50)
        XCTAssertEqual(annotations.count, findings.count)
        let kinds = ["error": "error", "warning": "warning", "note": "notice"]
        for (a, f) in zip(annotations, findings) {
            let expected = "::\(kinds[f["severity"] as? String ?? ""] ?? "?") "
            XCTAssertTrue(a.hasPrefix(expected), "\(a) vs \(f)")
            // A file-level finding (line 0, e.g. the diagnostic limit's note) is annotated on the file alone.
            if let line = f["line"] as? Int, line > 0 {
                XCTAssertTrue(a.contains(",line=\(line),"), "\(a) vs \(f)")
            } else {
                XCTAssertFalse(a.contains(",line="), "\(a) vs \(f)")
            }
            XCTAssertTrue(a.contains(",title=\(f["code"] as? String ?? "none")::"), "\(a) vs \(f)")
        }
    }
}

final class CheckColorTests: XCTestCase {
    func testDriftInColourOnlyWhenAsked() throws {
        let rules = try LintCLI.temporaryFile("-w /etc/passwd -p wa -k identity\n-a always,exit -F arch=b64 -S execve -k exec\n")
        let listing = try LintCLI.temporaryFile("-a always,exit -F arch=b64 -S execve -F key=exec\n-a always,exit -F arch=b64 -S kill -F key=other\n", name: "l.txt")
        let args = ["check", "--no-resolve", rules, "--loaded", listing, "--machine", "x86_64", "--watch-kind", "path"]
        let plain = try LintCLI.run(args)
        XCTAssertEqual(plain.status, 1, plain.out + plain.err)
        XCTAssertFalse(plain.out.contains("\u{1B}["))
        let colored = try LintCLI.run(args + ["--color", "always"])
        XCTAssertTrue(colored.out.contains("\u{1B}[1;32m+ "), colored.out)
        XCTAssertTrue(colored.out.contains("\u{1B}[1;31m- "), colored.out)
        // Without the escapes the text is the same.
        XCTAssertEqual(colored.out.replacingOccurrences(of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression), plain.out)
    }
}
