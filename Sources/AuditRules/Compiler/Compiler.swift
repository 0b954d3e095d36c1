import Syscalls

/// Compiles a parsed rule file into the kernel rules a target machine holds after loading it.
///
/// Statements are applied the way auditctl applies them to the kernel: `-a` appends to its
/// filter list, `-A` prepends, `-d`/`-W` delete an identical rule, `-D` deletes everything
/// (`-D -k K` every rule whose key contains K). A rule identical to one already held is
/// reported and skipped (auditctl would stop with "Rule exists"), so the result loads cleanly.
public struct Compiler {
    public let target: CompileTarget

    public init(target: CompileTarget) {
        self.target = target
    }

    public func compile(_ file: RuleFile) -> CompileResult {
        let state = CompilationState(target: target)
        var held = HeldRules()
        var result = CompileResult()
        var settings: [CompiledSetting] = []
        for stmt in file.statements {
            switch stmt.kind {
            case .rule(let rule):
                let lowered = state.lower(rule, stmt)
                switch rule.command {
                case .append, .prepend:
                    var group: [KernelRule] = []
                    for r in lowered {
                        if let first = held.provenance(of: r) {
                            state.report(.warning, "same kernel rule as \(first.file):\(first.line): skipped (auditctl stops with 'Rule exists')",
                                         at: stmt.location, length: 2, in: stmt)
                        } else {
                            group.append(r)
                        }
                    }
                    held.add(group, prepend: rule.command == .prepend)
                case .delete:
                    delete(lowered, from: &held, state: state, stmt: stmt)
                }
            case .watch(let watch):
                guard let r = state.lower(watch, stmt) else { continue }
                if watch.remove {
                    delete([r], from: &held, state: state, stmt: stmt)
                } else if let first = held.provenance(of: r) {
                    state.report(.warning, "same watch as \(first.file):\(first.line): skipped (auditctl stops with 'Rule exists')",
                                 at: stmt.location, length: 2, in: stmt)
                } else {
                    held.add([r], prepend: false)
                }
            case .deleteAll(let key):
                if let key {
                    held.removeAll { rule in rule.keys.contains { $0.contains(key.value) } }
                    result.deleteKeys.append(key)
                } else {
                    held.removeAll { _ in true }
                    result.deleteAll = true
                    result.deleteKeys.removeAll()
                }
            case .setting(let s):
                settings.append(CompiledSetting(setting: s, provenance: Provenance(file: stmt.location.file, line: stmt.location.line, text: stmt.text)))
            case .loaderOption(let o):
                result.loaderOptions.append(o)
            }
        }
        result.rules = held.ordered()
        result.settings = Self.augenrulesOrder(settings)
        result.diagnostics = state.diagnostics
        return result
    }

    private func delete(_ rules: [KernelRule], from held: inout HeldRules, state: CompilationState, stmt: Statement) {
        for r in rules where !held.remove(r) {
            state.report(.warning, "no earlier rule matches this deletion: auditctl would stop with 'No rule matches'; ignored",
                         at: stmt.location, length: 2, in: stmt)
        }
    }

    /// augenrules keeps the last `-b` and the last `-f` at the top and the last `-e` at the end;
    /// other settings stay in source order between them.
    static func augenrulesOrder(_ settings: [CompiledSetting]) -> [CompiledSetting] {
        var backlog: CompiledSetting?, failure: CompiledSetting?, enabled: CompiledSetting?
        var others: [CompiledSetting] = []
        for s in settings {
            switch s.setting {
            case .backlogLimit: backlog = s
            case .failureMode: failure = s
            case .enabled: enabled = s
            default: others.append(s)
            }
        }
        return [backlog, failure].compactMap { $0 } + others + [enabled].compactMap { $0 }
    }
}

extension KernelRule {
    /// The key field's parts (auditctl joins every `-k` with \x01 into one field).
    var keys: [String] {
        guard let f = fields.last(where: { $0.id == FieldID.filterkey }), let s = f.string else { return [] }
        return s.split(separator: "\u{01}", omittingEmptySubsequences: false).map(String.init)
    }
}

/// The simulated kernel rule set: appended rules in order, prepended groups before them (the
/// latest first), deletions by identity.
struct HeldRules {
    private var appended: [KernelRule?] = []
    private var prepended: [[KernelRule?]] = []
    private var index: [KernelRule: Provenance] = [:]

    func provenance(of rule: KernelRule) -> Provenance? { index[rule] }

    mutating func add(_ group: [KernelRule], prepend: Bool) {
        guard !group.isEmpty else { return }
        for r in group { index[r] = r.provenance ?? Provenance(file: "", line: 0, text: "") }
        if prepend {
            prepended.append(group)
        } else {
            appended.append(contentsOf: group.map(Optional.some))
        }
    }

    /// Removes the rule identical to `rule`; false when none is held.
    mutating func remove(_ rule: KernelRule) -> Bool {
        guard index.removeValue(forKey: rule) != nil else { return false }
        if let i = appended.firstIndex(where: { $0 == rule }) {
            appended[i] = nil
            return true
        }
        for g in prepended.indices {
            if let i = prepended[g].firstIndex(where: { $0 == rule }) {
                prepended[g][i] = nil
                return true
            }
        }
        return true
    }

    mutating func removeAll(where predicate: (KernelRule) -> Bool) {
        for i in appended.indices { if let r = appended[i], predicate(r) { appended[i] = nil; index[r] = nil } }
        for g in prepended.indices {
            for i in prepended[g].indices { if let r = prepended[g][i], predicate(r) { prepended[g][i] = nil; index[r] = nil } }
        }
    }

    func ordered() -> [KernelRule] {
        prepended.reversed().flatMap { $0.compactMap { $0 } } + appended.compactMap { $0 }
    }
}
