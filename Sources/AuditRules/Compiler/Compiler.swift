#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
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
///
/// Two halves: lowering a statement into kernel rules depends on the statement alone, so it can
/// run on any thread (`makeLowerer()`, one per thread); applying the lowered statements to the
/// simulated kernel rule set depends on order and happens here, one statement after the other.
public final class CompileSession {
    public let target: CompileTarget
    let keepsText: Bool
    private lazy var lowerer = makeLowerer()
    /// The lowering states of the threads, kept from one `add` to the next (their memos: the
    /// resolved -S lists, the kernel form of `-S all`, the loader's arch readings).
    private lazy var lowerers: WorkerPool<CompilationState> = {
        let target = self.target, keepsText = self.keepsText
        return WorkerPool { CompileSession.makeLowerer(target: target, keepsText: keepsText) }
    }()
    private var held = HeldRules()
    /// Used instead of `held` when the session shares an arena (`init(target:shared:)`).
    private var stored: HeldRules<StoredRules>?
    /// Whether `stored` is used (`init(target:shared:)`) rather than `held`.
    private let sharesStore: Bool
    private var settings: [CompiledSetting] = []
    private var result = CompileResult()
    private var collected: [Diagnostic] = []
    private var reportedDrops: Set<String> = []

    /// `keepsText: false` leaves `Provenance.text` empty on rules (file and line stay).
    public init(target: CompileTarget, keepsText: Bool = true) {
        self.target = target
        self.keepsText = keepsText
        sharesStore = false
    }

    /// A session that keeps its rules in `shared`, with the sessions of the other targets that
    /// compile the same input (`finishStored()` gives them).
    /// `keepsText: false`: lowering makes no line text (a store that keeps none drops it anyway).
    public init(target: CompileTarget, shared: SharedRuleStore, keepsText: Bool = true) {
        self.target = target
        self.keepsText = keepsText
        stored = HeldRules(storage: StoredRules(store: shared))
        sharesStore = true
    }

    /// A lowering state for one thread.
    func makeLowerer() -> CompilationState {
        Self.makeLowerer(target: target, keepsText: keepsText)
    }

    static func makeLowerer(target: CompileTarget, keepsText: Bool) -> CompilationState {
        let state = CompilationState(target: target)
        state.keepsText = keepsText
        return state
    }

    public func add(_ statements: [Statement]) { add(statements, prepared: nil) }

    /// `prepared`: `PreparedRule.of(statements)`, shared by the sessions of several targets.
    public func add(_ statements: [Statement], prepared: [PreparedRule?]?) {
        // Below a few hundred statements another thread costs more than it saves.
        guard statements.count >= 512 else {
            for i in statements.indices { apply(lowerer.lower(statements[i], prepared: prepared?[i])) }
            return
        }
        let pieces = Parallelism.threads
        let size = (statements.count + pieces - 1) / pieces
        let lowerers = self.lowerers
        var lowered = parallelMap(pieces) { p in
            let lowerer = lowerers.take()
            defer { lowerers.give(lowerer) }
            let range = min(p * size, statements.count) ..< min((p + 1) * size, statements.count)
            // Lowered in order, stored last first: the statements are then popped in order
            // (reversing the array afterwards cost as much as applying).
            return statements.withUnsafeBufferPointer { buffer in
                [LoweredStatement](unsafeUninitializedCapacity: range.count) { out, made in
                    for (k, i) in range.enumerated() { (out.baseAddress! + (range.count - 1 - k)).initialize(to: lowerer.lower(buffer[i], prepared: prepared?[i])) }
                    made = range.count
                }
            }
        }
        // Each lowered statement moved out, not copied (a copy retained every array it holds).
        for p in lowered.indices {
            var piece: [LoweredStatement] = []
            swap(&piece, &lowered[p])
            while let next = piece.popLast() { apply(next) }
        }
    }

    public func add(_ stmt: Statement) {
        apply(lowerer.lower(stmt))
    }

