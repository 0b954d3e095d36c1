/// What a loader release does with a CR right before a line's LF: the one place aurules keeps this
/// fact (the loader data per release can fold it in). From the sources at each tag:
/// - auditctl -R (src/auditctl.c, get_line) removes only the LF, in every release 2.8.5 .. 4.2.1:
///   the CR stays, as the last byte of the line's last word (`-k name\r` is the key `name\r`;
///   `-D\r`, `-S open\r` and a CR-only line are refused);
/// - augenrules (init.d/augenrules, augenrules.in from 4.1.3) removes one trailing CR from 3.1.1
///   on (`sub(/\r$/, "")` in its awk), before auditctl -R reads the merged file; up to 3.1 it
///   keeps it.
/// Verified against auditctl 3.0.9 on the kernel by the CRLF kernel test.
public enum CarriageReturnHandling: Sendable, Equatable {
    /// The CR is part of the line's last word.
    case kept
    /// The CR is removed before the line is read.
    case removed
}

extension AuditVersion {
    /// How this release's `auditctl -R FILE` reads a CR before LF.
    public var auditctlCarriageReturn: CarriageReturnHandling { .kept }

    /// How this release's augenrules (a rules.d directory) passes a CR before LF on to auditctl.
    public var augenrulesCarriageReturn: CarriageReturnHandling {
        // 3.1.1 is the first release whose augenrules removes it; of the shipped releases, 3.1.2.
        let parts = rawValue.split(separator: ".").map { Int($0) ?? 0 }
        return parts.lexicographicallyPrecedes([3, 1, 1]) ? .kept : .removed
    }
}
