import AuditRules
import CLibAudit
#if canImport(Glibc)
import Glibc
#endif

/// The audit netlink socket, opened through libaudit. Requests go out with libaudit's
/// `audit_send` (which also consumes the kernel's acknowledgement and turns a refusal into
/// -errno); replies are read here as raw netlink messages so that rule payloads reach the
/// WireCodec byte for byte.
///
/// Not thread-safe: one request at a time.
public final class AuditConnection {
    let fd: Int32
    let buffer: UnsafeMutableRawBufferPointer
    /// How long to wait for each reply before giving up.
    public var timeoutMilliseconds: Int32 = 10_000
    /// Requests that change the kernel (rules or settings), sent through this connection.
    public internal(set) var writes = 0
    /// Rule deletions sent before their acknowledgements are read (`AuditTransport.deleteRules`).
    public var deleteBatch = 1
    var nextSequence: UInt32 = 0x4000_0000
    /// Whether `status()` also asks for the features (`--loginuid-immutable`): one more request.
    public var readsFeatures = true

    public init() throws {
        let fd = audit_open()
        if fd < 0 {
            throw AuditKernelError.classify(errno, operation: "open the audit netlink socket", opening: true)
        }
        self.fd = fd
        // The kernel sends at most MAX_AUDIT_MESSAGE_LENGTH per message; a datagram may carry several.
        buffer = .allocate(byteCount: 1 << 16, alignment: 8)
    }

    deinit {
        audit_close(fd)
        buffer.deallocate()
    }

    /// Every loaded rule as the kernel returns it (`struct audit_rule_data` with its string
    /// buffer), in kernel order: list by list, each list in evaluation order.
    public func listRules() throws -> [[UInt8]] {
        var payloads: [[UInt8]] = []
        try listRules { payloads.append(Array($0)) }
        return payloads
    }

    /// The same, each payload handed to `body` as it arrives (valid only during the call).
    public func listRules(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        reserveReceiveBuffer()
        let seq = try sequence(audit_request_rules_list_data(fd), operation: "list the audit rules")
        try collect(seq: seq, type: UInt16(AUDIT_LIST_RULES), untilDone: true, operation: "list the audit rules", body)
    }

