import Syscalls

/// Why a field value is refused. `message` uses auditctl's wording where auditctl has one;
/// `hostDependent` marks refusals that depend on the loading host (unknown users and groups),
/// which another host may accept.
public struct FieldValueError: Error, Hashable, Sendable {
    public var message: String
    public var hostDependent: Bool

    public init(_ message: String, hostDependent: Bool = false) {
        self.message = message
        self.hostDependent = hostDependent
    }
}

/// Turns the value of one `-F name op value` into what the kernel stores, accepting and
/// refusing exactly what auditctl 3.0.9 (libaudit's audit_rule_fieldpair_data) and the
/// kernel's audit_data_to_entry accept and refuse for that field, operator and list.
/// Rule-level checks (arch before -S, key dependencies, field counts) are the parser's.
public struct FieldValueParser: Sendable {
    public var resolver: (any UserResolver)?
    /// Whose libaudit tables apply: 4.2 adds message types (DM_CTRL, DM_EVENT) and riscv arches.
    public var auditVersion: AuditVersion { didSet { facts = auditVersion.loader } }
    /// `auditVersion.loader`, taken once: every field clause of a parse asks it.
    private(set) var facts: LoaderFacts
    /// The target kernel (nil: one with every audit feature).
    public var kernel: KernelVersion?

    static let pathMax = 4096
    static let maxKeyLength = 256
    /// AF_MAX of the kernel and glibc headers auditctl 3.0.9 is built with.
    static let addressFamilyMax: UInt32 = 46
    static let unset: UInt32 = 0xFFFF_FFFF

    public init(resolver: (any UserResolver)?, auditVersion: AuditVersion = .v3_0_9, kernel: KernelVersion? = nil) {
        self.resolver = resolver
        self.auditVersion = auditVersion
        self.facts = auditVersion.loader
        self.kernel = kernel
    }

    /// Checks run in auditctl's order (libaudit's list and operator checks, the value, then what
    /// only the kernel refuses), so that the first refusal is the one auditctl reports.
    public func parse(_ spec: FieldSpec, op: FieldOperator, raw: RulesText, list: FilterList)
        -> Result<FieldValue, FieldValueError>
    {
        parse(spec, op: op, raw: raw, list: list, libauditTakes: false)
    }

    /// The same; `libauditTakes`: `libauditTakes(spec, op:, list:)` was asked and said yes, so
    /// its checks are not run again (the line parser keeps its answers for a parse).
    func parse(_ spec: FieldSpec, op: FieldOperator, raw: RulesText, list: FilterList, libauditTakes: Bool)
        -> Result<FieldValue, FieldValueError>
    {
        if raw.isEmpty { return .failure(.init("-F missing value after operation for \(spec.name)")) }
        if !libauditTakes, let e = libauditListError(spec, list) ?? libauditOperatorError(spec, op) { return .failure(e) }
        let value = parseValue(spec, op: op, raw: raw)
        if case .success = value, let e = kernelOperatorError(spec, op) ?? kernelListError(spec, list) {
            return .failure(e)
        }
        return value
    }

    private func parseValue(_ spec: FieldSpec, op: FieldOperator, raw: RulesText) -> Result<FieldValue, FieldValueError> {
        switch spec.kind {
        case .uid: return parseUID(spec, op: op, raw)
        case .gid: return parseGID(spec, raw)
        case .signedNumber:
            guard raw.startsWithDigit else { return .failure(notNumber(spec)) }
            return .success(.number(CNumber.low32(CNumber.strtol(raw))))
        case .unsignedNumber:
            let v = CNumber.low32(CNumber.strtoul(raw).value)
            if v >= Self.addressFamilyMax { return .failure(.init("value is too large for field: \(spec.name)")) }
            return .success(.number(v))
        case .argument:
            if raw.startsWithDigit { return .success(.number(CNumber.low32(CNumber.strtoul(raw).value))) }
            if raw.startsWithMinusDigit { return .success(.number(CNumber.low32(CNumber.strtol(raw)))) }
            return .failure(notNumber(spec))
        case .exit: return parseExit(raw)
        case .msgtype: return parseMessageType(raw)
        case .fileType:
            guard let v = raw.asciiName.flatMap(FileTypeTable.value(of:)) else {
                return .failure(.init("-F unknown file type - \(spec.name)"))
            }
            return .success(.number(v))
        case .arch: return ArchValue.parse(raw, version: auditVersion)
        case .permission: return parsePermission(raw)
        case .string: return parseString(spec, raw)
        case .sessionID:
            if raw.startsWithDigit { return .success(.number(CNumber.low32(CNumber.strtoul(raw).value))) }
            if raw.startsWithMinusDigit { return .success(.number(CNumber.low32(CNumber.strtol(raw)))) }
            // auditctl leaves any other word as 0 without a complaint.
            return .success(.number(raw == "unset" ? Self.unset : 0))
        case .inode:
            guard raw.startsWithDigit else { return .failure(notNumber(spec)) }
            return .success(.number(CNumber.low32(CNumber.strtoul(raw).value)))
        case .fsType:
            let v = raw.startsWithDigit ? CNumber.low32(CNumber.strtoul(raw).value)
                : raw.asciiName.flatMap { FileSystemTypeTable.value(of: $0, version: auditVersion) } ?? Self.unset
            if v == Self.unset { return .failure(.init("file system type is unknown for field: \(spec.name)")) }
            return .success(.number(v))
        }
    }

