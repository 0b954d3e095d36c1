import AuditRules
import Syscalls

/// AUR504: an always rule on a syscall every process calls constantly, with nothing to narrow it.
public struct HotSyscallCheck: PerTargetCheck {
    public init() {}
    public let code = "AUR504"
    public let name = "unfiltered-hot-syscall"
    public let family = CheckFamily.ruleSet
    public let summary = "always rule on read, write, mmap or another hot syscall with no filtering field"
    public let rationale = """
        An exit rule is evaluated at the exit of every syscall its mask holds, and each match writes \
        an event of several records (SYSCALL, CWD, PATH, PROCTITLE) into the kernel's backlog queue. \
        read, write, mmap, futex, close and the like run thousands of times a second on an idle \
        machine: an `always` rule on them with only an arch or key fills the backlog (events lost, \
        or a panic with -f 2) and slows every process. Narrow the rule with auid, uid, exe, path, \
        exit or a0..a3, or audit a less frequent syscall (openat for opens, execve for programs).
        """
    public let examples = [
        LintExample("↓-a always,exit -F arch=b64 -S read,write -k io\n", triggers: true),
        LintExample("↓-a always,exit -F arch=b64 -S mmap -k mem\n", triggers: true),
        LintExample("-a always,exit -F arch=b64 -S mmap -F a2&0x4 -F exe=/usr/bin/suspicious -k mem\n", triggers: false),
        LintExample("-a always,exit -F arch=b64 -S write -F auid=1001 -k io\n", triggers: false),
        LintExample("-a always,exit -F arch=b64 -S execve -k exec\n", triggers: false),
        LintExample("-a never,exit -F arch=b64 -S read\n", triggers: false),
    ]

    /// Kernel table names of syscalls a running system calls constantly.
    static let hot: [String] = [
        "read", "write", "readv", "writev", "pread64", "pwrite64", "mmap", "mmap2", "munmap", "mprotect", "brk",
        "futex", "close", "lseek", "_llseek", "fstat", "fstat64", "newfstatat", "fstatat64", "poll", "ppoll", "select",
        "_newselect", "pselect6", "epoll_wait", "epoll_pwait", "recvfrom", "recvmsg", "sendto", "sendmsg",
        "clock_gettime", "gettimeofday", "nanosleep", "clock_nanosleep", "sched_yield", "rt_sigprocmask",
        "rt_sigreturn", "ioctl", "getpid", "gettid",
    ]

    public func check(_ set: CompiledRuleSet, context: LintContext, report: (SourceLocation, () -> Diagnostic) -> Void) {
        var numbers: [ABI: [(Int, String)]] = [:]
        for i in set.rules.indices where set.rules.listAndAction(at: i) == (.exit, .always) {
            // Not watch-like and no filtering field but arch: every field is arch or the key
            // (told from the field ids, without making the rule whole).
            guard !set.rules.hasFields(at: i, .fieldButArchOrKey) else { continue }
            let rule = set.rules[i]
            guard !rule.isWatchLike else { continue }
            guard let location = rule.sourceLocation, let abi = rule.provenance?.abi,
                  rule.filteringFields.allSatisfy({ $0.id == FieldID.arch }),
                  !rule.mask.prefix(KernelRule.maskWords - 1).allSatisfy({ $0 == 0xFFFF_FFFF }) else { continue }
            if numbers[abi] == nil {
                let table = context.database.table(abi, at: context.release)
                numbers[abi] = Self.hot.compactMap { n in table?.number(of: n).map { ($0, n) } }
            }
            let names = numbers[abi]!.filter { rule.hasSyscall($0.0) }.map(\.1)
            guard !names.isEmpty else { continue }
            report(location) {
                let shown = names.count > 3 ? names.prefix(3).joined(separator: ", ") + " and \(names.count - 3) more" : names.joined(separator: ", ")
                return finding(.warning, "\(shown) \(names.count == 1 ? "runs" : "run") constantly in every process: this always rule with no filtering field records each call; add -F auid=, exe=, path= or another filter",
                               at: location, length: 2, line: rule.provenance?.text)
            }
        }
    }
}
