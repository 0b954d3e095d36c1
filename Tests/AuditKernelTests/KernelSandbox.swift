import AuditKernel
import AuditRules
import Foundation
import XCTest

/// Exclusive, restorable use of the kernel's audit rules for one test.
///
/// `KernelSandbox.run { sandbox in ... }` takes the team's kernel lock (an exclusive flock on
/// /tmp/aurules-kernel.lock, held for the whole test), saves the loaded rules as raw
/// `audit_rule_data` bytes and the settings (backlog limit, rate limit, failure mode, backlog
/// wait time), empties the rule set, runs the body, then deletes whatever the body left and
/// re-adds the saved rules in their original order and restores the settings. Raw bytes make
/// the restore exact: the kernel gets back the very rules it returned, list order included.
/// Skips (XCTSkip, with the reason) when not root, when audit is unavailable, or when the kernel
/// is immutable (`-e 2`: nothing could be restored).
final class KernelSandbox {
    static let lockPath = "/tmp/aurules-kernel.lock"
    static let auditctlPath = ["/usr/sbin/auditctl", "/sbin/auditctl"].first { FileManager.default.isExecutableFile(atPath: $0) }

    let connection: AuditConnection
    private let lockFD: Int32
    private let savedRules: [[UInt8]]
    private let savedStatus: AuditStatus

    static func run<T>(clear: Bool = true, _ body: (KernelSandbox) throws -> T) throws -> T {
        let sandbox = try KernelSandbox()
        defer { sandbox.unlock() }
        let result: T
        do {
            if clear { try sandbox.clearRules() }
            result = try body(sandbox)
        } catch {
            do { try sandbox.restore() } catch { XCTFail("restoring the kernel rule set failed: \(error)") }
            throw error
        }
        try sandbox.restore()
        return result
    }

    /// Why kernel tests cannot run here, or nil when they can.
    static func unavailableReason() -> String? {
        if geteuid() != 0 { return "not root: kernel audit tests need CAP_AUDIT_CONTROL" }
        do {
            let c = try AuditConnection()
            let status = try c.status()
            if status.isImmutable { return "the kernel's audit rules are immutable (-e 2) until reboot" }
            _ = try c.listRules()
        } catch {
            return "audit unavailable: \(error)"
        }
        if auditctlPath == nil { return "auditctl is not installed (apt-get install auditd)" }
        return nil
    }

    private init() throws {
        if let reason = KernelSandbox.unavailableReason() {
            print("skipping kernel test: \(reason)")
            throw XCTSkip(reason)
        }
        let fd = open(KernelSandbox.lockPath, O_CREAT | O_RDWR | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw XCTSkip("cannot open \(KernelSandbox.lockPath): errno \(errno)") }
        do { try KernelSandbox.lockExclusively(fd) } catch { close(fd); throw error }
        lockFD = fd
        do {
            connection = try AuditConnection()
            savedStatus = try connection.status()
            savedRules = try connection.listRules()
        } catch {
            flock(fd, LOCK_UN)
            close(fd)
            throw error
        }
    }

    /// How long a test waits for another holder of the kernel lock before it fails: a hung or
    /// orphaned holder must not stall every kernel test of the machine without a word.
    static let lockWaitLimit: TimeInterval = 15 * 60

