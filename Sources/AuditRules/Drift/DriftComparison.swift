extension DriftReport {
    /// Compares the rules compiled from disk (`expected`, each list in the order the kernel
    /// would hold it) with the kernel's (`actual`, kernel order), list by list, and the settings
    /// the files ask for with the kernel's status (nil: settings are not compared).
    public static func compare(expected: [KernelRule], actual: [KernelRule],
                               settings: [DesiredSetting] = [], status: AuditStatus? = nil) -> DriftReport {
        let store = SharedRuleStore()
        return compare(expected: DriftRules(expected, store: store), actual: DriftRules(actual, store: store),
                       settings: settings, status: status)
    }

    /// The same on the slots of one arena: rules are matched by key and made whole only to be reported.
    static func compare(expected: DriftRules, actual: DriftRules, settings: [DesiredSetting] = [],
                        status: AuditStatus? = nil) -> DriftReport {
        var report = DriftReport(immutable: status?.isImmutable ?? false,
                                 expectedCount: expected.count, kernelCount: actual.count)
        let lists = FilterList.listingOrder + FilterList.allCases.filter { !FilterList.listingOrder.contains($0) }
        // Rules all of one list (nearly always: exit) are compared as they are, not copied.
        func split(_ rules: DriftRules) -> [FilterList: DriftRules] {
            rules.byList() ?? rules.slots.first.map { [$0.list: rules] } ?? [:]
        }
        let e = split(expected), a = split(actual)
        for list in lists {
            let e = e[list] ?? DriftRules(store: expected.store), a = a[list] ?? DriftRules(store: expected.store)
            if e.isEmpty && a.isEmpty { continue }
            compareList(list, expected: e, actual: a, into: &report)
        }
        if let status { report.settings = settingDrift(settings, status: status) }
        return report
    }

    private static func compareList(_ list: FilterList, expected e: DriftRules, actual a: DriftRules,
                                    into report: inout DriftReport) {
        let match = ExactMatch(expected: e, actual: a)
        report.inSync += match.prefix + match.pairs.count

        // Unmatched rules that agree on list, action, ABI and key are one rule that changed.
        var unmatchedActual = match.unmatchedActual
        var unmatchedExpected = match.unmatchedExpected
        var changed: [(expected: Int, actual: Int, difference: RuleDifference)] = []
        if !unmatchedActual.isEmpty && !unmatchedExpected.isEmpty {
            let actualIdentity = Dictionary(uniqueKeysWithValues: unmatchedActual.map { ($0, RuleIdentity(a[$0])) })
            let byIdentity = Dictionary(grouping: unmatchedExpected) { RuleIdentity(e[$0]) }
            for (identity, expectedIndices) in byIdentity {
                let actualIndices = unmatchedActual.filter { actualIdentity[$0] == identity }
                guard !actualIndices.isEmpty else { continue }
                var candidates: [(cost: Int, expected: Int, actual: Int, difference: RuleDifference)] = []
                for i in expectedIndices {
                    let ei = e[i]
                    for j in actualIndices {
                        let d = RuleDifference(from: ei, to: a[j])
                        guard identity.key != nil || d.isSmall else { continue }
                        candidates.append((d.cost, i, j, d))
                    }
                }
                candidates.sort { ($0.cost, $0.actual, $0.expected) < ($1.cost, $1.actual, $1.expected) }
                var usedE = Set<Int>(), usedA = Set<Int>()
                for c in candidates where !usedE.contains(c.expected) && !usedA.contains(c.actual) {
                    usedE.insert(c.expected)
                    usedA.insert(c.actual)
                    changed.append((c.expected, c.actual, c.difference))
                }
            }
        }
        let pairedE = Set(changed.map(\.expected)), pairedA = Set(changed.map(\.actual))
        unmatchedExpected.removeAll { pairedE.contains($0) }
        unmatchedActual.removeAll { pairedA.contains($0) }

        report.changed += changed.sorted { $0.actual < $1.actual }.map {
            ChangedRule(expected: e[$0.expected], actual: a[$0.actual], kernelPosition: $0.actual + 1, difference: $0.difference)
        }
        report.missing.append(unmatchedExpected, of: e)
        // Groups found by key in a table: a search of the groups for each rule was quadratic
        // when most unexpected rules have keys of their own.
        var groups: [UnexpectedGroup] = []
        var groupOfKey: [RulesText?: Int] = [:]
        for j in unmatchedActual {
            let rule = UnexpectedRule(rule: a[j], kernelPosition: j + 1)
            let key = rule.rule.filterKey
            if let g = groupOfKey[key] { groups[g].rules.append(rule) } else {
                groupOfKey[key] = groups.count
                groups.append(UnexpectedGroup(key: key, rules: [rule]))
            }
        }
        mergeUnexpected(groups, into: &report)

        // Order: the common rules in kernel order should ascend in disk order. The longest run
        // that does is taken as in place; the rest moved. The common prefix is in order, and
        // every pair after it comes after it on both sides.
        let rest = match.pairs.sorted { $0.actual < $1.actual }
        // In order (nearly always): nothing moved, and no table of the run.
        let inOrder = zip(rest, rest.dropFirst()).allSatisfy { $0.expected < $1.expected }
        guard !inOrder else { return }
        let inKernelOrder = (0 ..< match.prefix).map { (expected: $0, actual: $0) } + rest
        let keep = Set(longestIncreasingRun(inKernelOrder.map(\.expected)))
        let moved = inKernelOrder.filter { !keep.contains($0.expected) }
        if !moved.isEmpty {
            let commonExpected = inKernelOrder.map(\.expected).sorted()
            let rules = moved.sorted { $0.expected < $1.expected }.map { pair -> MovedRule in
                let before = commonExpected.last { $0 < pair.expected }
                return MovedRule(rule: e[pair.expected], expectedPosition: pair.expected + 1,
                                 kernelPosition: pair.actual + 1, expectedAfter: before.map { e[$0] })
            }
            let hasNever = e.slots.contains { $0.action == .never } || a.slots.contains { $0.action == .never }
            report.orderDrift.append(OrderDrift(list: list, moved: rules, listHasNeverRules: hasNever))
        }
    }

    /// Groups are per key across all lists.
    private static func mergeUnexpected(_ groups: [UnexpectedGroup], into report: inout DriftReport) {
        guard !groups.isEmpty else { return }
        var groupOfKey: [RulesText?: Int] = [:]
        for (i, g) in report.unexpected.enumerated() where groupOfKey[g.key] == nil { groupOfKey[g.key] = i }
        for g in groups {
            if let i = groupOfKey[g.key] {
                report.unexpected[i].rules += g.rules
            } else {
                groupOfKey[g.key] = report.unexpected.count
                report.unexpected.append(g)
            }
        }
    }

    /// The values of `seq` (distinct) that form its longest strictly increasing subsequence;
    /// among equally long ones, the one ending with the smallest values (patience sorting).
    static func longestIncreasingRun(_ seq: [Int]) -> [Int] {
        var tails: [Int] = []          // index into seq of the smallest tail of each length
        var previous = [Int](repeating: -1, count: seq.count)
        for (i, v) in seq.enumerated() {
            var lo = 0, hi = tails.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if seq[tails[mid]] < v { lo = mid + 1 } else { hi = mid }
            }
            if lo > 0 { previous[i] = tails[lo - 1] }
            if lo == tails.count { tails.append(i) } else { tails[lo] = i }
        }
        var out: [Int] = []
        var k = tails.last ?? -1
        while k >= 0 {
            out.append(seq[k])
            k = previous[k]
        }
        return out.reversed()
    }

    public static func settingDrift(_ desired: [DesiredSetting], status: AuditStatus) -> [SettingDrift] {
        // The kernel holds the last value loaded for each setting.
        var last: [String: (DesiredSetting, expected: UInt32, actual: UInt32?, name: String)] = [:]
        var order: [String] = []
        for d in desired {
            let entry: (option: String, name: String, expected: UInt32, actual: UInt32?)
            switch d.setting {
            case .backlogLimit(let n): entry = ("-b", "backlog_limit", n, status.backlogLimit)
            case .failureMode(let n): entry = ("-f", "failure", n, status.failure)
            case .enabled(let n): entry = ("-e", "enabled", n, status.enabled)
            case .rateLimit(let n): entry = ("-r", "rate_limit", n, status.rateLimit)
            case .backlogWaitTime(let n): entry = ("--backlog_wait_time", "backlog_wait_time", n, status.backlogWaitTime)
            case .loginuidImmutable:
                entry = ("--loginuid-immutable", "loginuid_immutable", 1, status.loginuidImmutable.map { $0 ? 1 : 0 })
            case .resetLost, .resetBacklogWaitTimeActual:
                continue  // actions, not states
            }
            if last[entry.option] == nil { order.append(entry.option) }
            last[entry.option] = (d, entry.expected, entry.actual, entry.name)
        }
        return order.compactMap { option in
            guard let (d, expected, actual, name) = last[option], let actual, actual != expected else { return nil }
            return SettingDrift(option: option, name: name, expected: expected, actual: actual, provenance: d.provenance)
        }
    }
}

