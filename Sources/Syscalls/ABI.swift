/// A syscall ABI: one numbering of the syscalls, identified in audit by an AUDIT_ARCH value.
public enum ABI: String, CaseIterable, Hashable, Sendable, Codable, CustomStringConvertible {
    case x86_64, i386, x32
    case ppc, ppc64
    case s390, s390x
    case aarch64, arm
    case riscv64, riscv32

    public var description: String { rawValue }

    /// The AUDIT_ARCH_* value the kernel stores for `-F arch=`. x32 shares x86_64's value
    /// (its syscalls carry the 0x40000000 bit instead). ppc64le is a machine, not an ABI, but
    /// audits with its own value: see `Machine.auditArch(for:)`.
    public var auditArch: UInt32 {
        switch self {
        case .x86_64, .x32: return 0xc000_003e
        case .i386: return 0x4000_0003
        case .ppc: return 0x0000_0014
        case .ppc64: return 0x8000_0015
        case .s390: return 0x0000_0016
        case .s390x: return 0x8000_0016
        case .aarch64: return 0xc000_00b7
        case .arm: return 0x4000_0028
        case .riscv64: return 0xc000_00f3
        case .riscv32: return 0x4000_00f3
        }
    }

    /// The kernel's audit syscall bitmap (AUDIT_BITMASK_SIZE words of 32 bits): no rule can name
    /// a syscall number at or above this.
    public static let auditBitmapSize = 2048

    /// The numbers a syscall of this ABI can have in the tables: what fits the audit bitmap (x32's
    /// numbers carry the 0x40000000 bit on top).
    public var syscallNumbers: Range<Int> {
        let base = self == .x32 ? 0x4000_0000 : 0
        return base..<(base + Self.auditBitmapSize)
    }

    public var bits: Int {
        switch self {
        case .x86_64, .ppc64, .s390x, .aarch64, .riscv64: return 64
        case .i386, .x32, .ppc, .s390, .arm, .riscv32: return 32
        }
    }
}

/// A machine as `uname -m` names it, with the ABIs its kernel can run.
public enum Machine: String, CaseIterable, Hashable, Sendable, Codable, CustomStringConvertible {
    case x86_64, i386, aarch64, arm, ppc64le, ppc64, ppc, s390x, s390, riscv64

    public var description: String { rawValue }

    /// Maps `uname -m` spellings (i686, armv7l, ...) to a machine.
    public init?(uname: String) {
        switch uname.asciiLowercased {
        case "x86_64", "amd64": self = .x86_64
        case "i386", "i486", "i586", "i686": self = .i386
        case "aarch64", "arm64": self = .aarch64
        case let s where s.hasPrefix("arm"): self = .arm
        case "ppc64le", "powerpc64le": self = .ppc64le
        case "ppc64", "powerpc64": self = .ppc64
        case "ppc", "powerpc": self = .ppc
        case "s390x": self = .s390x
        case "s390": self = .s390
        case "riscv64": self = .riscv64
        default: return nil
        }
    }

    /// The ABI `-F arch=b64` means on this machine; nil on 32-bit machines.
    public var b64: ABI? {
        switch self {
        case .x86_64: return .x86_64
        case .aarch64: return .aarch64
        case .ppc64le, .ppc64: return .ppc64
        case .s390x: return .s390x
        case .riscv64: return .riscv64
        case .i386, .arm, .ppc, .s390: return nil
        }
    }

    /// The ABI `-F arch=b32` means on this machine (the compat ABI on 64-bit machines).
    public var b32: ABI? {
        switch self {
        case .x86_64, .i386: return .i386
        case .aarch64, .arm: return .arm
        case .ppc64le, .ppc64, .ppc: return .ppc
        case .s390x, .s390: return .s390
        case .riscv64: return nil  // riscv32 compat is not built by any distribution kernel
        }
    }

    /// The AUDIT_ARCH value the kernel uses for `abi` on this machine (ppc64le has its own LE value).
    public func auditArch(for abi: ABI) -> UInt32 {
        if self == .ppc64le && abi == .ppc64 { return 0xc000_0015 }
        return abi.auditArch
    }
}
