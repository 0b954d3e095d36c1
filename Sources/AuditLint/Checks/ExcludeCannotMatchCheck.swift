import AuditRules

/// AUR506: an exclude-list rule that can never match a record the kernel filters.
public struct ExcludeCannotMatchCheck: PerTargetCheck {
    public init() {}
    public let code = "AUR506"
    public let name = "exclude-cannot-match"
    public let family = CheckFamily.ruleSet
    public let findingSeverity: Severity? = .warning
    public let summary = "exclude rule that can never match: daemon-only message types or contradictory fields"
    public let rationale = """
        The exclude list is consulted by the kernel for each record it is about to emit \
        (audit_log_start calls audit_filter with AUDIT_FILTER_EXCLUDE), and a rule matches only when \
        all its fields do. Message types 1200-1299 (DAEMON_START, DAEMON_END, DAEMON_ROTATE, ...) are \
        written by auditd itself and never pass through the kernel, so excluding them does nothing. \
        Two conditions on one field that cannot both hold (msgtype=A and msgtype=B, or msgtype=A and \
        msgtype!=A) make the whole rule unmatchable: write one rule per value instead.
        """
    public let examples = [
        LintExample("↓-a always,exclude -F msgtype=DAEMON_START\n", triggers: true),
        LintExample("↓-a always,exclude -F msgtype=CWD -F msgtype=PATH\n", triggers: true),
        LintExample("-a always,exclude -F msgtype=CWD\n-a always,exclude -F msgtype=PATH\n", triggers: false),
        LintExample("-a always,exclude -F msgtype>=1300 -F msgtype<=1310\n", triggers: false),
    ]

    static let daemonTypes: ClosedRange<UInt32> = 1200...1299

    /// Why the fields cannot all hold, or nil.
    static func contradiction(_ fields: [KernelField]) -> String? {
        for (i, a) in fields.enumerated() {
            for b in fields[(i + 1)...] where a.id == b.id && a.string == nil && b.string == nil {
                let name = FieldTable.spec(id: a.id)?.name ?? "field \(a.id)"
                if a.op == .equal && b.op == .equal && a.value != b.value {
                    return "\(name) cannot equal both \(a.value) and \(b.value)"
                }
                if (a.op == .equal && b.op == .notEqual || a.op == .notEqual && b.op == .equal) && a.value == b.value {
                    return "\(name)=\(a.value) and \(name)!=\(a.value) cannot both hold"
                }
            }
        }
        return nil
    }

    public func check(_ set: CompiledRuleSet, context: LintContext, report: (SourceLocation, () -> Diagnostic) -> Void) {
        for i in set.rules.indices where set.rules.listAndAction(at: i).list == .exclude {
            let rule = set.rules[i]
            guard let location = rule.sourceLocation else { continue }
            var why = Self.contradiction(rule.filteringFields)
            let types = rule.fields.filter { $0.id == FieldID.msgtype && $0.op == .equal }
            if why == nil, let t = types.first, Self.daemonTypes.contains(t.value) {
                why = "message type \(MessageTypeTable.name(of: t.value) ?? String(t.value)) is written by auditd, never by the kernel"
            }
            guard let why else { continue }
            report(location) { finding(.warning, "this exclude rule can never match: \(why)", at: location, length: 2, line: rule.provenance?.text) }
        }
    }
}
