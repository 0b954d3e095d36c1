@testable import AuditRules
import Foundation
import Syscalls
import XCTest

/// `check` of several inputs and rules.d directories read a chunk of lines at a time
/// (`DriftCheck(paths:)`) reports what the whole read (`DriftCheck(source:)`) reports: the same
/// text, JSON, plan and warnings, the lines of the rules reported read again from their files.
final class DriftCheckInputsTests: XCTestCase {
    static let target = DriftLoaderRefusalTests.target

    /// A rules.d directory (DirectoryMergeTests' without its file that is not rules) and a file
    /// with a parser error, an unloadable line, an arch-less rule, a repeat of a directory's line.
    static func makeInputs() throws -> (dir: String, file: String) {
        let dir = try DirectoryMergeTests.makeDirectory()
        try FileManager.default.removeItem(atPath: dir + "/30-text.rules")
        let file = dir + ".extra.rules"
        let text = "-a always,exit -F arch=b64 -S unlink -k x1\n-a always,exit -S nosuchcall -k bad\n"
            + DriftLoaderRefusalTests.rules + "-a always,exit -S chmod -F auid>=1000 -k perm\n-w /etc/passwd -p wa -k p\n"
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        return (dir, file)
    }

    private struct Outcome: Equatable {
        var text: String, json: String, plan: RulesText, warnings: [String]
    }

    private func outcome(_ check: DriftCheck, _ loaded: DriftCheck.Loaded) throws -> Outcome {
        let o = try check.compare(with: loaded)
        return Outcome(text: o.formatter.text(o.report, subject: "s"), json: try o.formatter.json(o.report, subject: "s", warnings: o.warnings),
                       plan: o.planText, warnings: o.warnings)
    }

    func testSeveralInputsReportAsTheWholeRead() throws {
        let (dir, file) = try Self.makeInputs()
        defer {
            try? FileManager.default.removeItem(atPath: dir)
            try? FileManager.default.removeItem(atPath: file)
        }
        let options = Self.target.parseOptions
        for paths in [[file, dir], [dir, file, dir + "/10-a.rules"], [dir + "/20-b.rules", dir + "/missing.rules", file]] {
            let whole = DriftCheck(source: RuleInputs.load(paths: paths, options: options), target: Self.target)
            let chunked = try XCTUnwrap(DriftCheck(paths: paths, options: options, target: Self.target), "\(paths)")
            try assertSameReports(chunked, whole, "\(paths)")
        }
    }

    /// In sync; rules missing, one changed and two swapped; an extra rule; no rules at all: the
    /// same text, JSON, plan and warnings, and the same plan made on the check's slots.
    private func assertSameReports(_ chunked: DriftCheck, _ whole: DriftCheck, _ label: String) throws {
        let rules = whole.compiled.rules
        var drifted = Array(rules.dropFirst(3).prefix(40))
        if drifted.count > 5 {
            drifted.swapAt(1, 2)
            drifted[5].fields.removeLast()
        }
        drifted += rules.prefix(1)
        for held in [rules, drifted, []] {
            let loaded = DriftCheck.Loaded.kernel(rules: held, status: AuditStatus(enabled: 1, backlogLimit: 320))
            XCTAssertEqual(try outcome(chunked, loaded), try outcome(whole, loaded), "\(label), \(held.count) held")
            // The plan made on the check's slots is the plan of the rules made whole.
            let o = try chunked.compare(with: loaded), writer = RulesFileWriter(target: Self.target)
            XCTAssertEqual(ReconcilePlan.commands(expected: o.expectedRules, actual: o.actualRules, report: o.report, render: writer.line(for:)),
                           ReconcilePlan.commands(expected: o.expected, actual: o.actual, report: o.report, render: writer.line(for:)))
        }
        XCTAssertEqual(chunked.fileOrder, whole.fileOrder, label)
    }

