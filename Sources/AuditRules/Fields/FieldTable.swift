import Syscalls

/// How a field's value is written and what the kernel stores for it.
public enum FieldValueKind: Hashable, Sendable {
    /// User ids: numbers (negative ones in two's complement), `unset`, user names.
    case uid
    /// Group ids: numbers or group names.
    case gid
    /// Plain numbers that must start with a digit (auditctl's default case: pid, pers, ppid,
    /// devmajor, devminor, success, field_compare).
    case signedNumber
    /// `saddr_fam`: parsed with no check at all (`abc` is 0), below AF_MAX.
    case unsignedNumber
    /// a0..a3: numbers, negative ones allowed, nothing else.
    case argument
    /// `exit`: numbers or errno names (`-EACCES` is -13, `EACCES` is 13).
    case exit
    /// `msgtype`: message type names or numbers.
    case msgtype
    /// `filetype`: file, dir, socket, link, character, block, fifo.
    case fileType
    /// `arch`: b32, b64, machine names, ELF values.
    case arch
    /// `perm`: letters r, w, x, a.
    case permission
    /// Strings: path, dir, exe, key, subj_*, obj_user/role/type/lev_*.
    case string
    /// `sessionid`: numbers or `unset`; anything else silently becomes 0.
    case sessionID
    /// `inode`: an unsigned number.
    case inode
    /// `fstype`: a file system magic number or one of the names auditctl knows.
    case fsType
}

/// One field of the rule language: auditctl's name for it, the kernel's number, and where and
/// how it may be used. `operators` and `lists` are what auditctl 3.0.9 and the kernel both
/// accept (the kernel refuses bit operators on ids, for instance, although auditctl sends them).
/// A class, not a struct: every field clause looks one up, and a copy of a struct with five
/// reference-counted members costs more than the look-up.
public final class FieldSpec: Hashable, Sendable {
    public let name: String
    public let aliases: [String]
    public let id: UInt32
    public let kind: FieldValueKind
    public let operators: Set<FieldOperator>
    public let lists: Set<FilterList>
    /// `operators` and `lists` as bit sets, for the parser's checks (a Set lookup hashes).
    let operatorBits: UInt16
    let listBits: UInt16
    /// The lists KernelAuditFacts says the kernel refuses the field on, as bits.
    let kernelRefusedListBits: UInt16

    /// `operators.contains(op)` without hashing.
    func takes(_ op: FieldOperator) -> Bool { operatorBits & op.bit != 0 }
    /// `lists.contains(list)` without hashing.
    func isAllowed(on list: FilterList) -> Bool { listBits & list.bit != 0 }

    /// Whether the kernel refuses the field on `list` whatever the loader and the release:
    /// KernelAuditFacts.refuses (msgtype off the user and exclude lists, fstype off the
    /// filesystem list and anything but fstype and key on it, perm on the io_uring list, the
    /// entry list), checked against the kernel by FieldKernelTests. What a loader release
    /// refuses besides is its data's (LoaderFacts.fieldRefusal), and what a kernel release lacks
    /// KernelAuditFacts.missing's; `lists` is the two together for auditctl 3.0.9.
    public func kernelRefuses(on list: FilterList) -> Bool { kernelRefusedListBits & list.bit != 0 }

    /// Stored in the rule's string buffer (the value on the wire is the string's length).
    public var isString: Bool { kind == .string }

    public init(name: String, aliases: [String] = [], id: UInt32, kind: FieldValueKind,
                operators: Set<FieldOperator>, lists: Set<FilterList>) {
        self.name = name
        self.aliases = aliases
        self.id = id
        self.kind = kind
        self.operators = operators
        self.lists = lists
        operatorBits = operators.reduce(0) { $0 | $1.bit }
        listBits = lists.reduce(0) { $0 | $1.bit }
        kernelRefusedListBits = FilterList.allCases.reduce(0) { KernelAuditFacts.refuses(field: name, on: $1.rawValue) ? $0 | $1.bit : $0 }
    }

    public static func == (a: FieldSpec, b: FieldSpec) -> Bool {
        a === b || (a.name == b.name && a.aliases == b.aliases && a.id == b.id && a.kind == b.kind
                    && a.operators == b.operators && a.lists == b.lists)
    }

    public func hash(into h: inout Hasher) {
        h.combine(name)
        h.combine(aliases)
        h.combine(id)
        h.combine(kind)
        h.combine(operators)
        h.combine(lists)
    }
}

