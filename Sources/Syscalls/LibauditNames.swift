/// libaudit's own syscall spellings (what `auditctl -l` and `ausyscall` print), per audit version:
/// x86_64 `pread` for the kernel's pread64, aarch64 `newfstat`, ppc `timerfd`. ppc64 uses the ppc
/// table, as libaudit does; x32 has none.
public enum LibauditNames {
    /// nil: that libaudit has no name for `number` on `abi`.
    public static func name(of number: Int, abi: ABI, version: AuditVersion) -> String? {
        SyscallDatabase.shipped.libauditName(of: number, abi: abi, version: version)
    }

    /// "pread" -> "pread64" on x86_64; nil when libaudit lacks the name on that ABI.
    public static func kernelName(_ libauditName: String, abi: ABI, version: AuditVersion) -> String? {
        SyscallDatabase.shipped.kernelName(libaudit: libauditName, abi: abi, version: version)
    }

    /// libaudit's number for `libauditName` on `abi` (case-insensitive), as auditctl resolves it.
    public static func number(of libauditName: String, abi: ABI, version: AuditVersion) -> Int? {
        SyscallDatabase.shipped.libauditNumber(of: libauditName, abi: abi, version: version)
    }
}
