/// The `-F` field facts of one release (rows `fieldkind`, `fieldlists`, `fieldops`,
/// `fieldfeature` and `exclude` of loader-<release>.tsv, read by LoaderFieldSources from
/// audit_rule_fieldpair_data), and the auditctl messages of whole-rule refusals.
extension LoaderFacts {
    /// What one release's audit_rule_fieldpair_data decides about a field.
    public struct FieldRule: Sendable {
        /// How the value is read: uid, gid, errno, msgtype, string, arch, perm, filetype, fstype,
        /// sessionid, unchecked, signed or number (see LoaderSources.FieldRule).
        public var kind = ""
        /// The lists the field is allowed on (flagtab names), refused elsewhere with the key.
        public var lists: (key: String, names: [String])?
        /// The operators it takes (optab spellings), the others refused with the key.
        public var ops: (key: String, names: [String])?
        /// The kernel feature it needs (AUDIT_FEATURE_BITMAP_ without the prefix).
        public var feature: (key: String, name: String)?
    }

    static func keyAndList(_ value: String) -> (String, [String]) {
        let parts = value.split(separator: " ", maxSplits: 1)
        let key = parts.first.map(String.init) ?? ""
        let list = parts.count > 1 ? parts[1].split(separator: ",").map(String.init) : []
        return (key, list)
    }

    /// The release's facts of field `name` (case-insensitive); nil when it does not know the field.
    public func fieldRule(_ name: String) -> FieldRule? {
        // Callers pass the field table's names, already lower case (as the keys are): the name as
        // it is first, lower-cased only when that misses.
        if let rule = fieldRules[name] { return rule }
        let lower = name.lowercased()
        return lower == name ? nil : fieldRules[lower]
    }

    /// The fields the exclude list takes (nil: every field), with the refusal key for the others,
    /// on a kernel with (`extend`) or without the EXCLUDE_EXTEND feature.
    public func excludeFields(kernelHasExtend extend: Bool) -> (key: String, fields: Set<String>)? {
        excludeRules[extend ? "extend" : "noextend"]
    }

    /// The line auditctl prints for EAU_* `key` of a `-F` word whose field name is `field`.
    public func printed(_ key: String, field: String) -> String {
        let text = message(key, key)
        switch messagePositions[key] ?? 0 {
        case 1: return "\(field) \(text)"
        case 2: return "\(text) \(field)"
        default: return text
        }
    }

    /// Why audit_rule_fieldpair_data of this release refuses field `field` (canonical name) with
    /// operator `op` on list `list` (flagtab name), in the order it checks: the exclude list's
    /// field set, the field's lists, its operators. `spelled` is the field as written (auditctl
    /// prints it). nil: neither list nor operator is refused.
    public func fieldRefusal(_ field: String, spelled: String, op: String, list: String, kernelHasExcludeExtend: Bool) -> LoaderRefusal? {
        guard let rule = fieldRule(field) else {
            return LoaderRefusal(release: release, key: "EAU_FIELDUNKNOWN", text: printed("EAU_FIELDUNKNOWN", field: spelled),
                                 detail: "audit \(release) does not know field '\(spelled)'")
        }
        if list == "exclude", let allowed = excludeFields(kernelHasExtend: kernelHasExcludeExtend), !allowed.fields.contains(field) {
            let without = kernelHasExcludeExtend ? "" : " on a kernel without exclude-extend (before \(KernelAuditFacts.excludeExtend))"
            return LoaderRefusal(release: release, key: allowed.key, text: printed(allowed.key, field: spelled),
                                 detail: "audit \(release) takes only \(Self.sortedList(allowed.fields)) on the exclude list\(without)")
        }
        if let lists = rule.lists, !lists.names.contains(list) {
            return LoaderRefusal(release: release, key: lists.key, text: printed(lists.key, field: spelled),
                                 detail: "audit \(release) takes field '\(field)' only on the \(lists.names.joined(separator: ", ")) list\(lists.names.count == 1 ? "" : "s")")
        }
        if let ops = rule.ops, !ops.names.contains(op) {
            return LoaderRefusal(release: release, key: ops.key, text: printed(ops.key, field: spelled),
                                 detail: "audit \(release) takes field '\(field)' only with \(ops.names.joined(separator: " "))")
        }
        return nil
    }

    private static func sortedList(_ fields: Set<String>) -> String {
        fields.sorted().joined(separator: ", ")
    }

    /// The text auditctl prints for a whole-rule refusal (`append-bad-keyword`, `syscall-unknown`,
    /// ...), its `%s` replaced by `argument`; nil when this release has no such message.
    public func auditctlMessage(_ id: String, _ argument: String = "") -> String? {
        auditctlMessages[id].map { $0.replacing("%s", with: argument) }
    }

    /// The number of io_uring operation `name` in this release's table (case-insensitive: the
    /// table is generated with --lowercase); nil when the release has no io_uring table or not the name.
    public func uringOp(_ name: String) -> Int? { uringOps[name.asciiLowercased] }

    /// The name of io_uring operation `number`, as this release prints it.
    public func uringOpName(_ number: Int) -> String? {
        uringOps.first { $0.value == number }?.key
    }

    /// Every io_uring operation this release names (what `-S all` on the io_uring list sets).
    public var uringOpNumbers: [Int] { uringOps.values.sorted() }
}
