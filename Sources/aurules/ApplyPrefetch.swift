import AuditKernel
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `aurules apply` takes its lock and starts reading the kernel before the command line is
/// parsed: a long rule list takes longer to read than the argument parser runs, and both come
/// before the files compile. The lock comes first, so the read is of a kernel no other apply is
/// changing. Only with the default lock and when it is free at once: an apply that has to wait
/// says so after parsing, and a `--lock-file` path is not created before the command line is
/// known to be valid.
final class ApplyPrefetch {
    let started: Date
    let lockPath: String
    let lock: ApplyLock
    let snapshot: SnapshotRead

    private init(started: Date, lockPath: String, lock: ApplyLock, snapshot: SnapshotRead) {
        self.started = started
        self.lockPath = lockPath
        self.lock = lock
        self.snapshot = snapshot
    }

    static let defaultLockPath = "/run/aurules.lock"

    static func start(for arguments: [String]) -> ApplyPrefetch? {
        guard arguments.first == "apply", !arguments.contains(where: { $0 == "-h" || $0 == "--help" || $0 == "--" }) else {
            return nil
        }
        // A named lock file is opened (and created) only after the command line parsed.
        guard !arguments.contains(where: { $0 == "--lock-file" || $0.hasPrefix("--lock-file=") }) else { return nil }
        let started = Date()
        let path = defaultLockPath
        guard let lock = ApplyLock.ifFree(path: path) else { return nil }
        return ApplyPrefetch(started: started, lockPath: path, lock: lock, snapshot: SnapshotRead())
    }
}
