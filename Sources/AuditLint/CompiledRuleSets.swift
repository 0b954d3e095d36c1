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
    public var result: CompileResult
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

/// Findings of checks that run once per target: one per source position, naming the targets it
/// holds on when that is not all of them.
struct PerTargetFindings {
    private var order: [SourceLocation] = []
    private var found: [SourceLocation: (Diagnostic, [Machine])] = [:]

    mutating func add(_ d: Diagnostic, on machine: Machine) {
        if var entry = found[d.location] {
            if !entry.1.contains(machine) { entry.1.append(machine) }
            found[d.location] = entry
        } else {
            order.append(d.location)
            found[d.location] = (d, [machine])
        }
    }

    func all(targets: [Machine]) -> [Diagnostic] {
        order.compactMap { location in
            guard var (d, machines) = found[location] else { return nil }
            if Set(machines) != Set(targets) { d.message += " (on \(machines.map(\.rawValue).joined(separator: ", ")))" }
            return d
        }
    }
}
