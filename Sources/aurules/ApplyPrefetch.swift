import AuditKernel
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `aurules apply` takes its lock and starts reading the kernel before the command line is
/// parsed: the kernel's list of 2,000 rules takes longer than the argument parser, and both come
/// before the files compile. The lock comes first, so the read is of a kernel no other apply is
/// changing. Only when the lock is free at once (an apply that has to wait says so, after
/// parsing) and the command line names it plainly; `ApplyCommand.run` drops a prefetch made under
/// another lock than its options name and starts again.
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
        let started = Date()
        var path = defaultLockPath
        var i = 1
        while i < arguments.count {
            let a = arguments[i]
            if a == "--lock-file" {
                guard i + 1 < arguments.count else { return nil }
                path = arguments[i + 1]
                i += 1
            } else if a.hasPrefix("--lock-file=") {
                path = String(a.dropFirst("--lock-file=".count))
            }
            i += 1
        }
        guard let lock = ApplyLock.ifFree(path: path) else { return nil }
        return ApplyPrefetch(started: started, lockPath: path, lock: lock, snapshot: SnapshotRead())
    }
}
