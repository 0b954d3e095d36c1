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
        let resolver = userResolver ?? HostUserResolver()
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
    var isWatchLike: Bool { fields.contains { Self.isWatchField($0.id) } }

    static func isWatchField(_ id: UInt32) -> Bool { id == FieldID.path || id == FieldID.dir || id == FieldID.inode }

    /// Every syscall bit of `other` is set here.
    func maskCovers(_ other: KernelRule) -> Bool {
        zip(mask, other.mask).allSatisfy { $0 | $1 == $0 }
    }
}

/// A check that judges each target's (loader, machine) rule set on its own: one finding per
/// source position, naming the targets it holds on when that is not all of them (AUR005,
/// AUR502, AUR504-AUR508).
public protocol PerTargetCheck: LintCheck {
    /// Reports each finding on `set` with its location; `make` builds it, and is called only for
    /// the findings that are kept (most positions are found on every target: one is made).
    func check(_ set: CompiledRuleSet, context: LintContext, report: (SourceLocation, _ make: () -> Diagnostic) -> Void)
    /// The severity of every finding, made at the location reported, when they all have one:
    /// a finding past the display limit is then counted, not made. nil: every finding is made.
    var findingSeverity: Severity? { get }
}

extension PerTargetCheck {
    public var findingSeverity: Severity? { nil }
}

extension PerTargetCheck {
    public func findings(in file: RuleFile, context: LintContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        PerTargetFindings.run(self, on: context.compile(file), context: context) { out.append($0) }
        return out
    }
}

/// Runs a `PerTargetCheck` on every target's rule set so that its findings do not pile up (a
/// large input has tens of thousands): the other targets are run first and only note where each
/// finding is and on which targets; the first target is run last and hands each of its findings
/// over at once, complete. A finding the first target lacks is made on the first target it holds
/// on, in one more run of that target (rare: most findings hold on every target). The output is
/// that of keeping every finding, each made on the first target it holds on.
enum PerTargetFindings {
    /// One target: the audit release that loads the rules and the machine.
    struct Target: Hashable {
        var loader: AuditVersion
        var machine: Machine
    }

    /// Where a finding is: the first target it holds on (-1 once it is made) and the number of
    /// its set of targets in `TargetSets`.
    private struct Seen {
        var first: Int32
        var targets: Int32
    }

    /// A finding's location with its file numbered: hashing the file's path for every finding
    /// (tens of thousands on a large input, on each target) cost more than the checks' own work.
    private struct LocationKey: Hashable {
        var file: Int
        var line: Int
        var column: Int

        /// One word hashed, not three (a finding is looked up on every target).
        func hash(into hasher: inout Hasher) { hasher.combine(line &* 0x1_0000 &+ column &+ file &* 0x5851_F42D_4C95_7F2D) }
    }

    private struct FileNumbers {
        var numbers: [String: Int] = [:]
        var last: (file: String, number: Int)?

        /// Findings come in file order: the last file is nearly always the one asked.
        mutating func key(_ l: SourceLocation) -> LocationKey {
            if let last, last.file == l.file { return LocationKey(file: last.number, line: l.line, column: l.column) }
            let n = numbers[l.file] ?? numbers.count
            numbers[l.file] = n
            last = (l.file, n)
            return LocationKey(file: n, line: l.line, column: l.column)
        }
    }

    /// The distinct sets of targets findings hold on, each numbered once (there are few).
    private struct TargetSets {
        var sets: [[Int]] = [[]]
        var numbers: [[Int]: Int32] = [[]: 0]
        var grown: [Int64: Int32] = [:]

        /// The number of set `n` with `target` added (targets come in increasing order).
        mutating func adding(_ target: Int, to n: Int32) -> Int32 {
            let key = Int64(n) << 16 | Int64(target)
            if let m = grown[key] { return m }
            var set = sets[Int(n)]
            if !set.contains(target) { set.append(target) }
            let m = numbers[set] ?? Int32(sets.count)
            if m == Int32(sets.count) {
                sets.append(set)
                numbers[set] = m
            }
            grown[key] = m
            return m
        }
    }

    /// `hidden`: true when a finding of the check's `findingSeverity` at a location is not shown
    /// (it is then counted as made); asked only for checks that have one.
    static func run(_ check: some PerTargetCheck, on sets: [CompiledRuleSet], context: LintContext,
                    hidden: (SourceLocation, Severity) -> Bool = { _, _ in false }, emit: (Diagnostic) -> Void) {
        let severity = check.findingSeverity
        // Sets of one (loader, machine) are one target.
        var targets: [Target] = []
        let targetOf = sets.map { set -> Int in
            let t = Target(loader: set.loader, machine: set.machine)
            if let i = targets.firstIndex(of: t) { return i }
            targets.append(t)
            return targets.count - 1
        }
        var seen: [LocationKey: Seen] = [:]
        var targetSets = TargetSets()
        var files = FileNumbers()
        for (i, set) in sets.enumerated().dropFirst() {
            check.check(set, context: context) { location, _ in
                let location = files.key(location)
                // Found before: updated in place (one look-up, not two).
                if let at = seen.index(forKey: location) {
                    seen.values[at].targets = targetSets.adding(targetOf[i], to: seen.values[at].targets)
                } else {
                    seen[location] = Seen(first: Int32(i), targets: targetSets.adding(targetOf[i], to: 0))
                }
            }
        }
        let every = Set(context.loaders.flatMap { loader in context.targets.map { Target(loader: loader, machine: $0) } })
        // What each list of targets adds to a message, worked out once (there are few lists).
        var suffixes: [(on: [Int], suffix: String?)] = []
        func make(_ d: Diagnostic, on indices: [Int]) -> Diagnostic {
            var d = d
            let suffix: String?
            if let known = suffixes.first(where: { $0.on == indices }) {
                suffix = known.suffix
            } else {
                let on = indices.map { targets[$0] }
                suffix = Set(on) != every ? " (on \(describe(on, loaders: context.loaders)))" : nil
                suffixes.append((indices, suffix))
            }
            if let suffix { d.message += suffix }
            return d
        }
        guard let first = sets.first else { return }
        var madeFirst: Set<LocationKey> = []
        check.check(first, context: context) { location0, build in
            let location = files.key(location0)
            guard madeFirst.insert(location).inserted else { return }
            let others = seen.removeValue(forKey: location).map { targetSets.sets[Int($0.targets)] } ?? []
            if let severity, hidden(location0, severity) { return }
            var on = [targetOf[0]]
            for t in others where !on.contains(t) { on.append(t) }
            emit(make(build(), on: on))
        }
        madeFirst = []
        let firsts = Set(seen.values.map(\.first))
        for (i, set) in sets.enumerated().dropFirst() where firsts.contains(Int32(i)) {
            check.check(set, context: context) { location0, build in
                let location = files.key(location0)
                guard var s = seen[location], s.first == Int32(i) else { return }
                s.first = -1
                seen[location] = s
                if let severity, hidden(location0, severity) { return }
                emit(make(build(), on: targetSets.sets[Int(s.targets)]))
            }
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
