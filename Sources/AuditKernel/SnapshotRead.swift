import AuditRules
import Syscalls

/// The kernel's rules (raw and decoded) and status for `apply`, read on other threads while the
/// caller compiles the files. Two sockets at once: the kernel answers a list request and a status
/// request each from a thread it starts for the purpose, which can take milliseconds to be
/// scheduled, and the two waits overlap.
public final class SnapshotRead: Sendable {
    private struct Listed: Sendable {
        var raw: [[UInt8]] = []
        var rules: [KernelRule] = []
    }

    private let listed: PendingResults<Listed>
    private let status: PendingResults<AuditStatus>

    /// Starts both reads. The status is read without the features (`--loginuid-immutable`): one
    /// more request, which `apply` makes only when the files ask for it.
    public init() {
        listed = PendingResults {
            var out = Listed()
            // Decoded as each message arrives, while the kernel is still sending.
            try AuditConnection().listRules { payload in
                out.raw.append(Array(payload))
                out.rules.append(try WireCodec.decode(payload))
            }
            return out
        }
        status = PendingResults {
            let connection = try AuditConnection()
            connection.readsFeatures = false
            return try connection.status()
        }
    }

    /// The snapshot, with failures as `AuditApplier.read` reports them. Call once.
    public func wait() throws -> AuditApplier.Snapshot {
        do {
            let listed = try self.listed.wait()[0].get()
            return AuditApplier.Snapshot(raw: listed.raw, rules: listed.rules, status: try status.wait()[0].get())
        } catch let error as AuditKernelError {
            throw ApplyError.unreadable(error)
        } catch {
            throw ApplyError.unreadable(.malformedReply("\(error)"))
        }
    }
}
