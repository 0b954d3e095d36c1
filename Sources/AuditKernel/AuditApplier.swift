import AuditRules
import Syscalls
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A step the kernel refused, with its error.
public struct ApplyFailure: Sendable {
    /// Index in the plan's steps.
    public var index: Int
    public var step: ApplyStep
    public var error: AuditKernelError
}

public enum ApplyError: Error, Sendable {
    /// `-e 2` is in force: nothing was attempted.
    case immutable
    /// A step failed; `restored` tells whether the kernel was verified to be as before, byte for byte.
    case refused(ApplyFailure, restored: Bool, rollbackProblem: String?)
    /// After the steps (and one retry) the kernel still differs from the plan: another process
    /// changed it meanwhile, or it did not do what it acknowledged.
    case differs(String)
    /// The kernel could not be read.
    case unreadable(AuditKernelError)
}

/// What `apply` did.
public struct ApplyResult: Sendable {
    /// The plan carried out (the retry's, when the first was overtaken by another change).
    public var plan: ApplyPlan
    /// With keep-going: the steps the kernel refused, the rest carried out.
    public var failures: [ApplyFailure] = []
    /// Irreversible settings not set because other steps failed.
    public var skipped: [ApplyStep] = []
    /// The kernel changed between the read and the writes; the plan was made again and carried out.
    public var retried = false
}

/// Makes the kernel hold a target rule set and settings: read, plan (`ApplyPlan`), carry out,
/// read back and verify. All or nothing unless `keepGoing`: after a refused step everything done
/// is undone and the kernel verified byte for byte as before.
public final class AuditApplier {
    public let transport: any AuditTransport
    public var keepGoing = false
    public var keepKeys: [String] = []

    public init(transport: any AuditTransport) {
        self.transport = transport
    }

    /// The plan for the kernel's rules, the settings that differ, whether the kernel is
    /// immutable, and the `--keep-key` globs.
    public typealias Planner = (_ kernelRules: [KernelRule], _ settings: [SettingDrift], _ immutable: Bool, _ keepKeys: [String]) -> ApplyPlan

    /// Makes the kernel hold the rules and settings of `files`; each step's rule is made whole
    /// only when it is sent or verified. `dryRun`: plan only. `initial`: the kernel as read just
    /// before (see `read`), to save reading it again.
    public func apply(files: AppliedFiles, dryRun: Bool = false, initial: Snapshot? = nil) throws -> ApplyResult {
        try apply(planner: files.plan, settings: files.settings, dryRun: dryRun, initial: initial)
    }

    /// The same with `planner` making the plan (tests give a reference planner of whole rules).
    func apply(planner: Planner, settings: [DesiredSetting], dryRun: Bool, initial: Snapshot?) throws -> ApplyResult {
        var snapshot = try initial ?? read()
        if snapshot.status.isImmutable { throw ApplyError.immutable }
        var result = ApplyResult(plan: makePlan(planner, settings: settings, snapshot: snapshot))
        // Nothing to do writes nothing: the plan was made from what the kernel holds.
        if dryRun || result.plan.isEmpty { return result }

        for attempt in 0 ..< 2 {
            let outcome = try carryOut(result.plan, snapshot: snapshot)
            result.failures = outcome.failures
            result.skipped = outcome.skipped
            // The status is compared only when the files set something.
            let now = try read(status: settings.isEmpty ? snapshot.status : nil)
            let settingsDone = outcome.failures.isEmpty ? settings : []
            let problem = outcome.failures.isEmpty
                ? difference(now, rules: result.plan.final, settings: settingsDone)
                : difference(now, rules: predicted(result.plan, snapshot: snapshot, failures: outcome.failures), settings: settingsDone)
            guard let problem else { return result }
            if attempt == 1 { throw ApplyError.differs(problem) }
            // Someone else changed the kernel meanwhile: plan again from what it holds now. The
            // old plan goes first (it holds a copy of the arena the new one adds to).
            snapshot = now
            result = ApplyResult(plan: ApplyPlan.make(expected: [], actual: []))
            result = ApplyResult(plan: makePlan(planner, settings: settings, snapshot: snapshot), retried: true)
            if snapshot.status.isImmutable { throw ApplyError.immutable }
        }
        return result
    }

    /// The kernel's rules, raw and decoded, and its status.
    public struct Snapshot: Sendable {
        public var raw: [[UInt8]]
        public var rules: [KernelRule]
        public var status: AuditStatus
    }

