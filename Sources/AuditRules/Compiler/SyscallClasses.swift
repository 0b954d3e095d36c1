import Syscalls

/// The kernel's syscall classes (AUDIT_CLASS_*): `-S 2047 - class` asks for all of a class's
/// syscalls. The kernel clears the class bit and sets the class's syscalls instead, for the
/// native ABI (even classes) or the compat ABI (odd classes), whatever the rule's arch says.
/// Contents as include/asm-generic/audit_*.h list them (checked on a 6.18 kernel); names an ABI
/// lacks at the target release drop out, as the headers' #ifdefs make them.
enum SyscallClasses {
    static let dirWrite = ["rename", "mkdir", "rmdir", "creat", "link", "unlink", "symlink", "mknod", "mkdirat",
                           "mknodat", "unlinkat", "renameat", "linkat", "symlinkat", "renameat2"]
    static let changeAttr = ["chmod", "fchmod", "chown", "lchown", "fchown", "setxattr", "lsetxattr", "fsetxattr",
                             "removexattr", "lremovexattr", "fremovexattr", "fchownat", "fchmodat", "chown32",
                             "fchown32", "lchown32", "link", "linkat", "fchmodat2", "setxattrat", "removexattrat"]
    static let read = ["readlink", "quotactl", "listxattr", "llistxattr", "flistxattr", "getxattr", "lgetxattr",
                       "fgetxattr", "readlinkat", "getxattrat", "listxattrat"]
    static let write = dirWrite + ["acct", "swapon", "quotactl", "truncate", "truncate64", "ftruncate", "ftruncate64",
                                   "bind", "fallocate"]
    static let signal = ["kill", "tgkill", "tkill"]

    /// Class number (0 = bit 2047) to its syscall names and whether it is the compat (32-bit) one.
    static func members(ofClass c: Int) -> (names: [String], compat: Bool)? {
        switch c {
        case 0, 1: return (dirWrite, c == 1)
        case 2, 3: return (changeAttr, c == 3)
        case 4, 5: return (read, c == 5)
        case 6, 7: return (write, c == 7)
        case 8, 9: return (signal, c == 9)
        default: return nil  // unregistered: the kernel just clears the bit
        }
    }

    static let count = 16
}

extension CompilationState {
    /// The mask as the kernel stores it (kernel/auditfilter.c): every class bit cleared and,
    /// for registered classes, replaced by the class's syscalls.
    func kernelForm(_ mask: [UInt32]) -> [UInt32] {
        guard mask[KernelRule.maskWords - 1] & 0xFFFF_0000 != 0 else { return mask }
        var m = mask
        for c in 0 ..< SyscallClasses.count {
            let bit = 32 * KernelRule.maskWords - 1 - c
            guard m[bit / 32] & (1 << UInt32(bit % 32)) != 0 else { continue }
            m[bit / 32] &= ~(1 << UInt32(bit % 32))
            let extra = classMask(c)
            for i in 0 ..< KernelRule.maskWords { m[i] |= extra[i] }
        }
        return m
    }

    private func classMask(_ c: Int) -> [UInt32] {
        if let cached = classMasks[c] { return cached }
        // The built-in tables give every compilation for the same target the same masks:
        // kept per process (lint compiles each file per target, a fuzzer each input).
        let key = target.database === SyscallDatabase.shipped
            ? ShippedClassMasks.Key(classNumber: c, b64: abis.b64, b32: abis.b32, kernel: target.kernel, auditVersion: target.auditVersion) : nil
        if let key, let known = ShippedClassMasks.masks.withLock({ $0[key] }) {
            classMasks[c] = known
            return known
        }
        let m = computedClassMask(c)
        if let key { ShippedClassMasks.masks.withLock { $0[key] = m } }
        classMasks[c] = m
        return m
    }

    private func computedClassMask(_ c: Int) -> [UInt32] {
        var m = SyscallMask.empty
        let pair = abis
        // Native: the machine's own ABI; compat classes exist only on 64-bit machines with a 32-bit ABI.
        let abi: ABI? = {
            guard let members = SyscallClasses.members(ofClass: c) else { return nil }
            if members.compat { return pair.b64 != nil ? pair.b32 : nil }
            return pair.b64 ?? pair.b32
        }()
        if let abi, let members = SyscallClasses.members(ofClass: c), names.table(abi) != nil {
            for name in members.names {
                if let n = names.number(of: name, on: abi), n < SyscallMask.firstClassNumber { m[n / 32] |= 1 << UInt32(n % 32) }
            }
        }
        return m
    }
}

/// Class masks of the built-in tables by what they depend on (`classMask`).
enum ShippedClassMasks {
    struct Key: Hashable, Sendable {
        var classNumber: Int
        var b64: ABI?, b32: ABI?
        var kernel: KernelVersion
        var auditVersion: AuditVersion
    }

    static let masks = Locked<[Key: [UInt32]]>([:])
}
