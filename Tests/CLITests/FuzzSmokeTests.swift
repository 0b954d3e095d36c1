import Foundation
import XCTest

/// A short run of every libFuzzer target in Fuzz/ (a few seconds each, on a fresh corpus from the
/// seeds): none may crash, hang or trip a sanitizer. The long runs are in Benchmarks/RESULTS.md.
/// Skipped, with the reason, when the toolchain cannot build a fuzzer.
final class FuzzSmokeTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let seconds = 3

    func script(_ name: String, _ args: [String], environment extra: [String: String] = [:]) throws -> (status: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = [Self.root.appendingPathComponent("Fuzz/" + name).path] + args
        var environment = ProcessInfo.processInfo.environment
        // Unoptimized: the build is several times faster, and a few seconds need no speed.
        environment["FUZZ_OPT"] = "-Onone"
        for (k, v) in extra { environment[k] = v }
        p.environment = environment
        // libFuzzer writes a line per new input: files, not pipes, so nothing waits on a reader.
        let outPath = NSTemporaryDirectory() + "aurules-fuzz-\(getpid())-out", errPath = outPath + "-err"
        FileManager.default.createFile(atPath: outPath, contents: nil)
        FileManager.default.createFile(atPath: errPath, contents: nil)
        defer { unlink(outPath); unlink(errPath) }
        p.standardOutput = FileHandle(forWritingAtPath: outPath)
        p.standardError = FileHandle(forWritingAtPath: errPath)
        p.standardInput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        let o = FileManager.default.contents(atPath: outPath) ?? Data()
        let e = FileManager.default.contents(atPath: errPath) ?? Data()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    func testEveryFuzzTargetRunsWithoutFindings() throws {
        if ProcessInfo.processInfo.environment["AURULES_SKIP_FUZZ"] != nil {
            throw XCTSkip("AURULES_SKIP_FUZZ is set")
        }
        let build = try script("build.sh", [])
        if build.status == 3 { throw XCTSkip("the toolchain cannot build libFuzzer targets: \(build.out)") }
        XCTAssertEqual(build.status, 0, "Fuzz/build.sh failed:\n\(build.err.suffix(4000))")
        guard build.status == 0 else { return }
        let targets = try script("run.sh", ["list"]).out.split(separator: "\n").map(String.init)
        XCTAssertEqual(Set(targets), ["ParserLowering", "FmtRoundTrip", "SavedListing", "TablesReader", "HeaderPreprocessor"])
        for target in targets {
            let corpus = NSTemporaryDirectory() + "aurules-fuzz-smoke-\(getpid())-\(target)"
            defer { try? FileManager.default.removeItem(atPath: corpus) }
            let r = try script("run.sh", [target, String(Self.seconds)], environment: ["FUZZ_CORPUS": corpus])
            XCTAssertEqual(r.status, 0, "\(target) found something:\n\(r.err.suffix(6000))")
            // libFuzzer's closing statistics say it ran; nothing was reported on the way.
            XCTAssertTrue(r.err.contains("stat::number_of_executed_units"), "\(target) did not finish:\n\(r.err.suffix(3000))")
            XCTAssertFalse(r.err.contains("ERROR: AddressSanitizer"), "\(target):\n\(r.err.suffix(6000))")
            let runs = r.err.split(separator: "\n").first { $0.hasPrefix("stat::number_of_executed_units") }
            print("fuzz smoke: \(target): \(runs ?? "?") in \(Self.seconds) s")
        }
    }
}
