import Syscalls

/// audit 4.x: a `-F perm=` in a rule whose arch is already known also adds the syscalls that
/// can exercise that permission (libaudit's permtab, 4.2), skipping those the ABI lacks.
/// audit 3.x leaves the mask alone (`all` unless `-S` was given).
enum PermissionSyscalls {
    /// Candidate names per permission bit, in libaudit 4.2's order of letters (r, w, x, a).
    static let names: [(permission: Permissions, names: [String])] = [
        (.read, ["readlink", "quotactl", "quotactl_fd", "listxattr", "listxattrat", "llistxattr", "flistxattr",
                "getxattr", "getxattrat", "lgetxattr", "fgetxattr", "readlinkat", "open", "openat", "openat2",
                "file_getattr", "stat", "lstat", "fstat", "newfstatat", "statx"]),
        (.write, ["rename", "mkdir", "rmdir", "creat", "link", "unlink", "symlink", "mknod", "mkdirat", "mknodat",
                 "unlinkat", "renameat", "linkat", "symlinkat", "renameat2", "acct", "swapon", "quotactl",
                 "quotactl_fd", "truncate", "ftruncate", "bind", "fallocate", "open", "openat", "openat2"]),
        (.exec, ["execve", "execveat"]),
        (.attr, ["chmod", "fchmod", "chown", "lchown", "fchown", "setxattr", "setxattrat", "lsetxattr", "fsetxattr",
                "removexattr", "removexattrat", "lremovexattr", "fremovexattr", "fchownat", "fchmodat", "fchmodat2",
                "file_setattr", "link", "linkat"]),
    ]

    /// Whether the loader expands perm into syscalls.
    static func applies(for version: AuditVersion) -> Bool { version.loader.fieldRule("perm")?.kind == "perm+syscalls" }

    /// Sets in `mask` the syscalls of every permission in `permissions` that exist on `abi` and that
    /// the loader's libaudit knows (auditctl 4.x filters the list through its own table).
    /// Returns how many bits it set.
    @discardableResult
    static func add(_ permissions: Permissions, on abi: ABI, to mask: inout [UInt32], using resolver: SyscallNameResolver,
                    target: CompileTarget) -> Int {
        var added = 0
        for (permission, list) in names where permissions.contains(permission) {
            for name in list {
                guard let n = resolver.number(of: name, on: abi), n >= 0, n < 32 * KernelRule.maskWords,
                      target.database.libauditName(of: n, abi: abi, version: target.auditVersion) != nil else { continue }
                mask[n / 32] |= 1 << UInt32(n % 32)
                added += 1
            }
        }
        return added
    }
}
