/// The kernel's audit settings (`struct audit_status`, AUDIT_GET), as `auditctl -s` shows them.
/// Lives here, not in AuditKernel, so drift logic can be tested without a kernel.
public struct AuditStatus: Hashable, Sendable, Codable {
    /// 0 disabled, 1 enabled, 2 enabled and immutable (`-e 2`: no change until reboot).
    public var enabled: UInt32
    /// `-f`: 0 silent, 1 printk, 2 panic.
    public var failure: UInt32
    /// The audit daemon's pid, 0 when none is registered.
    public var pid: UInt32
    public var rateLimit: UInt32
    public var backlogLimit: UInt32
    public var lost: UInt32
    public var backlog: UInt32
    public var featureBitmap: UInt32
    /// Zero on kernels whose status predates the field.
    public var backlogWaitTime: UInt32
    public var backlogWaitTimeActual: UInt32
    /// From AUDIT_GET_FEATURE; nil when the kernel did not say.
    public var loginuidImmutable: Bool?

    public init(enabled: UInt32 = 1, failure: UInt32 = 1, pid: UInt32 = 0, rateLimit: UInt32 = 0,
                backlogLimit: UInt32 = 64, lost: UInt32 = 0, backlog: UInt32 = 0, featureBitmap: UInt32 = 0,
                backlogWaitTime: UInt32 = 0, backlogWaitTimeActual: UInt32 = 0, loginuidImmutable: Bool? = nil) {
        self.enabled = enabled
        self.failure = failure
        self.pid = pid
        self.rateLimit = rateLimit
        self.backlogLimit = backlogLimit
        self.lost = lost
        self.backlog = backlog
        self.featureBitmap = featureBitmap
        self.backlogWaitTime = backlogWaitTime
        self.backlogWaitTimeActual = backlogWaitTimeActual
        self.loginuidImmutable = loginuidImmutable
    }

    public var isImmutable: Bool { enabled == 2 }

    /// Decodes the AUDIT_GET reply payload. Older kernels send a shorter struct: missing
    /// trailing members read as zero, as libaudit does.
    public init(statusBytes raw: UnsafeRawBufferPointer) throws {
        guard raw.count >= 32 else { throw WireError("audit_status reply is \(raw.count) bytes, expected at least 32") }
        func get(_ index: Int) -> UInt32 {
            4 * index + 4 <= raw.count ? raw.loadUnaligned(fromByteOffset: 4 * index, as: UInt32.self) : 0
        }
        self.init(enabled: get(1), failure: get(2), pid: get(3), rateLimit: get(4), backlogLimit: get(5),
                  lost: get(6), backlog: get(7), featureBitmap: get(8), backlogWaitTime: get(9),
                  backlogWaitTimeActual: get(10))
    }
}