    /// A FIFO fed `text` by another thread once something opens it for reading.
    private static func feed(_ fifo: String, _ text: String) {
        let bytes = Array(text.utf8)
        Thread.detachNewThread {
            let fd = open(fifo, O_WRONLY | O_CLOEXEC)
            guard fd >= 0 else { return }
            var done = 0
            while done < bytes.count {
                let n = bytes[done...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                guard n > 0 else { break }
                done += n
            }
            close(fd)
        }
    }

    /// A pipe among several inputs is compiled a chunk of lines at a time too, copied as it is
    /// read (it was read whole): the report of the whole read, the lines reported quoted from the
    /// copy; one that is not rules is read whole again from its copy.
    func testPipeAmongSeveralInputsReportsAsTheWholeRead() throws {
        let (dir, file) = try Self.makeInputs()
        let fifo = dir + ".fifo"
        defer {
            try? FileManager.default.removeItem(atPath: dir)
            try? FileManager.default.removeItem(atPath: file)
            try? FileManager.default.removeItem(atPath: fifo)
        }
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        let options = Self.target.parseOptions
        let rules = try String(contentsOfFile: file, encoding: .utf8), notRules = "hello there\nthis is\nnot rules at all\n"
        // The directory's `-D` deletes the rules before it: only the second reports the pipe's.
        for (paths, text) in [([fifo, dir], rules), ([dir + "/20-b.rules", fifo, file], rules), ([file, fifo], notRules)] {
            Self.feed(fifo, text)
            let whole = DriftCheck(source: RuleInputs.load(paths: paths, options: options), target: Self.target)
            Self.feed(fifo, text)
            let chunked = try XCTUnwrap(DriftCheck(paths: paths, options: options, target: Self.target), "\(paths)")
            try assertSameReports(chunked, whole, "\(paths)")
            // Not rules: read whole again, from the copy.
            XCTAssertEqual(chunked.spools.isEmpty, text == notRules)
            if paths.count == 3 {
                let json = try outcome(chunked, .kernel(rules: [], status: AuditStatus())).json
                XCTAssertTrue(json.contains("\"file\" : \"\(fifo)\""), json)
                XCTAssertTrue(json.contains("\"text\" : \"-a always,exit -S chmod -F auid>=1000 -k perm\""), json)
            } else if text == notRules {
                XCTAssertTrue(try outcome(chunked, .kernel(rules: [], status: AuditStatus())).text.contains("not an audit rules file"))
            }
        }
    }

    /// Two inputs of one name that cannot be read twice are left to the whole read.
    func testStandardInputTwiceIsReadWhole() throws {
        let dir = try DirectoryMergeTests.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        XCTAssertNil(DriftCheck(paths: ["-", dir + "/10-a.rules", "-"], options: Self.target.parseOptions, target: Self.target))
        XCTAssertNotNil(DriftCheck(paths: [dir + "/10-a.rules", dir + "/20-b.rules"], options: Self.target.parseOptions, target: Self.target))
    }

    /// A reported line changed since it was compiled is not quoted from the file.
    func testAChangedFileIsNotQuoted() throws {
        let (dir, file) = try Self.makeInputs()
        defer {
            try? FileManager.default.removeItem(atPath: dir)
            try? FileManager.default.removeItem(atPath: file)
        }
        let check = try XCTUnwrap(DriftCheck(paths: [dir, file], options: Self.target.parseOptions, target: Self.target))
        let loaded = DriftCheck.Loaded.kernel(rules: [], status: AuditStatus())
        XCTAssertTrue(try outcome(check, loaded).json.contains("-a always,exit -S chmod -F auid>=1000 -k perm"))
        try Data("-a always,exit -S chmod -F auid>=1000 -k perm\n".utf8).write(to: URL(fileURLWithPath: file))
        XCTAssertFalse(try outcome(check, loaded).json.contains("-a always,exit -S chmod -F auid>=1000 -k perm"))
    }
}
