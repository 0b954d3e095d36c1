/// The rules of one side of a plan (the files' or the kernel's): whole rules, or the slots of a
/// drift check's arena, each made whole only when a step naming it is looked at.
struct PlanRules: Sendable {
    private let whole: [KernelRule]
    private let slots: [StoredRules.Slot]
    /// A copy of the arena's value: the plan is made after the last rule joined it.
    private let arena: RuleArena
    private let isStored: Bool

    init(_ rules: [KernelRule]) {
        whole = rules
        slots = []
        arena = RuleArena(keepsText: false)
        isStored = false
    }

    init(_ rules: DriftRules) {
        whole = []
        slots = rules.slots
        arena = rules.store.arena
        isStored = true
    }

    subscript(i: Int) -> KernelRule { isStored ? StoredRules.rule(slots[i], arena) : whole[i] }
}

/// Which side of a plan a step's rule is on.
enum PlanSide: UInt8, Sendable { case expected, actual }

/// One step as a plan keeps it: what to do, and the number of its rule on its side (or of its
/// setting); a few bytes, where a whole rule is a few hundred.
struct PlannedStep: Sendable {
    enum Kind: UInt8, Sendable { case append, prepend, delete, setting }

    var index: UInt32
    var kind: Kind
    var role: ApplyStep.Role
    var side: PlanSide

    init(_ kind: Kind, _ side: PlanSide, _ index: Int, _ role: ApplyStep.Role) {
        self.index = UInt32(index)
        self.kind = kind
        self.role = role
        self.side = side
    }
}

/// A plan's steps in execution order, each made whole (its rule built from the arena) when it
/// is read: `apply` sends them one at a time, and its output prints them one at a time.
public struct ApplySteps: RandomAccessCollection, Sendable {
    let planned: [PlannedStep]
    let expected: PlanRules
    let actual: PlanRules
    let settings: [SettingDrift]

    public var startIndex: Int { 0 }
    public var endIndex: Int { planned.count }

    public subscript(i: Int) -> ApplyStep {
        let p = planned[i]
        let index = Int(p.index)
        switch p.kind {
        case .setting: return ApplyStep(.setting(settings[index]), p.role)
        case .append: return ApplyStep(.append(rule(p.side, index)), p.role)
        case .prepend: return ApplyStep(.prepend(rule(p.side, index)), p.role)
        case .delete: return ApplyStep(.delete(rule(p.side, index)), p.role)
        }
    }

    /// Why step `i` is there; its rule is not made.
    public func role(at i: Int) -> ApplyStep.Role { planned[i].role }

    /// Whether step `i` deletes a rule only the kernel has (not one that moves).
    public func isPlainDeletion(at i: Int) -> Bool { planned[i].kind == .delete && planned[i].role == .delete }

    /// Whether step `i` is a setting no one can undo before a reboot.
    public func isIrreversible(at i: Int) -> Bool {
        planned[i].kind == .setting && ApplyPlan.isIrreversible(settings[Int(planned[i].index)])
    }

    func rule(_ side: PlanSide, _ i: Int) -> KernelRule { side == .expected ? expected[i] : actual[i] }
}

/// The rules the kernel holds once a plan is carried out, list by list, each made whole when read.
public struct PlannedRules: RandomAccessCollection, Sendable {
    struct Reference: Sendable {
        var index: UInt32
        var side: PlanSide
    }

    let references: [Reference]
    let expected: PlanRules
    let actual: PlanRules

    public var startIndex: Int { 0 }
    public var endIndex: Int { references.count }

    public subscript(i: Int) -> KernelRule {
        let r = references[i]
        return r.side == .expected ? expected[Int(r.index)] : actual[Int(r.index)]
    }
}