    private func notNumber(_ spec: FieldSpec) -> FieldValueError {
        .init("-F value should be number for \(spec.name)")
    }

    /// libaudit's list checks of `auditVersion` (its exclude field set, the field's lists), from
    /// the release's data; the text is what its auditctl prints.
    private func libauditListError(_ spec: FieldSpec, _ list: FilterList) -> FieldValueError? {
        guard let r = facts.fieldRefusal(spec.name, spelled: spec.name, op: FieldOperator.equal.rawValue, list: list.rawValue,
                                                       kernelHasExcludeExtend: kernelHasExcludeExtend) else { return nil }
        return .init(r.text)
    }

    /// Whether libaudit of `auditVersion` takes the field with `op` on `list` (its list and
    /// operator checks; the value is not looked at).
    func libauditTakes(_ spec: FieldSpec, op: FieldOperator, list: FilterList) -> Bool {
        libauditListError(spec, list) == nil && libauditOperatorError(spec, op) == nil
    }

    /// libaudit's exclude check depends on the kernel's EXCLUDE_EXTEND feature (KernelAuditFacts: Linux 4.9).
    var kernelHasExcludeExtend: Bool { kernel.map { $0 >= FieldTable.excludeExtendKernel } ?? true }

    private func kernelListError(_ spec: FieldSpec, _ list: FilterList) -> FieldValueError? {
        guard spec.kernelRefuses(on: list) else { return nil }
        if list == .filesystem {
            return .init("\(spec.name) cannot be used on the filesystem list: the kernel takes only fstype and key there")
        }
        return .init("\(spec.name) cannot be used on the \(list.rawValue) list: the kernel rejects it")
    }

    /// The operators libaudit of `auditVersion` checks itself (exe, arch, inode, perm, fstype).
    private func libauditOperatorError(_ spec: FieldSpec, _ op: FieldOperator) -> FieldValueError? {
        guard let ops = facts.fieldRule(spec.name)?.ops, !ops.names.contains(op.rawValue) else { return nil }
        return .init(facts.printed(ops.key, field: spec.name))
    }

    private func kernelOperatorError(_ spec: FieldSpec, _ op: FieldOperator) -> FieldValueError? {
        if spec.takes(op) { return nil }
        let allowed = FieldOperator.allCases.filter(spec.operators.contains).map(\.rawValue).joined(separator: " ")
        return .init("\(spec.name) does not take the \(op.rawValue) operator: the kernel rejects it (it takes \(allowed))")
    }

    private func parseUID(_ spec: FieldSpec, op: FieldOperator, _ raw: RulesText) -> Result<FieldValue, FieldValueError> {
        let value: UInt32
        if raw.startsWithDigit {
            value = CNumber.low32(CNumber.strtoul(raw).value)
        } else if raw.startsWithMinusDigit {
            value = CNumber.low32(CNumber.strtol(raw))
        } else if raw == "unset" {
            value = Self.unset
        } else {
            guard let resolver else { return .success(.userName(raw)) }
            guard let uid = resolver.uid(named: raw) else {
                return .failure(.init("Unknown user: \(message: raw)" + resolver.unresolvedNote(user: true, named: raw), hostDependent: true))
            }
            value = uid
        }
        if value == Self.unset {
            // The kernel turns auid=-1 into its "loginuid set" test, which only knows = and !=;
            // every other uid field refuses the invalid uid outright.
            if spec.id != FieldID.auid {
                return .failure(.init("\(spec.name) cannot be -1 (unset): the kernel rejects it; only auid takes unset"))
            }
            if op != .equal && op != .notEqual {
                return .failure(.init("auid unset (-1) only takes = or != operators: the kernel rejects \(op.rawValue)"))
            }
        }
        return .success(.number(value))
    }

