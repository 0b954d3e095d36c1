/// The documented differences between the shipped tables and the per-release data
/// (../shared/syscall-data/mebeim-linux-syscalls, built from compiled kernels). PerReleaseTests
/// checks that every difference is one of these and that every entry here still occurs.
enum PerReleaseDifferences {
    /// The data names kernel functions; the tables name table entries.
    enum Rename: Hashable {
        case exact(function: String, table: String)
        /// 16-bit uid/gid implementations (`setuid16`) sit at the table's old names (`setuid`).
        case uid16
        /// The 32-bit uid/gid table names (`setuid32`) point at the plain functions.
        case uid32
        /// The *_time64 entries (403..423) point at the plain 64-bit-time functions.
        case time64
    }

    static let uid16Names: Set<String> = ["chown", "lchown", "fchown", "getuid", "getgid", "geteuid", "getegid", "setuid",
        "setgid", "setreuid", "setregid", "getgroups", "setgroups", "setresuid", "getresuid", "setresgid",
        "getresgid", "setfsuid", "setfsgid"]

    static let renames: [(Rename, String)] = [
        (.uid16, "16-bit uid/gid functions (chown16) at the table's old names"),
        (.uid32, "table's *32 uid/gid names run the plain functions"),
        (.time64, "table's *_time64 names run the plain functions"),
        (.exact(function: "newstat", table: "stat"), "struct stat of the 'new' layout"),
        (.exact(function: "newlstat", table: "lstat"), "same"),
        (.exact(function: "newfstat", table: "fstat"), "same"),
        (.exact(function: "newuname", table: "uname"), "same"),
        (.exact(function: "stat", table: "oldstat"), "the old-layout stat at 18"),
        (.exact(function: "lstat", table: "oldlstat"), "the old-layout lstat at 84"),
        (.exact(function: "fstat", table: "oldfstat"), "the old-layout fstat at 28"),
        (.exact(function: "uname", table: "olduname"), "sys_uname serves the table's olduname"),
        (.exact(function: "olduname", table: "oldolduname"), "sys_olduname serves the table's oldolduname"),
        (.exact(function: "oldumount", table: "umount"), "the one-argument umount"),
        (.exact(function: "umount", table: "umount2"), "sys_umount takes flags: the table's umount2"),
        (.exact(function: "llseek", table: "_llseek"), "sys_llseek"),
        (.exact(function: "select", table: "_newselect"), "sys_select serves _newselect"),
        (.exact(function: "getrlimit", table: "ugetrlimit"), "sys_getrlimit serves ugetrlimit at 190/191"),
        (.exact(function: "mmap_pgoff", table: "mmap2"), "i386's mmap2 entry"),
        (.exact(function: "old_mmap", table: "mmap"), "s390's struct-argument mmap at 90"),
        (.exact(function: "sendfile64", table: "sendfile"), "64-bit ABIs' sendfile runs sys_sendfile64"),
        (.exact(function: "fadvise64_64", table: "fadvise64"), "64-bit ABIs' fadvise64 runs sys_fadvise64_64"),
        (.exact(function: "fadvise64_64", table: "arm_fadvise64_64"), "arm's argument-reordered entry"),
        (.exact(function: "sync_file_range2", table: "arm_sync_file_range"), "arm's table name for sync_file_range2"),
        (.exact(function: "sysctl", table: "_sysctl"), "sys_sysctl"),
        (.exact(function: "debug_setcontext", table: "sys_debug_setcontext"), "ppc's table keeps the sys_ prefix"),
        (.exact(function: "fcntl64", table: "fcntl"), "i386 compat runs compat fcntl64 at 55"),
        (.exact(function: "fstatat", table: "fstatat64"), "ia32 compat wrapper names before 5.7"),
        (.exact(function: "pread", table: "pread64"), "same"),
        (.exact(function: "pwrite", table: "pwrite64"), "same"),
        (.exact(function: "quotactl32", table: "quotactl"), "ia32 compat quotactl wrapper, 4.17..5.9"),
        (.exact(function: "preadv64", table: "preadv"), "x32 runs the 64-bit-offset variants"),
        (.exact(function: "pwritev64", table: "pwritev"), "same"),
        (.exact(function: "preadv64v2", table: "preadv2"), "same"),
        (.exact(function: "pwritev64v2", table: "pwritev2"), "same"),
        (.exact(function: "preadv2", table: "preadv"), "x32 4.7 wired preadv2 at preadv's number"),
        (.exact(function: "pwritev2", table: "pwritev"), "same"),
    ]

