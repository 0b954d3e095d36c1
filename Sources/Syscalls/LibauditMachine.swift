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

    /// The machine word spellings a release's machine table holds (lib/machinetab.h), matched after
    /// ASCII lower-casing. ia64 and alpha left the table in 3.0; 4.x adds riscv32/riscv64 (and
    /// uring, which aurules does not model).
    static func spellings(_ version: AuditVersion) -> [String: LibauditMachine] {
        var table: [String: LibauditMachine] = [
            "i386": .i386, "i486": .i386, "i586": .i386, "i686": .i386, "x86_64": .x86_64,
            "ppc64": .ppc64, "ppc64le": .ppc64le, "ppc": .ppc, "s390x": .s390x, "s390": .s390,
            "armeb": .arm, "arm": .arm, "armv5tejl": .arm, "armv5tel": .arm, "armv6l": .arm, "armv7l": .arm,
            "aarch64": .aarch64, "armv8l": .aarch64,
        ]
        if version == .v4_2 { table["riscv32"] = .riscv32; table["riscv64"] = .riscv64 }
        return table
    }

    /// machine_s2i: the word lower-cased in ASCII only, then an exact match.
    public static func named(_ word: String, version: AuditVersion) -> LibauditMachine? {
        spellings(version)[word.asciiLowercased]
    }

    /// audit_elf_to_machine: the AUDIT_ARCH values the release maps back to a machine.
    public static func byAuditArch(_ value: UInt32, version: AuditVersion) -> LibauditMachine? {
        var machines: [LibauditMachine] = [.i386, .x86_64, .ppc64, .ppc64le, .ppc, .s390x, .s390, .arm, .aarch64]
        if version == .v4_2 { machines += [.riscv32, .riscv64] }
        return machines.first { $0.auditArch == value }
    }

    var auditArch: UInt32 {
        self == .ppc64le ? Machine.ppc64le.auditArch(for: .ppc64) : abi.auditArch
    }

    /// audit_detect_machine: uname's machine through the machine table; nil when unknown.
    public static func detect(uname: String, version: AuditVersion) -> LibauditMachine? {
        named(uname, version: version)
    }

    /// audit_determine_machine(word) >= 0: b32/b64 relative to `host`, a machine name, or an
    /// AUDIT_ARCH value read as strtoul(word, NULL, 16) does (leading blanks, a sign, an optional
    /// 0x, then hex digits up to the first other character; nil on overflow), kept to 32 bits.
    public static func determine(_ word: String, version: AuditVersion, host: LibauditMachine?) -> LibauditMachine? {
        let lower = word.asciiLowercased
        if lower == "b64" || lower == "b32" {
            guard let host else { return nil }
            if lower == "b64" { return host.is32BitOnly ? nil : host }
            switch host {
            case .x86_64: return .i386
            case .ppc64: return .ppc
            case .s390x: return .s390
            case .aarch64: return .arm
            case .riscv64 where version == .v4_2: return .riscv32
            default: return host  // ppc64le stays ppc64le: libaudit has no 32-bit fix-up for it
            }
        }
        if let m = named(word, version: version) { return m }
        guard let value = strtoul16(Array(word.utf8)) else { return nil }
        return byAuditArch(UInt32(truncatingIfNeeded: value), version: version)
    }

    /// Machines libaudit refuses b64 for.
    var is32BitOnly: Bool { [.i386, .ppc, .s390, .arm, .riscv32].contains(self) }

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
