@testable import AuditRules
import XCTest

final class ApplyPlanTests: XCTestCase {
    private func rule(_ syscall: Int, _ list: FilterList = .exit, key: RulesText? = nil) -> KernelRule {
        var r = KernelRule(list: list, action: .always)
        r.addSyscall(syscall)
        if let key { r.fields.append(KernelField(id: 210, op: .equal, string: key)) }
        return r
    }

    private func name(_ r: KernelRule) -> String {
        let n = (0 ..< 2048).first(where: r.hasSyscall).map(String.init) ?? "?"
        return r.list == .exit ? n : "\(r.list.rawValue):\(n)"
    }

    private func describe(_ plan: ApplyPlan) -> [String] {
        plan.steps.map { step in
            switch step.operation {
            case .append(let r): return "+\(name(r))"
            case .prepend(let r): return "^\(name(r))"
            case .delete(let r): return "-\(name(r))"
            case .setting(let s): return "\(s.option) \(s.expected)"
            }
        }
    }

    /// Carries the plan out on the kernel model step by step and checks, after every step, that
    /// no rule of both sets is missing except a moved rule between its own delete and re-add,
    /// and at the end that the model holds exactly the plan's `final` and the files' order.
    private func run(_ plan: ApplyPlan, expected: [KernelRule], actual: [KernelRule], keepKeys: [String] = [],
                     file: StaticString = #filePath, line: UInt = #line) {
        var model = KernelListModel(actual)
        let common = Set(expected).intersection(actual)
        var inFlight = Set<KernelRule>()
        var sawDelete = false
        for step in plan.steps {
            XCTAssertNoThrow(try model.perform(step.operation), "\(step.operation)", file: file, line: line)
            switch (step.operation, step.role) {
            case (.delete(let r), .move): inFlight.insert(r)
            case (.append(let r), .move), (.prepend(let r), .move): inFlight.remove(r)
            case (.delete, .delete): sawDelete = true
            case (.append, _), (.prepend, _): XCTAssertFalse(sawDelete, "an addition after a deletion", file: file, line: line)
            default: break
            }
            XCTAssertLessThanOrEqual(inFlight.count, 1, file: file, line: line)
            for r in common where !inFlight.contains(r) {
                XCTAssertTrue(model.contains(r), "\(name(r)) absent after \(step.operation)", file: file, line: line)
            }
        }
        XCTAssertEqual(model.rules, Array(plan.final), file: file, line: line)
        let foreignKept = model.rules.filter { !expected.contains($0) }
        XCTAssertTrue(foreignKept.allSatisfy { ApplyPlan.keyMatches($0.filterKey, globs: keepKeys) }, file: file, line: line)
        XCTAssertEqual(model.rules.filter { !foreignKept.contains($0) }, KernelListModel(expected).rules, file: file, line: line)
    }

    func testNoChangeIsEmpty() {
        let rules = (1 ... 5).map { rule($0) }
        let plan = ApplyPlan.make(expected: rules, actual: rules)
        XCTAssertTrue(plan.isEmpty)
        XCTAssertEqual(plan.unchanged, 5)
        XCTAssertEqual(Array(plan.final), rules)
    }

    func testAddBeforeDeleteAndChangedRuleAtTheEnd() {
        let a = [rule(1), rule(2), rule(3, key: "old")]
        let e = [rule(1), rule(2), rule(3, key: "new"), rule(4)]
        let plan = ApplyPlan.make(expected: e, actual: a)
        XCTAssertEqual(describe(plan), ["+3", "+4", "-3"])
        run(plan, expected: e, actual: a)
    }

    /// A rule between two kept rules cannot be inserted: the shorter side is rebuilt around it.
    func testRuleInTheMiddleMovesTheShorterSide() {
        let a = [rule(1), rule(2), rule(3), rule(4)]
        let e = [rule(1), rule(9), rule(2), rule(3), rule(4)]
        let plan = ApplyPlan.make(expected: e, actual: a)
        XCTAssertEqual(describe(plan), ["^9", "-1", "^1"])
        XCTAssertEqual(plan.moved, 1)
        XCTAssertEqual(plan.unchanged, 3)
        run(plan, expected: e, actual: a)

        let e2 = [rule(1), rule(2), rule(3), rule(9), rule(4)]
        let plan2 = ApplyPlan.make(expected: e2, actual: a)
        XCTAssertEqual(describe(plan2), ["+9", "-4", "+4"])
        run(plan2, expected: e2, actual: a)
    }

