import Syscalls

/// Kernel filter lists (`audit_rule_data.flags`, AUDIT_FILTER_*).
public enum FilterList: String, CaseIterable, Hashable, Sendable, Codable {
    case user, task, entry, exit, exclude, filesystem, io_uring = "io_uring"

    /// The AUDIT_FILTER_* number the kernel uses.
    public var kernelValue: UInt32 {
        switch self {
        case .user: return 0x00
        case .task: return 0x01
        case .entry: return 0x02
        case .exit: return 0x04
        case .exclude: return 0x05  // AUDIT_FILTER_EXCLUDE == AUDIT_FILTER_TYPE
        case .filesystem: return 0x06
        case .io_uring: return 0x07
        }
    }

    /// Hashed by its kernel number, not its raw string.
    public func hash(into hasher: inout Hasher) { hasher.combine(kernelValue) }

    public init?(kernelValue: UInt32) {
        guard kernelValue < UInt32(Self.byKernelValue.count), let list = Self.byKernelValue[Int(kernelValue)] else { return nil }
        self = list
    }

    /// `kernelValue` inverted once: every listed rule is decoded through here.
    private static let byKernelValue: [FilterList?] = {
        var table = [FilterList?](repeating: nil, count: Int(allCases.map(\.kernelValue).max()!) + 1)
        for list in allCases { table[Int(list.kernelValue)] = list }
        return table
    }()

    /// The order `auditctl -l` prints lists in.
    public static let listingOrder: [FilterList] = [.user, .task, .exit, .exclude, .filesystem, .io_uring]

    /// Where a perm field can only be written `-p LETTERS`: auditctl's `-F perm=` is for the exit
    /// list, but `-p` (after another field) sets the same field on any list the kernel takes it on.
    var permFieldNeedsOption: Bool { self != .exit }

    /// auditctl 3.0.9 accepts `-p` on every `-a` rule; the kernel refuses any field but fstype
    /// and key on the filesystem list.
    var kernelTakesPermField: Bool { self != .filesystem }
}

/// `never` / `always` (AUDIT_NEVER = 0, AUDIT_ALWAYS = 2).
public enum RuleAction: String, CaseIterable, Hashable, Sendable, Codable {
    case never, always

    public var kernelValue: UInt32 { self == .never ? 0 : 2 }

    public init?(kernelValue: UInt32) {
        switch kernelValue {
        case 0: self = .never
        case 2: self = .always
        default: return nil
        }
    }
}

/// Field operators with their kernel encodings (`fieldflags`).
public enum FieldOperator: String, CaseIterable, Hashable, Sendable, Codable {
    case notEqual = "!=", greaterOrEqual = ">=", lessOrEqual = "<=", bitTest = "&=",
         equal = "=", greaterThan = ">", lessThan = "<", bitMask = "&"

    /// auditctl finds the operator by searching the whole `-F` argument for each of these,
    /// in this order; the first one found anywhere wins.
    public static let searchOrder: [FieldOperator] = [.notEqual, .greaterOrEqual, .lessOrEqual, .bitTest,
                                                       .equal, .greaterThan, .lessThan, .bitMask]

    public var kernelValue: UInt32 {
        switch self {
        case .bitMask: return 0x0800_0000
        case .lessThan: return 0x1000_0000
        case .greaterThan: return 0x2000_0000
        case .notEqual: return 0x3000_0000
        case .equal: return 0x4000_0000
        case .bitTest: return 0x4800_0000
        case .lessOrEqual: return 0x5000_0000
        case .greaterOrEqual: return 0x6000_0000
        }
    }

    /// Hashed by its kernel number, not its raw string (AUR502 numbers every rule's fields by
    /// their hash on every target).
    public func hash(into hasher: inout Hasher) { hasher.combine(kernelValue) }

    public init?(kernelValue: UInt32) {
        let index = Int(kernelValue >> 24)
        guard kernelValue & 0x00FF_FFFF == 0, index < Self.byKernelValue.count, let op = Self.byKernelValue[index] else { return nil }
        self = op
    }

    /// `kernelValue` (its top byte; the rest is zero) inverted once: every field of every listed
    /// rule comes here.
    private static let byKernelValue: [FieldOperator?] = {
        var table = [FieldOperator?](repeating: nil, count: Int(allCases.map(\.kernelValue).max()! >> 24) + 1)
        for op in allCases { table[Int(op.kernelValue >> 24)] = op }
        return table
    }()
}

/// One `fields[i]`/`values[i]`/`fieldflags[i]` triple. String-valued fields (path, dir, exe, key,
/// subj_*, obj_*, ...) carry `string`; on the wire `value` is then the string's length in `buf`.
public struct KernelField: Hashable, Sendable, Codable {
    /// AUDIT_* field number (AUDIT_UID = 1, AUDIT_ARCH = 11, AUDIT_FILTERKEY = 210, ...).
    public var id: UInt32
    public var op: FieldOperator
    public var value: UInt32
    public var string: RulesText?

    public init(id: UInt32, op: FieldOperator, value: UInt32) {
        self.id = id
        self.op = op
        self.value = value
        self.string = nil
    }

    public init(id: UInt32, op: FieldOperator, string: RulesText) {
        self.id = id
        self.op = op
        self.value = UInt32(string.count)
        self.string = string
    }
}

/// Where a kernel rule came from: the source statement and, for syscall rules, the ABI it targets.
public struct Provenance: Hashable, Sendable, Codable {
    public var file: String
    public var line: Int
    /// The source line as written.
    public var text: RulesText
    public var abi: ABI?

    public init(file: String, line: Int, text: RulesText, abi: ABI? = nil) {
        self.file = file
        self.line = line
        self.text = text
        self.abi = abi
    }
}

/// One rule as the kernel holds it (`struct audit_rule_data`). Equality ignores provenance:
/// two rules are the same kernel rule when list, action, mask and fields (in order) agree.
public struct KernelRule: Hashable, Sendable, Codable {
    public static let maskWords = 64
    public static let maxFields = 64

    public var list: FilterList
    public var action: RuleAction
    /// Syscall bitmap, 32 syscalls a word; always `maskWords` long.
    public var mask: [UInt32]
    public var fields: [KernelField]
    public var provenance: Provenance?

    public init(list: FilterList, action: RuleAction, mask: [UInt32] = Array(repeating: 0, count: KernelRule.maskWords),
                fields: [KernelField] = [], provenance: Provenance? = nil) {
        precondition(mask.count == KernelRule.maskWords)
        self.list = list
        self.action = action
        self.mask = mask
        self.fields = fields
        self.provenance = provenance
    }

    public static func == (a: KernelRule, b: KernelRule) -> Bool {
        a.list == b.list && a.action == b.action && a.mask == b.mask && a.fields == b.fields
    }

    /// The identity hash of the words that differ between rules (hashing all 64 mask words and
    /// every field through Hasher made matching thousands of rules cost more than decoding them).
    public func hash(into h: inout Hasher) {
        h.combine(RuleHash.of(self))
    }

    public func hasSyscall(_ n: Int) -> Bool {
        guard n >= 0 && n < 32 * KernelRule.maskWords else { return false }
        return mask[n / 32] & (1 << UInt32(n % 32)) != 0
    }

    public mutating func addSyscall(_ n: Int) {
        precondition(n >= 0 && n < 32 * KernelRule.maskWords)
        mask[n / 32] |= 1 << UInt32(n % 32)
    }
}
