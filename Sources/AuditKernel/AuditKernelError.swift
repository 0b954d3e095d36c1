#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Why the kernel's audit rules could not be read or changed, phrased for the operator.
public enum AuditKernelError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kernel has no audit netlink family (built without CONFIG_AUDIT).
    case auditNotInKernel(errno: Int32)
    /// The process lacks CAP_AUDIT_CONTROL (not root).
    case notPermitted(operation: String)
    /// Refused although the process holds the capability: a container (non-initial user or
    /// PID namespace), or a security module / seccomp policy in the way.
    case noAccessFromHere(operation: String, errno: Int32)
    case kernel(operation: String, errno: Int32)
    case timeout(operation: String)
    case malformedReply(String)

    public var description: String {
        switch self {
        case .auditNotInKernel(let e):
            return "this kernel has no audit support (\(AuditKernelError.errnoName(e)) opening the audit netlink socket); "
                + "it was built without CONFIG_AUDIT. Compare a saved `auditctl -l` listing with --loaded FILE instead"
        case .notPermitted(let op):
            return "cannot \(op): reading or changing audit rules needs CAP_AUDIT_CONTROL; run as root "
                + "(e.g. with sudo), or compare a saved `auditctl -l` listing with --loaded FILE"
        case let .noAccessFromHere(op, e):
            return "cannot \(op): the kernel refused audit control (\(AuditKernelError.errnoName(e))) although this "
                + "process has CAP_AUDIT_CONTROL; the kernel only accepts it from the initial user and PID namespaces, "
                + "so inside a container run on the host instead, or compare a saved `auditctl -l` listing with --loaded FILE"
        case let .kernel(op, e):
            return "cannot \(op): \(AuditKernelError.message(e)) (\(AuditKernelError.errnoName(e)))"
        case .timeout(let op):
            return "cannot \(op): the kernel did not answer on the audit netlink socket"
        case .malformedReply(let m):
            return "unexpected reply on the audit netlink socket: \(m)"
        }
    }

    /// Maps an errno from the socket or from a kernel refusal to the case the operator needs to hear.
    static func classify(_ e: Int32, operation: String, opening: Bool = false) -> AuditKernelError {
        switch e {
        case EPROTONOSUPPORT, EAFNOSUPPORT:
            return .auditNotInKernel(errno: e)
        case EINVAL where opening:
            return .auditNotInKernel(errno: e)
        case EPERM, EACCES:
            return hasAuditControl() ? .noAccessFromHere(operation: operation, errno: e) : .notPermitted(operation: operation)
        case ECONNREFUSED:
            // audit_netlink_ok(): any request from outside the initial user namespace.
            return .noAccessFromHere(operation: operation, errno: e)
        default:
            return .kernel(operation: operation, errno: e)
        }
    }

    /// CAP_AUDIT_CONTROL (bit 30) in the effective set, from /proc/self/status.
    static func hasAuditControl() -> Bool {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("CapEff:") }),
              let bits = UInt64(line.dropFirst("CapEff:".count).trimmingWhitespace(), radix: 16)
        else { return geteuid() == 0 }
        return bits & (1 << 30) != 0
    }

    static func message(_ e: Int32) -> String {
        guard let p = strerror(e) else { return "errno \(e)" }
        return String(decoding: UnsafeRawBufferPointer(start: p, count: strlen(p)), as: UTF8.self)
    }

    static func errnoName(_ e: Int32) -> String {
        switch e {
        case EPERM: return "EPERM"
        case EACCES: return "EACCES"
        case ECONNREFUSED: return "ECONNREFUSED"
        case EPROTONOSUPPORT: return "EPROTONOSUPPORT"
        case EAFNOSUPPORT: return "EAFNOSUPPORT"
        case EINVAL: return "EINVAL"
        case EEXIST: return "EEXIST"
        case ENOENT: return "ENOENT"
        case EOPNOTSUPP: return "EOPNOTSUPP"
        default: return "errno \(e)"
        }
    }
}