    func testReorderKeepsTheLongestRunInOrder() {
        let a = [rule(5), rule(1), rule(2), rule(3), rule(4)]
        let e = [rule(1), rule(2), rule(3), rule(4), rule(5)]
        let plan = ApplyPlan.make(expected: e, actual: a)
        XCTAssertEqual(describe(plan), ["-5", "+5"])
        run(plan, expected: e, actual: a)

        // Swapped neighbours: one of them moves.
        let swapped = [rule(1), rule(3), rule(2), rule(4)]
        let plan2 = ApplyPlan.make(expected: [rule(1), rule(2), rule(3), rule(4)], actual: swapped)
        XCTAssertEqual(plan2.moved, 2)
        run(plan2, expected: [rule(1), rule(2), rule(3), rule(4)], actual: swapped)
    }

    func testForeignRulesDeletedOrKeptByKey() {
        let a = [rule(1), rule(7, key: "auditbeat-x"), rule(2), rule(8, key: "other")]
        let e = [rule(1), rule(2)]
        let deleteAll = ApplyPlan.make(expected: e, actual: a)
        XCTAssertEqual(describe(deleteAll), ["-7", "-8"])
        run(deleteAll, expected: e, actual: a)

        let keep = ApplyPlan.make(expected: e, actual: a, keepKeys: ["auditbeat*"])
        XCTAssertEqual(describe(keep), ["-8"])
        XCTAssertEqual(keep.kept.map(name), ["7"])
        XCTAssertEqual(Array(keep.final), [rule(1), rule(7, key: "auditbeat-x"), rule(2)])
        run(keep, expected: e, actual: a, keepKeys: ["auditbeat*"])
    }

    func testKeyPartsMatch() {
        XCTAssertTrue(ApplyPlan.keyMatches("a\u{01}osquery", globs: ["osq*"]))
        XCTAssertFalse(ApplyPlan.keyMatches("a\u{01}osquery", globs: ["b*"]))
        XCTAssertFalse(ApplyPlan.keyMatches(nil, globs: ["*"]))
    }

    func testSettingsInASafeOrderIrreversibleLast() {
        let drift = [SettingDrift(option: "-e", name: "enabled", expected: 2, actual: 1),
                     SettingDrift(option: "-f", name: "failure", expected: 2, actual: 1),
                     SettingDrift(option: "--loginuid-immutable", name: "loginuid_immutable", expected: 1, actual: 0),
                     SettingDrift(option: "-b", name: "backlog_limit", expected: 8192, actual: 64),
                     SettingDrift(option: "-r", name: "rate_limit", expected: 10, actual: 0)]
        let plan = ApplyPlan.make(expected: [rule(1)], actual: [rule(2)], settings: drift)
        XCTAssertEqual(describe(plan), ["-b 8192", "-r 10", "+1", "-2", "-f 2", "--loginuid-immutable 1", "-e 2"])
        XCTAssertTrue(ApplyPlan.make(expected: [rule(1)], actual: [], settings: drift, immutable: true).isEmpty)
    }