    /// Reads the kernel (through `transport`); `status`: a status already known, not read again.
    public static func read(_ transport: any AuditTransport, status known: AuditStatus? = nil) throws -> Snapshot {
        do {
            let raw = try transport.listRules()
            return Snapshot(raw: raw, rules: try raw.map { try WireCodec.decode($0) }, status: try known ?? transport.status())
        } catch let error as AuditKernelError {
            throw ApplyError.unreadable(error)
        } catch {
            throw ApplyError.unreadable(.malformedReply("\(error)"))
        }
    }

    private func read(status known: AuditStatus? = nil) throws -> Snapshot {
        try Self.read(transport, status: known)
    }

    private func makePlan(_ planner: Planner, settings: [DesiredSetting], snapshot: Snapshot) -> ApplyPlan {
        planner(snapshot.rules, DriftReport.settingDrift(settings, status: snapshot.status), snapshot.status.isImmutable, keepKeys)
    }

    /// Consecutive deletions sent together at most (the transport batches within them): their
    /// payloads are made for this many at a time, not for all.
    static let deletionChunk = 1 << 16

    private struct Outcome {
        var failures: [ApplyFailure] = []
        var skipped: [ApplyStep] = []
    }

    private func carryOut(_ plan: ApplyPlan, snapshot: Snapshot) throws -> Outcome {
        var outcome = Outcome()
        let bytes = RawBytes(snapshot)
        func payload(_ rule: KernelRule) -> [UInt8] { bytes[rule] ?? WireCodec.encode(rule) }

        var i = 0
        let steps = plan.steps
        while i < steps.count {
            if steps.isIrreversible(at: i), !outcome.failures.isEmpty {
                outcome.skipped.append(steps[i])
                i += 1
                continue
            }
            var refused: [ApplyFailure] = []
            if steps.isPlainDeletion(at: i) {
                // Consecutive plain deletions go out together.
                var j = i
                while j < steps.count, j - i < Self.deletionChunk, steps.isPlainDeletion(at: j) { j += 1 }
                let results = transport.deleteRules((i ..< j).map { payload(steps[$0].operation.rule!) })
                for (k, error) in results.enumerated() {
                    if let error { refused.append(ApplyFailure(index: i + k, step: steps[i + k], error: error)) }
                }
                i = j
            } else {
                let step = steps[i]
                do {
                    switch step.operation {
                    // A rule only the files have is not in the kernel's listing: encoded.
                    case .append(let r): try transport.addRule(step.role == .add ? WireCodec.encode(r) : payload(r), prepend: false)
                    case .prepend(let r): try transport.addRule(step.role == .add ? WireCodec.encode(r) : payload(r), prepend: true)
                    case .delete(let r): if let error = transport.deleteRules([payload(r)])[0] { throw error }
                    case .setting(let s): try transport.set(s.option, to: s.expected)
                    }
                } catch {
                    refused.append(ApplyFailure(index: i, step: step, error: error as? AuditKernelError ?? .malformedReply("\(error)")))
                }
                i += 1
            }
            guard !refused.isEmpty else { continue }
            if keepGoing {
                outcome.failures += refused
                continue
            }
            let (restored, problem) = rollBack(to: snapshot, bytes: bytes)
            throw ApplyError.refused(refused[0], restored: restored, rollbackProblem: problem)
        }
        return outcome
    }

    /// What the kernel should hold after `plan` with the `failures` left out.
    private func predicted(_ plan: ApplyPlan, snapshot: Snapshot, failures: [ApplyFailure]) -> [KernelRule] {
        var model = KernelListModel(snapshot.rules)
        let failed = Set(failures.map(\.index))
        for (i, step) in plan.steps.enumerated() where !failed.contains(i) { try? model.perform(step.operation) }
        return model.rules
    }

    /// Nil when the kernel holds exactly `expected` (compared one rule at a time), and the
    /// `settings` (when given).
    private func difference<Rules: Collection<KernelRule>>(_ now: Snapshot, rules expected: Rules, settings: [DesiredSetting]) -> String? {
        if !now.rules.elementsEqual(expected) {
            let rules = Array(expected)
            let report = DriftReport.compare(expected: rules, actual: now.rules)
            return "the kernel holds \(now.rules.count) rules, \(rules.count) expected: \(report.missing.count) missing, "
                + "\(report.unexpectedCount) unexpected, \(report.changed.count) changed, \(report.movedCount) out of order"
        }
        let settingProblems = DriftReport.settingDrift(settings, status: now.status)
        if !settingProblems.isEmpty {
            return settingProblems.map { "\($0.name) is \($0.actual), expected \($0.expected)" }.joined(separator: "; ")
        }
        return nil
    }

