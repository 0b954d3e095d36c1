import Synchronization

/// What one audit-userspace release's libaudit and auditctl accept, read from its
/// `loader-<release>.tsv` (see LoaderSources for how the facts are taken from the sources).
public struct LoaderFacts: Sendable {
    public let release: AuditVersion
    /// `uname -m` / `-F arch=` machine name (lower case) -> libaudit's machine constant.
    private var machines = MachineRecords()
    /// Machine constant -> the syscall table it resolves names with.
    private var tables = MachineRecords()
    /// Machine constant -> the one `-F arch=b32` turns it into.
    private var b32 = MachineRecords()
    /// Machine constant -> `32`, `64` or `any`: the bits audit_determine_machine lets it take.
    private var bits = MachineRecords()
    /// kind (field, list, action, op, msgtype, errno, fstype, uringop) -> names, lower case.
    private var names: [String: Set<String>] = [:]
    /// EAU_* key -> the text auditctl prints.
    private var messages: [String: String] = [:]
    /// EAU_* key -> where the message puts the field name (0 none, 1 before, 2 after).
    private(set) var messagePositions: [String: Int] = [:]
    /// Field name -> what audit_rule_fieldpair_data decides about it.
    private(set) var fieldRules: [String: FieldRule] = [:]
    /// `extend`/`noextend` -> the exclude list's field check with/without the kernel's EXCLUDE_EXTEND.
    private(set) var excludeRules: [String: (key: String, fields: Set<String>)] = [:]
    /// auditctl message id (LoaderSources.auditctlMessageNeedles) -> its text.
    private(set) var auditctlMessages: [String: String] = [:]
    /// io_uring operation name -> number (lib/uringop_table.h).
    private(set) var uringOps: [String: Int] = [:]

    /// The configure switches distributions build with (Debian, Fedora, RHEL: arm and aarch64;
    /// io_uring and riscv where the release has them). WITH_ALPHA (2.x) is off everywhere.
    /// (An array: a Set's set-up at start cost a sixth of an `aurules syscall` lookup.)
    static let enabledConditions: [String] = ["", "WITH_ARM", "WITH_AARCH64", "WITH_IO_URING", "WITH_RISCV", "WITH_APPARMOR"]

    init(release: AuditVersion, text: String, file: String) throws {
        self.release = release
        try TableText.forEachRecord(text) { line, f in try add(f, line: line, file: file) }
    }

    /// The machine records of `bytes` as `add` takes them, read from the bytes: only the name (lower-cased
    /// for a machine) and the value become strings, and a record whose condition is off none
    /// (no array of four strings per record: half of the machine facts' cost).
    init(release: AuditVersion, machineRecords bytes: UnsafeBufferPointer<UInt8>, file: String) throws {
        self.release = release
        try TableText.forEachDataLine(bytes) { lineNumber, start, end in
            guard Self.isMachineRecord(UnsafeBufferPointer(rebasing: bytes[start ..< end])) else { return }
            var tabs = (0, 0, 0), count = 0
            for i in start ..< end where bytes[i] == 0x09 {
                count += 1
                switch count {
                case 1: tabs.0 = i
                case 2: tabs.1 = i
                case 3: tabs.2 = i
                default: break
                }
            }
            guard count == 3 else { throw TableFormatError(file: file, line: lineNumber, message: "expected kind, name, value and condition") }
            let condition = UnsafeBufferPointer(rebasing: bytes[tabs.2 + 1 ..< end])
            guard Self.enabledConditions.contains(where: { $0.utf8.count == condition.count && $0.utf8.elementsEqual(condition) }) else { return }
            func text(_ from: Int, _ to: Int) -> String { String(decoding: UnsafeBufferPointer(rebasing: bytes[from ..< to]), as: UTF8.self) }
            let name = text(tabs.0 + 1, tabs.1), value = text(tabs.1 + 1, tabs.2)
            // isMachineRecord took the kinds by their first bytes and a tab: the kind's length tells them apart.
            switch tabs.0 - start {
            case "machine".utf8.count: machines[name.lowercased()] = value
            case "table".utf8.count: tables[name] = value
            case "bits".utf8.count: bits[name] = value
            default: b32[name] = value
            }
        }
    }

