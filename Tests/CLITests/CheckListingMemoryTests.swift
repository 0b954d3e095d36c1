import Foundation
import XCTest

/// `check --loaded` reads the saved listing a block at a time (SavedListingReader): a large
/// listing on a pipe is not held in memory (read whole, a 48 MB one took more than 80 MB).
final class CheckListingMemoryTests: XCTestCase {
    private func bash(_ script: String, _ arguments: [String] = []) throws -> (status: Int32, out: String, err: String) {
        try AurulesProcess.run("/usr/bin/timeout", ["-s", "KILL", "300", "/bin/bash", "-c", script, AurulesProcess.binary] + arguments)
    }

    func testPipedListingIsNotReadWhole() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/time") else { throw XCTSkip("/usr/bin/time is not installed") }
        let dir = try temporaryDirectory("check-listing-memory")
        let rules = dir + "/r.rules"
        try "-a always,exit -F arch=b64 -S openat -F key=k\n".write(toFile: rules, atomically: true, encoding: .utf8)
        // The listing's one rule, then 48 MB of lines that hold no rule (one word each: no
        // rewriting to make them loadable).
        let r = try bash("{ echo '-a always,exit -F arch=b64 -S openat -F key=k'; "
                         + "yes '#a-line-long-enough-to-weigh-something-in-a-large-saved-listing-0123456789' | head -c 48M; echo; } "
                         + "| /usr/bin/time -f 'maxrss %M' \"$0\" check --loaded - --machine x86_64 --kernel 6.1 \"$1\"", [rules])
        XCTAssertEqual(r.status, 0, r.out + r.err)
        XCTAssertTrue(r.out.contains("In sync: 1 rules"), r.out)
        let kilobytes = try XCTUnwrap(r.err.split(separator: "\n").last { $0.hasPrefix("maxrss ") }.flatMap { Int($0.dropFirst(7)) })
        XCTAssertLessThan(kilobytes, 50_000, "check --loaded - kept the listing: \(kilobytes) KB")
    }
}
