import AuditRules

/// AUR508: one key on rules of different lists or actions, whose events have nothing in common.
public struct KeyReuseCheck: PerTargetCheck {
    public init() {}
    public let code = "AUR508"
    public let name = "key-on-unrelated-rules"
    public let family = CheckFamily.ruleSet
    public let summary = "one key on rules of different lists or actions"
    public let rationale = """
        A key labels the records of the events a rule matched, and `ausearch -k KEY` or a SIEM \
        search by key finds them. A never rule records nothing, so its key never appears in a \
        record; a key shared by a never and an always rule, or by rules on different lists (an \
        exit rule and an exclude, task, user or filesystem rule, which see different kinds of \
        events), suggests a copied line whose key does not say what it finds. Give each kind of \
        rule its own key.
        """
    public let examples = [
        LintExample("-a always,exit -F arch=b64 -S execve -k exec\n↓-a never,exit -F arch=b64 -S execve -F exe=/usr/bin/ls -k exec\n", triggers: true),
        LintExample("-a always,exit -F arch=b64 -S mount -k mounts\n↓-a never,filesystem -F fstype=debugfs -k mounts\n", triggers: true),
        LintExample("-a always,exit -F arch=b64 -S adjtimex,settimeofday -k time-change\n-w /etc/localtime -p wa -k time-change\n", triggers: false),
        LintExample("-a always,exit -F arch=b64 -S execve -k exec\n-a always,exit -F arch=b32 -S execve -k exec\n", triggers: false),
    ]

    public func check(_ set: CompiledRuleSet, context: LintContext, report: (SourceLocation, () -> Diagnostic) -> Void) {
        // What is reported of the first rule with each key part (not the rule: a large set has many keys).
        var first: [RulesText: (list: FilterList, action: RuleAction, file: String, line: Int)] = [:]
        for rule in set.rules {
            guard let key = rule.key, let location = rule.sourceLocation else { continue }
            for part in key.split(separator: 0x01).map(RulesText.init) {
                guard let earlier = first[part] else { first[part] = (rule.list, rule.action, location.file, location.line); continue }
                guard earlier.list != rule.list || earlier.action != rule.action else { continue }
                report(location) {
                    finding(.warning, "key '\(message: part)' is also on the \(earlier.action.rawValue),\(earlier.list.rawValue) rule on line \(earlier.line)\(earlier.file == location.file ? "" : " of \(earlier.file)"); this is a \(rule.action.rawValue),\(rule.list.rawValue) rule: give it a key of its own",
                            at: location, length: 2, line: rule.provenance?.text)
                }
            }
        }
    }
}
