@testable import AuditRules
import Foundation
import Syscalls
import XCTest

/// `check` against an empty kernel reports every rule of the files: the report names the missing
/// rules in the check's arena (`MissingRules`), their lines are read again a window at a time
/// (`SourceQuotes`), and the text, JSON and plan are written in pieces, each what the whole is.
final class DriftStreamingTests: XCTestCase {
    static let target = DriftLoaderRefusalTests.target
    static let status = AuditStatus(enabled: 1, backlogLimit: 320)

    /// `count` lines of several lists: explicit and arch-less syscall rules, `-A` rules, watches,
    /// the user and exclude lists, settings, comments and blank lines.
    static func rulesText(_ count: Int, seed: UInt64) -> String {
        var state = seed
        func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
        var out = "-D\n-b 8192\n-a always,exclude -F msgtype=CWD\n"
        for i in 0 ..< count {
            switch next(9) {
            case 0: out += "-a always,exit -F arch=b64 -S openat -F auid>=\(1000 + i) -k open\(i)\n"
            case 1: out += "-A always,exit -F arch=b64 -S kill -F uid=\(i) -k kill\(i)\n"
            case 2: out += "-w /etc/aurules-stream/f\(i) -p wa -k w\(i)\n"
            case 3: out += "-a always,exit -S unlink -S rename -F uid=\(i)\n"
            case 4: out += "-a always,user -F uid=\(i)\n"
            case 5: out += "# comment \(i)\n\n"
            case 6: out += "-a never,exit -F arch=b32 -S chmod -F gid=\(i)\r\n"
            case 7: out += "-A always,exit -F arch=b32 -S chown -F euid=\(i) -k chown\(i)\n"
            default: out += "-a always,exit -F arch=b64 -S execve -F key=exec\(i)\n"
            }
        }
        return out
    }