    /// One record (kind, name, value, condition) of a loader file.
    private mutating func add(_ f: [String], line: Int, file: String) throws {
        guard f.count == 4 else { throw TableFormatError(file: file, line: line, message: "expected kind, name, value and condition") }
        guard Self.enabledConditions.contains(f[3]) else { return }
        let name = f[1].lowercased()
        switch f[0] {
        case "release": break
        case "machine": machines[name] = f[2]
        case "table": tables[f[1]] = f[2]
        case "b32": b32[f[1]] = f[2]
        case "bits": bits[f[1]] = f[2]
        case "message": messages[f[1]] = f[2]
        case "msgpos": messagePositions[f[1]] = Int(f[2]) ?? 0
        case "auditctl": auditctlMessages[f[1]] = f[2]
        case "exclude":
            let (key, list) = Self.keyAndList(f[2])
            excludeRules[f[1]] = (key, Set(list))
        case "fieldkind": fieldRules[name, default: FieldRule()].kind = f[2]
        case "fieldlists":
            let (key, list) = Self.keyAndList(f[2])
            fieldRules[name, default: FieldRule()].lists = (key, list)
        case "fieldops":
            let (key, list) = Self.keyAndList(f[2])
            fieldRules[name, default: FieldRule()].ops = (key, list)
        case "fieldfeature":
            let (key, list) = Self.keyAndList(f[2])
            fieldRules[name, default: FieldRule()].feature = (key, list.first ?? "")
        case "uringop":
            uringOps[name] = Int(f[2])
            names[f[0], default: []].insert(name)
        default: names[f[0], default: []].insert(name)
        }
    }

    /// The shipped facts of `release` (parsed once per process).
    /// Each release's facts are parsed when first asked for: a run asks for one or two, and
    /// parsing all eight took more than a whole `ausyscall` run.
    static func shipped(_ release: AuditVersion) -> LoaderFacts {
        let i = AuditVersion.allCases.firstIndex(of: release) ?? 0
        if let known = parsed.withLock({ $0[i] }) { return known }
        let v = AuditVersion.allCases[i], file = "loader-\(v.rawValue).tsv"
        let text = EmbeddedTables.text(named: file) ?? ""
        // The shipped files are generated and checked by tests: a parse failure is a build defect.
        let facts = (try? LoaderFacts(release: v, text: text, file: file)) ?? LoaderFacts(empty: v)
        parsed.withLock { $0[i] = facts }
        return facts
    }

    private static let parsed = Mutex([LoaderFacts?](repeating: nil, count: AuditVersion.allCases.count))

    private init(empty release: AuditVersion) { self.release = release }

    /// The machine constant of `machine`, when this libaudit knows the machine at all and can
    /// resolve syscalls for it (riscv64 only from 4.1, built with riscv support).
    public func constant(of machine: Machine) -> String? {
        guard let c = machines[machine.rawValue], bits[c] != nil, tables[c] != nil else { return nil }
        return c
    }

    public func knows(_ machine: Machine) -> Bool { constant(of: machine) != nil }

    /// Whether audit_determine_machine's switch takes the constant at all.
    public func bitsKnown(_ constant: String) -> Bool { bits[constant] != nil }

    /// Why `-F arch=b64`/`b32` (or a machine name) is refused, or the ABI it selects, as
    /// audit_determine_machine of this release decides on a host of `machine`.
    public func arch(_ spelling: String, on machine: Machine) -> Result<ABI, LoaderRefusal> {
        let lower = spelling.lowercased()
        var constant: String
        var wantBits: String?
        if lower == "b64" || lower == "b32" {
            guard let c = machines[machine.rawValue], tables[c] != nil else {
                return .failure(LoaderRefusal(release: release, key: "EAU_ARCHUNKNOWN", text: message("EAU_ARCHUNKNOWN", "machine type not found"),
                                              detail: "audit \(release) does not know machine \(machine)"))
            }
            constant = c
            wantBits = lower == "b64" ? "64" : "32"
        } else {
            guard let c = machines[lower] else {
                return .failure(LoaderRefusal(release: release, key: "EAU_ARCHUNKNOWN", text: message("EAU_ARCHUNKNOWN", "machine type not found"),
                                              detail: "audit \(release) does not know arch \(spelling)"))
            }
            constant = c
        }
        if wantBits == "32", let to = b32[constant] { constant = to }
        let allowed = bits[constant]
        let refused = allowed == nil || (wantBits != nil && allowed != "any" && allowed != wantBits)
        guard !refused, let abi = Self.abi(constant) else {
            return .failure(LoaderRefusal(release: release, key: "EAU_ARCHNOBIT", text: message("EAU_ARCHNOBIT", "requested bit level not supported by machine"),
                                          detail: "audit \(release) takes no arch=\(lower) on \(machine)"))
        }
        return .success(abi)
    }

