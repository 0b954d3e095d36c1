import Syscalls

/// The rules files `aurules apply` loads, compiled a chunk of lines at a time as `compile` and
/// `check` read them (`ChunkedInput.compile(inputs:)`: no syntax tree is ever whole, a rules.d
/// directory file by file), with what `ExpectedRules` needs of their arch-less statements.
/// The rules are kept as `check` keeps them, slots of one arena (`DriftRules`) the kernel's
/// rules join to be planned against: a rule is made whole only when a step naming it is sent,
/// printed or verified.
public struct AppliedFiles {
    /// The compilation's diagnostics and settings; its rules are kept in `rules`.
    let result: CompileResult
    /// The files' rules in kernel order.
    let rules: DriftRules
    /// The files' diagnostics (`DriftCheck.diagnostics`: after parse errors, only the parser's).
    public let diagnostics: [Diagnostic]
    let archless: Set<ExpectedRules.Location>
    let machine: Machine

    /// No output of apply quotes a rule's line (rules are rendered, sources are file:line): the
    /// lines are not kept.
    public init(paths: [String], options: ParseOptions, target: CompileTarget) {
        let store = SharedRuleStore(keepsText: false)
        let session = CompileSession(target: target, shared: store, keepsText: false)
        let read = ChunkedInput.compile(inputs: paths, options: options, into: session, notesArchless: true)
        let (compiled, slots) = session.finishSlots()
        result = compiled
        rules = DriftRules(store: store, slots: slots)
        diagnostics = DriftCheck.diagnostics(read.diagnostics, compiled)
        archless = ExpectedRules.locations(read.files)
        machine = target.machine
    }

    public var settings: [DesiredSetting] { result.settings.map { DesiredSetting(setting: $0.setting, provenance: $0.provenance) } }

    /// The files' rules with arch-less ones in the form the kernel holds them, else auditctl's
    /// (as `check` expects).
    func expected(for kernelRules: DriftRules) -> DriftRules {
        ExpectedRules.adapt(rules, archless: archless, machine: machine, kernelRules: kernelRules)
    }

    /// The plan that makes the kernel holding `kernelRules` (and settings differing by
    /// `settings`) hold the files' rules; their rules join the files' arena.
    public func plan(kernelRules: [KernelRule], settings: [SettingDrift], immutable: Bool, keepKeys: [String]) -> ApplyPlan {
        if immutable { return ApplyPlan.make(expected: [], actual: [], settings: settings, immutable: true, keepKeys: keepKeys) }
        let actual = DriftRules(kernelRules, store: rules.store)
        return ApplyPlan.make(expected: expected(for: actual), actual: actual, settings: settings, keepKeys: keepKeys, keepsFinal: true)
    }
}
