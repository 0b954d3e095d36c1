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
    /// In execution order: early settings, rule additions and moves, deletions, late settings;
    /// each step's rule is made whole when the step is read.
    public private(set) var steps: ApplySteps
    /// Foreign rules (in no file) left in place because their key matched a `--keep-key` glob.
    public var kept: [KernelRule]
    /// Rules of both sets that are not touched.
    public var unchanged: Int
    /// What the kernel holds once the plan is carried out, list by list (empty when the plan
    /// is only printed).
    public private(set) var final: PlannedRules
    /// The kernel is locked (`-e 2`): nothing can be changed before a reboot.
    public var immutable: Bool

    public var added: Int { steps.planned.count(where: { $0.role == .add }) }
    public var deleted: Int { steps.planned.count(where: { $0.role == .delete }) }
    /// Moved rules (each is one delete and one re-add).
    public var moved: Int { steps.planned.count(where: { $0.kind == .delete && $0.role == .move }) }
    public var settingsChanged: Int { steps.planned.count(where: { $0.role == .setting }) }
    public var isEmpty: Bool { steps.isEmpty }

    /// Settings an error in loading can be survived with, set before the rules change: a larger
    /// backlog and wait keep records the load itself produces.
    static let earlySettings = ["-b", "--backlog_wait_time", "-r"]

    /// `expected`: the files' rules compiled for this host (each list in target order);
    /// `actual`: the kernel's, in kernel order; `settings`: what differs (DriftReport.settingDrift).
    /// `keepKeys`: globs (fnmatch) for keys of foreign rules that stay.
    public static func make(expected: [KernelRule], actual: [KernelRule], settings: [SettingDrift] = [],
                            immutable: Bool = false, keepKeys: [String] = []) -> ApplyPlan {
        var byListE = [FilterList: [Int]](), byListA = [FilterList: [Int]]()
        if !immutable {
            for i in expected.indices { byListE[expected[i].list, default: []].append(i) }
            for i in actual.indices { byListA[actual[i].list, default: []].append(i) }
        }
        return make(PlanRules(expected), PlanRules(actual), settings: settings, immutable: immutable, keepsFinal: true) { list in
            let e = byListE[list] ?? [], a = byListA[list] ?? []
            if e.isEmpty && a.isEmpty { return nil }
            // The arena the rules are matched in goes before the steps are made.
            let match = ExactMatch(expected: e.map { expected[$0] }, actual: a.map { actual[$0] })
            return ListPlan(match, expected: e.count, actual: a.count, keepsFinal: true,
                            global: { $0 == .expected ? e[$1] : a[$1] },
                            isKept: { ApplyPlan.keyMatches(actual[$0].filterKey, globs: keepKeys) })
        }
    }

    /// The same for two sides in one arena (a drift check's, or the rules files `apply` loads
    /// and the kernel's): each rule is made whole only when a step naming it is read (and to
    /// match a kept key). `keepsFinal: false` leaves `final` empty (`check --plan` prints the
    /// steps, nothing carries them out).
    static func make(expected: DriftRules, actual: DriftRules, settings: [SettingDrift], immutable: Bool = false,
                     keepKeys: [String], keepsFinal: Bool = false) -> ApplyPlan {
        // Each list's rules by their numbers on their side; nil: every rule is of one list.
        let listsE = expected.listIndices(), listsA = actual.listIndices()
        return make(PlanRules(expected), PlanRules(actual), settings: settings, immutable: immutable, keepsFinal: keepsFinal) { list in
            let e = expected.only(list), a = actual.only(list)
            if e.isEmpty && a.isEmpty { return nil }
            let ne = listsE?[list], na = listsA?[list]
            return ListPlan(ExactMatch(expected: e, actual: a), expected: e.count, actual: a.count, keepsFinal: keepsFinal,
                            global: { side, i in side == .expected ? ne.map { $0[i] } ?? i : na.map { $0[i] } ?? i },
                            isKept: { !keepKeys.isEmpty && ApplyPlan.keyMatches(actual[$0].filterKey, globs: keepKeys) })
        }
    }

    /// The plan of the lists `listPlan` plans (nil: a list neither side has rules in).
    private static func make(_ expected: PlanRules, _ actual: PlanRules, settings: [SettingDrift], immutable: Bool, keepsFinal: Bool,
                             _ listPlan: (FilterList) -> ListPlan?) -> ApplyPlan {
        var planned: [PlannedStep] = [], references: [PlannedRules.Reference] = [], kept: [KernelRule] = [], unchanged = 0
        func setting(_ i: Int) { planned.append(PlannedStep(.setting, .expected, i, .setting)) }
        if !immutable {
            for (i, s) in settings.enumerated() where earlySettings.contains(s.option) { setting(i) }
            var deletions: [PlannedStep] = []
            for list in FilterList.allCases {
                guard let listPlan = listPlan(list) else { continue }
                planned += listPlan.placements
                deletions += listPlan.deletions
                kept += listPlan.kept.map { actual[$0] }
                unchanged += listPlan.unchanged
                references += listPlan.final
            }
            planned += deletions
            // -f 2 panics the host on an audit failure: not while the rules are in flux. -e 0|1 once
            // the set is complete; -e 2 and --loginuid-immutable cannot be undone, so they come last.
            for (i, s) in settings.enumerated() where !earlySettings.contains(s.option) && !isIrreversible(s) { setting(i) }
            for option in ["--loginuid-immutable", "-e"] {
                for (i, s) in settings.enumerated() where s.option == option && isIrreversible(s) { setting(i) }
            }
        }
        return ApplyPlan(steps: ApplySteps(planned: planned, expected: expected, actual: actual, settings: settings), kept: kept,
                         unchanged: unchanged, final: PlannedRules(references: references, expected: expected, actual: actual),
                         immutable: immutable)
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

/// The plan of one filter list, its steps naming rules by their numbers on their sides.
struct ListPlan {
    var placements: [PlannedStep] = []
    var deletions: [PlannedStep] = []
    /// The kernel's rules kept by `--keep-key`.
    var kept: [Int] = []
    var unchanged = 0
    var final: [PlannedRules.Reference] = []

    /// `match`: of the list's `expected` and `actual` rules; `global`: the number on its side of
    /// rule i of the list; `isKept`: whether the kernel's rule of that number stays although no
    /// file has it. `keepsFinal`: `final` is made (apply verifies it).
    init(_ match: ExactMatch, expected: Int, actual: Int, keepsFinal: Bool, global: (PlanSide, Int) -> Int, isKept: (Int) -> Bool) {
        var position = [Int?](repeating: nil, count: expected)
        match.forEachPair { position[$0] = $1 }
        let window = ApplyPlan.keptWindow(position)
        unchanged = window.count
        var stays = [Bool](repeating: false, count: actual)
        for i in window { stays[position[i]!] = true }

        // Prepends build the head from the inside out; appends the tail in order.
        for i in (0 ..< window.lowerBound).reversed() { place(global(.expected, i), from: position[i].map { global(.actual, $0) }, prepend: true) }
        for i in window.upperBound ..< expected { place(global(.expected, i), from: position[i].map { global(.actual, $0) }, prepend: false) }

        for j in match.unmatchedActual {
            let old = global(.actual, j)
            if isKept(old) {
                kept.append(old)
                stays[j] = true
            } else {
                deletions.append(PlannedStep(.delete, .actual, old, .delete))
            }
        }
        guard keepsFinal else { return }
        final.reserveCapacity(window.lowerBound + (expected - window.upperBound) + stays.count(where: { $0 }))
        for i in 0 ..< window.lowerBound { final.append(.init(index: UInt32(global(.expected, i)), side: .expected)) }
        for j in 0 ..< actual where stays[j] { final.append(.init(index: UInt32(global(.actual, j)), side: .actual)) }
        for i in window.upperBound ..< expected { final.append(.init(index: UInt32(global(.expected, i)), side: .expected)) }
    }

    /// `old`: the number of the kernel's copy when the rule is there already, elsewhere.
    private mutating func place(_ rule: Int, from old: Int?, prepend: Bool) {
        if let old { placements.append(PlannedStep(.delete, .actual, old, .move)) }
        placements.append(PlannedStep(prepend ? .prepend : .append, .expected, rule, old == nil ? .add : .move))
    }
}
