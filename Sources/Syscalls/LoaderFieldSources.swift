/// What one release's `audit_rule_fieldpair_data` (lib/libaudit.c) decides about each `-F` field,
/// read from the function's source: the lists a field is allowed on, the operators it takes, how
/// its value is read, and which fields the exclude list takes. Only the shapes of the guards are
/// read (`if (flags != AUDIT_FILTER_EXIT) return -EAU_EXITONLY;`, `if (!(op == ... || ...))`,
/// `case A...B:`), never the code itself; a release whose function has another shape yields
/// fewer facts, and the tests compare the facts with the verdicts of auditctl 3.0.9.
extension LoaderSources {
    /// The facts of one field (by its AUDIT_* constant).
    struct FieldRule: Equatable {
        /// How the value is read: uid, gid, errno, msgtype, string, arch, perm (perm+syscalls: it also
        /// adds the syscalls of the permission classes to the rule, audit 4), filetype, fstype,
        /// sessionid, unchecked (strtoul, no check), signed (digits or -digits), number (digits).
        var kind = ""
        /// The lists it is allowed on, and the refusal key elsewhere.
        var lists: (key: String, names: [String])?
        /// The operators it takes, and the refusal key for the others.
        var ops: (key: String, names: [String])?
        /// The kernel feature bit the field needs (AUDIT_FEATURE_BITMAP_*), refused with the key.
        var feature: (key: String, name: String)?

        static func == (a: FieldRule, b: FieldRule) -> Bool {
            a.kind == b.kind && a.lists?.key == b.lists?.key && a.lists?.names == b.lists?.names
                && a.ops?.key == b.ops?.key && a.ops?.names == b.ops?.names
                && a.feature?.key == b.feature?.key && a.feature?.name == b.feature?.name
        }
    }

    /// The exclude list's field check before the per-field switch: with the kernel's
    /// EXCLUDE_EXTEND feature (`extend`) and without it (`noextend`); a branch missing here lets
    /// every field through.
    struct ExcludeRule: Equatable {
        var branch: String
        var key: String
        var fields: [String]
    }

    /// How a case group of the field switch reads its value, told by what its code calls or
    /// tests, in precedence order: a group showing several is of the first kind listed, one
    /// showing none is a plain `number`.
    static let valueKinds: [(kind: String, needles: [String])] = [
        ("uid", ["audit_name_to_uid"]), ("gid", ["audit_name_to_gid"]), ("errno", ["audit_name_to_errno"]),
        ("msgtype", ["audit_name_to_msg_type"]), ("string", ["buflen += vlen"]), ("arch", ["audit_determine_machine"]),
        ("perm", ["AUDIT_PERM_READ"]), ("filetype", ["audit_name_to_ftype"]), ("fstype", ["audit_name_to_fstype"]),
        ("sessionid", ["\"unset\""]), ("unchecked", ["AF_MAX"]), ("signed", ["*(v)=='-'", "*(v) == '-'"]),
    ]
    /// A `perm` group that also adds the syscalls of the permissions (4.0 on) is `perm+syscalls`.
    static let permSyscalls = (kind: "permsyscalls", needles: ["audit_add_perm_syscalls"])

