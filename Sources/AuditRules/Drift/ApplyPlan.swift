#if canImport(Glibc)
import Glibc
#endif

/// One change asked of the kernel. The kernel can only add a rule at either end of its filter
/// list (AUDIT_ADD_RULE, with AUDIT_FILTER_PREPEND for the head) and delete a rule wherever it is;
/// it refuses to add a rule identical to one it holds (EEXIST).
public enum ApplyOperation: Sendable {
    case append(KernelRule)
    case prepend(KernelRule)
    case delete(KernelRule)
    case setting(SettingDrift)

    public var rule: KernelRule? {
        switch self {
        case .append(let r), .prepend(let r), .delete(let r): return r
        case .setting: return nil
        }
    }
}

public struct ApplyStep: Sendable {
    /// Why the step is there: a rule only the files have, a rule only the kernel has, the delete
    /// or the re-add of a rule both have in another place, a setting.
    public enum Role: String, Sendable, Codable { case add, delete, move, setting }

    public var operation: ApplyOperation
    public var role: Role

    public init(_ operation: ApplyOperation, _ role: Role) {
        self.operation = operation
        self.role = role
    }
}

/// How to make the kernel hold the files' rules and settings, changing only what differs. Both
/// `aurules apply` (which carries it out) and `aurules check --plan` (which prints it) use it.
///
/// Per filter list the kernel's rules that stay untouched keep their relative order, and
/// everything added goes to an end of the list, so what stays untouched is one contiguous run
/// of the files' list (`kept window`) whose rules the kernel already holds in that order. The
/// longest such run is kept; the files' rules before it are prepended (last first), those after
/// it appended; a rule the kernel holds elsewhere is deleted right before it is placed (the
/// kernel refuses a second copy), so it is absent only for that moment, and no other rule of
/// both sets is ever absent. Every other addition comes before any deletion.
public struct ApplyPlan: Sendable {
    /// In execution order: early settings, rule additions and moves, deletions, late settings.
    public var steps: [ApplyStep]
    /// Foreign rules (in no file) left in place because their key matched a `--keep-key` glob.
    public var kept: [KernelRule]
    /// Rules of both sets that are not touched.
    public var unchanged: Int
    /// What the kernel holds once the plan is carried out, list by list.
    public var final: [KernelRule]
    /// The kernel is locked (`-e 2`): nothing can be changed before a reboot.
    public var immutable: Bool

    public var added: Int { steps.filter { $0.role == .add }.count }
    public var deleted: Int { steps.filter { $0.role == .delete }.count }
    /// Moved rules (each is one delete and one re-add).
    public var moved: Int { steps.filter { if case .delete = $0.operation { return $0.role == .move } else { return false } }.count }
    public var settingsChanged: Int { steps.filter { $0.role == .setting }.count }
    public var isEmpty: Bool { steps.isEmpty }

    /// Settings an error in loading can be survived with, set before the rules change: a larger
    /// backlog and wait keep records the load itself produces.
    static let earlySettings = ["-b", "--backlog_wait_time", "-r"]

    /// `expected`: the files' rules compiled for this host (each list in target order);
    /// `actual`: the kernel's, in kernel order; `settings`: what differs (DriftReport.settingDrift).
    /// `keepKeys`: globs (fnmatch) for keys of foreign rules that stay.
    public static func make(expected: [KernelRule], actual: [KernelRule], settings: [SettingDrift] = [],
                            immutable: Bool = false, keepKeys: [String] = []) -> ApplyPlan {
        var byListE = [FilterList: [KernelRule]](), byListA = [FilterList: [KernelRule]]()
        if !immutable {
            for r in expected { byListE[r.list, default: []].append(r) }
            for r in actual { byListA[r.list, default: []].append(r) }
        }
        return make(settings: settings, immutable: immutable, keepsFinal: true) { list in
            let e = byListE[list] ?? [], a = byListA[list] ?? []
            if e.isEmpty && a.isEmpty { return nil }
            // The arena the rules are matched in goes before the steps are made.
            let match = ExactMatch(expected: e, actual: a)
            return ListPlan(match, expected: e.count, actual: a.count, keepKeys: keepKeys, keepsFinal: true) { $0 == .expected ? e[$1] : a[$1] }
        }
    }

    /// The same for the two sides of a drift check, in their arena: only the rules of the steps
    /// (and the kept foreign ones) are made whole; `final` is left empty (`check --plan` prints
    /// the steps, nothing carries them out).
    static func make(expected: DriftRules, actual: DriftRules, settings: [SettingDrift], keepKeys: [String]) -> ApplyPlan {
        make(settings: settings, immutable: false, keepsFinal: false) { list in
            let e = expected.only(list), a = actual.only(list)
            if e.isEmpty && a.isEmpty { return nil }
            return ListPlan(ExactMatch(expected: e, actual: a), expected: e.count, actual: a.count, keepKeys: keepKeys,
                            keepsFinal: false) { $0 == .expected ? e[$1] : a[$1] }
        }
    }