    private func parseGID(_ spec: FieldSpec, _ raw: RulesText) -> Result<FieldValue, FieldValueError> {
        let value: UInt32
        if raw.startsWithDigit {
            value = CNumber.low32(CNumber.strtol(raw))
        } else if raw == "unset" || raw.first == UInt8(ascii: "-") {
            // auditctl looks these up as group names; no group is called that.
            return .failure(.init("Unknown group: \(message: raw)"))
        } else {
            guard let resolver else { return .success(.groupName(raw)) }
            guard let gid = resolver.gid(named: raw) else {
                return .failure(.init("Unknown group: \(message: raw)" + resolver.unresolvedNote(user: false, named: raw), hostDependent: true))
            }
            value = gid
        }
        if value == Self.unset {
            return .failure(.init("\(spec.name) cannot be 4294967295 (-1): the kernel rejects an invalid gid"))
        }
        return .success(.number(value))
    }

    private func parseExit(_ raw: RulesText) -> Result<FieldValue, FieldValueError> {
        if raw.startsWithDigit || raw.startsWithMinusDigit {
            return .success(.number(CNumber.low32(CNumber.strtol(raw))))
        }
        let negative = raw.first == UInt8(ascii: "-")
        let name = negative ? RulesText(raw.dropFirst()) : raw
        guard let ascii = name.asciiName, let n = ErrnoTable.number(of: ascii), facts.has("errno", ascii) else {
            return .failure(.init("-F unknown errno - exit"))
        }
        return .success(.number(UInt32(bitPattern: negative ? -n : n)))
    }

    private func parseMessageType(_ raw: RulesText) -> Result<FieldValue, FieldValueError> {
        if raw.startsWithDigit { return .success(.number(CNumber.low32(CNumber.strtol(raw)))) }
        if let name = raw.asciiName, let n = MessageTypeTable.number(of: name, version: auditVersion) { return .success(.number(n)) }
        // libaudit also reads back its own rendering of unnamed types, `UNKNOWN[1234]`.
        if raw.starts(with: "UNKNOWN[".utf8), let close = raw.dropFirst(8).firstIndex(of: UInt8(ascii: "]")) {
            let digits = RulesText(raw[8 ..< close].prefix(7))
            let n = CNumber.strtol(digits, base: 10)
            if n > 0 { return .success(.number(UInt32(n))) }
        }
        return .failure(.init("-F unknown message type - msgtype"))
    }

    private func parsePermission(_ raw: RulesText) -> Result<FieldValue, FieldValueError> {
        if raw.count > Permissions.maxLetters { return .failure(.init("String value too long")) }
        guard let permissions = Permissions(letters: raw) else { return .failure(.init("Permission can only contain 'rwxa'")) }
        return .success(.permissions(permissions))
    }

    private func parseString(_ spec: FieldSpec, _ raw: RulesText) -> Result<FieldValue, FieldValueError> {
        let limit = spec.id == FieldID.key ? Self.maxKeyLength : Self.pathMax
        if raw.count > limit { return .failure(.init("String value too long")) }
        if spec.id == FieldID.path || spec.id == FieldID.dir || spec.id == FieldID.exe {
            // audit_to_watch, audit_make_tree and audit_alloc_mark refuse these with EINVAL.
            // By bytes, as the kernel checks: "/" then a combining mark is still absolute.
            if raw.first != UInt8(ascii: "/") { return .failure(.init("\(spec.name) must be an absolute path (the kernel rejects \(message: raw))")) }
            if spec.id != FieldID.dir && raw.last == UInt8(ascii: "/") {
                return .failure(.init("\(spec.name) must not end with / (the kernel rejects \(message: raw))"
                    + (spec.id == FieldID.path ? "; use dir= for a directory" : "")))
            }
        }
        return .success(.string(raw))
    }
}
