/// An architecture as a user writes it for ausyscall or `-F arch=`: b32/b64 (relative to a host
/// machine), a machine name (`uname -m` or libaudit spelling), an ABI name, or an AUDIT_ARCH value.
public struct ArchName: Hashable, Sendable {
    public var abi: ABI
    /// The machine the spelling named, when it named one (ppc64le, armv7l, ...).
    public var machine: Machine?

    public init(abi: ABI, machine: Machine?) {
        self.abi = abi
        self.machine = machine
    }

    /// nil when `text` is no architecture spelling aurules knows.
    public init?(_ text: String, host: Machine) {
        self.init(text, hostMachine: host)
    }

    /// As init(_:host:), asking for the host machine only when the spelling is b32 or b64.
    public init?(_ text: String, hostMachine: @autoclosure () -> Machine) {
        let s = text.asciiLowercased
        switch s {
        case "b64":
            let host = hostMachine()
            guard let abi = host.b64 else { return nil }
            self.init(abi: abi, machine: host)
            return
        case "b32":
            let host = hostMachine()
            guard let abi = host.b32 else { return nil }
            self.init(abi: abi, machine: host)
            return
        default:
            break
        }
        if s.hasPrefix("0x"), let value = UInt32(s.dropFirst(2), radix: 16) {
            guard let found = Self.byAuditArch(value) else { return nil }
            self = found
            return
        }
        if let abi = ABI(rawValue: s) {
            self.init(abi: abi, machine: Machine(rawValue: s))
            return
        }
        // libaudit's own spelling of 32-bit arm; armv5tejl is a `uname -m` too.
        if s == "armeb" || s == "armv5tejl" {
            self.init(abi: .arm, machine: .arm)
            return
        }
        guard let machine = Machine(uname: s), let abi = machine.b64 ?? machine.b32 else { return nil }
        self.init(abi: abi, machine: machine)
    }

    /// The ABI an AUDIT_ARCH value denotes (ppc64le's little-endian value included).
    public static func byAuditArch(_ value: UInt32) -> ArchName? {
        if value == Machine.ppc64le.auditArch(for: .ppc64) { return ArchName(abi: .ppc64, machine: .ppc64le) }
        // x32 shares x86_64's value: the value means x86_64.
        guard let abi = ABI.allCases.first(where: { $0.auditArch == value && $0 != .x32 }) else { return nil }
        return ArchName(abi: abi, machine: nil)
    }

    /// Which of `machine`'s own ABIs (64-bit first) the kernel stores as `value`; nil for
    /// another machine's value.
    public static func abi(auditArch value: UInt32, on machine: Machine) -> ABI? {
        [machine.b64, machine.b32].compactMap { $0 }.first { machine.auditArch(for: $0) == value }
    }

    /// The name ausyscall prints for the table ("Using armeb syscall table").
    public var libauditMachineName: String {
        if machine == .ppc64le { return "ppc64le" }
        switch abi {
        case .arm: return "armeb"
        default: return abi.rawValue
        }
    }
}
