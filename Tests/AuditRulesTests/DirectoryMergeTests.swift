@testable import AuditRules
import Foundation
import Syscalls
import XCTest

/// A rules.d directory read a file at a time (`DirectoryMerge`) gives what the whole merge
/// (`RuleInputs.load`) gives: the control lines moved and dropped as augenrules does, the same
/// rules, diagnostics and formatted text, with several inputs one after another.
final class DirectoryMergeTests: XCTestCase {
    /// Control lines in every file, indented, CR LF, unterminated last lines, a file that is not
    /// rules (its `-e` must not count), control lines past the first chunk, a file with errors,
    /// entries augenrules skips.
    static func makeDirectory() throws -> String {
        let dir = NSTemporaryDirectory() + "aurules-merge-\(getpid())-\(UInt32.random(in: 0 ... .max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let files: [(String, String)] = [
            ("10-a.rules", "-D\n-b 8192\n-a always,exit -F arch=b64 -S open -k a\n  -e 1\n-f 1\n-a always,exit -S nosuchcall -k bad\n"),
            ("2-first.rules", "-w /etc/passwd -p wa -k p\n-e 0"),
            ("20-b.rules", "-D\n-w /etc/hosts -p wa\n-b 320\r\n-e 2\n-a never,exit -F arch=b64 -S all\n-f 2\n-w /etc/y -p wa\r\n-w /etc/last -p wa"),
            ("30-text.rules", "hello there\nthis is\nnot rules\n-e 2\n-b 1\n"),
            ("40-big.rules", (0 ..< 5000).map { "-w /etc/f\($0) -p wa -k k\($0)\n" }.joined() + "-b 77\n -D\n-D -k x\n-e 1\n-f1\n"
                + (0 ..< 3000).map { "-a always,exit -S open -F auid=\($0)\n" }.joined() + "-e 1 -b 2\n"),
            ("50-last.rules", "-w /etc/z -p wa"),
        ]
        for (name, text) in files { try Data(text.utf8).write(to: URL(fileURLWithPath: dir + "/" + name)) }
        try FileManager.default.createDirectory(atPath: dir + "/60-dir.rules", withIntermediateDirectories: false)
        try FileManager.default.createSymbolicLink(atPath: dir + "/70-dangling.rules", withDestinationPath: "/nonexistent")
        return dir
    }

    func testStatementsAndDiagnosticsAreTheWholeMerge() throws {
        let dir = try Self.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let options = ParseOptions(resolver: nil, hostMachine: .x86_64)
        let whole = RuleInputs.load(paths: [dir], options: options)
        let merge = DirectoryMerge(path: dir, options: options)
        // The statements of one line move together.
        XCTAssertEqual(merge.leading.map(\.text), [" -D", "-b 77", "-f1"].map { RulesText($0) })
        XCTAssertEqual(merge.trailing.map(\.text), ["-e 1 -b 2", "-e 1 -b 2"])

        let target = RuleBuilder.target(.x86_64)
        let expected = CompileSession(target: target)
        expected.add(whole.statements)
        let wholeResult = expected.finish()
        for inputs in [[dir], [dir, dir + "/10-a.rules", dir]] {
            let session = CompileSession(target: target)
            let read = ChunkedInput.compile(inputs: inputs, options: options, into: session)
            let reference = RuleInputs.load(paths: inputs, options: options)
            XCTAssertEqual(read.diagnostics, reference.diagnostics, "\(inputs.count) inputs")
            XCTAssertEqual(read.filesRead, reference.filesRead, "\(inputs.count) inputs")
            XCTAssertFalse(read.readWhole)
            let got = session.finish()
            if inputs.count == 1 {
                XCTAssertEqual(got.rules, wholeResult.rules)
                XCTAssertEqual(got.rules.map(\.provenance), wholeResult.rules.map(\.provenance))
                XCTAssertEqual(got.diagnostics, wholeResult.diagnostics)
                XCTAssertEqual(got.settings.map(\.setting), wholeResult.settings.map(\.setting))
            }
            let referenceSession = CompileSession(target: target)
            referenceSession.add(reference.statements)
            XCTAssertEqual(got.rules, referenceSession.finish().rules, "\(inputs.count) inputs")
        }
        let formatted = RuleFormatter.format(directory: merge)
        XCTAssertEqual(formatted.text, RuleFormatter.format(whole))
        XCTAssertEqual(formatted.diagnostics, whole.diagnostics)
    }

    /// A file written between the first pass (its control lines) and the second (the rest) would
    /// be merged from two versions: its new rules with its old `-e`. That is an error instead.
    func testFileChangedBetweenThePassesIsAnError() throws {
        let dir = NSTemporaryDirectory() + "aurules-merge-changed-\(getpid())-\(UInt32.random(in: 0 ... .max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data("-w /etc/first -p wa\n-e 1\n".utf8).write(to: URL(fileURLWithPath: dir + "/10-a.rules"))
        try Data("-w /etc/other -p wa\n".utf8).write(to: URL(fileURLWithPath: dir + "/20-b.rules"))
        let options = ParseOptions(resolver: nil, hostMachine: .x86_64)
        let merge = DirectoryMerge(path: dir, options: options)
        XCTAssertNil(merge.changedSinceScanned(dir + "/10-a.rules"))
        try Data("-w /etc/second -p wa\n-e 2\n".utf8).write(to: URL(fileURLWithPath: dir + "/10-a.rules"))
        func changed(_ diagnostics: [Diagnostic]) -> [String] {
            diagnostics.filter { $0.code == RuleInputs.unreadableCode && $0.severity == .error }.map(\.location.file)
        }
        let session = CompileSession(target: RuleBuilder.target(.x86_64))
        var read = ChunkedInput.Inputs()
        ChunkedInput.compile(directory: merge, into: session, notesArchless: false, &read)
        XCTAssertEqual(changed(read.diagnostics), [dir + "/10-a.rules"])
        XCTAssertEqual(changed(RuleFormatter.format(directory: merge).diagnostics), [dir + "/10-a.rules"])
        XCTAssertNil(merge.changedSinceScanned(dir + "/20-b.rules"))
    }

    /// Only the lines that may be control lines are parsed past each file's first lines; a
    /// control word glued to its value (`-f1`), indented, or followed by more options is one.
    func testControlKinds() {
        func kind(_ line: String) -> RuleInputs.ControlKind? {
            let file = RuleParser.parse(text: RulesText(line + "\n"), file: "x", options: ParseOptions(resolver: nil))
            return file.statements.first.flatMap(RuleInputs.controlKind)
        }
        XCTAssertEqual(kind("-e 1"), .e)
        XCTAssertEqual(kind("  -e 1"), .e)
        XCTAssertEqual(kind("-D"), .D)
        XCTAssertNil(kind("-D -k x"))
        XCTAssertEqual(kind("-f1"), .f)
        XCTAssertEqual(kind("-b 1"), .b)
        XCTAssertNil(kind("-w /etc/hosts -p wa"))
        XCTAssertTrue(RuleInputs.mayBeControl(Array("  -b".utf8)))
        XCTAssertFalse(RuleInputs.mayBeControl(Array("\t-b".utf8)))
    }
}