    /// The kernel sends the list from a thread of its own that blocks whenever our receive buffer
    /// is full (the default holds about a hundred rules), so a large list becomes thousands of
    /// wake-ups; with room for all of it the kernel sends at once (Benchmarks/RESULTS.md).
    /// Best effort: FORCE needs CAP_NET_ADMIN, plain SO_RCVBUF is capped by net.core.rmem_max.
    func reserveReceiveBuffer() {
        var size: Int32 = 32 << 20
        let length = socklen_t(MemoryLayout<Int32>.size)
        if setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, length) != 0 {
            _ = setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, length)
        }
    }

    /// The loaded rules, decoded.
    /// Decoded while the kernel is still sending, rather than after the last message.
    public func rules() throws -> [KernelRule] {
        var rules: [KernelRule] = []
        try listRules { rules.append(try WireCodec.decode($0)) }
        return rules
    }

    public func addRule(_ bytes: [UInt8]) throws {
        try withRuleData(bytes) { try check(audit_add_rule_data(fd, $0, Int32(bitPattern: $0.pointee.flags),
                                                              Int32(bitPattern: $0.pointee.action)), operation: "add an audit rule") }
    }

    /// The kernel deletes the first rule that matches exactly (list, action, fields in order, mask).
    public func deleteRule(_ bytes: [UInt8]) throws {
        try withRuleData(bytes) { try check(audit_delete_rule_data(fd, $0, Int32(bitPattern: $0.pointee.flags),
                                                                 Int32(bitPattern: $0.pointee.action)), operation: "delete an audit rule") }
    }

    public func addRule(_ rule: KernelRule) throws { try addRule(WireCodec.encode(rule)) }
    public func deleteRule(_ rule: KernelRule) throws { try deleteRule(WireCodec.encode(rule)) }

    public func status() throws -> AuditStatus {
        let operation = "read the audit status"
        let seq = try sequence(audit_request_status(fd), operation: operation)
        guard let payload = try first(seq: seq, type: UInt16(AUDIT_GET), operation: operation) else {
            throw AuditKernelError.malformedReply("no AUDIT_GET reply")
        }
        var status = try payload.withUnsafeBytes { try AuditStatus(statusBytes: $0) }
        if readsFeatures { status.loginuidImmutable = try? loginuidImmutable() }
        return status
    }

    /// AUDIT_GET_FEATURE: whether `--loginuid-immutable` is in force.
    public func loginuidImmutable() throws -> Bool {
        let operation = "read the audit features"
        let seq = try sequence(audit_request_features(fd), operation: operation)
        guard let payload = try first(seq: seq, type: UInt16(AUDIT_GET_FEATURE), operation: operation),
              payload.count >= 16 else {
            throw AuditKernelError.malformedReply("short AUDIT_GET_FEATURE reply")
        }
        let features = payload.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 8, as: UInt32.self) }
        return features & (1 << UInt32(AUDIT_FEATURE_LOGINUID_IMMUTABLE)) != 0
    }

    // Settings setters exist for tests that must restore what they changed. There is
    // deliberately no way to change `enabled` here: `-e 2` locks the kernel until reboot.

    public func setBacklogLimit(_ limit: UInt32) throws {
        try check(audit_set_backlog_limit(fd, limit), operation: "set the backlog limit")
    }

    public func setRateLimit(_ limit: UInt32) throws {
        try check(audit_set_rate_limit(fd, limit), operation: "set the rate limit")
    }

    public func setFailureMode(_ mode: UInt32) throws {
        try check(audit_set_failure(fd, mode), operation: "set the failure mode")
    }

    public func setBacklogWaitTime(_ time: UInt32) throws {
        try check(audit_set_backlog_wait_time(fd, time), operation: "set the backlog wait time")
    }

    private func check(_ rc: Int32, operation: String) throws {
        if rc < 0 { throw AuditKernelError.classify(-rc, operation: operation) }
    }

    /// libaudit's request functions return the request's sequence number, having already read
    /// the kernel's NLMSG_ERROR acknowledgement when it arrived first; a refusal comes back as -errno.
    private func sequence(_ rc: Int32, operation: String) throws -> UInt32 {
        if rc < 0 { throw AuditKernelError.classify(-rc, operation: operation) }
        if rc == 0 { throw AuditKernelError.malformedReply("short netlink send while trying to \(operation)") }
        return UInt32(rc)
    }

    /// libaudit takes a `struct audit_rule_data *` and sends sizeof + buflen bytes from it, so the
    /// raw bytes go into aligned memory first, checked to be exactly that long.
    private func withRuleData(_ bytes: [UInt8], _ body: (UnsafeMutablePointer<audit_rule_data>) throws -> Void) throws {
        let header = MemoryLayout<audit_rule_data>.size
        guard bytes.count >= header else {
            throw WireError("audit_rule_data is \(bytes.count) bytes, shorter than its \(header)-byte header")
        }
        let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 8)
        defer { memory.deallocate() }
        memory.copyBytes(from: bytes)
        let rule = memory.baseAddress!.bindMemory(to: audit_rule_data.self, capacity: 1)
        guard header + Int(rule.pointee.buflen) <= bytes.count else {
            throw WireError("buflen \(rule.pointee.buflen) runs past the \(bytes.count) bytes given")
        }
        try body(rule)
    }

    /// The payload of the first reply of `type` to request `seq`.
    private func first(seq: UInt32, type: UInt16, operation: String) throws -> [UInt8]? {
        var payload: [UInt8]?
        try collect(seq: seq, type: type, untilDone: false, operation: operation) { payload = Array($0) }
        return payload
    }

    /// Reads the replies to request `seq`: hands `body` the payloads of messages of `type`, up to
    /// NLMSG_DONE when `untilDone`, else the first one. Acks and other requests' leftovers are
    /// skipped. The socket is drained before waiting again: one poll per message doubled the
    /// system calls of a 2,000-rule list.
    private func collect(seq: UInt32, type: UInt16, untilDone: Bool, operation: String,
                         _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        while true {
            var address = sockaddr_nl()
            var addressLength = socklen_t(MemoryLayout<sockaddr_nl>.size)
            let received = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    recvfrom(fd, buffer.baseAddress, buffer.count, Int32(MSG_DONTWAIT), $0, &addressLength)
                }
            }
            if received < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK {
                    try waitForReply(operation: operation)
                    continue
                }
                throw AuditKernelError.classify(errno, operation: operation)
            }
            // Only the kernel (port 0) may answer; anything else is not ours to trust.
            if address.nl_pid != 0 { continue }
            var offset = 0
            let end = Int(received)
            while offset + 16 <= end {
                let length = Int(buffer.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
                let messageType = buffer.loadUnaligned(fromByteOffset: offset + 4, as: UInt16.self)
                let messageSeq = buffer.loadUnaligned(fromByteOffset: offset + 8, as: UInt32.self)
                guard length >= 16, offset + length <= end else {
                    throw AuditKernelError.malformedReply("netlink message of length \(length) in a \(end)-byte datagram")
                }
                defer { offset += (length + 3) & ~3 }
                guard messageSeq == seq else { continue }
                switch messageType {
                case UInt16(NLMSG_ERROR):
                    guard length >= 20 else { throw AuditKernelError.malformedReply("short NLMSG_ERROR") }
                    let error = buffer.loadUnaligned(fromByteOffset: offset + 16, as: Int32.self)
                    if error != 0 { throw AuditKernelError.classify(-error, operation: operation) }
                case UInt16(NLMSG_DONE):
                    return
                case type:
                    try body(UnsafeRawBufferPointer(rebasing: buffer[(offset + 16) ..< (offset + length)]))
                    if !untilDone { return }
                default:
                    continue
                }
            }
        }
    }

    func waitForReply(operation: String) throws {
        while true {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, timeoutMilliseconds)
            if ready < 0 {
                if errno == EINTR { continue }
                throw AuditKernelError.classify(errno, operation: operation)
            }
            if ready == 0 { throw AuditKernelError.timeout(operation: operation) }
            return
        }
    }
}
