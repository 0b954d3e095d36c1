/// The differences between the rules on disk (compiled for a host) and the rules its kernel
/// holds: what `aurules check` reports. Built by `DriftReport.compare`; pure data.
public struct DriftReport: Sendable {
    /// Rules present on both sides, identical on the wire.
    public var inSync: Int
    /// On disk, not in the kernel, in disk order (each carries its provenance), each made whole
    /// when it is read.
    public var missing: MissingRules
    /// In the kernel, from no file, grouped by key so other software's rules can be attributed.
    public var unexpected: [UnexpectedGroup]
    /// Same list, action, ABI and key on both sides, different syscalls or fields.
    public var changed: [ChangedRule]
    /// Lists whose common rules are in a different order in the kernel.
    public var orderDrift: [OrderDrift]
    public var settings: [SettingDrift]
    /// Lines of the files the loader refuses, left out of the comparison.
    public var unloadable: [UnloadableLine]
    /// The kernel is locked (`-e 2`): nothing can be reconciled before a reboot.
    public var immutable: Bool
    public var expectedCount: Int
    public var kernelCount: Int

    public init(inSync: Int = 0, missing: [MissingRule] = [], unexpected: [UnexpectedGroup] = [], changed: [ChangedRule] = [],
                orderDrift: [OrderDrift] = [], settings: [SettingDrift] = [], immutable: Bool = false,
                expectedCount: Int = 0, kernelCount: Int = 0, unloadable: [UnloadableLine] = []) {
        self.inSync = inSync
        self.missing = MissingRules(missing)
        self.unexpected = unexpected
        self.changed = changed
        self.orderDrift = orderDrift
        self.settings = settings
        self.unloadable = unloadable
        self.immutable = immutable
        self.expectedCount = expectedCount
        self.kernelCount = kernelCount
    }

    public var unexpectedCount: Int { unexpected.reduce(0) { $0 + $1.rules.count } }
    public var movedCount: Int { orderDrift.reduce(0) { $0 + $1.moved.count } }

    public var hasDrift: Bool {
        !missing.isEmpty || !unexpected.isEmpty || !changed.isEmpty || !orderDrift.isEmpty || !settings.isEmpty || !unloadable.isEmpty
    }

    /// One count per kind, for metrics; the keys are stable.
    public var counts: [(kind: DriftKind, count: Int)] {
        [(.missing, missing.count), (.unexpected, unexpectedCount), (.changed, changed.count),
         (.order, movedCount), (.setting, settings.count), (.unloadable, unloadable.count)]
    }
}

public enum DriftKind: String, Sendable, Codable, CaseIterable {
    case missing, unexpected, changed, order, setting, unloadable
}

/// A rule the files want and the kernel lacks.
public struct MissingRule: Sendable {
    public var rule: KernelRule
    /// 1-based position the rule should have in its list.
    public var expectedPosition: Int
}

/// A kernel rule no file accounts for.
public struct UnexpectedRule: Sendable {
    public var rule: KernelRule
    /// 1-based position in its list in the kernel.
    public var kernelPosition: Int
}

public struct UnexpectedGroup: Sendable {
    /// The rule's key (all `-k` parts joined with \u{01}, as the kernel stores them); nil for keyless rules.
    public var key: RulesText?
    public var rules: [UnexpectedRule]
}

public struct ChangedRule: Sendable {
    /// The rule as compiled from disk, with its provenance.
    public var expected: KernelRule
    public var actual: KernelRule
    public var kernelPosition: Int
    public var difference: RuleDifference
}

/// How the kernel's rule differs from the file's, in the kernel's terms.
public struct RuleDifference: Hashable, Sendable {
    /// Syscall numbers only in the kernel's rule.
    public var addedSyscalls: [Int]
    /// Syscall numbers only in the file's rule.
    public var removedSyscalls: [Int]
    /// Fields only in the kernel's rule.
    public var addedFields: [KernelField]
    /// Fields only in the file's rule.
    public var removedFields: [KernelField]
    /// Same fields, other order: two different kernel rules that list identically.
    public var fieldOrderDiffers: Bool

    public var isEmpty: Bool {
        addedSyscalls.isEmpty && removedSyscalls.isEmpty && addedFields.isEmpty && removedFields.isEmpty && !fieldOrderDiffers
    }
}

/// Rules of one list that both sides hold, in a different order.
public struct OrderDrift: Sendable {
    public var list: FilterList
    public var moved: [MovedRule]
    /// The list holds `never` rules, whose position decides what is audited.
    public var listHasNeverRules: Bool
}

public struct MovedRule: Sendable {
    /// The rule as compiled from disk, with its provenance.
    public var rule: KernelRule
    public var expectedPosition: Int
    public var kernelPosition: Int
    /// On disk, the common rule just before this one; nil when it comes first.
    public var expectedAfter: KernelRule?
}

/// A control setting on disk that the kernel's status contradicts.
public struct SettingDrift: Sendable {
    /// auditctl's option (`-b`, `-f`, `-e`, `-r`, `--backlog_wait_time`, `--loginuid-immutable`).
    public var option: String
    /// The `auditctl -s` name (`backlog_limit`, ...).
    public var name: String
    public var expected: UInt32
    public var actual: UInt32
    public var provenance: Provenance?
}

/// A setting the files ask for, with where they ask for it.
public struct DesiredSetting: Sendable {
    public var setting: Setting
    public var provenance: Provenance?

    public init(setting: Setting, provenance: Provenance?) {
        self.setting = setting
        self.provenance = provenance
    }
}
