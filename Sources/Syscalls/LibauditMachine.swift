/// libaudit's machine types (its MACH_* values) and how a loader release resolves a word into one
/// (audit_determine_machine), as ausyscall and `auditctl -F arch=` do. The printed name is what
/// audit_machine_to_name gives ("Using armeb syscall table").
public enum LibauditMachine: String, Sendable, CaseIterable {
    case i386, x86_64, ppc64, ppc64le, ppc, s390x, s390, arm = "armeb", aarch64, riscv32, riscv64

    public var printedName: String { rawValue }

    /// The ABI whose libaudit table answers for this machine: libaudit has one ppc table for
    /// ppc, ppc64 and ppc64le (kept under both ppc and ppc64 in libaudit-*.tsv).
    public var abi: ABI {
        switch self {
        case .i386: return .i386
        case .x86_64: return .x86_64
        case .ppc64, .ppc64le: return .ppc64
        case .ppc: return .ppc
        case .s390x: return .s390x
        case .s390: return .s390
        case .arm: return .arm
        case .aarch64: return .aarch64
        case .riscv32: return .riscv32
        case .riscv64: return .riscv64
        }
    }

    /// The machine of a libaudit MACH_* constant; nil for those aurules does not model (uring).
    public init?(constant: String) {
        switch constant {
        case "MACH_X86": self = .i386
        case "MACH_86_64": self = .x86_64
        case "MACH_PPC64": self = .ppc64
        case "MACH_PPC64LE": self = .ppc64le
        case "MACH_PPC": self = .ppc
        case "MACH_S390X": self = .s390x
        case "MACH_S390": self = .s390
        case "MACH_ARM": self = .arm
        case "MACH_AARCH64": self = .aarch64
        case "MACH_RISCV32": self = .riscv32
        case "MACH_RISCV64": self = .riscv64
        default: return nil
        }
    }

    public var constant: String {
        switch self {
        case .i386: return "MACH_X86"
        case .x86_64: return "MACH_86_64"
        case .ppc64: return "MACH_PPC64"
        case .ppc64le: return "MACH_PPC64LE"
        case .ppc: return "MACH_PPC"
        case .s390x: return "MACH_S390X"
        case .s390: return "MACH_S390"
        case .arm: return "MACH_ARM"
        case .aarch64: return "MACH_AARCH64"
        case .riscv32: return "MACH_RISCV32"
        case .riscv64: return "MACH_RISCV64"
        }
    }

    /// audit_detect_machine: uname's machine through the release's machine table; nil when unknown.
    public static func detect(uname: String, version: AuditVersion) -> LibauditMachine? {
        LoaderFacts.shippedMachines(version).detectMachine(uname: uname).flatMap(LibauditMachine.init(constant:))
    }

    /// audit_determine_machine(word) >= 0 for `version` (LoaderFacts.determineMachine); 2.x's
    /// ausyscall asked audit_name_to_machine only (no b32, b64 or AUDIT_ARCH values).
    public static func determine(_ word: String, version: AuditVersion, host: LibauditMachine?) -> LibauditMachine? {
        let facts = LoaderFacts.shippedMachines(version)
        if version.major < 3 { return facts.constant(named: word.asciiLowercased).flatMap(LibauditMachine.init(constant:)) }
        return facts.determineMachine(word, hostConstant: host?.constant).flatMap(LibauditMachine.init(constant:))
    }

    /// glibc strtoul(s, NULL, 16) on a 64-bit long: nil when it sets ERANGE.
    static func strtoul16(_ s: [UInt8]) -> UInt64? {
        var i = 0
        while i < s.count, s[i] == 0x20 || (0x09...0x0d).contains(s[i]) { i += 1 }
        var negative = false
        if i < s.count, s[i] == UInt8(ascii: "+") || s[i] == UInt8(ascii: "-") { negative = s[i] == UInt8(ascii: "-"); i += 1 }
        func digit(_ b: UInt8) -> UInt64? {
            switch b {
            case 0x30...0x39: return UInt64(b - 0x30)
            case 0x61...0x66: return UInt64(b - 0x61 + 10)
            case 0x41...0x46: return UInt64(b - 0x41 + 10)
            default: return nil
            }
        }
        // "0x" is a prefix only when a hex digit follows it; otherwise the 0 alone is the number.
        if i + 2 < s.count, s[i] == 0x30, s[i + 1] | 0x20 == UInt8(ascii: "x"), digit(s[i + 2]) != nil { i += 2 }
        var value: UInt64 = 0
        var overflow = false
        while i < s.count, let d = digit(s[i]) {
            if !overflow {
                let (times, o1) = value.multipliedReportingOverflow(by: 16)
                let (plus, o2) = times.addingReportingOverflow(d)
                if o1 || o2 { overflow = true } else { value = plus }
            }
            i += 1
        }
        if overflow { return nil }
        return negative ? 0 &- value : value
    }
}