    /// Applies one lowered statement to the rule set, in source order.
    func apply(_ lowered: LoweredStatement) {
        if lowered.onceKeys.isEmpty {
            if !lowered.diagnostics.isEmpty { collected += lowered.diagnostics }
        } else {
            var repeated = Set<Int>()
            for (i, key) in lowered.onceKeys where !reportedDrops.insert(key).inserted { repeated.insert(i) }
            for (i, d) in lowered.diagnostics.enumerated() where !repeated.contains(i) { collected.append(d) }
        }
        if !lowered.verdicts.isEmpty { result.loaderVerdicts += lowered.verdicts }
        // Told by a constant: reading `stored` for it was one more exclusivity check per statement.
        if sharesStore { apply(lowered.effect, of: lowered, to: &stored!) } else { apply(lowered.effect, of: lowered, to: &held) }
    }

    private func apply<S: RuleSlots>(_ effect: LoweredStatement.Effect, of lowered: LoweredStatement, to held: inout HeldRules<S>) {
        switch effect {
        case .add(let rules, let hashes, let prepend, let what):
            // Nearly always nothing is held already: then the rules go in as they are.
            if !held.holdsAny(rules, hashes: hashes) {
                held.add(rules, hashes: hashes, prepend: prepend)
                break
            }
            var group: [KernelRule] = [], groupHashes: [Int] = []
            group.reserveCapacity(rules.count)
            groupHashes.reserveCapacity(rules.count)
            for (r, h) in zip(rules, hashes) {
                if let first = held.origin(of: r, hash: h) {
                    result.repeated.append(RepeatedRule(location: lowered.location, sourceLine: lowered.text, isWatch: lowered.isWatch,
                                                        firstFile: first.file, firstLine: first.line))
                    report(.duplicateRule, "same kernel \(what) as \(first.file):\(first.line): skipped (auditctl stops with 'Rule exists')", lowered)
                } else {
                    group.append(r)
                    groupHashes.append(h)
                }
            }
            held.add(group, hashes: groupHashes, prepend: prepend)
        case .delete(let rules, let hashes):
            for (r, h) in zip(rules, hashes) where !held.remove(r, hash: h) {
                report(.unmatchedDeletion, "no earlier rule matches this deletion: auditctl would stop with 'No rule matches'; ignored", lowered)
            }
        case .deleteAll(let key?):
            held.removeAll(deletedByKey: key.value)
            result.deleteKeys.append(key)
        case .deleteAll(nil):
            held.removeAll(deletedByKey: nil)
            result.deleteAll = true
            result.deleteKeys.removeAll()
        case .setting(let s):
            settings.append(s)
        case .loaderOption(let o):
            result.loaderOptions.append(o)
        case .nothing:
            break
        }
    }

    private func report(_ code: DiagnosticCode, _ message: String, _ lowered: LoweredStatement) {
        collected.append(Diagnostic(.warning, message, at: lowered.location, length: 2, sourceLine: lowered.text, code: code.rawValue))
    }

    /// Diagnostics so far.
    public var diagnostics: [Diagnostic] { collected }

    /// The repeated rules and loader verdicts found since the last call, handed over and
    /// forgotten with the session's own diagnostics: lint reports them a chunk of statements at a
    /// time, so that they do not pile up over a large input.
    public func takeFindings() -> (repeated: [RepeatedRule], verdicts: [LoaderVerdict]) {
        defer {
            result.repeated.removeAll()
            result.loaderVerdicts.removeAll()
            collected.removeAll()
        }
        return (result.repeated, result.loaderVerdicts)
    }

    /// The result; the session lets go of its rules (call once).
    public func finish() -> CompileResult {
        var out = result
        if let stored {
            out.rules = Array(KernelRuleList(stored))
            self.stored = nil
        } else {
            out.rules = held.ordered()
            held = HeldRules()
        }
        out.settings = Compiler.augenrulesOrder(settings)
        out.diagnostics = collected
        return out
    }

