import AuditRules

/// AUR502: a rule that can never decide anything, because an earlier rule on the same list
/// matches every event it would match.
public struct ShadowedRuleCheck: LintCheck {
    public init() {}
    public let code = "AUR502"
    public let name = "shadowed-rule"
    public let family = CheckFamily.ruleSet
    public let summary = "rule that never matches: an earlier rule on its list takes every event it would"
    public let rationale = """
        The kernel walks a filter list in order and the first rule that matches decides: \
        audit_filter_syscall (kernel/auditsc.c) stops at the first exit rule whose syscall mask and \
        fields all match and sets the event's state from its action. A later rule whose syscalls are \
        all in an earlier rule's mask, and which has every field condition of that earlier rule, \
        therefore never takes effect: a `never` after an `always` does not silence anything, an \
        `always` after a `never` records nothing, and a second `always` with another key never \
        labels an event. Move the narrower rule before the broader one, or delete it. Rules on \
        path, dir or inode are matched outside the list walk and are not judged here.
        """
    public let examples = [
        LintExample("-a always,exit -F arch=b64 -S openat -k a\n↓-a never,exit -F arch=b64 -S openat\n", triggers: true),
        LintExample("-a never,exit -F arch=b64 -S all -F auid=0\n↓-a always,exit -F arch=b64 -S execve -F auid=0 -k exec\n", triggers: true),
        LintExample("-a always,exit -F arch=b64 -S open,openat -k files\n↓-a always,exit -F arch=b64 -S openat -F auid>=1000 -F auid!=unset -k user-files\n", triggers: true),
        LintExample("-a never,exit -F arch=b64 -S openat -F exe=/usr/bin/noisy\n-a always,exit -F arch=b64 -S openat -k a\n", triggers: false),
        LintExample("-a always,exit -F arch=b64 -S openat -F auid=1000 -k a\n-a always,exit -F arch=b64 -S openat -k b\n", triggers: false),
        LintExample("-a always,exit -F arch=b64 -S openat -k a\n-a always,exit -F arch=b32 -S openat -k a\n", triggers: false),
    ]

    public func findings(in file: RuleFile, context: LintContext) -> [Diagnostic] {
        var out = PerTargetFindings()
        for set in context.compile(file) {
            var earlier: [FilterList: [KernelRule]] = [:]
            for rule in set.result.rules {
                defer { earlier[rule.list, default: []].append(rule) }
                guard !rule.isWatchLike, let location = rule.sourceLocation else { continue }
                let fields = Set(rule.filteringFields)
                guard let cover = earlier[rule.list]?.first(where: { e in
                    !e.isWatchLike && e.maskCovers(rule) && Set(e.filteringFields).isSubset(of: fields)
                }), let at = cover.provenance, at.line != location.line || at.file != location.file else { continue }
                let effect = cover.action == rule.action ? "it adds nothing" : "its \(rule.action.rawValue) never applies"
                out.add(finding(.warning, "this rule never matches: the \(cover.action.rawValue) rule on line \(at.line)\(at.file == location.file ? "" : " of \(at.file)") comes first on the \(rule.list.rawValue) list and takes every event it would match, so \(effect)",
                                at: location, length: 2, line: rule.provenance?.text), on: set)
            }
        }
        return out.all(context)
    }
}