    /// The field rules and exclude rules of `audit_rule_fieldpair_data`. `fields` are fieldtab.h's
    /// entries (constant -> name), `lists` flagtab.h's, `ops` optab.h's: they name what the
    /// guards compare with, and give `case A...B:` ranges their members (fieldtab's order).
    static func fieldRules(_ libauditC: String, fields: [Entry], lists: [Entry], ops: [Entry]) throws
        -> (fields: [String: FieldRule], exclude: [ExcludeRule]) {
        guard let body = functionBody("audit_rule_fieldpair_data", in: libauditC) else {
            throw SourceError("lib/libaudit.c has no audit_rule_fieldpair_data")
        }
        let statements = joinedStatements(body)
        let constants = uniqueKeys(fields)
        func listNames(_ text: String) -> [String] {
            lists.filter { text.contains($0.key + " ") || text.contains($0.key + ")") || text.contains($0.key + "|") || text.hasSuffix($0.key) }
                .map(\.name)
        }
        func opNames(_ text: String) -> [String] {
            ops.filter { e in text.contains(e.key + " ") || text.contains(e.key + ")") || text.hasSuffix(e.key) }.map(\.name)
        }

        // The exclude check: from `if (flags == AUDIT_FILTER_EXCLUDE)` to the field switch.
        var exclude: [ExcludeRule] = []
        var rules: [String: FieldRule] = [:]
        guard let switchAt = statements.firstIndex(where: { $0.text.hasPrefix("switch (field)") }) else {
            throw SourceError("lib/libaudit.c: audit_rule_fieldpair_data has no switch (field)")
        }
        if let start = statements.firstIndex(where: { $0.text.hasPrefix("if (flags == AUDIT_FILTER_EXCLUDE)") }), start < switchAt {
            var branch = "", labels: [String] = [], pending: String?
            for s in statements[(start + 1) ..< switchAt] {
                let t = s.text
                if t.hasPrefix("if (flags == AUDIT_FILTER_FS)") { break }
                if t.contains("AUDIT_FEATURE_BITMAP_EXCLUDE_EXTEND") { branch = t.contains("== 0") ? "noextend" : "extend"; continue }
                if t.hasPrefix("} else {"), branch == "noextend" { branch = "extend"; continue }
                if t.hasPrefix("case "), let c = t.split(separator: " ").dropFirst().first { labels.append(String(c.dropLast())); continue }
                if t.hasPrefix("if (field != ") { pending = String(t.dropFirst("if (field != ".count).prefix { $0 == "_" || $0.isLetter || $0.isNumber }); continue }
                if t.hasPrefix("return -EAU_") {
                    let key = String(t.dropFirst("return -".count).prefix { $0 == "_" || $0.isLetter || $0.isNumber })
                    let allowed = pending.map { [$0] } ?? labels
                    exclude.append(ExcludeRule(branch: branch, key: key, fields: allowed.flatMap { names(of: $0, in: fields) }))
                    pending = nil
                    labels = []
                }
            }
        }

        // The per-field switch: groups of case labels (fallthrough joins them) and the guards each
        // group or a single field (`if (field == X ...)`) passes.
        var current: [String] = [], afterBreak = true, markers: Set<String> = [], labelled: Set<String> = []
        var depth = statements[switchAt].text.hasSuffix("{") ? 1 : 0, entered = depth > 0
        var scoped: [(depth: Int, fields: [String])] = [], pendingGuard: (text: String, fields: [String])?
        var hasDefault = false
        func apply(_ guardText: String, key: String, to targets: [String]) {
            for c in targets {
                var r = rules[c] ?? FieldRule()
                if guardText.contains("flags") {
                    let allowed = listNames(guardText)
                    if !allowed.isEmpty { r.lists = (key, allowed) }
                } else if guardText.contains("op ==") || guardText.contains("op !=") {
                    let allowed = opNames(guardText)
                    if !allowed.isEmpty { r.ops = (key, allowed) }
                } else if guardText.contains("AUDIT_FEATURE_BITMAP_"), let r0 = guardText.firstRange(of: "AUDIT_FEATURE_BITMAP_") {
                    r.feature = (key, String(guardText[r0.upperBound...].prefix { $0 == "_" || $0.isLetter || $0.isNumber }))
                }
                rules[c] = r
            }
        }
        func finishGroup() {
            var kind = Self.valueKinds.first { markers.contains($0.kind) }?.kind ?? "number"
            if kind == "perm" && markers.contains(Self.permSyscalls.kind) { kind = "perm+syscalls" }
            for c in current where rules[c]?.kind.isEmpty ?? true { rules[c, default: FieldRule()].kind = kind }
            markers = []
        }
        for s in statements[(switchAt + 1)...] {
            let t = s.text
            let opens = t.filter { $0 == "{" }.count, closes = t.filter { $0 == "}" }.count
            if depth == 1, t.hasPrefix("case ") || t.hasPrefix("default:") {
                if afterBreak { current = []; afterBreak = false }
                if t.hasPrefix("default:") {
                    hasDefault = true
                    current.append("default")
                } else {
                    let label = String(t.dropFirst(5).prefix { $0 != ":" }).trimmingWhitespace()
                    let members = expand(label, constants: constants)
                    labelled.formUnion(members)
                    current += members
                }
                continue
            }
            let targets = scoped.last?.fields ?? current
            if let g = pendingGuard {
                pendingGuard = nil
                if t.hasPrefix("return -EAU_") {
                    let key = String(t.dropFirst("return -".count).prefix { $0 == "_" || $0.isLetter || $0.isNumber })
                    apply(g.text, key: key, to: g.fields)
                }
            }
            if t.hasPrefix("if (") || t.hasPrefix("else if (") {
                let condition = t.hasPrefix("else ") ? String(t.dropFirst(5)) : t
                var fieldsOf = targets
                if let r = condition.firstRange(of: "field == ") {
                    let c = String(condition[r.upperBound...].prefix { $0 == "_" || $0.isLetter || $0.isNumber })
                    fieldsOf = [c]
                    if condition.hasSuffix("{") { scoped.append((depth + 1, [c])) }
                }
                if !condition.hasSuffix("{") { pendingGuard = (condition, fieldsOf) }
            }
            for k in Self.valueKinds + [Self.permSyscalls] where k.needles.contains(where: { t.contains($0) }) { markers.insert(k.kind) }
            depth += opens - closes
            if depth > 0 { entered = true }
            while let last = scoped.last, depth < last.depth { scoped.removeLast() }
            if entered && depth == 0 { break }
            if depth == 1, t.hasPrefix("break;") {
                if current.contains("default") { current = current.filter { $0 != "default" } + constants.filter { !labelled.contains($0) } }
                finishGroup()
                afterBreak = true
            }
        }
        guard hasDefault || !rules.isEmpty else { throw SourceError("lib/libaudit.c: audit_rule_fieldpair_data's field switch has no cases") }
        // By name: every fieldtab name of a constant (auid and loginuid) has its facts.
        var byName: [String: FieldRule] = [:]
        for e in fields { if let r = rules[e.key] { byName[e.name] = r } }
        return (byName, exclude)
    }

