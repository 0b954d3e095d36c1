import Syscalls

/// What the target kernel release lacks (KernelAuditFacts): a field, a filter list, a field off
/// the exit list or with `!=`. auditctl asks the running kernel's feature bitmap where libaudit
/// checks a bit (exe, sessionid, a field on the filesystem list) and refuses with its own
/// message; elsewhere it sends the rule and the kernel refuses it (EINVAL). For a target
/// release, the mainline release that introduced each fact decides. No target kernel (nil): one
/// with every fact.
extension LineParser {
    /// `-a LIST,ACTION` naming a list the target kernel does not have.
    mutating func kernelList(_ l: Located<FilterList>) {
        guard let f = KernelAuditFacts.missing(.list, l.value.rawValue, at: kernel), let kernel else { return }
        var said = "the kernel refuses the rule (Invalid argument)"
        if f.feature != nil {
            said = "auditctl\(loaderLabel) refuses a field on it (\"\(facts.printed("EAU_FILTERNOSUPPORT", field: "fstype"))\"), the kernel the list itself (Invalid argument)"
        }
        report(.listAction, .error, "kernel \(kernel) has no \(l.value.rawValue) filter list: it needs Linux \(f.first) or later\(Self.bitNote(f)); \(said)",
               column: l.location.column, length: l.length)
    }

    /// Why the target kernel refuses `-F spelled OP` on the rule's list, with the code it is
    /// reported under; nil when the release has all it needs.
    func kernelReleaseRefusal(_ spec: FieldSpec, written: RulesText, op: FieldOperator) -> (code: DiagnosticCode, message: String)? {
        guard let kernel, kernel < KernelAuditFacts.everyFactFrom else { return nil }
        let einval = "the kernel refuses the rule (Invalid argument)"
        if let f = KernelAuditFacts.missing(.field, spec.name, at: kernel) {
            // A filesystem list the kernel lacks is reported once, at the list.
            if let list = effectiveList, KernelAuditFacts.missing(.list, list.rawValue, at: kernel) != nil { return nil }
            var said = einval
            if let feature = f.feature, let rule = facts.fieldRule(spec.name), let needs = rule.feature, needs.name == feature {
                said = "auditctl\(loaderLabel) refuses it (\"\(facts.printed(needs.key, field: Self.spelling(written, of: spec)))\")"
            }
            return (.unknownField, "field '\(spec.name)' needs Linux \(f.first) or later\(Self.bitNote(f)); kernel \(kernel) lacks it: \(said)")
        }
        if let list = effectiveList, list != .exit, let f = KernelAuditFacts.missing(.fieldOffExit, spec.name, at: kernel) {
            return (.fieldNotOnList, "field '\(spec.name)' cannot be used on the \(list.rawValue) list before Linux \(f.first) (kernel \(kernel) takes it on the exit list only): \(einval)")
        }
        if op == .notEqual, let f = KernelAuditFacts.missing(.fieldNotEqual, spec.name, at: kernel) {
            return (.fieldOperator, "field '\(spec.name)' takes '!=' from Linux \(f.first) on (kernel \(kernel) takes only =): \(einval)")
        }
        return nil
    }

    /// " 3.0.9" after "auditctl": the release whose messages are quoted.
    var loaderLabel: String { " \(facts.release)" }

    /// " (kernel feature X)" for a fact libaudit learns from a feature bit.
    static func bitNote(_ f: KernelAuditFacts.Fact) -> String {
        f.feature.map { " (kernel feature \($0))" } ?? ""
    }
}