    /// Takes the exclusive lock, polling, and says who holds it while it waits.
    private static func lockExclusively(_ fd: Int32) throws {
        let start = Date()
        var told = false
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                throw XCTSkip("cannot lock \(lockPath): errno \(errno)")
            }
            let waited = Date().timeIntervalSince(start)
            if !told && waited > 10 {
                print("waiting for the kernel lock \(lockPath), held by \(lockHolders(fd))")
                told = true
            }
            if waited > lockWaitLimit {
                throw SandboxError("the kernel lock \(lockPath) stayed held for \(Int(lockWaitLimit)) s by \(lockHolders(fd)); a hung holder? (lslocks | grep aurules-kernel)")
            }
            usleep(100_000)
        }
    }

    /// The processes holding the lock file, from /proc/locks (matched by inode).
    private static func lockHolders(_ fd: Int32) -> String {
        var st = stat()
        guard fstat(fd, &st) == 0, let locks = try? String(contentsOfFile: "/proc/locks", encoding: .utf8) else { return "another process" }
        let inode = ":\(st.st_ino) "
        let pids = locks.split(separator: "\n").compactMap { line -> String? in
            let words = line.split(separator: " ")
            guard words.count > 5, (String(words[5]) + " ").hasSuffix(inode) else { return nil }
            return String(words[4])
        }
        return pids.isEmpty ? "another process" : "pid " + pids.joined(separator: ", ")
    }

    private func unlock() {
        flock(lockFD, LOCK_UN)
        close(lockFD)
    }

    /// Deletes every loaded rule. Each deletion costs the kernel ~12 ms: keep rule sets small.
    func clearRules() throws {
        for rule in try connection.listRules() { try connection.deleteRule(rule) }
    }

    /// Makes the kernel hold exactly `rules` (raw `audit_rule_data`), in this order.
    func replaceRules(_ rules: [[UInt8]]) throws {
        try clearRules()
        for rule in rules { try connection.addRule(rule) }
    }

    func restore() throws {
        try clearRules()
        for rule in savedRules { try connection.addRule(rule) }
        let now = try connection.status()
        if now.backlogLimit != savedStatus.backlogLimit { try connection.setBacklogLimit(savedStatus.backlogLimit) }
        if now.rateLimit != savedStatus.rateLimit { try connection.setRateLimit(savedStatus.rateLimit) }
        if now.failure != savedStatus.failure { try connection.setFailureMode(savedStatus.failure) }
        if now.backlogWaitTime != savedStatus.backlogWaitTime { try connection.setBacklogWaitTime(savedStatus.backlogWaitTime) }
        let after = try connection.listRules()
        if after != savedRules { throw SandboxError("the restored rule set differs from the saved one") }
    }

    /// Runs auditctl with `arguments`; throws with its output when it fails.
    @discardableResult
    func auditctl(_ arguments: [String]) throws -> String {
        String(decoding: try auditctlBytes(arguments), as: UTF8.self)
    }

    /// The same, its output as bytes (keys and paths are printed as the kernel holds them).
    @discardableResult
    func auditctlBytes(_ arguments: [String]) throws -> Data {
        let (status, out, err) = try KernelSandbox.runProcessData(KernelSandbox.auditctlPath!, arguments)
        if status != 0 {
            throw SandboxError("auditctl \(arguments.joined(separator: " ")) failed (\(status)): \(String(decoding: err + out, as: UTF8.self))")
        }
        return out
    }

    /// Loads `text` with `auditctl -R` from a private temporary file (auditctl refuses
    /// world-writable files). `-R` reports errors to syslog only, so a failure says just that.
    func load(rules text: String) throws {
        try load(rules: RulesText(text))
    }

    /// The same for rules text as bytes.
    func load(rules text: RulesText) throws {
        let path = NSTemporaryDirectory() + "aurules-test-\(getpid())-\(UInt32.random(in: 0 ... .max)).rules"
        guard FileManager.default.createFile(atPath: path, contents: Data(text.bytes), attributes: [.posixPermissions: 0o600]) else {
            throw SandboxError("cannot write \(path)")
        }
        defer { unlink(path) }
        try auditctl(["-R", path])
    }

    /// `auditctl -l`, line by line.
    func listing() throws -> [RulesText] {
        let out = RulesText(try auditctlBytes(["-l"]))
        return out == "No rules\n" ? [] : out.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast().map { RulesText($0) }
    }

    static func runProcess(_ path: String, _ arguments: [String], environment: [String: String]? = nil) throws -> (Int32, String, String) {
        let (status, out, err) = try runProcessData(path, arguments, environment: environment)
        return (status, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }

    static func runProcessData(_ path: String, _ arguments: [String], environment: [String: String]? = nil) throws -> (Int32, Data, Data) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, outData, errData)
    }
}

struct SandboxError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