    /// The result of a session with a shared store, its rules read from the store one at a time
    /// (`result.rules` is empty). Call once.
    public func finishStored() -> (result: CompileResult, rules: KernelRuleList) {
        guard let stored else { let r = finish(); return (r, KernelRuleList(r.rules)) }
        self.stored = nil
        var out = result
        out.settings = Compiler.augenrulesOrder(settings)
        out.diagnostics = collected
        return (out, KernelRuleList(stored))
    }

    /// The same with the held rules as their slots in kernel order, and no copy of the store's
    /// arena kept (a drift check adds the other side's rules to it). Call once.
    func finishSlots() -> (result: CompileResult, slots: [StoredRules.Slot]) {
        guard let stored else { preconditionFailure("finishSlots needs a session with a shared store") }
        self.stored = nil
        var out = result
        out.settings = Compiler.augenrulesOrder(settings)
        out.diagnostics = collected
        let slots = stored.storage.slots
        return (out, stored.order().map { $0.map { slots[$0] } } ?? slots)
    }
}

/// What one statement does to the kernel's rule set, worked out from the statement alone.
struct LoweredStatement {
    enum Effect {
        /// Rules with their identity hashes (computed where the rules were made, off the ordered path).
        case add([KernelRule], hashes: [Int], prepend: Bool, what: String)
        case delete([KernelRule], hashes: [Int])
        case deleteAll(key: Located<RulesText>?)
        case setting(CompiledSetting)
        case loaderOption(LoaderOption)
        case nothing
    }

    var effect: Effect
    /// The statement's location and text, for the
    /// warnings that only applying it can tell (duplicate rule, nothing to delete).
    var location: SourceLocation
    var text: RulesText
    var diagnostics: [Diagnostic]
    /// Which of `diagnostics` are drop reports, shown once per compilation.
    var onceKeys: [(index: Int, key: String)]
    var verdicts: [LoaderVerdict]
    var isWatch: Bool
}

extension CompilationState {
    /// `RuleHash.of(rule)`, the mask's part taken from `recentRuleHashes` when its buffer was met lately.
    func ruleHash(_ rule: KernelRule) -> Int {
        let listAction = RuleHash.listAction(rule)
        if let known = recentRuleHashes.value(of: rule.mask, tag: listAction) { return RuleHash.of(rule, after: known) }
        var h = FNV1a()
        h.mix(listAction)
        h.mix(mask: rule.mask)
        recentRuleHashes.remember(rule.mask, tag: listAction, h)
        return RuleHash.of(rule, after: h)
    }

    func lower(_ stmt: Statement, prepared: PreparedRule? = nil) -> LoweredStatement {
        let effect: LoweredStatement.Effect
        switch stmt.kind {
        case .rule(let rule):
            let rules = lower(rule, stmt, prepared: prepared)
            if rules.isEmpty && rule.command != .delete && !lineRefused { reportNoRule(stmt) }
            let hashes = rules.map(ruleHash)
            effect = rule.command == .delete ? .delete(rules, hashes: hashes)
                : .add(rules, hashes: hashes, prepend: rule.command == .prepend, what: "rule")
        case .watch(let watch):
            if let r = lower(watch, stmt) {
                let hashes = [ruleHash(r)]
                effect = watch.remove ? .delete([r], hashes: hashes) : .add([r], hashes: hashes, prepend: false, what: "watch")
            } else {
                effect = .nothing
            }
        case .deleteAll(let key):
            effect = .deleteAll(key: key)
        case .setting(let s):
            effect = .setting(CompiledSetting(setting: s, provenance: Provenance(file: stmt.location.file, line: stmt.location.line,
                                                                                 text: stmt.text)))
        case .loaderOption(let o):
            effect = .loaderOption(o)
        }
        lineRefused = false
        recordsVerdicts = true
        let isWatch = if case .watch = stmt.kind { true } else { false }
        var lowered = LoweredStatement(effect: effect, location: stmt.location, text: stmt.text, diagnostics: [], onceKeys: [],
                                       verdicts: [], isWatch: isWatch)
        // Moved out and left empty for the next statement: one access to each (a class's
        // property read, then emptied, was two exclusivity checks and a release).
        swap(&lowered.diagnostics, &diagnostics)
        swap(&lowered.onceKeys, &onceKeys)
        swap(&lowered.verdicts, &verdicts)
        return lowered
    }
}

