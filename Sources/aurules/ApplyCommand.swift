import ArgumentParser
import AuditKernel
import AuditRules
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import Syscalls

enum ApplyFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

struct ApplyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Make the kernel's audit rules and settings equal to the rules files, changing only what differs.",
        discussion: """
        Compiles the rules files for this host (machine, running kernel, installed libaudit), reads \
        the kernel's rules and status, and changes only what differs, over the audit netlink socket: \
        rules the files add are loaded before anything is deleted, and a rule both sides have is never \
        absent, except a rule that has to move to another place in its list (for the moment between \
        its delete and its re-add; the plan moves as few rules as the kernel's list operations allow). \
        Then it reads the kernel back and verifies it holds exactly the target.

        All or nothing: when the kernel refuses a change (a watch on a missing path, an invalid field, \
        ...), everything done is undone, the kernel is verified to be as before, byte for byte, and \
        the refused rule is reported with its file:line. --keep-going loads everything loadable \
        instead (like auditctl -c) and reports the rest.

        Rules in the kernel that no file has are deleted, as `augenrules --load` (-D) would; \
        --keep-key GLOB keeps those whose key matches (rules of auditbeat, osquery, ...). Settings \
        (-b -r --backlog_wait_time) are set first, -f and -e 0|1 after the rules, -e 2 and \
        --loginuid-immutable last. A kernel already locked with -e 2 is not touched (exit 2).

        One apply at a time: an exclusive lock on /run/aurules.lock.

        Exit status: 0 the kernel matches the files, 1 a change was refused (undone, or reported \
        with --keep-going) or the kernel changed under apply, 2 invalid rules, no access, an \
        immutable kernel.

        Examples:
          sudo aurules apply --dry-run
          sudo aurules apply
          sudo aurules apply /etc/audit/rules.d --keep-key 'auditbeat*' --format json
        """)

    @Argument(help: "Rules files or rules.d directories (default: /etc/audit/rules.d when it exists, else /etc/audit/audit.rules).")
    var paths: [String] = []

    @Flag(name: .customLong("dry-run"), help: "Print the plan; change nothing.")
    var dryRun = false

    @Flag(name: .customLong("keep-going"), help: "Load everything the kernel accepts and report the rest, instead of undoing all.")
    var keepGoing = false

    @Option(name: .customLong("keep-key"), help: "Keep rules in the kernel whose key matches GLOB although no file has them (repeatable).")
    var keepKeys: [String] = []

    @Option(help: "Output format: text or json.")
    var format: ApplyFormat = .text

    @Option(help: "Syscall tables directory instead of the built-in tables.")
    var tables: String?

    @Flag(name: .customLong("no-resolve"), help: "Do not look up user and group names on this host.")
    var noResolve = false

    @Flag(name: .customLong("allow-unsafe-permissions"),
          help: "Use rules files auditctl -R would refuse (not owned by root, world writable), with a warning instead of an error.")
    var allowUnsafePermissions = false

    @Option(name: .customLong("lock-file"), help: .hidden)
    var lockFile = ApplyPrefetch.defaultLockPath

    /// Deletions sent before their acknowledgements are read (measured by Benchmarks/apply-bench.sh).
    @Option(name: .customLong("delete-batch"), help: .hidden)
    var deleteBatch = 1

    func validate() throws {
        if deleteBatch < 1 {
            StandardError.print("aurules apply: --delete-batch must be at least 1")
            throw ExitCode.inputError
        }
    }

    func run() throws { try run(prefetch: nil) }

    /// `prefetch`: the lock taken and the kernel's read started before the command line was parsed.
    func run(prefetch: ApplyPrefetch?) throws {
        let started = prefetch?.started ?? Date()
        let lock: ApplyLock
        let snapshot: SnapshotRead
        if let prefetch, prefetch.lockPath == lockFile {
            (lock, snapshot) = (prefetch.lock, prefetch.snapshot)
        } else {
            // Not prefetched, or under another lock than the options name: its read is not used.
            prefetch?.lock.release()
            do { lock = try ApplyLock(path: lockFile) } catch let failure as CheckFailure {
                StandardError.print("aurules apply: \(failure.message)")
                throw ExitCode.inputError
            }
            // Under the lock, the kernel is read while the files compile.
            snapshot = SnapshotRead()
        }
        defer { lock.release() }
        let host: HostCompile
        do { host = try HostCompile(paths: paths.isEmpty ? CheckRun.defaultPaths() : paths, tables: tables, resolve: !noResolve,
                                       allowUnsafePermissions: allowUnsafePermissions) } catch let failure as CheckFailure {
            StandardError.print("aurules apply: \(failure.message)")
            throw ExitCode.inputError
        }

        let connection: AuditConnection
        var initial: AuditApplier.Snapshot
        do {
            connection = try AuditConnection()
            initial = try snapshot.wait()
        } catch let error as ApplyError {
            StandardError.print("aurules apply: \(ApplyOutput.describe(error).0)")
            throw ExitCode.inputError
        } catch {
            StandardError.print("aurules apply: \(error)")
            throw ExitCode.inputError
        }
        // One more request, only when the files ask for --loginuid-immutable.
        let wantsFeatures = host.settings.contains { $0.setting == .loginuidImmutable }
        connection.readsFeatures = wantsFeatures
        if wantsFeatures { initial.status.loginuidImmutable = try? connection.loginuidImmutable() }
        connection.deleteBatch = deleteBatch
        let applier = AuditApplier(transport: connection)
        applier.keepGoing = keepGoing
        applier.keepKeys = keepKeys
        let output = ApplyOutput(writer: RulesFileWriter(target: host.target), format: format, dryRun: dryRun)
        do {
            let result = try applier.apply(files: host.files, dryRun: dryRun, initial: initial)
            let seconds = Date().timeIntervalSince(started)
            output.render(result, seconds: seconds, writes: connection.writes) { print($0, terminator: "") }
            if !result.failures.isEmpty { throw ExitCode.findings }
            // Done: the process ends here rather than free the compiled files and both copies of
            // the kernel's rules object by object (a measurable part of a no-change apply). The
            // lock goes with the process.
            StandardOutput.flushOrExit()
            Glibc.exit(0)
        } catch let error as ApplyError {
            let (message, code) = ApplyOutput.describe(error, writer: output.writer)
            StandardError.print("aurules apply: \(message)")
            if format == .json { print(output.json(error: message, writes: connection.writes), terminator: "") }
            throw code
        }
    }
}

