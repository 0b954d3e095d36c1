import Foundation
import Synchronization
import XCTest

/// Runs the built `aurules` binary (or an oracle such as ausyscall) as a whole process, with
/// standard input closed unless given: a test never waits on the terminal.
enum AurulesProcess {
    private final class BundleToken {}
    // Written by one thread before the group is left, read after waiting on it.
    private final class Drained: Sendable { let data = Mutex(Data()) }

    /// The test bundle sits in (Linux) or next to (macOS) the directory of the products it was built with.
    /// CLITests depends on the executable target, so a missing binary is a build problem, not a skip.
    static var binary: String {
        let bundle = Bundle(for: BundleToken.self).bundleURL
        let candidates = [bundle.appendingPathComponent("aurules"), bundle.deletingLastPathComponent().appendingPathComponent("aurules")]
        return (candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]).path
    }

    static func run(_ executable: String, _ arguments: [String], stdin: String? = nil,
                    in directory: URL? = nil) throws -> (status: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        if let directory { p.currentDirectoryURL = directory }
        let out = Pipe(), err = Pipe(), input = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = input
        try p.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        // Both pipes drained at once: a process filling one while we wait on the other would hang.
        let e = Drained()
        let drained = DispatchGroup()
        DispatchQueue.global().async(group: drained) {
            let data = err.fileHandleForReading.readDataToEndOfFile()
            e.data.withLock { $0 = data }
        }
        let o = out.fileHandleForReading.readDataToEndOfFile()
        drained.wait()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), e.data.withLock { String(decoding: $0, as: UTF8.self) })
    }
}

extension XCTestCase {
    /// A fresh directory under the temporary directory, removed when the test ends.
    func temporaryDirectory(_ prefix: String) throws -> String {
        let dir = NSTemporaryDirectory() + "aurules-\(prefix)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        return dir
    }
}
