import Syscalls
import XCTest
@testable import AuditRules

/// The live pairs of auditctl-semantics.md (auditctl 3.0.9 on x86_64) and the quirks of
/// auditctl-listing.c, on hand-built kernel rules. AuditKernelTests/ListingKernelTests checks
/// the same formatter against the running kernel and auditctl.
final class ListingTests: XCTestCase {
    private static let allMask = [UInt32](repeating: .max, count: 64)
    private let b64 = KernelField(id: FieldID.arch, op: .equal, value: 0xc000_003e)
    private let b32 = KernelField(id: FieldID.arch, op: .equal, value: 0x4000_0003)

    private func rule(_ list: FilterList = .exit, _ action: RuleAction = .always, syscalls: [Int] = [],
                      mask: [UInt32]? = nil, _ fields: [KernelField]) -> KernelRule {
        var r = KernelRule(list: list, action: action, mask: mask ?? Array(repeating: 0, count: 64), fields: fields)
        for s in syscalls { r.addSyscall(s) }
        return r
    }

    private func key(_ k: RulesText) -> KernelField { KernelField(id: FieldID.key, op: .equal, string: k) }

    private func list(_ rules: [KernelRule], host: Machine = .x86_64, _ version: AuditVersion = .v3_0_9) -> [RulesText] {
        Listing.lines(for: rules, host: host, auditVersion: version)
    }

    func testWatches() {
        let dir = rule(mask: Self.allMask, [KernelField(id: FieldID.dir, op: .equal, string: "/etc/ssh"),
                                            KernelField(id: FieldID.perm, op: .equal, value: 15), key("sshd\u{01}multi")])
        XCTAssertEqual(list([dir]), ["-w /etc/ssh -p rwxa -k sshd -k multi"])
        let path = rule(mask: Self.allMask, [KernelField(id: FieldID.path, op: .equal, string: "/etc/hosts"),
                                             KernelField(id: FieldID.perm, op: .equal, value: 15)])
        XCTAssertEqual(list([path]), ["-w /etc/hosts -p rwxa"])
        let never = rule(.exit, .never, mask: Self.allMask, [KernelField(id: FieldID.path, op: .equal, string: "/srv/aw/file"),
                                                             KernelField(id: FieldID.perm, op: .equal, value: 4), key("nw")])
        XCTAssertEqual(list([never]), ["-w /srv/aw/file -p r -k nw"])
        // Not every syscall: an ordinary rule, with `perm=` and `path=`.
        let some = rule(syscalls: [2], [b64, KernelField(id: FieldID.path, op: .equal, string: "/etc/hosts"),
                                         KernelField(id: FieldID.perm, op: .equal, value: 6)])
        XCTAssertEqual(list([some]), ["-a always,exit -F arch=b64 -S open -F path=/etc/hosts -F perm=rw"])
        // Fields print in kernel order even in the watch form: a key before the path shows so.
        let odd = rule(mask: Self.allMask, [key("k"), KernelField(id: FieldID.perm, op: .equal, value: 2),
                                            KernelField(id: FieldID.path, op: .equal, string: "/x")])
        XCTAssertEqual(list([odd]), [" -k k -p w-w /x"])
    }

