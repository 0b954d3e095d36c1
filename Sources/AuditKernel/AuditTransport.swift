import AuditRules
import CLibAudit
#if canImport(Glibc)
import Glibc
#endif

/// What `apply` needs of the kernel: the rules and status, and the changes it makes. The real one
/// is `AuditConnection` (netlink); tests use a model of the kernel that can be told to fail.
public protocol AuditTransport: AnyObject {
    /// Every loaded rule as raw `audit_rule_data`, in kernel order.
    func listRules() throws -> [[UInt8]]
    func status() throws -> AuditStatus
    /// Adds one rule at the tail of its list, or at the head with `prepend` (AUDIT_FILTER_PREPEND).
    func addRule(_ payload: [UInt8], prepend: Bool) throws
    /// Deletes each rule; one result per rule, in order (nil: deleted). The transport may send
    /// several requests before reading their acknowledgements.
    func deleteRules(_ payloads: [[UInt8]]) -> [AuditKernelError?]
    /// Sets one control setting, named by its auditctl option (`-b`, `-r`, `-f`,
    /// `--backlog_wait_time`, `-e`, `--loginuid-immutable`).
    func set(_ option: String, to value: UInt32) throws
    /// Requests that change the kernel, sent so far.
    var writes: Int { get }
}

extension AuditConnection: AuditTransport {
    public func addRule(_ payload: [UInt8], prepend: Bool) throws {
        var payload = payload
        if prepend, payload.count >= 4 { payload[0] |= UInt8(AUDIT_FILTER_PREPEND) }
        writes += 1
        let seq = try send(type: UInt16(AUDIT_ADD_RULE), payload, operation: "add an audit rule")
        if let error = awaitAcks([seq], operation: "add an audit rule")[0] { throw error }
    }

    public func deleteRules(_ payloads: [[UInt8]]) -> [AuditKernelError?] {
        var results: [AuditKernelError?] = []
        results.reserveCapacity(payloads.count)
        let batch = max(1, deleteBatch)
        var start = 0
        while start < payloads.count {
            let chunk = payloads[start ..< min(payloads.count, start + batch)]
            var seqs: [UInt32] = []
            var sendError: AuditKernelError?
            for payload in chunk {
                writes += 1
                do { seqs.append(try send(type: UInt16(AUDIT_DEL_RULE), payload, operation: "delete an audit rule")) } catch {
                    sendError = error as? AuditKernelError ?? .kernel(operation: "delete an audit rule", errno: EIO)
                    break
                }
            }
            results += awaitAcks(seqs, operation: "delete an audit rule")
            if let sendError {
                results.append(sendError)
                // What was never sent is not deleted; say so rather than guess.
                while results.count < min(payloads.count, start + batch) { results.append(sendError) }
            }
            start += batch
        }
        return results
    }

    public func set(_ option: String, to value: UInt32) throws {
        writes += 1
        switch option {
        case "-b": try setBacklogLimit(value)
        case "-r": try setRateLimit(value)
        case "-f": try setFailureMode(value)
        case "--backlog_wait_time": try setBacklogWaitTime(value)
        case "-e":
            try checked(audit_set_enabled(fd, value), operation: "set the enabled flag")
        case "--loginuid-immutable":
            try checked(audit_set_loginuid_immutable(fd), operation: "make the loginuid immutable")
        default:
            throw AuditKernelError.malformedReply("no such setting \(option)")
        }
    }

    private func checked(_ rc: Int32, operation: String) throws {
        if rc < 0 { throw AuditKernelError.classify(-rc, operation: operation) }
    }

    /// Sends one request asking for an acknowledgement; returns its sequence number. Numbers are
    /// taken from a range libaudit's own counter does not reach, so the replies cannot be confused.
    private func send(type: UInt16, _ payload: [UInt8], operation: String) throws -> UInt32 {
        nextSequence = nextSequence == UInt32.max ? 0x4000_0000 : nextSequence + 1
        let seq = nextSequence
        var message = [UInt8](repeating: 0, count: 16 + payload.count)
        message.withUnsafeMutableBytes { m in
            m.storeBytes(of: UInt32(16 + payload.count), toByteOffset: 0, as: UInt32.self)
            m.storeBytes(of: type, toByteOffset: 4, as: UInt16.self)
            m.storeBytes(of: UInt16(NLM_F_REQUEST | NLM_F_ACK), toByteOffset: 6, as: UInt16.self)
            m.storeBytes(of: seq, toByteOffset: 8, as: UInt32.self)
            payload.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: m[16...]).copyMemory(from: $0) }
        }
        var address = sockaddr_nl()
        address.nl_family = sa_family_t(AF_NETLINK)
        while true {
            let sent = message.withUnsafeBytes { m in
                withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(fd, m.baseAddress, m.count, 0, $0, socklen_t(MemoryLayout<sockaddr_nl>.size))
                    }
                }
            }
            if sent < 0 && errno == EINTR { continue }
            if sent < 0 { throw AuditKernelError.classify(errno, operation: operation) }
            if sent != message.count { throw AuditKernelError.malformedReply("short netlink send while trying to \(operation)") }
            return seq
        }
    }

    /// Reads the acknowledgements (NLMSG_ERROR) of `seqs`: nil for success, the error otherwise;
    /// a timeout for each the kernel did not answer.
    private func awaitAcks(_ seqs: [UInt32], operation: String) -> [AuditKernelError?] {
        var pending = Set(seqs)
        var outcome: [UInt32: AuditKernelError?] = [:]
        receiving: while !pending.isEmpty {
            let received = recv(fd, buffer.baseAddress, buffer.count, Int32(MSG_DONTWAIT))
            if received < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK {
                    do { try waitForReply(operation: operation) } catch { break receiving }
                    continue
                }
                let error = AuditKernelError.classify(errno, operation: operation)
                for seq in pending { outcome[seq] = error }
                return seqs.map { outcome[$0] ?? nil }
            }
            var offset = 0
            let end = Int(received)
            while offset + 16 <= end {
                let length = Int(buffer.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
                guard length >= 16, offset + length <= end else { break }
                let type = buffer.loadUnaligned(fromByteOffset: offset + 4, as: UInt16.self)
                let seq = buffer.loadUnaligned(fromByteOffset: offset + 8, as: UInt32.self)
                if type == UInt16(NLMSG_ERROR), length >= 20, pending.contains(seq) {
                    let code = buffer.loadUnaligned(fromByteOffset: offset + 16, as: Int32.self)
                    outcome[seq] = code == 0 ? .some(nil) : .some(AuditKernelError.classify(-code, operation: operation))
                    pending.remove(seq)
                }
                offset += (length + 3) & ~3
            }
        }
        for seq in pending { outcome[seq] = .some(.timeout(operation: operation)) }
        return seqs.map { outcome[$0] ?? nil }
    }
}
