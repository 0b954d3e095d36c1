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
        let session = CompileSession(target: target)
        session.add(file.statements)
        return session.finish()
    }
}

/// An incremental compilation: statements can arrive in pieces (a large file parsed a chunk at a
/// time), with the same result as one `Compiler.compile` of them all.
public final class CompileSession {
    public let target: CompileTarget
    private let state: CompilationState
    private var held = HeldRules()
    private var settings: [CompiledSetting] = []
    private var result = CompileResult()

    /// `keepsText: false` leaves `Provenance.text` empty on rules (file and line stay).
    public init(target: CompileTarget, keepsText: Bool = true) {
        self.target = target
        self.state = CompilationState(target: target)
        state.keepsText = keepsText
    }

    public func add(_ statements: [Statement]) {
        for stmt in statements { add(stmt) }
    }

    /// `lineOffset`: how far down its file the statement really is (chunked input).
    public func add(_ stmt: Statement, lineOffset: Int = 0) {
        state.lineOffset = lineOffset
        switch stmt.kind {
        case .rule(let rule):
            let lowered = state.lower(rule, stmt)
            if rule.command == .delete {
                delete(lowered, stmt: stmt)
            } else {
                var group: [KernelRule] = []
                group.reserveCapacity(lowered.count)
                for r in lowered { if keep(r, stmt, what: "rule") { group.append(r) } }
                held.add(group, prepend: rule.command == .prepend)
            }
        case .watch(let watch):
            guard let r = state.lower(watch, stmt) else { return }
            if watch.remove {
                delete([r], stmt: stmt)
            } else if keep(r, stmt, what: "watch") {
                held.add([r], prepend: false)
            }
        case .deleteAll(let key):
            if let key {
                held.removeAll { rule in rule.keys.contains { $0.contains(key.value) } }
                var moved = key
                moved.location.line += lineOffset
                result.deleteKeys.append(moved)
            } else {
                held.removeAll { _ in true }
                result.deleteAll = true
                result.deleteKeys.removeAll()
            }
        case .setting(let s):
            settings.append(CompiledSetting(setting: s, provenance: Provenance(file: stmt.location.file, line: stmt.location.line + lineOffset, text: stmt.text)))
        case .loaderOption(let o):
            result.loaderOptions.append(o)
        }
    }

    /// Diagnostics so far.
    public var diagnostics: [Diagnostic] { state.diagnostics }

    /// The result; the session lets go of its rules (call once).
    public func finish() -> CompileResult {
        var out = result
        out.rules = held.ordered()
        held = HeldRules()
        out.settings = Compiler.augenrulesOrder(settings)
        out.diagnostics = state.diagnostics
        return out
    }

    private func keep(_ r: KernelRule, _ stmt: Statement, what: String) -> Bool {
        guard let first = held.origin(of: r) else { return true }
        state.report(.warning, "same kernel \(what) as \(first.file):\(first.line): skipped (auditctl stops with 'Rule exists')",
                     at: stmt.location, length: 2, in: stmt)
        return false
    }

    private func delete(_ rules: [KernelRule], stmt: Statement) {
        for r in rules where !held.remove(r) {
            state.report(.warning, "no earlier rule matches this deletion: auditctl would stop with 'No rule matches'; ignored",
                         at: stmt.location, length: 2, in: stmt)
        }
    }
}

extension Compiler {
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

/// A kernel rule's identity hash, computed once from the words that differ between rules.
enum RuleHash {
    static func of(_ rule: KernelRule) -> Int {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        @inline(__always) func mix(_ v: UInt64) { h = (h ^ v) &* 0x0000_0100_0000_01b3 }
        mix(UInt64(rule.list.kernelValue) << 8 | UInt64(rule.action.kernelValue))
        for (i, w) in rule.mask.enumerated() where w != 0 { mix(UInt64(i) << 32 | UInt64(w)) }
        for f in rule.fields {
            mix(UInt64(f.id) << 32 | UInt64(f.op.kernelValue >> 24))
            mix(UInt64(f.value))
            if let s = f.string { for b in s.utf8 { mix(UInt64(b)) } }
        }
        return Int(truncatingIfNeeded: h)
    }
}

/// The simulated kernel rule set: appended rules in order, prepended groups before them (the
/// latest first), deletions by identity. Rules live once in `storage`; the index maps identity
/// hashes to storage slots (a 100,000-rule file must not hold each rule three times).
struct HeldRules {
    private var storage: [KernelRule] = []
    private var live: [Bool] = []
    private var liveCount = 0
    /// Storage slots of prepended groups, in the order they came.
    private var prepended: [[Int]] = []
    private var index: [Int: Int] = [:]
    /// Slots of further rules whose hash collides with an indexed one.
    private var collisions: [Int: [Int]] = [:]

    private func slot(of rule: KernelRule, hash: Int) -> Int? {
        if let i = index[hash], live[i], storage[i] == rule { return i }
        return collisions[hash]?.first { live[$0] && storage[$0] == rule }
    }

    func origin(of rule: KernelRule) -> (file: String, line: Int)? {
        guard let i = slot(of: rule, hash: RuleHash.of(rule)) else { return nil }
        return (storage[i].provenance?.file ?? "", storage[i].provenance?.line ?? 0)
    }

    mutating func add(_ group: [KernelRule], prepend: Bool) {
        guard !group.isEmpty else { return }
        var slots: [Int] = []
        for r in group {
            let h = RuleHash.of(r)
            let i = storage.count
            storage.append(r)
            live.append(true)
            liveCount += 1
            if let other = index[h], live[other] { collisions[h, default: []].append(i) } else { index[h] = i }
            if prepend { slots.append(i) }
        }
        if prepend { prepended.append(slots) }
    }

    /// Removes the rule identical to `rule`; false when none is held.
    mutating func remove(_ rule: KernelRule) -> Bool {
        guard let i = slot(of: rule, hash: RuleHash.of(rule)) else { return false }
        kill(i)
        return true
    }

    mutating func removeAll(where predicate: (KernelRule) -> Bool) {
        for i in storage.indices where live[i] && predicate(storage[i]) { kill(i) }
        if liveCount == 0 { self = HeldRules() }
    }

    private mutating func kill(_ i: Int) {
        live[i] = false
        liveCount -= 1
    }

    /// The rules in kernel load order; the storage itself when nothing was prepended or deleted.
    func ordered() -> [KernelRule] {
        if prepended.isEmpty && liveCount == storage.count { return storage }
        var out: [KernelRule] = []
        out.reserveCapacity(liveCount)
        var isPrepended = [Bool](repeating: false, count: storage.count)
        for g in prepended.reversed() {
            for i in g {
                isPrepended[i] = true
                if live[i] { out.append(storage[i]) }
            }
        }
        for i in storage.indices where live[i] && !isPrepended[i] { out.append(storage[i]) }
        return out
    }
}