    func testSyscallRules() {
        let r1 = rule(syscalls: [2, 257], [KernelField(id: FieldID.exit, op: .equal, value: UInt32(bitPattern: -13)), key("access")])
        XCTAssertEqual(list([r1]), ["-a always,exit -S open,openat -F exit=-EACCES -F key=access"])
        let r2 = rule(syscalls: [257, 2, 85], [b64, key("multi")])
        XCTAssertEqual(list([r2]), ["-a always,exit -F arch=b64 -S open,creat,openat -F key=multi"])
        let r3 = rule(syscalls: [120, 2, 190], [b32, KernelField(id: FieldID.auid, op: .greaterOrEqual, value: 1000),
                                                KernelField(id: FieldID.auid, op: .notEqual, value: .max), key("p")])
        XCTAssertEqual(list([r3]), ["-a always,exit -F arch=b32 -S fork,clone,vfork -F auid>=1000 -F auid!=-1 -F key=p"])
        let r4 = rule(syscalls: [2], [b64, key("a"), KernelField(id: FieldID.uid, op: .equal, value: 0)])
        XCTAssertEqual(list([r4]), ["-a always,exit -F arch=b64 -S open -F key=a -F uid=0"])
        let r5 = rule(syscalls: [2], [b64, KernelField(id: FieldID.uid, op: .equal, value: 0), key("a\u{01}b")])
        XCTAssertEqual(list([r5]), ["-a always,exit -F arch=b64 -S open -F uid=0 -F key=a -F key=b"])
        XCTAssertEqual(list([rule(syscalls: [17, 18], [b64])]), ["-a always,exit -F arch=b64 -S pread,pwrite"])
        XCTAssertEqual(list([rule(syscalls: [17, 1999], [b64])]), ["-a always,exit -F arch=b64 -S pread,1999"])
    }

    func testAllAndNoSyscalls() {
        var all = Self.allMask
        all[63] = 0xffff
        let r = rule(mask: all, [KernelField(id: FieldID.fieldCompare, op: .notEqual, value: 11)])
        XCTAssertEqual(list([r]), ["-a always,exit -S all -C uid!=euid"])
        let exe = rule(.exit, .never, mask: Self.allMask, [b64, KernelField(id: FieldID.exe, op: .notEqual, string: "/usr/bin/ls")])
        XCTAssertEqual(list([exe]), ["-a never,exit -F arch=b64 -S all -F exe=/usr/bin/ls"])
        XCTAssertEqual(list([exe], .v4_2), ["-a never,exit -F arch=b64 -S all -F exe!=/usr/bin/ls"])
        let none = rule(.exit, .always, [b64, KernelField(id: FieldID.uid, op: .equal, value: 0)])
        XCTAssertEqual(list([none]), ["-a always,exit -F arch=b64 -F uid=0"])
        let task = rule(.task, .never, mask: Self.allMask, [KernelField(id: FieldID.uid, op: .equal, value: 0)])
        XCTAssertEqual(list([task]), ["-a never,task -F uid=0"])
    }

    func testValueForms() {
        let ex = rule(.exclude, .never, [KernelField(id: FieldID.msgtype, op: .equal, value: 1305)])
        XCTAssertEqual(list([ex]), ["-a never,exclude -F msgtype=CONFIG_CHANGE"])
        let unnamed = rule(.exclude, .never, [KernelField(id: FieldID.msgtype, op: .equal, value: 1338)])
        XCTAssertEqual(list([unnamed]), ["-a never,exclude -F msgtype=1338"])
        XCTAssertEqual(list([unnamed], .v4_2), ["-a never,exclude -F msgtype=DM_CTRL"])
        let ft = rule(syscalls: [257], [b64, KernelField(id: FieldID.filetype, op: .equal, value: 32768),
                                         KernelField(id: FieldID.dir, op: .equal, string: "/var/log")])
        XCTAssertEqual(list([ft]), ["-a always,exit -F arch=b64 -S openat -F filetype=32768 -F dir=/var/log"])
        let misc = rule(syscalls: [257], [b64, KernelField(id: FieldID.exit, op: .equal, value: 13),
                                           KernelField(id: FieldID.arg1, op: .equal, value: .max),
                                           KernelField(id: FieldID.arg2, op: .bitMask, value: 0o100),
                                           KernelField(id: FieldID.sessionid, op: .notEqual, value: .max),
                                           KernelField(id: FieldID.inode, op: .equal, value: 3_000_000_000),
                                           KernelField(id: FieldID.exit, op: .equal, value: UInt32(bitPattern: -4095)),
                                           KernelField(id: FieldID.subjType, op: .equal, string: "two words"),
                                           KernelField(id: FieldID.pid, op: .equal, value: 3_000_000_000)])
        XCTAssertEqual(list([misc]), ["-a always,exit -F arch=b64 -S openat -F exit=13 -F a1=0xFFFFFFFF -F a2&0x40"
            + " -F sessionid!=-1 -F inode=3000000000 -F exit=-4095 -F subj_type=two words -F pid=-1294967296"])
        let fs = rule(.filesystem, .never, [KernelField(id: FieldID.fstype, op: .equal, value: 0x6462_6720),
                                            KernelField(id: FieldID.fstype, op: .notEqual, value: 0x9fa0)])
        XCTAssertEqual(list([fs]), ["-a never,filesystem -F fstype=debugfs -F fstype!=40864"])
        let unknown = rule(syscalls: [2], [b64, KernelField(id: FieldID.loginuidSet, op: .equal, value: 1)])
        XCTAssertEqual(list([unknown]), ["-a always,exit -F arch=b64 -S open f24=1"])
        let cmp = rule(syscalls: [2], [b64, KernelField(id: FieldID.fieldCompare, op: .equal, value: 99)])
        XCTAssertEqual(list([cmp]), ["-a always,exit -F arch=b64 -S open"])
    }

