import AuditKernel
import AuditRules
import Foundation

/// A kernel in memory, with the audit netlink semantics `apply` relies on (kernel/auditfilter.c):
/// a rule is added at the tail of its list, or the head when its flags carry AUDIT_FILTER_PREPEND
/// (cleared when stored); an identical rule is refused with EEXIST; a delete removes the identical
/// rule or fails with ENOENT; with `-e 2` every change is refused with EPERM. Rules are kept as
/// the bytes they were sent as. It can be told to fail the k-th write, or to lose its reply.
final class FakeAuditKernel: AuditTransport {
    enum Fault {
        /// The kernel refuses the request with this errno.
        case refuse(Int32)
        /// The kernel does it, but the acknowledgement never arrives.
        case loseReply
    }

    private(set) var lists: [UInt32: [[UInt8]]] = [:]
    var state: AuditStatus
    private(set) var writes = 0
    /// Writes made, in order, for tests of the order of operations.
    private(set) var log: [String] = []
    var fault: (at: Int, kind: Fault)?
    /// Runs before the k-th write, as another process changing the kernel would.
    var interloper: ((Int, FakeAuditKernel) -> Void)?

    init(rules: [KernelRule], status: AuditStatus = AuditStatus(enabled: 1, failure: 1, backlogLimit: 64)) {
        state = status
        for r in rules { lists[r.list.kernelValue, default: []].append(WireCodec.encode(r)) }
    }

    var raw: [[UInt8]] { lists.keys.sorted().flatMap { lists[$0]! } }
    var rules: [KernelRule] { raw.map { try! WireCodec.decode($0) } }

    func listRules() throws -> [[UInt8]] { raw }
    func status() throws -> AuditStatus { state }

    /// Another process's change, not counted as a write of ours.
    func inject(_ rule: KernelRule) {
        lists[rule.list.kernelValue, default: []].append(WireCodec.encode(rule))
    }

    private func write(_ what: String, _ body: () throws -> Void) throws {
        writes += 1
        interloper?(writes, self)
        if let fault, fault.at == writes, case .refuse(let e) = fault.kind {
            throw AuditKernelError.kernel(operation: what, errno: e)
        }
        if state.enabled == 2 { throw AuditKernelError.kernel(operation: what, errno: EPERM) }
        try body()
        log.append(what)
        if let fault, fault.at == writes, case .loseReply = fault.kind { throw AuditKernelError.timeout(operation: what) }
    }

    func addRule(_ payload: [UInt8], prepend: Bool) throws {
        var payload = payload
        if prepend { payload[0] |= 0x10 }
        let flags = payload.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }
        payload[0] &= ~0x10
        let rule = try WireCodec.decode(payload)
        try write((flags & 0x10 != 0 ? "prepend " : "append ") + describe(rule)) {
            let list = flags & ~0x10
            if try (lists[list] ?? []).contains(where: { try WireCodec.decode($0) == rule }) {
                throw AuditKernelError.kernel(operation: "add", errno: EEXIST)
            }
            if flags & 0x10 != 0 { lists[list, default: []].insert(payload, at: 0) } else { lists[list, default: []].append(payload) }
        }
    }

    func deleteRules(_ payloads: [[UInt8]]) -> [AuditKernelError?] {
        payloads.map { payload in
            do {
                let rule = try WireCodec.decode(payload)
                try write("delete " + describe(rule)) {
                    let list = rule.list.kernelValue
                    guard let i = try lists[list]?.firstIndex(where: { try WireCodec.decode($0) == rule }) else {
                        throw AuditKernelError.kernel(operation: "delete", errno: ENOENT)
                    }
                    lists[list]!.remove(at: i)
                }
                return nil
            } catch {
                return error as? AuditKernelError ?? .malformedReply("\(error)")
            }
        }
    }

    func set(_ option: String, to value: UInt32) throws {
        try write("\(option) \(value)") {
            switch option {
            case "-b": state.backlogLimit = value
            case "-r": state.rateLimit = value
            case "-f": state.failure = value
            case "--backlog_wait_time": state.backlogWaitTime = value
            case "-e": state.enabled = value
            case "--loginuid-immutable": state.loginuidImmutable = true
            default: throw AuditKernelError.kernel(operation: option, errno: EINVAL)
            }
        }
    }

    /// The rule's first syscall number, or its key: enough to tell test rules apart.
    func describe(_ rule: KernelRule) -> String {
        rule.filterKey.map { "\(message: $0)" } ?? (0 ..< 2048).first(where: rule.hasSyscall).map { "\(rule.list.rawValue):\($0)" } ?? "rule"
    }
}