public enum FieldTable {
    /// libaudit asks the kernel's EXCLUDE_EXTEND feature for the exclude list (KernelAuditFacts: Linux 4.9).
    public static let excludeExtendKernel = KernelAuditFacts.excludeExtend
    private static let allOps = Set(FieldOperator.allCases)
    /// The kernel keeps bit operators for syscall arguments, pers and devminor only.
    private static let noBitOps: Set<FieldOperator> = [.equal, .notEqual, .lessThan, .greaterThan,
                                                       .lessOrEqual, .greaterOrEqual]
    private static let eqNe: Set<FieldOperator> = [.equal, .notEqual]
    private static let eqOnly: Set<FieldOperator> = [.equal]

    // The exclude list takes only pid, uid, gid, auid, msgtype, subj_* and exe (kernels with
    // exclude-extend, 4.9 on); the filesystem list only fstype and the key.
    private static let general: Set<FilterList> = [.user, .task, .exit, .io_uring]
    private static let generalAndExclude: Set<FilterList> = [.user, .task, .exit, .exclude, .io_uring]
    private static let exitOnly: Set<FilterList> = [.exit]

    public static let all: [FieldSpec] = [
        FieldSpec(name: "pid", id: FieldID.pid, kind: .signedNumber, operators: noBitOps, lists: generalAndExclude),
        FieldSpec(name: "uid", id: FieldID.uid, kind: .uid, operators: noBitOps, lists: generalAndExclude),
        FieldSpec(name: "euid", id: FieldID.euid, kind: .uid, operators: noBitOps, lists: general),
        FieldSpec(name: "suid", id: FieldID.suid, kind: .uid, operators: noBitOps, lists: general),
        FieldSpec(name: "fsuid", id: FieldID.fsuid, kind: .uid, operators: noBitOps, lists: general),
        FieldSpec(name: "gid", id: FieldID.gid, kind: .gid, operators: noBitOps, lists: generalAndExclude),
        FieldSpec(name: "egid", id: FieldID.egid, kind: .gid, operators: noBitOps, lists: general),
        FieldSpec(name: "sgid", id: FieldID.sgid, kind: .gid, operators: noBitOps, lists: general),
        FieldSpec(name: "fsgid", id: FieldID.fsgid, kind: .gid, operators: noBitOps, lists: general),
        FieldSpec(name: "auid", aliases: ["loginuid"], id: FieldID.auid, kind: .uid, operators: noBitOps,
                  lists: generalAndExclude),
        FieldSpec(name: "pers", id: FieldID.pers, kind: .signedNumber, operators: allOps, lists: general),
        FieldSpec(name: "arch", id: FieldID.arch, kind: .arch, operators: eqNe, lists: general),
        FieldSpec(name: "msgtype", id: FieldID.msgtype, kind: .msgtype, operators: noBitOps, lists: [.user, .exclude]),
        FieldSpec(name: "subj_user", id: FieldID.subjUser, kind: .string, operators: eqNe, lists: generalAndExclude),
        FieldSpec(name: "subj_role", id: FieldID.subjRole, kind: .string, operators: eqNe, lists: generalAndExclude),
        FieldSpec(name: "subj_type", id: FieldID.subjType, kind: .string, operators: eqNe, lists: generalAndExclude),
        FieldSpec(name: "subj_sen", id: FieldID.subjSen, kind: .string, operators: noBitOps, lists: generalAndExclude),
        FieldSpec(name: "subj_clr", id: FieldID.subjClr, kind: .string, operators: noBitOps, lists: generalAndExclude),
        FieldSpec(name: "ppid", id: FieldID.ppid, kind: .signedNumber, operators: noBitOps, lists: exitOnly),
        FieldSpec(name: "obj_user", id: FieldID.objUser, kind: .string, operators: eqNe, lists: exitOnly),
        FieldSpec(name: "obj_role", id: FieldID.objRole, kind: .string, operators: eqNe, lists: exitOnly),
        FieldSpec(name: "obj_type", id: FieldID.objType, kind: .string, operators: eqNe, lists: exitOnly),
        FieldSpec(name: "obj_lev_low", id: FieldID.objLevLow, kind: .string, operators: noBitOps, lists: exitOnly),
        FieldSpec(name: "obj_lev_high", id: FieldID.objLevHigh, kind: .string, operators: noBitOps, lists: exitOnly),
        FieldSpec(name: "sessionid", id: FieldID.sessionid, kind: .sessionID, operators: noBitOps, lists: [.user, .exit]),
        FieldSpec(name: "fstype", id: FieldID.fstype, kind: .fsType, operators: eqNe, lists: [.filesystem]),
        FieldSpec(name: "devmajor", id: FieldID.devmajor, kind: .signedNumber, operators: noBitOps, lists: exitOnly),
        FieldSpec(name: "devminor", id: FieldID.devminor, kind: .signedNumber, operators: allOps, lists: exitOnly),
        FieldSpec(name: "inode", id: FieldID.inode, kind: .inode, operators: eqNe, lists: exitOnly),
        FieldSpec(name: "exit", id: FieldID.exit, kind: .exit, operators: noBitOps, lists: exitOnly),
        FieldSpec(name: "success", id: FieldID.success, kind: .signedNumber, operators: noBitOps, lists: exitOnly),
        // The kernel takes watches and trees with `=` only (audit_to_watch, audit_make_tree).
        FieldSpec(name: "path", id: FieldID.path, kind: .string, operators: eqOnly, lists: exitOnly),
        FieldSpec(name: "perm", id: FieldID.perm, kind: .permission, operators: eqOnly, lists: exitOnly),
        FieldSpec(name: "dir", id: FieldID.dir, kind: .string, operators: eqOnly, lists: exitOnly),
        FieldSpec(name: "filetype", id: FieldID.filetype, kind: .fileType, operators: eqNe, lists: exitOnly),
        FieldSpec(name: "obj_uid", id: FieldID.objUid, kind: .uid, operators: noBitOps, lists: general),
        FieldSpec(name: "obj_gid", id: FieldID.objGid, kind: .gid, operators: noBitOps, lists: general),
        FieldSpec(name: "field_compare", id: FieldID.fieldCompare, kind: .signedNumber, operators: eqNe, lists: general),
        FieldSpec(name: "exe", id: FieldID.exe, kind: .string, operators: eqNe, lists: generalAndExclude),
        FieldSpec(name: "saddr_fam", id: FieldID.saddrFam, kind: .unsignedNumber, operators: noBitOps, lists: general),
        FieldSpec(name: "a0", id: FieldID.arg0, kind: .argument, operators: allOps, lists: general),
        FieldSpec(name: "a1", id: FieldID.arg1, kind: .argument, operators: allOps, lists: general),
        FieldSpec(name: "a2", id: FieldID.arg2, kind: .argument, operators: allOps, lists: general),
        FieldSpec(name: "a3", id: FieldID.arg3, kind: .argument, operators: allOps, lists: general),
        FieldSpec(name: "key", id: FieldID.filterkey, kind: .string, operators: eqNe, lists: Set(FilterList.allCases)
            .subtracting([.entry])),
    ]