/// The files compiled for this host: its machine, running kernel (clamped to the tables) and
/// installed libaudit (`CompileTarget.resolve` with nothing given).
struct HostCompile {
    let target: CompileTarget
    let files: AppliedFiles

    init(paths: [String], tables: String?, resolve: Bool, allowUnsafePermissions: Bool) throws {
        // The one target resolution, with every choice left to the host.
        do { target = try CompileTarget.resolve(TargetRequest(tables: tables, resolvesNames: resolve, watchKind: .auto)) } catch {
            throw CheckFailure(error.message)
        }
        var parseOptions = target.parseOptions
        // Files auditctl -R would refuse are an error here too (issue 11), unless allowed.
        parseOptions.unsafePermissions = allowUnsafePermissions ? .warning : .error
        files = AppliedFiles(paths: paths, options: parseOptions, target: target)
        let errors = files.diagnostics.filter { $0.severity == .error }
        guard errors.isEmpty else {
            for d in errors { StandardError.print(DiagnosticRenderer.text(d)) }
            throw CheckFailure("\(errors.count) error\(errors.count == 1 ? "" : "s") in the rules files; nothing was changed "
                               + "(aurules lint shows every problem)")
        }
    }

    var settings: [DesiredSetting] { files.settings }
}

/// The exclusive lock that keeps two applies from interleaving.
final class ApplyLock {
    private let fd: Int32

    private init(fd: Int32) { self.fd = fd }

    /// The lock when it is free now, else nil (busy, or it cannot be opened).
    static func ifFree(path: String) -> ApplyLock? {
        let fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { return nil }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            return nil
        }
        return ApplyLock(fd: fd)
    }

    init(path: String) throws {
        fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw CheckFailure("cannot open the lock \(path): \(String(cString: strerror(errno)))") }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            StandardError.print("aurules apply: waiting for another apply to finish (\(path))")
            while flock(fd, LOCK_EX) != 0 {
                guard errno == EINTR else {
                    close(fd)
                    throw CheckFailure("cannot lock \(path): \(String(cString: strerror(errno)))")
                }
            }
        }
    }

    func release() {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
