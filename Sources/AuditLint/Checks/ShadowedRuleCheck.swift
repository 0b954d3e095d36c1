import AuditRules

/// AUR502: a rule that can never decide anything, because an earlier rule on the same list
/// matches every event it would match.
public struct ShadowedRuleCheck: PerTargetCheck {
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

    public func check(_ set: CompiledRuleSet, context: LintContext, report: (SourceLocation, () -> Diagnostic) -> Void) {
        var earlier: [FilterList: CoverIndex] = [:]
        let rules = set.rules
        for (position, rule) in rules.enumerated() where !rule.isWatchLike {
            defer { earlier[rule.list, default: CoverIndex()].insert(rule, at: position) }
            guard let location = rule.sourceLocation, let c = earlier[rule.list]?.firstCover(of: rule) else { continue }
            let cover = rules[c]
            guard let at = cover.provenance, at.line != location.line || at.file != location.file else { continue }
            report(location) {
                let effect = cover.action == rule.action ? "it adds nothing" : "its \(rule.action.rawValue) never applies"
                return finding(.warning, "this rule never matches: the \(cover.action.rawValue) rule on line \(at.line)\(at.file == location.file ? "" : " of \(at.file)") comes first on the \(rule.list.rawValue) list and takes every event it would match, so \(effect)",
                               at: location, length: 2, line: rule.provenance?.text)
            }
        }
    }
}

/// The earlier rules of one filter list, for finding the first that covers a rule: its mask
/// holds the rule's syscalls and its filtering fields are a subset of the rule's. Rules are
/// grouped by their set of filtering fields, and only the groups of the rule's own subsets are
/// looked at; in a group, only the first rule of each mask can be a first cover. The cost per
/// rule grows with the distinct masks of its subsets' groups, not with every earlier rule (the
/// scan of every earlier rule was quadratic); real rule sets have few masks per group.
struct CoverIndex {
    /// Each distinct field, numbered.
    private var fieldNumbers: [KernelField: Int] = [:]
    /// Per set of field numbers (sorted): each mask in it with the position of its first rule.
    private var groups: [[Int]: [[UInt32]: Int]] = [:]
    /// Above this many fields the groups are scanned instead of the subsets enumerated.
    static let subsetLimit = 10

    /// The numbers of the rule's distinct fields, sorted; fields never numbered are left out.
    private func numbers(_ rule: KernelRule) -> [Int] {
        Set(rule.filteringFields.compactMap { fieldNumbers[$0] }).sorted()
    }

    mutating func insert(_ rule: KernelRule, at position: Int) {
        for f in rule.filteringFields where fieldNumbers[f] == nil { fieldNumbers[f] = fieldNumbers.count }
        let key = numbers(rule)
        if groups[key]?[rule.mask] == nil { groups[key, default: [:]][rule.mask] = position }
    }

    /// The position of the first earlier rule that covers `rule`, if any.
    func firstCover(of rule: KernelRule) -> Int? {
        // Fields no earlier rule has cannot be in a cover's set: leaving them out changes nothing.
        let own = numbers(rule)
        var best: Int?
        func consider(_ group: [[UInt32]: Int]) {
            for (mask, position) in group where best.map({ position < $0 }) ?? true {
                if zip(mask, rule.mask).allSatisfy({ $0 | $1 == $0 }) { best = position }
            }
        }
        if own.count <= Self.subsetLimit {
            for bits in 0 ..< (1 << own.count) {
                let subset = own.indices.filter { bits & (1 << $0) != 0 }.map { own[$0] }
                if let group = groups[subset] { consider(group) }
            }
        } else {
            let set = Set(own)
            for (key, group) in groups where key.allSatisfy(set.contains) { consider(group) }
        }
        return best
    }
}