    /// The plan of the lists `listPlan` plans (nil: a list neither side has rules in).
    private static func make(settings: [SettingDrift], immutable: Bool, keepsFinal: Bool, _ listPlan: (FilterList) -> ListPlan?) -> ApplyPlan {
        var plan = ApplyPlan(steps: [], kept: [], unchanged: 0, final: [], immutable: immutable)
        if immutable { return plan }
        for s in settings where earlySettings.contains(s.option) { plan.steps.append(ApplyStep(.setting(s), .setting)) }
        var deletions: [ApplyStep] = []
        for list in FilterList.allCases {
            guard let listPlan = listPlan(list) else { continue }
            plan.steps += listPlan.placements
            deletions += listPlan.deletions
            plan.kept += listPlan.kept
            plan.unchanged += listPlan.unchanged
            plan.final += listPlan.final
        }
        plan.steps += deletions
        // -f 2 panics the host on an audit failure: not while the rules are in flux. -e 0|1 once
        // the set is complete; -e 2 and --loginuid-immutable cannot be undone, so they come last.
        for s in settings where !earlySettings.contains(s.option) && !isIrreversible(s) {
            plan.steps.append(ApplyStep(.setting(s), .setting))
        }
        for option in ["--loginuid-immutable", "-e"] {
            for s in settings where s.option == option && isIrreversible(s) { plan.steps.append(ApplyStep(.setting(s), .setting)) }
        }
        return plan
    }

    /// Settings the kernel never lets go of before a reboot.
    public static func isIrreversible(_ s: SettingDrift) -> Bool {
        s.option == "--loginuid-immutable" || (s.option == "-e" && s.expected == 2)
    }

    /// Whether `key` (parts joined with \u{01}, as the kernel stores them) matches a glob, whole
    /// or by one of its parts.
    public static func keyMatches(_ key: RulesText?, globs: [String]) -> Bool {
        guard let key, !globs.isEmpty else { return false }
        let parts = [key] + (key.contains(0x01) ? key.split(separator: 0x01).map(RulesText.init) : [])
        return globs.contains { glob in parts.contains { $0.withCString { fnmatch(glob, $0, 0) } == 0 } }
    }

    /// The longest run `lo ..< hi` of positions whose values are all present and strictly
    /// increasing: files' rules the kernel already holds, in the files' order.
    static func keptWindow(_ kernelPosition: [Int?]) -> Range<Int> {
        var best = 0 ..< 0, start = 0
        for k in kernelPosition.indices {
            guard let p = kernelPosition[k] else {
                start = k + 1
                continue
            }
            if k > start, let q = kernelPosition[k - 1], q > p { start = k }
            if k + 1 - start > best.count { best = start ..< k + 1 }
        }
        return best
    }
}

/// The plan of one filter list.
struct ListPlan {
    enum Side { case expected, actual }

    var placements: [ApplyStep] = []
    var deletions: [ApplyStep] = []
    var kept: [KernelRule] = []
    var unchanged = 0
    var final: [KernelRule] = []

    /// `match`: of the list's `expected` and `actual` rules; `rule`: rule i of a side, whole.
    /// `keepsFinal`: `final` is made (apply verifies it).
    init(_ match: ExactMatch, expected: Int, actual: Int, keepKeys: [String], keepsFinal: Bool, rule: (Side, Int) -> KernelRule) {
        var position = [Int?](repeating: nil, count: expected)
        for pair in match.allPairs { position[pair.expected] = pair.actual }
        let window = ApplyPlan.keptWindow(position)
        unchanged = window.count
        var stays = [Bool](repeating: false, count: actual)
        for i in window { stays[position[i]!] = true }

        // Prepends build the head from the inside out; appends the tail in order.
        for i in (0 ..< window.lowerBound).reversed() { place(rule(.expected, i), from: position[i].map { rule(.actual, $0) }, prepend: true) }
        for i in window.upperBound ..< expected { place(rule(.expected, i), from: position[i].map { rule(.actual, $0) }, prepend: false) }

        for j in match.unmatchedActual {
            let old = rule(.actual, j)
            if ApplyPlan.keyMatches(old.filterKey, globs: keepKeys) {
                kept.append(old)
                stays[j] = true
            } else {
                deletions.append(ApplyStep(.delete(old), .delete))
            }
        }
        guard keepsFinal else { return }
        final = (0 ..< window.lowerBound).map { rule(.expected, $0) } + (0 ..< actual).filter { stays[$0] }.map { rule(.actual, $0) }
            + (window.upperBound ..< expected).map { rule(.expected, $0) }
    }

    /// `old`: the kernel's copy when the rule is there already, elsewhere.
    private mutating func place(_ rule: KernelRule, from old: KernelRule?, prepend: Bool) {
        if let old { placements.append(ApplyStep(.delete(old), .move)) }
        placements.append(ApplyStep(prepend ? .prepend(rule) : .append(rule), old == nil ? .add : .move))
    }
}
