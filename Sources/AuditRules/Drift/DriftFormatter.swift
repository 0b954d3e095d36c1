import Syscalls

/// Turns a DriftReport into what `aurules check` prints: rules as `auditctl -l` shows them,
/// syscall numbers as names of the rule's own ABI at the target release.
public struct DriftFormatter: Sendable {
    public var machine: Machine
    public var kernel: KernelVersion
    public var auditVersion: AuditVersion
    public var database: SyscallDatabase

    public init(machine: Machine, kernel: KernelVersion, auditVersion: AuditVersion = .v3_0_9, database: SyscallDatabase = .shipped) {
        self.machine = machine
        self.kernel = kernel
        self.auditVersion = auditVersion
        self.database = database
    }

    /// The rule as `auditctl -l` prints it when listed alone.
    public func line(_ rule: KernelRule) -> String {
        // Kernel strings (keys, paths) are whatever a loader put there.
        ControlCharacters.escaped(Listing.lines(for: [rule], host: machine, auditVersion: auditVersion).first ?? "")
    }

    /// The ABI a rule's syscall numbers belong to: its arch field's, else the host's own.
    public func abi(of rule: KernelRule) -> ABI? {
        let candidates = [machine.b64, machine.b32].compactMap { $0 }
        guard let arch = rule.fields.first(where: { $0.id == KernelRule.archFieldID }) else { return candidates.first }
        return candidates.first { machine.auditArch(for: $0) == arch.value }
    }

    public func syscallName(_ number: Int, in rule: KernelRule) -> String {
        guard let abi = abi(of: rule), let name = database.table(abi, at: kernel)?.name(of: number) else { return "\(number)" }
        return name
    }

    /// One field in auditctl's notation (`-F auid>=1000`, `-C uid!=euid`).
    public func field(_ f: KernelField) -> String {
        let name = FieldTable.spec(id: f.id)?.name ?? "field\(f.id)"
        if f.id == 111, let pair = ComparisonTable.fields(of: f.value) {
            return "-C \(pair.left)\(f.op.rawValue)\(pair.right)"
        }
        return "-F \(name)\(f.op.rawValue)\(ControlCharacters.escaped(value(f)))"
    }

    private func value(_ f: KernelField) -> String {
        if let s = f.string { return s }
        let v = f.value
        switch f.id {
        case KernelRule.archFieldID:
            if let abi = [machine.b64, machine.b32].compactMap({ $0 }).first(where: { machine.auditArch(for: $0) == v }) {
                return abi == machine.b64 ? "b64" : "b32"
            }
            return "0x" + String(v, radix: 16)
        case 103:  // exit
            let signed = Int32(bitPattern: v)
            if signed < 0, let name = ErrnoTable.name(of: -signed) { return "-\(name)" }
            return "\(signed)"
        case 12: return MessageTypeTable.name(of: v) ?? "\(v)"
        case 108: return FileTypeTable.name(of: v) ?? "\(v)"
        case 106:
            let letters: [(UInt32, Character)] = [(4, "r"), (2, "w"), (1, "x"), (8, "a")]
            return String(letters.filter { v & $0.0 != 0 }.map(\.1))
        case 200...203: return "0x" + String(v, radix: 16, uppercase: true)
        default:
            // uid, euid, suid, fsuid, gid, egid, sgid, fsgid, auid, sessionid, obj_uid, obj_gid
            let idLike: Set<UInt32> = [1, 2, 3, 4, 5, 6, 7, 8, 9, 25, 109, 110]
            return idLike.contains(f.id) && v == 0xffff_ffff ? "unset" : "\(v)"
        }
    }

    public func location(_ p: Provenance?) -> String {
        guard let p else { return "(no source)" }
        return "\(ControlCharacters.escaped(p.file)):\(p.line)"
    }
}
