import Syscalls

/// `arch=` values as libaudit reads them: `b32`/`b64`, the machine names of its machine table,
/// or an ELF value (`0xc000003e`, `3221225534`, and also bare hex such as `c000003e`, which
/// libaudit retries in base 16 when no name matches).
enum ArchValue {
    static func parse(_ raw: RulesText, version: AuditVersion) -> Result<FieldValue, FieldValueError> {
        let notFound = FieldValueError("arch elf mapping not found")
        // The loader's facts, and the arches they know (a set built on each use), only for what
        // is not b64/b32, nearly every rule's arch.
        if raw.startsWithDigit {
            let (v, overflow) = CNumber.strtoul(raw)
            let elf = CNumber.low32(v)
            guard !overflow, version.loader.knownAuditArches.contains(elf) else { return .failure(notFound) }
            return .success(.arch(.raw(elf)))
        }
        let lower = raw.lowercasedASCII
        if lower == "b64" { return .success(.arch(.b64)) }
        if lower == "b32" { return .success(.arch(.b32)) }
        let loader = version.loader
        if let name = lower.asciiName, let c = loader.constant(named: name), loader.bitsKnown(c) {
            if let m = LoaderFacts.machine(c) { return .success(.arch(.machine(m))) }
            if c == "MACH_RISCV32" { return .success(.arch(.raw(ABI.riscv32.auditArch))) }
        }
        let (v, overflow) = CNumber.strtoul(raw, base: 16)
        let elf = CNumber.low32(v)
        guard !overflow, loader.knownAuditArches.contains(elf) else { return .failure(notFound) }
        return .success(.arch(.raw(elf)))
    }
}