extension CompilationState {
    /// A statement that asks for events produced no kernel rule: an error naming the target and
    /// the causes reported for it (unless drops are allowed), so that no output silently audits
    /// less than its source. Nothing is added after an error: that error is the cause.
    func reportNoRule(_ stmt: Statement) {
        guard !diagnostics.contains(where: { $0.severity == .error }) else { return }
        let causes = diagnostics.map(\.message)
        let message = "no kernel rule for \(target.machine) at kernel \(target.kernel) with audit \(target.auditVersion)"
            + (causes.isEmpty ? "" : ": " + causes.joined(separator: "; "))
            + (target.allowDrops ? " (dropped: --allow-drops)" : " (use --allow-drops to accept)")
        report(.noRuleForTarget, target.allowDrops ? .warning : .error, message, at: stmt.location, length: 2, in: stmt)
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
    /// auditctl keeps this many bytes of `-D -k KEY` (strncat into its key buffer).
    static let deleteKeyLimit = 256

    /// Whether `auditctl -D -k KEY` deletes the rule, as auditctl 3.0.9 decides (src/auditctl.c
    /// and key_match in src/auditctl-listing.c): KEY cut to its first 256 bytes; empty, it takes
    /// every rule; else every rule whose key field, all its `-k` parts joined with \x01 and read
    /// up to a NUL, holds KEY anywhere (strstr): `-D -k net` deletes the rules keyed `network`
    /// and `-k a -k net`, and a KEY with \x01 can span two parts. The rule-by-rule reference:
    /// HeldRules deletes through `DeleteKeyIndex`, and DeleteKeyIndexTests compare the two.
    func isDeleted(byKey key: RulesText) -> Bool {
        let wanted = key.prefix(Self.deleteKeyLimit)
        if wanted.isEmpty { return true }
        guard let f = fields.last(where: { $0.id == FieldID.filterkey }), let s = f.string else { return false }
        let bytes = Array(wanted)
        return s.withBytes { Self.keyHolds($0, bytes) }
    }

    /// Whether the bytes of a key field hold `wanted` as `-D -k` looks for it (`wanted` not empty).
    /// A plain byte loop: the generic `firstRange(of:)` is not specialised and looks up metadata.
    static func keyHolds(_ key: UnsafeBufferPointer<UInt8>, _ wanted: [UInt8]) -> Bool {
        let end = key.firstIndex(of: 0) ?? key.count
        guard let first = wanted.first, wanted.count <= end else { return wanted.isEmpty }
        return wanted.withUnsafeBufferPointer { w in
            var at = 0
            while at + w.count <= end {
                if key[at] == first {
                    var n = 1
                    while n < w.count && key[at + n] == w[n] { n += 1 }
                    if n == w.count { return true }
                }
                at += 1
            }
            return false
        }
    }
}

/// A kernel rule's identity hash, computed once from the words that differ between rules.
enum RuleHash {
    static func of(_ rule: KernelRule) -> Int {
        var h = FNV1a()
        h.mix(listAction(rule))
        h.mix(mask: rule.mask)
        return of(rule, after: h)
    }

    static func listAction(_ rule: KernelRule) -> UInt64 { UInt64(rule.list.kernelValue) << 8 | UInt64(rule.action.kernelValue) }

    /// The hash from `h`, the hash of the rule's list, action and mask.
    static func of(_ rule: KernelRule, after h: FNV1a) -> Int {
        var h = h
        for f in rule.fields {
            h.mix(UInt64(f.id) << 32 | UInt64(f.op.kernelValue >> 24))
            h.mix(UInt64(f.value))
            if let s = f.string { s.withBytes { h.mix(bytes: $0) } }
        }
        return h.intValue
    }
}
