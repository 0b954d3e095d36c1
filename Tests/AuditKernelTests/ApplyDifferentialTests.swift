import AuditKernel
import AuditRules
import Foundation
import XCTest

/// `apply --dry-run` (text and JSON) of two builds, byte for byte (the seconds aside), over the
/// corpus and generated files, against several kernels (KernelSandbox: empty, the files loaded
/// by auditctl -R, the compiler's form of them, some rules missing, moved and foreign):
/// `scripts/differential-corpus` cannot cover apply, which reads the live kernel. Runs only
/// when AURULES_APPLY_BASELINE names the other build (`aurules` of main, say); the build under
/// test is AURULES_APPLY_CANDIDATE, else this package's.
final class ApplyDifferentialTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "aurules-apply-diff-\(getpid())-\(UInt32.random(in: 0 ... .max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Rules of every kind apply plans: arch-less and explicit syscall rules, watches, the
    /// exclude and user lists, settings; keys start with aurules-test (the sandbox's rule).
    static func generated(_ n: Int, variant: Int = 0) -> String {
        var lines = ["-D", "-b 8192"]
        for i in 0 ..< n {
            let k = "aurules-test-diff-\(i)"
            switch (i + variant * (i % 7 == 3 ? 1 : 0)) % 6 {
            case 0: lines.append("-w /etc/hosts -p \(["wa", "r", "x"][i % 3]) -k \(k)")
            case 1: lines.append("-a always,exit -S openat,creat -F auid>=\(1000 + i) -F auid!=unset -k \(k)")
            case 2: lines.append("-a always,exit -F arch=b64 -S execve -F uid=\(30000 + i) -F key=\(k)")
            case 3: lines.append("-a always,exit -F arch=b32 -S chmod,fchmod -F exit=-EACCES -k \(k)")
            case 4: lines.append("-a never,exclude -F msgtype=\(1300 + i % 40)")
            default: lines.append("-a always,user -F uid=\(40000 + i)")
            }
        }
        lines.append("-e 1")
        return lines.joined(separator: "\n") + "\n"
    }

    private func write(_ text: String, _ name: String) throws -> String {
        let path = directory + "/" + name
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw SandboxError("cannot write \(path)")
        }
        return path
    }

    /// Standard output, standard error and status, the seconds replaced by `S`. Both outputs go
    /// to files: a file of many errors fills a pipe read after the other.
    private func run(_ binary: String, _ arguments: [String]) throws -> String {
        let outPath = directory + "/out", errPath = directory + "/err"
        for path in [outPath, errPath] { FileManager.default.createFile(atPath: path, contents: nil) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["apply", "--dry-run", "--lock-file", directory + "/lock", "--allow-unsafe-permissions"] + arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle(forWritingAtPath: outPath)
        process.standardError = FileHandle(forWritingAtPath: errPath)
        try process.run()
        process.waitUntilExit()
        let status = process.terminationStatus
        let out = String(decoding: try Data(contentsOf: URL(fileURLWithPath: outPath)), as: UTF8.self)
        let err = String(decoding: try Data(contentsOf: URL(fileURLWithPath: errPath)), as: UTF8.self)
        let normalized = out.replacingOccurrences(of: #"\([0-9.]+ s\)"#, with: "(S s)", options: .regularExpression)
            .replacingOccurrences(of: #""seconds" : [0-9.e-]+"#, with: #""seconds" : S"#, options: .regularExpression)
        return "\(status)\n\(normalized)\n--- stderr\n\(err)"
    }

    func testDryRunOutputsEqualTheBaseline() throws {
        guard let baseline = ProcessInfo.processInfo.environment["AURULES_APPLY_BASELINE"] else {
            throw XCTSkip("AURULES_APPLY_BASELINE names no other build to compare with")
        }
        let candidate = try ProcessInfo.processInfo.environment["AURULES_APPLY_CANDIDATE"] ?? CheckKernelTests.aurulesPath()
        let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../shared/corpus/files").standardized.path
        var corpusFiles: [String] = []
        if let walk = FileManager.default.enumerator(atPath: corpus) {
            for case let relative as String in walk where !relative.hasPrefix(".") {
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: corpus + "/" + relative, isDirectory: &isDirectory), !isDirectory.boolValue {
                    corpusFiles.append(corpus + "/" + relative)
                }
            }
        }
        corpusFiles.sort()
        let files = try [write(Self.generated(60), "g.rules"), write(Self.generated(60, variant: 1), "g1.rules"),
                         write(Self.generated(60).split(separator: "\n").reversed().joined(separator: "\n") + "\n", "g-reversed.rules")]
        let compiled = try KernelSandbox.runProcess(candidate, ["compile", files[0]])
        XCTAssertEqual(compiled.0, 0, compiled.2)
        var loadedPartly = Self.generated(60).split(separator: "\n").map(String.init).enumerated().filter { $0.offset % 5 != 2 }.map(\.element)
        loadedPartly.swapAt(4, 20)
        loadedPartly.insert("-a always,exit -F arch=b64 -S chmod -k aurules-test-foreign", at: 10)
        let kernels: [(name: String, rules: String?, corpus: Bool)] = [
            ("empty", nil, true), ("the files by auditctl -R", Self.generated(60), false), ("the compiled files", compiled.1, false),
            ("some missing, moved, foreign", loadedPartly.joined(separator: "\n") + "\n", true),
        ]
        var compared = 0
        try KernelSandbox.run { sandbox in
            for kernel in kernels {
                try sandbox.clearRules()
                if let rules = kernel.rules { try sandbox.load(rules: rules.replacingOccurrences(of: "-e 1\n", with: "")) }
                var cases = files.map { [$0] } + [[files[0], "--keep-key", "aurules-test-foreign*"], [files[1], files[2]]]
                if kernel.corpus { cases += corpusFiles.map { [$0] } }
                for arguments in cases {
                    for format in [[], ["--format", "json"]] {
                        let old = try run(baseline, arguments + format), new = try run(candidate, arguments + format)
                        XCTAssertEqual(new, old, "\(kernel.name): \(arguments + format)")
                        compared += 1
                    }
                }
            }
        }
        print("apply --dry-run: \(compared) outputs of two builds compared over \(corpusFiles.count) corpus files")
    }
}