    func testArchQuirks() {
        let a32 = rule(syscalls: [5], [b32, key("a32")])
        let noArch = rule(syscalls: [257], [key("noarch")])
        XCTAssertEqual(list([a32, noArch]), ["-a always,exit -F arch=b32 -S open -F key=a32",
                                             "-a always,exit -S remap_file_pages -F key=noarch"])
        XCTAssertEqual(list([noArch]), ["-a always,exit -S openat -F key=noarch"])
        XCTAssertEqual(list([noArch], host: .aarch64), ["-a always,exit -S 257 -F key=noarch"])
        XCTAssertEqual(list([noArch], host: .riscv64), ["-a always,exit -S 257 -F key=noarch"])
        let ppc64 = rule(syscalls: [5], [KernelField(id: FieldID.arch, op: .equal, value: 0x8000_0015)])
        XCTAssertEqual(list([ppc64]), ["-a always,exit -F arch=b64 -S open"])
        let s390 = rule(syscalls: [5], [KernelField(id: FieldID.arch, op: .notEqual, value: 0x16)])
        XCTAssertEqual(list([s390]), ["-a always,exit -F arch!=b32 -S open"])
        let riscv = rule(syscalls: [56], [KernelField(id: FieldID.arch, op: .equal, value: 0xc000_00f3)])
        XCTAssertEqual(list([riscv]), ["-a always,exit -F arch=0xC00000F3 -S 56"])
        // The arch field prints first wherever it stands.
        let late = rule(syscalls: [2], [KernelField(id: FieldID.uid, op: .equal, value: 0), b64])
        XCTAssertEqual(list([late]), ["-a always,exit -F arch=b64 -S open -F uid=0"])
    }

    func testListOrderAndEmpty() {
        XCTAssertEqual(list([]), ["No rules"])
        let exit = rule(syscalls: [2], [b64])
        let user = rule(.user, .never, [KernelField(id: FieldID.uid, op: .equal, value: 0)])
        let exclude = rule(.exclude, .never, [KernelField(id: FieldID.msgtype, op: .equal, value: 1300)])
        let task = rule(.task, .never, [KernelField(id: FieldID.pid, op: .equal, value: 1)])
        XCTAssertEqual(list([exclude, exit, task, user]), ["-a never,user -F uid=0", "-a never,task -F pid=1",
                                                           "-a always,exit -F arch=b64 -S open",
                                                           "-a never,exclude -F msgtype=SYSCALL"])
        let uring = rule(.io_uring, .always, syscalls: [1], [])
        XCTAssertEqual(list([uring]), ["-a always,(null) -S write"])
    }
}