/// Pairs identical rules, each kernel rule with the first unused identical rule on disk.
struct ExactMatch {
    /// The common prefix: rule i paired with rule i for every i below it (not in `pairs`).
    var prefix = 0
    var pairs: [(expected: Int, actual: Int)] = []
    var unmatchedExpected: [Int] = []
    var unmatchedActual: [Int] = []

    init(expected e: DriftRules, actual a: DriftRules) {
        // In sync is the common case: the common prefix pairs position by position, and only
        // the rest goes through a table.
        while prefix < e.count && prefix < a.count && e.key(prefix) == a.key(prefix) { prefix += 1 }
        guard prefix < e.count || prefix < a.count else { return }
        // One side ends with the prefix (apply to an empty kernel): the rest of the other is unmatched.
        if prefix == a.count || prefix == e.count {
            unmatchedExpected = Array(prefix ..< e.count)
            unmatchedActual = Array(prefix ..< a.count)
            return
        }
        // Each key's expected rules in order, as a list threaded through `next` (not an array a
        // key: millions of distinct rules).
        var first: [RuleKey: Int] = [:]
        first.reserveCapacity(e.count - prefix)
        var next = [Int](repeating: -1, count: e.count - prefix)
        for i in (prefix ..< e.count).reversed() {
            next[i - prefix] = first.updateValue(i, forKey: e.key(i)) ?? -1
        }
        var matchedE = [Bool](repeating: false, count: e.count - prefix)
        for j in prefix ..< a.count {
            let key = a.key(j)
            if let i = first[key] {
                let after = next[i - prefix]
                if after < 0 { first[key] = nil } else { first[key] = after }
                pairs.append((i, j))
                matchedE[i - prefix] = true
            } else {
                unmatchedActual.append(j)
            }
        }
        unmatchedExpected = (prefix ..< e.count).filter { !matchedE[$0 - prefix] }
    }