    /// The moves are minimal: every rule of both sets that is not moved keeps its place relative
    /// to the others and nothing can be inserted between them, so the untouched rules are one
    /// contiguous run of the files' list in the kernel's order; a brute force over all such runs
    /// finds none longer than the plan keeps.
    func testRandomPlansAreCorrectAndMinimal() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0 ..< 400 {
            let lists: [FilterList] = [.exit, .exit, .exclude]
            let pool = (0 ..< 9).map { rule($0, lists[$0 % 3]) }
            let a = pool.filter { _ in Bool.random(using: &generator) }.shuffled(using: &generator)
            let e = pool.filter { _ in Bool.random(using: &generator) }.shuffled(using: &generator)
            let plan = ApplyPlan.make(expected: e, actual: a)
            run(plan, expected: e, actual: a)
            var best = 0
            for list in FilterList.allCases {
                let el = e.filter { $0.list == list }, al = a.filter { $0.list == list }
                var longest = 0
                for lo in 0 ..< max(el.count, 1) {
                    for hi in lo ..< el.count {
                        let positions = el[lo ... hi].map { al.firstIndex(of: $0) }
                        guard positions.allSatisfy({ $0 != nil }), zip(positions, positions.dropFirst()).allSatisfy({ $0! < $1! }) else { continue }
                        longest = max(longest, hi - lo + 1)
                    }
                }
                best += longest
            }
            XCTAssertEqual(plan.unchanged, best)
            XCTAssertEqual(plan.moved, Set(e).intersection(a).count - best)
        }
    }

    /// A step as its rule (whole, provenance compared too) and role.
    private func detailed(_ plan: ApplyPlan) -> [String] {
        plan.steps.map { step in
            let rule = step.operation.rule.map { "\($0) \($0.provenance.map { "\($0.file):\($0.line):\(String(describing: $0.abi))" } ?? "-")" }
            return "\(step.role) \(describe(step.operation)) \(rule ?? "")"
        }
    }

    private func describe(_ operation: ApplyOperation) -> String {
        switch operation {
        case .append: return "append"
        case .prepend: return "prepend"
        case .delete: return "delete"
        case .setting(let s): return "\(s.option) \(s.expected)"
        }
    }

    /// The plan of two sides kept in one arena (what `apply` and `check --plan` plan over) is
    /// step for step, rule for rule, the plan of the same rules whole: over several lists (each
    /// list's steps name rules by their numbers on the whole side), with kept keys, moves,
    /// provenance and settings.
    func testPlanOverAnArenaIsThePlanOverWholeRules() {
        var generator = SystemRandomNumberGenerator()
        let lists: [FilterList] = [.exit, .exclude, .exit, .user, .exit]
        let drift = [SettingDrift(option: "-b", name: "backlog_limit", expected: 8192, actual: 64),
                     SettingDrift(option: "-e", name: "enabled", expected: 1, actual: 0)]
        for round in 0 ..< 300 {
            let pool = (0 ..< 12).map { n -> KernelRule in
                var r = rule(n, lists[n % lists.count], key: n % 4 == 0 ? RulesText("auditbeat-\(n)") : n % 4 == 1 ? "mine" : nil)
                r.provenance = Provenance(file: "f\(n % 2).rules", line: n + 1, text: "", abi: n % 3 == 0 ? .x86_64 : nil)
                return r
            }
            let e = pool.filter { _ in Bool.random(using: &generator) }.shuffled(using: &generator)
            // The kernel's rules carry no provenance.
            let a = pool.filter { _ in Bool.random(using: &generator) }.shuffled(using: &generator).map { r -> KernelRule in
                var held = r
                held.provenance = nil
                return held
            }
            let keepKeys = round % 2 == 0 ? [] : ["auditbeat*"]
            let whole = ApplyPlan.make(expected: e, actual: a, settings: drift, keepKeys: keepKeys)
            let store = SharedRuleStore(keepsText: false)
            let (de, da) = (DriftRules(e, store: store), DriftRules(a, store: store))
            for keepsFinal in [true, false] {
                let stored = ApplyPlan.make(expected: de, actual: da, settings: drift, keepKeys: keepKeys, keepsFinal: keepsFinal)
                XCTAssertEqual(detailed(stored), detailed(whole), "round \(round)")
                XCTAssertEqual(Array(stored.final), keepsFinal ? Array(whole.final) : [], "round \(round)")
                XCTAssertEqual(Array(stored.final).map(\.provenance), keepsFinal ? Array(whole.final).map(\.provenance) : [])
                XCTAssertEqual(stored.kept, whole.kept)
                XCTAssertEqual([stored.added, stored.deleted, stored.moved, stored.unchanged, stored.settingsChanged],
                               [whole.added, whole.deleted, whole.moved, whole.unchanged, whole.settingsChanged])
            }
            run(whole, expected: e, actual: a, keepKeys: keepKeys)
        }
    }
}
