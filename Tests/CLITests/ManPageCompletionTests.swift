import Foundation
import XCTest

/// The man page is generated from the CLI and passes mandoc's lint; the completions complete
/// paths and option values (bash driven for real, zsh and fish by their scripts).
final class ManPageTests: XCTestCase {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func testManPageIsCurrent() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") else { throw XCTSkip("python3 is absent") }
        let r = try AurulesProcess.run("/usr/bin/python3", [Self.repo.appendingPathComponent("scripts/generate-manpage").path, "--check", AurulesProcess.binary])
        XCTAssertEqual(r.status, 0, "docs/aurules.1 differs from the CLI: run scripts/generate-manpage\n" + r.err)
    }

    func testMandocLintHasNoMessages() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/mandoc") else { throw XCTSkip("mandoc is absent (apt-get install mandoc)") }
        let page = Self.repo.appendingPathComponent("docs/aurules.1").path
        let r = try AurulesProcess.run("/usr/bin/mandoc", ["-T", "lint", page])
        // Only the local manual database may be mentioned (it is not built on every machine).
        let messages = (r.out + r.err).split(separator: "\n").filter { !$0.contains("mandoc.db") }
        XCTAssertEqual(messages, [], "mandoc -T lint")
        let text = try String(contentsOfFile: page, encoding: .utf8)
        for section in [".Sh EXIT STATUS", ".Sh FILES", ".Sh SEE ALSO", ".Sh EXAMPLES"] { XCTAssertTrue(text.contains(section), section) }
        for ref in ["auditctl 8", "augenrules 8", "ausyscall 8", "audit.rules 7"] { XCTAssertTrue(text.contains(".Xr \(ref)"), ref) }
        for command in ["lint", "compile", "check", "apply", "fmt", "syscall"] {
            XCTAssertTrue(text.contains(".Ss aurules \(command)\n"), command)
        }
        // Every command that states its exit status has it under EXIT STATUS.
        let exitStatus = text.components(separatedBy: ".Sh EXIT STATUS")[1].components(separatedBy: ".Sh ")[0]
        XCTAssertTrue(exitStatus.contains(".It Nm lint"), exitStatus)
    }
}

final class CompletionTests: XCTestCase {
    /// Completes the words of `line` (the last one being typed) with the bash script, in `directory`.
    func bashComplete(_ words: [String], in directory: URL) throws -> [String] {
        let script = try LintCLI.run(["--generate-completion-script", "bash"]).out
        let file = directory.appendingPathComponent("completion.bash")
        try script.write(to: file, atomically: true, encoding: .utf8)
        let quoted = words.map { "'\($0)'" }.joined(separator: " ")
        let line = words.joined(separator: " ")
        let program = """
            source '\(file.path)'
            COMP_WORDS=(\(quoted)); COMP_CWORD=\(words.count - 1); COMP_LINE='\(line)'; COMP_POINT=${#COMP_LINE}
            _aurules aurules '\(words.last!)' '\(words[words.count - 2])'
            printf '%s\\n' "${COMPREPLY[@]}"
            """
        let r = try AurulesProcess.run("/bin/bash", ["-c", program], in: directory)
        return r.out.split(separator: "\n").map(String.init)
    }

    func testBashCompletesPathsAndValues() throws {
        guard FileManager.default.isExecutableFile(atPath: "/bin/bash") else { throw XCTSkip("bash is absent") }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("aurules-compl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("rules.d"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        FileManager.default.createFile(atPath: dir.appendingPathComponent("alpha.rules").path, contents: Data())
        XCTAssertEqual(try bashComplete(["aurules", "lint", "--format", ""], in: dir), ["text", "json", "sarif", "github"])
        XCTAssertEqual(try bashComplete(["aurules", "lint", "al"], in: dir), ["alpha.rules"])
        XCTAssertEqual(try bashComplete(["aurules", "compile", "-o", "al"], in: dir), ["alpha.rules"])
        XCTAssertEqual(try bashComplete(["aurules", "check", "--loaded", "al"], in: dir), ["alpha.rules"])
        XCTAssertEqual(try bashComplete(["aurules", "compile", "--machine", "aa"], in: dir), ["aarch64"])
        XCTAssertEqual(try bashComplete(["aurules", "lint", "--explain", "AUR50"], in: dir).first, "AUR501")
        XCTAssertEqual(try bashComplete(["aurules", "lint", "--tables", "rul"], in: dir), ["rules.d"])
        XCTAssertTrue(try bashComplete(["aurules", "compile", "--audit-version", ""], in: dir).contains("3.0.9"))
    }

    func testZshAndFishScriptsCompletePathsAndValues() throws {
        let zsh = try LintCLI.run(["--generate-completion-script", "zsh"]).out
        XCTAssertTrue(zsh.contains("'*:paths:_files'"), "zsh: lint's paths")
        XCTAssertTrue(zsh.contains(":DIR:_files -/"), "zsh: --tables a directory")
        XCTAssertTrue(zsh.contains("github"), "zsh: --format values")
        let fish = try LintCLI.run(["--generate-completion-script", "fish"]).out
        XCTAssertTrue(fish.contains("github") && fish.contains("aarch64") && fish.contains("AUR502"), "fish: values")
        XCTAssertTrue(fish.contains("-l 'tables'") && fish.contains("-rfa '(__aurules_complete_directories)'"), "fish: --tables a directory")
    }
}

/// `.pre-commit-hooks.yaml`: the aurules-lint hook runs `entry` on the staged .rules files.
final class PreCommitHookTests: XCTestCase {
    func testLintHookRunsItsEntry() throws {
        let file = ManPageTests.repo.appendingPathComponent(".pre-commit-hooks.yaml").path
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") else { throw XCTSkip("python3 is absent") }
        let parsed = try AurulesProcess.run("/usr/bin/python3", ["-c", "import json,sys,yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))", file])
        guard parsed.status == 0 else { throw XCTSkip("python3 has no yaml module: \(parsed.err)") }
        let hooks = try JSONSerialization.jsonObject(with: Data(parsed.out.utf8)) as? [[String: Any]] ?? []
        let lint = try XCTUnwrap(hooks.first { $0["id"] as? String == "aurules-lint" })
        XCTAssertEqual(lint["language"] as? String, "system")
        let pattern = try XCTUnwrap(lint["files"] as? String)
        XCTAssertNotNil("rules.d/10-base.rules".range(of: pattern, options: .regularExpression))
        XCTAssertNil("README.md".range(of: pattern, options: .regularExpression))
        // The entry, with the staged files appended as pre-commit does.
        var entry = (lint["entry"] as? String ?? "").split(separator: " ").map(String.init)
        XCTAssertEqual(entry.first, "aurules")
        entry.removeFirst()
        let bad = try LintCLI.temporaryFile("-w relative\n")
        let good = try LintCLI.temporaryFile("-w /etc/passwd -p wa -k identity\n")
        XCTAssertEqual(try LintCLI.run(entry + [good]).status, 0)
        XCTAssertEqual(try LintCLI.run(entry + [good, bad]).status, 1)
    }
}
