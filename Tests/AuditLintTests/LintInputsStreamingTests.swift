@testable import AuditLint
import AuditRules
import Foundation
import Syscalls
import XCTest

/// Several inputs and rules.d directories linted file by file, a chunk of lines at a time
/// (`LintRun.lint(paths:)`), against the whole read they replace: `RuleInputs.load` of them all
/// added at once. Statements the merge moves (the last -D, -b, -f first, the last -e at the
/// end) keep their suppressions; findings made at the end quote lines read again from the files.
final class LintInputsStreamingTests: XCTestCase {
    typealias S = LintStreamingTests

    func directory(_ files: [(String, String)]) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lintinputs-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        for (name, text) in files { try Data(text.utf8).write(to: URL(fileURLWithPath: dir + "/" + name)) }
        return dir
    }

    func assertSame(_ paths: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        for limit in [0, 2, 100] {
            let whole = LintRun(context: S.context, limit: limit)
            whole.add(RuleInputs.load(paths: paths, options: S.options))
            let expected = S.outcome(whole.finish())
            for n in [1, 3, 2048] {
                let report = try XCTUnwrap(LintRun.lint(paths: paths, options: S.options, context: S.context, limit: limit, linesPerChunk: n),
                                           file: file, line: line)
                XCTAssertEqual(S.outcome(report), expected, "\(paths), \(n) lines a chunk, limit \(limit)", file: file, line: line)
            }
        }
    }

    func testDirectoriesAndSeveralFilesLintAsWhole() throws {
        let dir = try directory([
            ("10-x.rules", "# aurules: disable=AUR002\n-b 320\r\n-a always,exit -S open -k a\n# aurules: disable=AUR001\n-D\n"
                + "-a always,exit -S openat -k b\n# aurules: disable=AUR002\n-f 1\r\n-w /etc/a -p wa\n-a always,exit -F arch=b64 -S open -k a\n"),
            ("20-y.rules", "-w /etc/hosts -p wa\n# aurules: disable=AUR002\n-e 1\r\n-D\n# aurules: disable=AUR001\n-a always,exit -S chmod\n"
                + "-a never,exit -F arch=b64 -S all\n-a always,exit -F arch=b64 -S openat -F key=z\n-w /etc/last -p wa"),
            ("30-text.rules", "hello there\nthis is\nnot rules\nat all\n-e 2\n"),
            ("40-z.rules", "-w /etc/hosts2 -p wa\n# aurules: disable=AUR507\n-b 1\r\n" + (0 ..< 40).map { "-w /etc/f\($0) -p wa -k k\n" }.joined()),
        ])
        let other = try directory([("a.rules", "-w /etc/hosts -p wa\n-a always,exit -F arch=b64 -S open -k a\n-e 2\n-w /etc/after -p wa\n"),
                                   ("b.rules", "-a always,exit -F arch=b64 -S open -k a\n-D\n")])
        try assertSame([dir])
        try assertSame([dir, other + "/a.rules"])
        try assertSame([other + "/a.rules", dir, other + "/b.rules"])
        try assertSame([other])
    }

    /// A file of a rules.d directory written between the merge's first pass (its control lines)
    /// and its second is not linted as a mix of both versions: it cannot be read as one.
    func testFileChangedBetweenThePassesIsUnreadable() throws {
        let dir = try directory([("10-a.rules", "-w /etc/first -p wa\n-e 1\n"), ("20-b.rules", "-w /etc/other -p wa\n")])
        let merge = DirectoryMerge(path: dir, options: S.options)
        try Data("-w /etc/second -p wa\n-e 2\n".utf8).write(to: URL(fileURLWithPath: dir + "/10-a.rules"))
        let run = LintRun(context: S.context, limit: 0)
        var reader = LintRun.InputReader(run: run, linesPerChunk: 2048)
        var sources: [String: LintRun.LineSource] = [:]
        reader.read(merge, sources: &sources)
        XCTAssertEqual(run.finish().unreadable.map(\.location.file), [dir + "/10-a.rules"])
    }

    /// A file read twice is read whole (the streamed report would count its repeated rules once
    /// more): nil, and the CLI falls back.
    func testRepeatedFileIsNil() throws {
        let other = try directory([("a.rules", "-w /etc/hosts -p wa\n")])
        XCTAssertNil(LintRun.lint(paths: [other + "/a.rules", other + "/a.rules"], options: S.options, context: S.context, limit: 0))
        XCTAssertNil(LintRun.lint(paths: [other, other + "/a.rules"], options: S.options, context: S.context, limit: 0))
    }
}