    /// Table entries the data omits: the table numbers them, that build did not implement them.
    /// nil dirs: on every ABI whose table has the name.
    static let omissions: [(name: String, dirs: Set<String>?, why: String)] = [
        ("break", nil, "historic number, never implemented"), ("stty", nil, "same"), ("gtty", nil, "same"),
        ("ftime", nil, "same"), ("prof", nil, "same"), ("lock", nil, "same"), ("mpx", nil, "same"),
        ("ulimit", nil, "same"), ("profil", nil, "same"), ("idle", nil, "same"), ("afs_syscall", nil, "same"),
        ("getpmsg", nil, "same"), ("putpmsg", nil, "same"), ("tuxcall", nil, "same"), ("security", nil, "same"),
        ("vserver", nil, "same"), ("multiplexer", nil, "same"), ("timerfd", nil, "s390: never wired"),
        ("create_module", nil, "removed in 2.6, number kept"), ("get_kernel_syms", nil, "same"),
        ("query_module", nil, "same"), ("nfsservctl", nil, "removed in 3.1, number kept"),
        ("epoll_ctl_old", nil, "x86_64 placeholders, never implemented"), ("epoll_wait_old", nil, "same"),
        ("set_thread_area", ["x86_64"], "x86_64 numbers it without an entry point"),
        ("get_thread_area", ["x86_64"], "same"),
        ("uselib", nil, "implementation removed in 6.16 (CONFIG_USELIB before), number kept"),
        ("_sysctl", nil, "implementation removed in 5.5 (CONFIG_SYSCTL_SYSCALL before), number kept"),
        ("bdflush", nil, "implementation removed in 5.15, number kept"),
        ("lookup_dcookie", nil, "implementation removed with oprofile's dcookies, number kept"),
        ("ioperm", ["ppc", "ppc-compat", "ppc64", "s390-compat"], "x86 legacy numbers without an entry point"),
        ("iopl", ["ppc", "ppc-compat", "ppc64"], "same"), ("vm86", ["ppc", "ppc-compat", "ppc64", "i386-compat"], "same; no vm86 in compat mode"),
        ("vm86old", ["i386-compat"], "no vm86 in compat mode"), ("modify_ldt", ["ppc", "ppc-compat", "ppc64"], "x86-only"),
        ("pciconfig_iobase", ["arm", "arm-compat"], "needs PCI, not in that build"),
        ("spu_run", ["ppc"], "Cell SPU only"), ("spu_create", ["ppc"], "same"), ("subpage_prot", ["ppc"], "64K-page hash MMU only"),
        ("switch_endian", ["ppc", "ppc-compat"], "ppc64 only"), ("sys_debug_setcontext", ["ppc-compat", "ppc64"], "32-bit native only"),
        ("mbind", ["arm", "i386", "ppc", "riscv64"], "needs CONFIG_NUMA (dropped for 32-bit x86 in 6.15)"),
        ("get_mempolicy", ["arm", "i386", "ppc", "riscv64"], "same"), ("set_mempolicy", ["arm", "i386", "ppc", "riscv64"], "same"),
        ("migrate_pages", ["arm", "i386", "ppc", "riscv64"], "same"), ("move_pages", ["arm", "i386", "ppc", "riscv64"], "same"),
        ("set_mempolicy_home_node", ["arm", "i386", "ppc"], "same"),
        ("pkey_mprotect", ["aarch64", "arm", "arm-compat", "i386", "ppc", "riscv64", "s390-compat", "s390x"], "memory protection keys not built"),
        ("pkey_alloc", ["aarch64", "arm", "arm-compat", "i386", "ppc", "riscv64", "s390-compat", "s390x"], "same"),
        ("pkey_free", ["aarch64", "arm", "arm-compat", "i386", "ppc", "riscv64", "s390-compat", "s390x"], "same"),
        ("map_shadow_stack", ["aarch64", "arm", "i386", "ppc", "ppc-compat", "ppc64", "riscv64", "s390-compat", "s390x"], "shadow stacks: x86_64 (and later arm64 GCS) only"),
        ("mseal", ["arm", "i386", "ppc"], "64-bit only"),
        ("kexec_file_load", ["arm", "ppc", "riscv64"], "needs CONFIG_KEXEC_FILE"), ("kexec_load", ["riscv64"], "needs CONFIG_KEXEC before 5.10"),
        ("perf_event_open", ["riscv64"], "riscv64 perf support arrived in 4.18"), ("seccomp", ["riscv64"], "riscv64 seccomp arrived in 5.5"),
        ("rseq", ["riscv64"], "riscv64 rseq arrived in 5.10; asm-generic numbered it in 4.19"),
        ("readdir", ["ppc64", "s390x"], "32-bit only; the 64-bit table numbers it"),
        ("oldstat", ["ppc-compat", "ppc64"], "same"), ("oldfstat", ["ppc-compat", "ppc64"], "same"), ("oldlstat", ["ppc-compat", "ppc64"], "same"),
        ("olduname", ["ppc64"], "same"), ("oldolduname", ["ppc64"], "same"), ("umount", ["ppc64"], "same"), ("getrlimit", ["ppc64"], "same"),
        ("select", ["ppc-compat", "ppc64"], "same"), ("sigaction", ["ppc64"], "same"), ("sigsuspend", ["ppc64"], "same"),
        ("sigpending", ["ppc64"], "same"), ("sigprocmask", ["ppc64"], "same"), ("sigreturn", ["ppc64"], "same"),
    ] + ["time", "stime", "utime", "adjtimex", "sched_rr_get_interval", "nanosleep", "rt_sigtimedwait", "futex",
         "io_getevents", "timer_settime", "timer_gettime", "clock_settime", "clock_gettime", "clock_getres",
         "clock_nanosleep", "mq_timedsend", "mq_timedreceive", "futimesat", "pselect6", "ppoll", "utimes",
         "utimensat", "timerfd_settime", "timerfd_gettime", "clock_adjtime", "recvmmsg", "io_pgetevents"].map {
        ($0, ["s390-compat"], "32-bit time calls: that s390 compat build lacks COMPAT_32BIT_TIME from 6.10")
    }
}
