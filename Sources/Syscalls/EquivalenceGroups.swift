/// Cross-ABI equivalence groups, the source of equivalents.tsv (`aurules tables generate`):
/// names that do the same job on different ABIs or kernel ages. A group lists kernel table names;
/// `SyscallDatabase.equivalents(of:on:at:)` answers with the members that exist on the target ABI
/// at the target release. A name may sit in several groups (socketcall, ipc).
enum EquivalenceGroups {
    static let socketCalls = ["socket", "bind", "connect", "listen", "accept", "accept4", "getsockname", "getpeername",
                              "socketpair", "send", "sendto", "recv", "recvfrom", "shutdown", "setsockopt", "getsockopt",
                              "sendmsg", "recvmsg", "recvmmsg", "sendmmsg"]
    static let ipcCalls = ["semop", "semget", "semctl", "semtimedop", "msgsnd", "msgrcv", "msgget", "msgctl",
                           "shmat", "shmdt", "shmget", "shmctl"]
    /// Calls with a 16-bit-id form and a `32` form.
    static let id16 = ["fchown", "getuid", "getgid", "geteuid", "getegid", "setuid", "setgid",
                       "setreuid", "setregid", "getgroups", "setgroups", "setresuid", "getresuid", "setresgid",
                       "getresgid", "setfsuid", "setfsgid"]
    /// Calls with a 64-bit-time form on 32-bit ABIs.
    static let time64 = ["clock_gettime64", "clock_settime64", "clock_adjtime64", "timer_gettime64", "timer_settime64",
                         "timerfd_gettime64", "timerfd_settime64", "clock_getres_time64", "clock_nanosleep_time64",
                         "io_pgetevents_time64", "recvmmsg_time64", "mq_timedsend_time64", "mq_timedreceive_time64",
                         "semtimedop_time64", "rt_sigtimedwait_time64", "futex_time64", "sched_rr_get_interval_time64"]

    static var all: [(name: String, members: [String])] {
        let named: [(name: String, members: [String])] = [
            ("mmap", ["mmap", "mmap2"]),
            ("lseek", ["lseek", "_llseek"]),
            ("stat", ["stat", "stat64", "oldstat", "newfstatat", "fstatat64", "statx"]),
            ("lstat", ["lstat", "lstat64", "oldlstat", "newfstatat", "fstatat64", "statx"]),
            ("fstat", ["fstat", "fstat64", "oldfstat", "statx"]),
            ("fstatat", ["newfstatat", "fstatat64", "statx"]),
            ("chown", ["chown", "chown32", "fchownat"]),
            ("lchown", ["lchown", "lchown32", "fchownat"]),
            ("socketcall", ["socketcall"] + socketCalls),
            ("ipc", ["ipc"] + ipcCalls),
            ("open", ["open", "creat", "openat", "openat2"]),
            ("access", ["access", "faccessat", "faccessat2"]),
            ("rename", ["rename", "renameat", "renameat2"]),
            ("link", ["link", "linkat"]),
            ("symlink", ["symlink", "symlinkat"]),
            ("mkdir", ["mkdir", "mkdirat"]),
            ("mknod", ["mknod", "mknodat"]),
            ("unlink", ["unlink", "rmdir", "unlinkat"]),
            ("chmod", ["chmod", "fchmodat", "fchmodat2"]),
            ("readlink", ["readlink", "readlinkat"]),
            ("utime", ["utime", "utimes", "futimesat", "utimensat", "utimensat_time64"]),
            ("fork", ["fork", "vfork", "clone", "clone3"]),
            ("umount", ["umount", "umount2"]),
            ("sigaction", ["signal", "sigaction", "rt_sigaction"]),
            ("sigprocmask", ["sigprocmask", "rt_sigprocmask"]),
            ("sigreturn", ["sigreturn", "rt_sigreturn"]),
            ("sigsuspend", ["sigsuspend", "rt_sigsuspend"]),
            ("sigpending", ["sigpending", "rt_sigpending"]),
            ("select", ["select", "_newselect", "pselect6", "pselect6_time64"]),
            ("poll", ["poll", "ppoll", "ppoll_time64"]),
            ("getrlimit", ["getrlimit", "ugetrlimit", "prlimit64"]),
            ("setrlimit", ["setrlimit", "prlimit64"]),
            ("fadvise", ["fadvise64", "fadvise64_64", "arm_fadvise64_64"]),
            ("sync_file_range", ["sync_file_range", "sync_file_range2", "arm_sync_file_range"]),
            ("sendfile", ["sendfile", "sendfile64"]),
            ("fcntl", ["fcntl", "fcntl64"]),
            ("truncate", ["truncate", "truncate64"]),
            ("ftruncate", ["ftruncate", "ftruncate64"]),
            ("statfs", ["statfs", "statfs64"]),
            ("fstatfs", ["fstatfs", "fstatfs64"]),
            ("getdents", ["getdents", "getdents64", "readdir"]),
            ("wait", ["waitpid", "wait4", "waitid"]),
            ("dup", ["dup2", "dup3"]),
            ("pipe", ["pipe", "pipe2"]),
            ("epoll_create", ["epoll_create", "epoll_create1"]),
            ("epoll_wait", ["epoll_wait", "epoll_pwait", "epoll_pwait2"]),
            ("eventfd", ["eventfd", "eventfd2"]),
            ("signalfd", ["signalfd", "signalfd4"]),
            ("inotify_init", ["inotify_init", "inotify_init1"]),
            ("uname", ["uname", "olduname", "oldolduname"]),
        ]
        // time64 names lose "_time64", or a bare "64": clock_gettime64 -> clock_gettime.
        return named + id16.map { ($0, [$0, $0 + "32"]) } + time64.map { name in
            let base = name.hasSuffix("_time64") ? String(name.dropLast("_time64".count)) : String(name.dropLast(2))
            return (base, [base, name])
        }
    }
}