    /// Undoes everything: the kernel's rules made equal to the snapshot again by the same engine
    /// (a deleted rule cannot be put back between others in any other way), the settings restored
    /// newest first, then checked byte for byte. Tried twice.
    private func rollBack(to snapshot: Snapshot, bytes: RawBytes) -> (restored: Bool, problem: String?) {
        var problem: String?
        for _ in 0 ..< 2 {
            do {
                let now = try read()
                let plan = ApplyPlan.make(expected: snapshot.rules, actual: now.rules)
                for step in plan.steps {
                    switch step.operation {
                    case .append(let r): try transport.addRule(bytes[r] ?? WireCodec.encode(r), prepend: false)
                    case .prepend(let r): try transport.addRule(bytes[r] ?? WireCodec.encode(r), prepend: true)
                    case .delete(let r):
                        let currentBytes = zip(now.rules, now.raw).first { $0.0 == r }?.1 ?? WireCodec.encode(r)
                        if let error = transport.deleteRules([currentBytes])[0] { throw error }
                    case .setting: break
                    }
                }
                let status = try transport.status()
                for (option, value, current) in Self.reversibleSettings(snapshot.status, status) where value != current {
                    try transport.set(option, to: value)
                }
                let after = try read()
                if after.raw == snapshot.raw && Self.reversibleSettings(snapshot.status, after.status).allSatisfy({ $0.1 == $0.2 }) {
                    return (true, nil)
                }
                problem = "after the undo the kernel still differs from before"
            } catch {
                problem = "the undo failed: \(error)"
            }
        }
        return (false, problem)
    }

    /// (option, value before, value now), in the reverse of the order apply sets them.
    private static func reversibleSettings(_ before: AuditStatus, _ now: AuditStatus) -> [(String, UInt32, UInt32)] {
        [("-e", before.enabled, now.enabled), ("-f", before.failure, now.failure),
         ("-r", before.rateLimit, now.rateLimit), ("--backlog_wait_time", before.backlogWaitTime, now.backlogWaitTime),
         ("-b", before.backlogLimit, now.backlogLimit)]
    }
}

/// The bytes the kernel listed for each rule of a snapshot (a rule is deleted, or put back, with
/// exactly those). Found by a hash of the rule's words and compared only on a hit: a dictionary
/// keyed by whole rules (their Hashable hash, through Hasher) cost more than the one-rule change
/// it served.
struct RawBytes {
    private let snapshot: AuditApplier.Snapshot
    private var first: [Int: Int] = [:]

    init(_ snapshot: AuditApplier.Snapshot) {
        self.snapshot = snapshot
        first.reserveCapacity(snapshot.rules.count)
        for (i, rule) in snapshot.rules.enumerated() {
            let h = Self.hash(rule)
            if first[h] == nil { first[h] = i }
        }
    }

    subscript(rule: KernelRule) -> [UInt8]? {
        guard let i = first[Self.hash(rule)] else { return nil }
        if snapshot.rules[i] == rule { return snapshot.raw[i] }
        // Another rule of the same hash came first: the slow way (the kernel holds no rule twice).
        return snapshot.rules[(i + 1)...].firstIndex(of: rule).map { snapshot.raw[$0] }
    }

    /// The shared FNV-1a over the words equality compares (list, action, mask, fields and their strings).
    static func hash(_ rule: KernelRule) -> Int {
        var h = FNV1a()
        h.mix(UInt64(rule.list.kernelValue) << 32 | UInt64(rule.action.kernelValue))
        h.mix(mask: rule.mask)
        for f in rule.fields {
            h.mix(UInt64(f.id) << 32 | UInt64(f.op.kernelValue))
            h.mix(UInt64(f.value))
            f.string?.withBytes { h.mix(bytes: $0) }
        }
        return h.intValue
    }
}

extension ApplyPlan {
    public static func isIrreversible(_ step: ApplyStep) -> Bool {
        if case .setting(let s) = step.operation { return isIrreversible(s) }
        return false
    }
}
