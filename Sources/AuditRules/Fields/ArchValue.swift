import Syscalls

/// `arch=` values as libaudit reads them: `b32`/`b64`, the machine names of its machine table,
/// or an ELF value (`0xc000003e`, `3221225534`, and also bare hex such as `c000003e`, which
/// libaudit retries in base 16 when no name matches).
enum ArchValue {
    static let machineNames309: [String: Machine] = [
        "i386": .i386, "i486": .i386, "i586": .i386, "i686": .i386, "x86_64": .x86_64,
        "ppc64": .ppc64, "ppc64le": .ppc64le, "ppc": .ppc, "s390x": .s390x, "s390": .s390,
        "armeb": .arm, "arm": .arm, "armv5tejl": .arm, "armv5tel": .arm, "armv6l": .arm, "armv7l": .arm,
        "aarch64": .aarch64, "armv8l": .aarch64,
    ]

    /// The ELF (AUDIT_ARCH) values libaudit can map back to a machine.
    static func knownELF(_ version: AuditVersion) -> Set<UInt32> {
        version == .v3_0_9 ? knownELF309 : knownELF4
    }

    private static let knownELF309: Set<UInt32> = [0x4000_0003, 0xc000_003e, 0x8000_0015, 0xc000_0015, 0x14, 0x8000_0016,
                                                   0x16, 0x4000_0028, 0xc000_00b7]
    private static let knownELF4 = knownELF309.union([ABI.riscv64.auditArch, ABI.riscv32.auditArch])

    static func parse(_ raw: String, version: AuditVersion) -> Result<FieldValue, FieldValueError> {
        let notFound = FieldValueError("arch elf mapping not found")
        if raw.startsWithDigit {
            let known = knownELF(version)
            let (v, overflow) = CNumber.strtoul(raw)
            let elf = CNumber.low32(v)
            guard !overflow, known.contains(elf) else { return .failure(notFound) }
            return .success(.arch(.raw(elf)))
        }
        let lower = raw.asciiLowercased
        if lower == "b64" { return .success(.arch(.b64)) }
        if lower == "b32" { return .success(.arch(.b32)) }
        if let m = machineNames309[lower] { return .success(.arch(.machine(m))) }
        if version != .v3_0_9 {
            if lower == "riscv64" { return .success(.arch(.machine(.riscv64))) }
            if lower == "riscv32" { return .success(.arch(.raw(ABI.riscv32.auditArch))) }
        }
        let (v, overflow) = CNumber.strtoul(raw, base: 16)
        let elf = CNumber.low32(v)
        guard !overflow, knownELF(version).contains(elf) else { return .failure(notFound) }
        return .success(.arch(.raw(elf)))
    }
}
