#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Resolves names without the C library's NSS: the passwd and group files first (as NSS "files"
/// does), then, for names they lack, `getent passwd NAME` / `getent group NAME`. getent is a
/// dynamic program whose NSS modules (systemd, sssd, LDAP) load, so it answers what getpwnam
/// answers on this host. A fully static executable must not call getpwnam: glibc's static NSS
/// dlopens those modules after "files" misses and crashes. Without getent, such a name is unknown.
/// Answers, found or not, are kept for the life of the resolver (one answer per name per compile).
public final class FilesThenGetentUserResolver: UserResolver, Sendable {
    /// The one the static executable's `SystemUserResolver` uses: files read once per process.
    public static let shared = FilesThenGetentUserResolver()

    private let files: HostUserResolver
    private let getent: [String]
    private let timeoutMilliseconds: Int
    private let users = Mutex<[RulesText: Answer]>([:])
    private let groups = Mutex<[RulesText: Answer]>([:])
    /// Set at the first timeout: the directory behind getent is taken as down for the rest of the
    /// run, so a file naming many users waits once, not once per name.
    private let gaveUp = Atomic<Bool>(false)

    enum Answer: Equatable, Sendable {
        case found(UInt32)
        case unknown
        /// getent did not answer in time.
        case unanswered
        /// getent was not asked: an earlier lookup of this run timed out.
        case notAsked

        var id: UInt32? { if case .found(let id) = self { id } else { nil } }
    }

    /// `timeoutMilliseconds` bounds getent: an unreachable LDAP or sssd server must not hang a CI
    /// job (getpwnam, and so auditctl, would wait for NSS's own timeouts). A run that takes longer
    /// is killed; its name and every later one getent would be asked for count as unanswered.
    public init(files: HostUserResolver = HostUserResolver(), getent: [String] = ["/usr/bin/getent", "/bin/getent"],
                timeoutMilliseconds: Int = 10_000) {
        self.files = files
        self.getent = getent
        self.timeoutMilliseconds = timeoutMilliseconds
    }

    public func uid(named name: RulesText) -> UInt32? {
        if let id = files.uid(named: name) { return id }
        return answer(users, "passwd", name).id
    }

    public func gid(named name: RulesText) -> UInt32? {
        if let id = files.gid(named: name) { return id }
        return answer(groups, "group", name).id
    }

    public func whyUnresolved(user: Bool, named name: RulesText) -> String? {
        let limit = timeoutMilliseconds % 1000 == 0 ? "\(timeoutMilliseconds / 1000) s" : "\(timeoutMilliseconds) ms"
        switch user ? users.withLock({ $0[name] }) : groups.withLock({ $0[name] }) {
        case .unanswered: return "getent did not answer within \(limit) (is the directory server reachable?)"
        case .notAsked: return "getent was not asked: an earlier lookup timed out after \(limit)"
        default: return nil
        }
    }

    private func answer(_ cache: borrowing Mutex<[RulesText: Answer]>, _ database: String, _ name: RulesText) -> Answer {
        if let known = cache.withLock({ $0[name] }) { return known }
        let found: Answer
        if gaveUp.load(ordering: .relaxed) {
            found = .notAsked
        } else {
            found = Self.lookup(database, name, getent: getent, timeoutMilliseconds: timeoutMilliseconds)
            if found == .unanswered { gaveUp.store(true, ordering: .relaxed) }
        }
        cache.withLock { $0[name] = found }
        return found
    }

    /// The id field of getent's answer: `name:password:id:...` on the first line, else nil.
    static func parseID(_ output: [UInt8]) -> UInt32? {
        let line = output.prefix { $0 != UInt8(ascii: "\n") }
        let parts = line.split(separator: UInt8(ascii: ":"), maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count >= 3, !parts[0].isEmpty, !parts[2].isEmpty,
              parts[2].allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return nil }
        return UInt32(String(decoding: parts[2], as: UTF8.self))
    }