    init(expected e: [KernelRule], actual a: [KernelRule]) {
        let store = SharedRuleStore()
        // Nothing on one side (apply to an empty kernel): no arena is built to pair nothing.
        self.init(expected: DriftRules(a.isEmpty ? [] : e, store: store), actual: DriftRules(e.isEmpty ? [] : a, store: store))
        if a.isEmpty { unmatchedExpected = Array(e.indices) }
        if e.isEmpty { unmatchedActual = Array(a.indices) }
    }

    /// `body(expected, actual)` of every pair, the common prefix's first, without an array of them.
    func forEachPair(_ body: (Int, Int) -> Void) {
        for i in 0 ..< prefix { body(i, i) }
        for p in pairs { body(p.expected, p.actual) }
    }
}

/// What makes two rules "the same rule, changed": list, action, ABI (arch fields) and key.
struct RuleIdentity: Hashable {
    var list: FilterList
    var action: RuleAction
    var arch: [KernelField]
    var key: RulesText?

    init(_ r: KernelRule) {
        list = r.list
        action = r.action
        arch = r.fields.filter { $0.id == FieldID.arch }
        key = r.filterKey
    }
}

extension KernelRule {
    /// The rule's key as the kernel stores it (parts joined with \u{01}); nil when it has none.
    public var filterKey: RulesText? { fields.last { $0.id == FieldID.key }?.string }
}

extension RuleDifference {
    public init(from expected: KernelRule, to actual: KernelRule) {
        var added: [Int] = [], removed: [Int] = []
        for word in 0..<KernelRule.maskWords where expected.mask[word] != actual.mask[word] {
            for bit in 0..<32 {
                let n = word * 32 + bit
                switch (expected.hasSyscall(n), actual.hasSyscall(n)) {
                case (false, true): added.append(n)
                case (true, false): removed.append(n)
                default: break
                }
            }
        }
        var leftover = expected.fields
        var extra: [KernelField] = []
        for f in actual.fields {
            if let i = leftover.firstIndex(of: f) { leftover.remove(at: i) } else { extra.append(f) }
        }
        self.init(addedSyscalls: added, removedSyscalls: removed, addedFields: extra, removedFields: leftover,
                  fieldOrderDiffers: extra.isEmpty && leftover.isEmpty && expected.fields != actual.fields)
    }

    var cost: Int {
        addedSyscalls.count + removedSyscalls.count + addedFields.count + removedFields.count + (fieldOrderDiffers ? 1 : 0)
    }

    /// Keyless rules pair up only when just one of syscalls or fields changed; otherwise they
    /// are more honestly a missing rule and an unexpected one.
    var isSmall: Bool {
        (addedSyscalls.isEmpty && removedSyscalls.isEmpty) || (addedFields.isEmpty && removedFields.isEmpty)
    }
}
