import AuditRules
import Syscalls

/// The rules as the kernel of each target holds them after its loader loads the input as written
/// (`ArchlessRules.asLoaded`: an arch-less rule is one rule in the machine's own numbers): what
/// the kernel-level checks reason on (list order, masks, fields, duplicates, loader refusals),
/// each rule traced to its source line.
public struct CompiledRuleSet: Sendable {
    public var machine: Machine
    /// The audit release whose auditctl loads the rules.
    public var loader: AuditVersion
    /// The rules in kernel load order (`result.rules` is left empty: one home for them).
    public var rules: KernelRuleList
    /// Settings, repeated rules and loader verdicts.
    public var result: CompileResult

    public init(machine: Machine, loader: AuditVersion, result: CompileResult, rules: KernelRuleList? = nil) {
        self.machine = machine
        self.loader = loader
        self.rules = rules ?? KernelRuleList(result.rules)
        self.result = result
        self.result.rules = []
    }
}

extension LintContext {
    /// Every (loader, machine) target, loaders first, in the order the checks name them.
    var compileTargets: [CompileTarget] {
        // One read of the host's user and group files for all targets, not one per target.
        let resolver = HostUserResolver()
        return loaders.flatMap { loader in
            targets.map { machine in
                var target = CompileTarget(machine: machine, kernel: release, auditVersion: loader,
                                           watchKind: checkHost ? .auto : .path, database: database, resolver: resolver)
                target.archless = .asLoaded
                return target
            }
        }
    }

    /// The input compiled for every target at the context's release, as each loader loads it.
    /// Watches are typed by stat() on this host when host checks are on, else taken as path watches.
    public func compile(_ file: RuleFile) -> [CompiledRuleSet] {
        if let compiled { return compiled }
        return compileTargets.map { target in
            CompiledRuleSet(machine: target.machine, loader: target.auditVersion, result: Compiler(target: target).compile(file))
        }
    }
}

extension KernelRule {
    /// Where the rule came from, as a finding's location (the start of its source line).
    var sourceLocation: SourceLocation? {
        provenance.map { SourceLocation(file: $0.file, line: $0.line, column: 1) }
    }

    /// The fields that decide whether the rule matches: all but the key.
    var filteringFields: [KernelField] { fields.filter { $0.id != FieldID.key } }

    var key: RulesText? { fields.first { $0.id == FieldID.key }?.string }

    /// Fields the kernel evaluates outside the list walk: a `path` rule is hashed by inode and
    /// `dir` rules are matched on the audited tree, so list order alone does not decide them.
    var isWatchLike: Bool { fields.contains { [FieldID.path, FieldID.dir, FieldID.inode].contains($0.id) } }

    /// Every syscall bit of `other` is set here.
    func maskCovers(_ other: KernelRule) -> Bool {
        zip(mask, other.mask).allSatisfy { $0 | $1 == $0 }
    }
}

/// Findings of checks that run once per target (loader, machine): one per source position,
/// naming the targets it holds on when that is not all of them.
struct PerTargetFindings {
    /// One target: the audit release that loads the rules and the machine.
    struct Target: Hashable {
        var loader: AuditVersion
        var machine: Machine
    }

    private var order: [SourceLocation] = []
    private var found: [SourceLocation: (Diagnostic, [Target])] = [:]

    mutating func add(_ d: Diagnostic, on set: CompiledRuleSet) {
        let target = Target(loader: set.loader, machine: set.machine)
        if var entry = found[d.location] {
            if !entry.1.contains(target) { entry.1.append(target) }
            found[d.location] = entry
        } else {
            order.append(d.location)
            found[d.location] = (d, [target])
        }
    }

    /// The findings; one that holds on some targets only names them: the machines when it holds
    /// with every loader of the context on each, else each machine with its audit releases.
    func all(_ context: LintContext) -> [Diagnostic] {
        let every = Set(context.loaders.flatMap { loader in context.targets.map { Target(loader: loader, machine: $0) } })
        return order.compactMap { location in
            guard var (d, targets) = found[location] else { return nil }
            if Set(targets) != every { d.message += " (on \(Self.describe(targets, loaders: context.loaders)))" }
            return d
        }
    }

    static func describe(_ targets: [Target], loaders: [AuditVersion]) -> String {
        var machines: [Machine] = []
        for t in targets where !machines.contains(t.machine) { machines.append(t.machine) }
        return machines.map { m -> String in
            let with = loaders.filter { v in targets.contains(Target(loader: v, machine: m)) }
            return with.count == loaders.count ? m.rawValue : "\(m.rawValue) with audit \(with.map(\.rawValue).joined(separator: ", "))"
        }.joined(separator: ", ")
    }
}