    /// Statements of a function body: a condition continued on the next lines (`||`, `&&`, open
    /// parentheses) is joined into one; each is trimmed and paired with its first line.
    private static func joinedStatements(_ body: [Substring]) -> [(text: String, line: Int)] {
        var out: [(String, Int)] = []
        var pending = "", pendingLine = 0, balance = 0
        for (i, raw) in body.enumerated() {
            var t = raw.trimmingWhitespace()
            if let c = t.firstRange(of: "//") { t = String(t[..<c.lowerBound]).trimmingWhitespace() }
            if t.hasPrefix("/*") || t.hasPrefix("*") { continue }
            if t.isEmpty { continue }
            if balance == 0 { pending = t; pendingLine = i } else { pending += " " + t }
            balance += t.filter { $0 == "(" }.count - t.filter { $0 == ")" }.count
            if balance <= 0 {
                balance = 0
                out.append((pending, pendingLine))
            }
        }
        return out
    }

    /// The constants of fieldtab.h in order, each once.
    private static func uniqueKeys(_ fields: [Entry]) -> [String] {
        var seen = Set<String>()
        return fields.map(\.key).filter { seen.insert($0).inserted }
    }

    /// `A...B` (fieldtab order, inclusive) or `A`.
    private static func expand(_ label: String, constants: [String]) -> [String] {
        let parts = label.components(separatedBy: "...").map { $0.trimmingWhitespace() }
        guard parts.count == 2, let a = constants.firstIndex(of: parts[0]), let b = constants.firstIndex(of: parts[1]), a <= b else {
            return [parts[0]]
        }
        return Array(constants[a ... b])
    }

    private static func names(of constant: String, in fields: [Entry]) -> [String] {
        fields.filter { $0.key == constant }.map(\.name)
    }

    /// The auditctl messages (src/auditctl.c) that name a refusal of a whole rule, by a stable id:
    /// the text is whatever the release prints for it.
    static let auditctlMessageNeedles: [(id: String, needle: String)] = [
        ("append-bad-keyword", "Append rule - bad keyword"),
        ("add-bad-keyword", "Add rule - bad keyword"),
        ("delete-bad-keyword", "Delete rule - bad keyword"),
        ("syscall-task-list", "syscall auditing being added to task list"),
        ("syscall-user-list", "syscall auditing being added to user list"),
        ("syscall-filesystem-list", "syscall auditing being added to filesystem list"),
        ("syscall-exclude-list", "syscall auditing cannot be put on exclude list"),
        ("syscall-unknown", "Syscall name unknown"),
        ("uring-op-unknown", "io_uring op unknown"),
    ]

    /// The first string literal of src/auditctl.c holding each needle.
    static func auditctlMessages(_ text: String) -> [(id: String, text: String)] {
        var out: [(String, String)] = []
        for (id, needle) in auditctlMessageNeedles {
            for line in text.split(separator: "\n") where line.contains(needle) {
                guard let q1 = line.firstIndex(of: "\""), let q2 = line[line.index(after: q1)...].firstIndex(of: "\"") else { continue }
                out.append((id, String(line[line.index(after: q1) ..< q2])))
                break
            }
        }
        return out
    }
}
