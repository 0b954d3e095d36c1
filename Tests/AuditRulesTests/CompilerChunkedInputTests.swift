@testable import AuditRules
import Foundation
import Syscalls
import XCTest

/// A file compiled a few lines at a time gives exactly what the whole file gives: the same
/// rules with the same provenance, the same diagnostics at the same places.
final class CompilerChunkedInputTests: XCTestCase {
    func testChunksEqualWholeFile() throws {
        let text = """
        -D
        -b 8192
        -a always,exit -S open,openat -F auid>=1000 -k a
        # a comment
        -w /etc/hosts -p wa -k hosts

        -a always,exit -F arch=b64 -S stime -k dropped-on-x86_64
        -a always,exit -F arch=b64 -S nosuchcall -k bad
        -A always,exit -F arch=b32 -S chown32 -k prepended
        -a always,exit -S open,openat -F auid>=1000 -k a
        -W /etc/hosts -p wa -k hosts
        -e 1
        """
        let target = RuleBuilder.target(.x86_64)
        let options = ParseOptions(resolver: HostUserResolver(), hostMachine: .x86_64)
        let whole = RuleParser.parse(text: RulesText(text), file: "f.rules", options: options)
        let expected = Compiler(target: target).compile(whole)
        for chunk in [1, 2, 3, 5] {
            let session = CompileSession(target: target)
            let parseDiagnostics = ChunkedInput.compile(Data(text.utf8), file: "f.rules", options: options, into: session, linesPerChunk: chunk)
            let got = session.finish()
            XCTAssertEqual(parseDiagnostics, whole.diagnostics, "chunk \(chunk)")
            XCTAssertEqual(got.rules, expected.rules, "chunk \(chunk)")
            XCTAssertEqual(got.rules.map(\.provenance), expected.rules.map(\.provenance), "chunk \(chunk)")
            XCTAssertEqual(got.diagnostics, expected.diagnostics, "chunk \(chunk)")
            XCTAssertEqual(got.settings.map(\.setting), expected.settings.map(\.setting))
            XCTAssertEqual(got.deleteAll, expected.deleteAll)
        }
        // Read from a file in blocks that split lines anywhere.
        let path = NSTemporaryDirectory() + "aurules-chunk-test-\(getpid()).rules"
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
        defer { unlink(path) }
        for block in [1, 7, 64] {
            let session = CompileSession(target: target)
            let d = ChunkedInput.compile(path: path, options: options, into: session, linesPerChunk: 2, blockSize: block)
            XCTAssertEqual(d?.map(\.location), whole.diagnostics.map { SourceLocation(file: path, line: $0.location.line, column: $0.location.column) })
            let got = session.finish()
            XCTAssertEqual(got.rules, expected.rules, "block \(block)")
            XCTAssertEqual(got.rules.map { $0.provenance?.line }, expected.rules.map { $0.provenance?.line }, "block \(block)")
        }
        XCTAssertFalse(whole.diagnostics.isEmpty, "the input has a parse error to relocate")
        XCTAssertFalse(expected.diagnostics.isEmpty, "and compile warnings")
    }
}
