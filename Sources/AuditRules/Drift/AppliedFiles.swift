import Syscalls

/// The rules files `aurules apply` loads, compiled a chunk of lines at a time as `compile` and
/// `check` read them (`ChunkedInput.compile(inputs:)`: no syntax tree is ever whole, a rules.d
/// directory file by file), with what `ExpectedRules` needs of their arch-less statements.
public struct AppliedFiles {
    public let compiled: CompileResult
    /// The files' diagnostics (`DriftCheck.diagnostics`: after parse errors, only the parser's).
    public let diagnostics: [Diagnostic]
    let archless: Set<ExpectedRules.Location>
    let machine: Machine

    /// No output of apply quotes a rule's line (rules are rendered, sources are file:line): the
    /// lines are not kept.
    public init(paths: [String], options: ParseOptions, target: CompileTarget) {
        let session = CompileSession(target: target, keepsText: false)
        let read = ChunkedInput.compile(inputs: paths, options: options, into: session, notesArchless: true)
        var compiled = session.finish()
        // The compiler makes a mask per statement: equal ones share one buffer (millions of rules).
        KernelRule.shareMasks(&compiled.rules)
        self.compiled = compiled
        diagnostics = DriftCheck.diagnostics(read.diagnostics, compiled)
        archless = ExpectedRules.locations(read.files)
        machine = target.machine
    }

    public var settings: [DesiredSetting] { compiled.settings.map { DesiredSetting(setting: $0.setting, provenance: $0.provenance) } }

    /// Arch-less rules in the form the kernel holds them, else auditctl's (as `check` expects).
    public func expected(for kernelRules: [KernelRule]) -> [KernelRule] {
        ExpectedRules.adapt(compiled.rules, archless: archless, machine: machine, kernelRules: kernelRules)
    }
}
