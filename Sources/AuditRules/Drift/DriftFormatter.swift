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

    /// The rule as `auditctl -l` prints it when listed alone, but a never rule shaped like a
    /// watch, whose `-w` line would hide that it is a never rule.
    public func line(_ rule: KernelRule) -> String {
        // Kernel strings (keys, paths) are whatever a loader put there.
        ControlCharacters.escaped(Listing.line(for: rule, host: machine, auditVersion: auditVersion, showingAction: true))
    }

    /// The ABI a rule's syscall numbers belong to: its arch field's, else the host's own.
    public func abi(of rule: KernelRule) -> ABI? {
        guard let arch = rule.fields.first(where: { $0.id == FieldID.arch }) else { return machine.b64 ?? machine.b32 }
        return ArchName.abi(auditArch: arch.value, on: machine)
    }

    public func syscallName(_ number: Int, in rule: KernelRule) -> String {
        guard let abi = abi(of: rule), let name = database.table(abi, at: kernel)?.name(of: number) else { return "\(number)" }
        return name
    }

    /// One field as the rule lines of the report print it (`-F auid>=1000`, `-C uid!=euid`).
    public func field(_ f: KernelField) -> String {
        ControlCharacters.escaped(RulesText(FieldPrinter(version: auditVersion).text(f, watch: false).drop { $0 == 0x20 }))
    }

    public func location(_ p: Provenance?) -> String {
        guard let p else { return "(no source)" }
        return "\(ControlCharacters.escaped(p.file)):\(p.line)"
    }
}