    private static let byName: [String: FieldSpec] = {
        var d: [String: FieldSpec] = [:]
        for s in all {
            d[s.name] = s
            for a in s.aliases { d[a] = s }
        }
        return d
    }()

    /// `byName` by the names' bytes, open addressing on `quickSlot` (at most half full): a name
    /// as written is looked up without making a String or hashing through Hasher.
    private static let byText: [(text: RulesText, spec: FieldSpec)?] = {
        var size = 16
        while size < 2 * byName.count { size *= 2 }
        var table = [(text: RulesText, spec: FieldSpec)?](repeating: nil, count: size)
        for (name, spec) in byName {
            let text = RulesText(name)
            var i = text.quickSlot(size)
            while table[i] != nil { i = (i + 1) & (size - 1) }
            table[i] = (text, spec)
        }
        return table
    }()
    private static let byID: [UInt32: FieldSpec] = Dictionary(all.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })

    /// Case-insensitive, aliases included (`LoginUID` finds auid), as libaudit's lookup is.
    public static func spec(named name: String) -> FieldSpec? {
        byName[name.asciiLowercased]
    }

    /// The same for a name as written: only ASCII bytes can spell a field's name.
    public static func spec(named name: RulesText) -> FieldSpec? {
        // Only ASCII bytes can spell a key, so the bytes lower-cased find what the name's ASCII
        // string lower-cased finds.
        let wanted = name.lowercasedASCII
        var i = wanted.quickSlot(byText.count)
        while let entry = byText[i] {
            if entry.text == wanted { return entry.spec }
            i = (i + 1) & (byText.count - 1)
        }
        return nil
    }

    public static func spec(id: UInt32) -> FieldSpec? {
        byID[id]
    }
}

extension FieldOperator {
    /// One bit per operator, for `FieldSpec.takes`.
    var bit: UInt16 {
        switch self {
        case .notEqual: return 1 << 0
        case .greaterOrEqual: return 1 << 1
        case .lessOrEqual: return 1 << 2
        case .bitTest: return 1 << 3
        case .equal: return 1 << 4
        case .greaterThan: return 1 << 5
        case .lessThan: return 1 << 6
        case .bitMask: return 1 << 7
        }
    }
}

extension FilterList {
    /// One bit per list, for `FieldSpec.isAllowed(on:)`.
    var bit: UInt16 {
        switch self {
        case .user: return 1 << 0
        case .task: return 1 << 1
        case .entry: return 1 << 2
        case .exit: return 1 << 3
        case .exclude: return 1 << 4
        case .filesystem: return 1 << 5
        case .io_uring: return 1 << 6
        }
    }
}