    private func makeFile(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "/aurules-drift-stream-\(getpid())-\(UInt32.random(in: 0 ... .max)).rules"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// The checks of one file: read a chunk at a time (no line text kept) and read whole.
    private func checks(_ path: String) throws -> (chunked: DriftCheck, whole: DriftCheck) {
        let options = Self.target.parseOptions
        let chunked = try XCTUnwrap(DriftCheck(paths: [path], options: options, target: Self.target))
        return (chunked, DriftCheck(source: RuleInputs.load(paths: [path], options: options), target: Self.target))
    }

    /// The report of a check holds references into its arena, made whole (their lines read again
    /// from the file) when read: rule for rule, line for line, what the whole read reports.
    func testMissingRulesAreReferencesMadeWholeWhenRead() throws {
        let path = try makeFile(Self.rulesText(3000, seed: 7))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (chunked, whole) = try checks(path)
        let empty = DriftCheck.Loaded.kernel(rules: [], status: Self.status)
        let c = try chunked.compare(with: empty).report, w = try whole.compare(with: empty).report
        XCTAssertTrue(c.missing.isStored)
        XCTAssertTrue(w.missing.isStored)
        XCTAssertGreaterThan(c.missing.count, 2000)
        XCTAssertEqual(c.missing.count, w.missing.count)
        let read = Array(c.missing), wholeRead = Array(w.missing)
        XCTAssertEqual(read.map(\.rule), wholeRead.map(\.rule))
        XCTAssertEqual(read.map(\.rule.provenance), wholeRead.map(\.rule.provenance))
        XCTAssertEqual(read.map(\.expectedPosition), wholeRead.map(\.expectedPosition))
        XCTAssertFalse(read.contains { $0.rule.provenance?.text.isEmpty ?? true }, "every line quoted")
        // One at a time, in any order, the same.
        for i in [0, c.missing.count - 1, c.missing.count / 2, 1, 17] {
            XCTAssertEqual(c.missing[i].rule.provenance, wholeRead[i].rule.provenance)
            XCTAssertEqual(c.missing[i].rule, wholeRead[i].rule)
        }
        // The text report shows no line: none is read for it.
        XCTAssertEqual(c.missing.unquoted(0).rule.provenance?.text, RulesText())
    }

    /// The JSON document written in pieces is byte for byte the document encoded whole, against
    /// an empty kernel, a partial one and one holding every rule; the text comes in whole lines.
    func testStreamedOutputIsTheWholeOutput() throws {
        let path = try makeFile(Self.rulesText(3000, seed: 11))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (chunked, whole) = try checks(path)
        let rules = whole.compiled.rules
        var partial = Array(rules.dropFirst(5).prefix(2000))
        partial.swapAt(3, 4)
        partial[10].fields.removeLast()
        for (label, held) in [("empty", [KernelRule]()), ("partial", partial), ("all", rules)] {
            for (kind, check) in [("chunked", chunked), ("whole", whole)] {
                let o = try check.compare(with: .kernel(rules: held, status: Self.status))
                let f = o.formatter
                var pieces: [String] = []
                try f.json(o.report, subject: "s", warnings: o.warnings) { pieces.append($0) }
                XCTAssertEqual(pieces.joined(), f.wholeJSON(o.report, subject: "s", warnings: o.warnings), "\(label), \(kind)")
                XCTAssertNotNil(try? JSONSerialization.jsonObject(with: Data(pieces.joined().utf8)), "\(label), \(kind)")
                if label == "empty" { XCTAssertGreaterThan(pieces.count, 2, "\(kind): written in pieces") }

                var lines: [String] = []
                f.text(o.report, subject: "s") { lines.append($0) }
                XCTAssertTrue(lines.allSatisfy { $0.hasSuffix("\n") }, "\(label), \(kind): whole lines")
                if label == "empty" { XCTAssertGreaterThan(lines.count, 2, "\(kind): written in pieces") }
                let text = lines.joined()
                XCTAssertEqual(text.split(separator: "\n").filter { $0.hasPrefix("+ ") }.count, o.report.missing.count)

                var plan: [UInt8] = [], planPieces = 0
                o.writePlan { plan += $0; planPieces += 1 }
                let writer = RulesFileWriter(target: o.target)
                let commands = ReconcilePlan.commands(expected: o.expected, actual: o.actual, report: o.report, render: writer.line(for:))
                let expected = commands.isEmpty ? RulesText("# nothing to do: the kernel matches the files\n")
                    : RulesText(commands.flatMap { Array($0) + [0x0A] })
                XCTAssertEqual(RulesText(plan), expected, "\(label), \(kind)")
                if label == "empty" { XCTAssertGreaterThan(planPieces, 1, "\(kind): written in pieces") }
            }
        }
    }

    /// The lines read again a window at a time are the lines `InputFile.lines` reads: CRLF, blank
    /// lines, a line longer than the cap, a last line without its newline; forwards, backwards,
    /// across windows and blocks; none once the file changed.
    func testReaderReadsTheLinesInputFileReads() throws {
        var text = "-w /a -p r\r\n\n# c\n" + String(repeating: "x", count: InputFile.maxKeptLineBytes + 100) + "\n"
        for i in 0 ..< 200 { text += "-a always,exit -S open -F uid=\(i)\(i % 7 == 0 ? "\r" : "")\n" }
        text += "-w /last -p wa"
        let path = try makeFile(text)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let identity = try XCTUnwrap(InputFile.Identity(path: path))
        // By bytes: a String takes CR LF for one character.
        let count = text.utf8.split(separator: 0x0A, omittingEmptySubsequences: false).count
        // What the whole read gives, each line wanted with the hash of what it holds.
        var all: [Int: RulesText] = [:]
        var reader = SourceQuotes.Reader(linesPerWindow: 1_000_000)
        for n in 1 ... count { all[n] = reader.line(n, of: path, identity: identity) }
        let expected = try XCTUnwrap(InputFile.lines(all.mapValues { InputFile.lineHash($0) }, of: path, identity: identity))
        XCTAssertEqual(expected.count, count)
        XCTAssertEqual(all, expected)
        XCTAssertEqual(all[4]?.count, InputFile.maxKeptLineBytes)
        XCTAssertEqual(all[1], RulesText("-w /a -p r"))
        XCTAssertEqual(all[count], RulesText("-w /last -p wa"))

        var state: UInt64 = 3
        let orders: [[Int]] = [Array(1 ... count), Array((1 ... count).reversed()), (0 ..< 300).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(count)) + 1
        }]
        for (window, block) in [(1, 1 << 16), (3, 4099), (16, 1 << 20), (64, 100)] {
            for order in orders {
                var r = SourceQuotes.Reader(linesPerWindow: window, blockSize: block)
                for n in order { XCTAssertEqual(r.line(n, of: path, identity: identity), expected[n], "line \(n), window \(window), block \(block)") }
                XCTAssertNil(r.line(count + 1, of: path, identity: identity))
            }
        }
        // A file changed since it was compiled gives no line.
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data("\n".utf8))
        handle.closeFile()
        var changed = SourceQuotes.Reader(linesPerWindow: 4)
        XCTAssertNil(changed.line(1, of: path, identity: identity))
    }
    /// The missing rules of an input that cannot be read twice (a FIFO here, standard input
    /// alike) are quoted from its copy a window at a time, as a file's are (no table of every
    /// line, which took a 200 MB input past 1 GiB): line for line what the whole read quotes.
    /// A copy cut short by its cap says so once; the lines past it are shown without text.
    func testCopyOfAPipeIsQuotedAWindowAtATime() throws {
        let fifo = NSTemporaryDirectory() + "/aurules-drift-stream-\(getpid())-\(UInt32.random(in: 0 ... .max)).fifo"
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        defer { try? FileManager.default.removeItem(atPath: fifo) }
        let text = Self.rulesText(3000, seed: 5)
        func feed() {
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
        let options = Self.target.parseOptions
        let empty = DriftCheck.Loaded.kernel(rules: [], status: Self.status)
        feed()
        let whole = try DriftCheck(source: RuleInputs.load(paths: [fifo], options: options), target: Self.target).compare(with: empty)
        let expected = Array(whole.report.missing)
        XCTAssertGreaterThan(expected.count, 2000)
        XCTAssertFalse(expected.contains { $0.rule.provenance?.text.isEmpty ?? true }, "every line quoted")

        feed()
        let chunked = try XCTUnwrap(DriftCheck(paths: [fifo], options: options, target: Self.target))
        XCTAssertEqual(chunked.spools.count, 1)
        let o = try chunked.compare(with: empty)
        XCTAssertEqual(o.report.missing.quotes?.copies.count, 1, "read from the copy when the report is read")
        let read = Array(o.report.missing)
        XCTAssertEqual(read.map(\.rule.provenance), expected.map(\.rule.provenance))
        XCTAssertEqual(read.map(\.rule), expected.map(\.rule))
        XCTAssertEqual(o.report.missing[read.count - 1].rule.provenance, expected[read.count - 1].rule.provenance)
        XCTAssertFalse(o.warnings.contains { $0.contains("larger than the copy") }, "\(o.warnings)")

        // Capped at 16 KiB (whole chunks of lines): the rules of the lines copied are quoted,
        // none after them.
        setenv("AURULES_SPOOL_LIMIT", "16384", 1)
        defer { unsetenv("AURULES_SPOOL_LIMIT") }
        feed()
        let capped = try XCTUnwrap(DriftCheck(paths: [fifo], options: options, target: Self.target)).compare(with: empty)
        XCTAssertEqual(capped.warnings.filter { $0.contains("is larger than the copy kept of it (16384 bytes") }.count, 1, "\(capped.warnings)")
        let cappedRead = Array(capped.report.missing)
        XCTAssertEqual(cappedRead.map(\.rule), expected.map(\.rule))
        var quotedLines: [Int] = [], unquotedLines: [Int] = []
        for (m, e) in zip(cappedRead, expected) {
            if m.rule.provenance?.text.isEmpty ?? true {
                unquotedLines.append(e.rule.provenance!.line)
            } else {
                XCTAssertEqual(m.rule.provenance, e.rule.provenance)
                quotedLines.append(e.rule.provenance!.line)
            }
        }
        XCTAssertFalse(quotedLines.isEmpty)
        XCTAssertFalse(unquotedLines.isEmpty)
        XCTAssertLessThan(quotedLines.max()!, unquotedLines.min()!)
    }
    /// A value the encoder refuses is an error, thrown before anything is written in its place:
    /// what was written is the start of the document, and nothing follows it.
    func testRefusedValueIsAnErrorNotAPiece() throws {
        let path = try makeFile(Self.rulesText(3000, seed: 13))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let o = try checks(path).chunked.compare(with: .kernel(rules: [], status: Self.status))
        let whole = o.formatter.wholeJSON(o.report, subject: "s", warnings: o.warnings)
        for refused in [1, 2, 3] {
            var pieces: [String] = [], calls = 0
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            encoder.keyEncodingStrategy = .convertToSnakeCase
            // Refuses the value of its `refused`th call.
            func encode(_ value: any Encodable) throws -> Data {
                calls += 1
                if calls == refused { throw EncodingError.invalidValue(value, .init(codingPath: [], debugDescription: "refused")) }
                return try encoder.encode(value)
            }
            XCTAssertThrowsError(try o.formatter.json(o.report, subject: "s", warnings: o.warnings, encode: encode) { pieces.append($0) }, "call \(refused)")
            // The document's head, then one batch of missing rules per call before the refused one.
            XCTAssertEqual(pieces.count, refused == 1 ? 0 : refused - 1, "call \(refused)")
            XCTAssertTrue(whole.hasPrefix(pieces.joined()), "call \(refused)")
        }
    }
}
