import AuditRules
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Syscalls

/// The kernel's rules and status, read on other threads while the caller does other work
/// (`aurules check` compiles the files meanwhile).
public final class KernelRead: Sendable {
    private let rules: PendingResults<[KernelRule]>
    private let status: PendingResults<AuditStatus>

    /// Starts both reads, on two sockets at once: the kernel answers a status request from a
    /// thread it starts for the purpose, which can take milliseconds to be scheduled.
    public init() {
        rules = PendingResults { try AuditConnection().rules() }
        status = PendingResults { try AuditConnection().status() }
    }

    /// Both answers; the rules' error first. Call once.
    public func wait() throws -> (rules: [KernelRule], status: AuditStatus) {
        let rules = try self.rules.wait()[0].get()
        return (rules, try status.wait()[0].get())
    }
}