    /// Runs `getent -- DATABASE NAME` (argv only, no shell, an empty environment, stdin and stderr
    /// on /dev/null). Names that are empty, hold NUL or start with a digit (getent would look up
    /// an id, not a name) are not asked.
    static func lookup(_ database: String, _ name: RulesText, getent: [String], timeoutMilliseconds: Int) -> Answer {
        let bytes = Array(name.bytes)
        guard let first = bytes.first, !bytes.contains(0), !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first),
              let program = getent.first(where: { access($0, X_OK) == 0 }) else { return .unknown }
        switch run(program, [Array(program.utf8), Array("--".utf8), Array(database.utf8), bytes], timeoutMilliseconds: timeoutMilliseconds) {
        case .output(let output): return parseID(output).map(Answer.found) ?? .unknown
        case .failed: return .unknown
        case .timedOut: return .unanswered
        }
    }

    enum RunResult { case output([UInt8]), failed, timedOut }

    /// The standard output of a successful (exit 0) run, at most 1 MiB. A program that has not
    /// closed its output and exited within the timeout is killed and reaped.
    private static func run(_ program: String, _ arguments: [[UInt8]], timeoutMilliseconds: Int) -> RunResult {
        var pipeEnds: [Int32] = [-1, -1]
        guard pipe(&pipeEnds) == 0 else { return .failed }
        _ = fcntl(pipeEnds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(pipeEnds[1], F_SETFD, FD_CLOEXEC)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { bytes in
            let p = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count + 1)
            for (i, b) in bytes.enumerated() { p[i] = CChar(bitPattern: b) }
            p[bytes.count] = 0
            return p
        } + [nil]
        defer { argv.forEach { $0?.deallocate() } }
        let environment: [UnsafeMutablePointer<CChar>?] = [nil]
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, program, &actions, nil, argv, environment)
        close(pipeEnds[1])
        defer { close(pipeEnds[0]) }
        guard spawned == 0 else { return .failed }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        let deadline = monotonicMilliseconds() + timeoutMilliseconds
        var timedOut = false, failed = false
        while true {
            let left = deadline - monotonicMilliseconds()
            var ready = pollfd(fd: pipeEnds[0], events: Int16(POLLIN), revents: 0)
            let polled = left > 0 ? poll(&ready, 1, Int32(clamping: left)) : 0
            if polled == 0 { timedOut = true; break }
            if polled < 0 { if errno == EINTR { continue } else { failed = true; break } }
            let n = chunk.withUnsafeMutableBytes { read(pipeEnds[0], $0.baseAddress, $0.count) }
            if n > 0 {
                if output.count < 1 << 20 { output += chunk[..<n] }
            } else if n == 0 {
                break
            } else if errno != EINTR {
                failed = true
                break
            }
        }
        // The output is closed; the exit must come by the same deadline (a child can close its
        // output and go on running).
        var status: Int32 = 0
        while !timedOut && !failed {
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid { break }
            if reaped == -1 && errno != EINTR { return .failed }
            if monotonicMilliseconds() >= deadline { timedOut = true; break }
            var none = pollfd()
            _ = poll(&none, 0, 2)
        }
        if timedOut || failed {
            kill(pid, SIGKILL)
            while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
            return timedOut ? .timedOut : .failed
        }
        // Exited (low 7 bits 0) with status 0.
        guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else { return .failed }
        return .output(output)
    }
}

private func monotonicMilliseconds() -> Int {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return now.tv_sec * 1000 + now.tv_nsec / 1_000_000
}

/// True when this process is a fully static executable, where glibc's NSS must not be used:
/// built with `-Xswiftc -DAURULES_STATIC_EXECUTABLE` (scripts/package-deb and the benchmark's
/// static build pass it), or found at run time: the program headers (AT_PHDR in /proc/self/auxv)
/// have no PT_INTERP, i.e. no dynamic loader. Without /proc and the flag: dynamic is assumed.
enum ExecutableLinkage {
    static let isStatic: Bool = {
        #if AURULES_STATIC_EXECUTABLE
        return true
        #else
        guard let auxv = FileManager.default.contents(atPath: "/proc/self/auxv") else { return false }
        var values: [UInt64: UInt64] = [:]
        auxv.withUnsafeBytes { raw in
            for i in stride(from: 0, to: raw.count - 15, by: 16) {
                values[raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)] = raw.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self)
            }
        }
        let atPHDR: UInt64 = 3, atPHENT: UInt64 = 4, atPHNUM: UInt64 = 5, ptInterp: UInt32 = 3
        guard let phdr = values[atPHDR], let entry = values[atPHENT], let count = values[atPHNUM], entry >= 4, count > 0,
              let base = UnsafeRawPointer(bitPattern: UInt(phdr)) else { return false }
        return !(0..<Int(count)).contains { base.loadUnaligned(fromByteOffset: $0 * Int(entry), as: UInt32.self) == ptInterp }
        #endif
    }()
}
