@testable import AuditKernel
@testable import AuditRules

/// The reference apply the arena path (`AuditApplier.apply(files:)`, `AppliedFiles.plan`) is
/// compared against: every rule whole, planned by `ApplyPlan.make(expected:actual:)` on arrays.
/// Tests only; nothing in the package calls these.
extension AuditApplier {
    /// Makes the kernel hold what `target` gives, whole, for the kernel's current rules (arch-less
    /// rules take the form the kernel holds, see ExpectedRules), and `settings`.
    func apply(target: @escaping ([KernelRule]) -> [KernelRule], settings: [DesiredSetting], dryRun: Bool = false,
               initial: Snapshot? = nil) throws -> ApplyResult {
        try apply(planner: { rules, drift, immutable, keepKeys in
            ApplyPlan.make(expected: target(rules), actual: rules, settings: drift, immutable: immutable, keepKeys: keepKeys)
        }, settings: settings, dryRun: dryRun, initial: initial)
    }
}

extension AppliedFiles {
    /// The compilation, its rules made whole (their line text empty).
    var compiled: CompileResult {
        var whole = result
        whole.rules = rules.all
        return whole
    }

    /// The files' rules, whole, with arch-less ones in the form `kernelRules` holds them, else
    /// auditctl's.
    func expected(for kernelRules: [KernelRule]) -> [KernelRule] {
        expected(for: DriftRules(kernelRules, store: rules.store)).all
    }
}