    /// audit_determine_machine(word) >= 0, as ausyscall uses it: the machine constant for b32/b64
    /// on a host of `hostConstant` (nil: audit_detect_machine failed), a machine name, or an
    /// AUDIT_ARCH value read as strtoul(word, NULL, 16) reads it, kept to 32 bits; nil when refused.
    public func determineMachine(_ word: String, hostConstant: String?) -> String? {
        let lower = word.asciiLowercased
        var constant: String, wantBits: String?
        if lower == "b64" || lower == "b32" {
            guard let host = hostConstant else { return nil }
            constant = host
            wantBits = lower == "b64" ? "64" : "32"
        } else if let c = machines[lower] {
            constant = c
        } else {
            guard let value = LibauditMachine.strtoul16(Array(word.utf8)) else { return nil }
            let elf = UInt32(truncatingIfNeeded: value)
            // The first in byte order of the constants that match.
            guard let c = machines.values.filter({ c in
                bits[c] != nil && (c == "MACH_PPC64LE" ? Machine.ppc64le.auditArch(for: .ppc64) == elf : Self.abi(c)?.auditArch == elf && c != "MACH_IO_URING")
            }).min() else { return nil }
            constant = c
        }
        if wantBits == "32", let to = b32[constant] { constant = to }
        guard let allowed = bits[constant], wantBits == nil || allowed == "any" || allowed == wantBits else { return nil }
        return constant
    }

    /// audit_detect_machine on a host whose `uname -m` is `name`.
    public func detectMachine(uname name: String) -> String? { machines[name.asciiLowercased] }

    /// The machine constant a `-F arch=` machine name selects (case-insensitive); nil when this
    /// release does not know the name.
    public func constant(named name: String) -> String? { machines[name.lowercased()] }

    /// The machine a constant stands for (nil for riscv32 and uring, which aurules does not target).
    public static func machine(_ constant: String) -> Machine? {
        switch constant {
        case "MACH_X86": return .i386
        case "MACH_86_64": return .x86_64
        case "MACH_PPC64": return .ppc64
        case "MACH_PPC64LE": return .ppc64le
        case "MACH_PPC": return .ppc
        case "MACH_S390X": return .s390x
        case "MACH_S390": return .s390
        case "MACH_ARM": return .arm
        case "MACH_AARCH64": return .aarch64
        case "MACH_RISCV64": return .riscv64
        default: return nil
        }
    }

    /// The AUDIT_ARCH values audit_elf_to_machine maps back to a machine this release knows.
    public var knownAuditArches: Set<UInt32> {
        var out: Set<UInt32> = []
        for c in machines.values where bits[c] != nil {
            if c == "MACH_PPC64LE" { out.insert(Machine.ppc64le.auditArch(for: .ppc64)); continue }
            if let abi = Self.abi(c) { out.insert(abi.auditArch) }
        }
        return out
    }

    /// The ABI whose table libaudit resolves names with for a machine constant.
    static func abi(_ constant: String) -> ABI? {
        if constant == "MACH_PPC64LE" { return .ppc64 }
        return LoaderSources.machineABIs.first { $0.machine == constant }?.abi
    }

    /// Whether this release's table `kind` (field, list, action, op, msgtype, errno, fstype,
    /// uringop) has `name` (case-insensitive).
    public func has(_ kind: String, _ name: String) -> Bool { names[kind]?.contains(name.lowercased()) ?? false }

    /// The names of one table, lower case.
    public func names(_ kind: String) -> Set<String> { names[kind] ?? [] }

    /// The text auditctl of this release prints for an EAU_* refusal.
    public func message(_ key: String, _ fallback: String) -> String { messages[key] ?? fallback }
}

/// One kind of a loader file's machine records (a few lines), keyed as a dictionary assigned
/// in file order would be (the last value of a key wins). Not a dictionary: the first String-keyed
/// dictionary of a run costs the runtime a scan of every protocol conformance in the binary
/// (String: Hashable), a large share of an `aurules syscall` lookup, which reads nothing else keyed.
struct MachineRecords: Sendable {
    private var keys: [String] = []
    /// The values, in the order their keys were first met.
    private(set) var values: [String] = []

    subscript(key: String) -> String? {
        get { keys.firstIndex(of: key).map { values[$0] } }
        set {
            if let i = keys.firstIndex(of: key) {
                if let newValue { values[i] = newValue } else { keys.remove(at: i); values.remove(at: i) }
            } else if let newValue {
                // A release has up to 18 records of a kind: room made once, not at every doubling.
                if keys.isEmpty {
                    keys.reserveCapacity(20)
                    values.reserveCapacity(20)
                }
                keys.append(key)
                values.append(newValue)
            }
        }
    }
}

/// A refusal by the loader: its EAU_* key, the text auditctl prints, and a sentence naming the cause.
public struct LoaderRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    public let release: AuditVersion
    public let key: String
    public let text: String
    public let detail: String
    public var description: String { "\(detail) (auditctl: \"\(text)\")" }

    public init(release: AuditVersion, key: String, text: String, detail: String) {
        self.release = release
        self.key = key
        self.text = text
        self.detail = detail
    }
}
