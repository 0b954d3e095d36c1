import AuditKernel
import AuditRules
import CLibAudit
import XCTest

/// The WireCodec against the running kernel: rules loaded by auditctl, read back over netlink.
final class WireKernelTests: XCTestCase {
    /// Lists, actions, -A, operators, string fields (dir, path, exe, key), multi-keys, -C, arch,
    /// syscall classes, `-S all`, legacy auid=unset, watches of a file and a directory. auditctl
    /// refuses keys on the task, user and exclude lists, so those rules carry none.
    static let varied = """
    -a always,exit -F arch=b64 -S openat,open -S creat -F exit=-EACCES -k aurules-test-access
    -a exit,always -F arch=b32 -S clone -S fork -F auid>=1000 -F auid!=unset -k aurules-test-proc
    -a always,exit -F arch=b64 -S all -C euid!=uid -k aurules-test-cmp
    -a never,exit -F arch=b64 -S all -F exe=/usr/bin/ls -k aurules-test-never
    -a always,exit -F arch=b64 -S openat -F filetype=file -F dir=/var/log -k aurules-test-dir
    -w /etc/hosts -p wa -k aurules-test-w1 -k aurules-test-w2
    -w /etc/ssh/ -p rwxa -k aurules-test-ssh
    -a always,exit -F arch=b64 -S ioctl -F a1=0x5401 -F a2&0100 -k aurules-test-args
    -a always,exit -F path=/etc/passwd -F perm=wa -F auid>=1000 -F auid!=4294967295 -k aurules-test-perm
    -a always,exit -F arch=b64 -S execve -F key=aurules-test-a -F uid=0 -k aurules-test-b
    -A always,exit -F arch=b64 -S unlink,unlinkat -k aurules-test-prepend
    -a always,exit -F arch=b64 -S kill -F success=0 -F sessionid!=unset -k aurules-test-kill
    -a always,exit -F arch=b32 -S 2047 -k aurules-test-class
    -a always,task -F uid=0 -F gid=0
    -a never,user -F uid=0
    -a never,exclude -F msgtype=1305
    """

    func testKernelRulesDecodeAndReencodeByteIdentical() throws {
        try KernelSandbox.run { sandbox in
            try sandbox.load(rules: WireKernelTests.varied)
            let raw = try sandbox.connection.listRules()
            let listing = try sandbox.listing()
            XCTAssertEqual(raw.count, 16, "auditctl -l:\n\(listing.map(\.utf8String).joined(separator: "\n"))")
            XCTAssertEqual(raw.count, listing.count)
            var identical = 0
            for (i, bytes) in raw.enumerated() {
                let rule = try WireCodec.decode(bytes)
                let again = WireCodec.encode(rule)
                if again == bytes { identical += 1 } else { XCTFail("rule \(i) (\(message: listing[i])) re-encodes differently") }
                if i < listing.count { checkAgainstListing(rule, listing[i].utf8String) }
            }
            print("WireCodec: \(identical)/\(raw.count) kernel rules re-encode byte-identical")
        }
    }

    /// Adding our own encoding of a rule gives the kernel the same rule auditctl would: the
    /// kernel then refuses it as a duplicate, and deleting it by our bytes removes it.
    func testEncodedRuleIsTheKernelsRule() throws {
        try KernelSandbox.run { sandbox in
            try sandbox.auditctl(["-a", "always,exit", "-F", "arch=b64", "-S", "openat", "-F", "dir=/var/log",
                                  "-F", "uid=0", "-k", "aurules-test-own"])
            var rule = KernelRule(list: .exit, action: .always)
            rule.addSyscall(257)
            rule.fields = [KernelField(id: 11, op: .equal, value: 0xc000_003e),
                           KernelField(id: 107, op: .equal, string: "/var/log"),
                           KernelField(id: 0x1, op: .equal, value: 0),
                           KernelField(id: 210, op: .equal, string: "aurules-test-own")]
            XCTAssertEqual(try sandbox.connection.listRules(), [WireCodec.encode(rule)])
            XCTAssertThrowsError(try sandbox.connection.addRule(rule)) { error in
                XCTAssertEqual(error as? AuditKernelError, .kernel(operation: "add an audit rule", errno: EEXIST))
            }
            try sandbox.connection.deleteRule(rule)
            XCTAssertEqual(try sandbox.listing(), [])
            try sandbox.connection.addRule(rule)
            XCTAssertEqual(try sandbox.listing(), ["-a always,exit -F arch=b64 -S openat -F dir=/var/log -F uid=0 -F key=aurules-test-own"])
        }
    }

    func testStatusMatchesAuditctl() throws {
        try KernelSandbox.run(clear: false) { sandbox in
            let status = try sandbox.connection.status()
            var shown: [String: String] = [:]
            for line in try sandbox.auditctl(["-s"]).split(separator: "\n") {
                let parts = line.split(separator: " ")
                if parts.count >= 2 { shown[String(parts[0])] = String(parts[1]) }
            }
            XCTAssertEqual(shown["enabled"], "\(status.enabled)")
            XCTAssertEqual(shown["failure"], "\(status.failure)")
            XCTAssertEqual(shown["pid"], "\(status.pid)")
            XCTAssertEqual(shown["rate_limit"], "\(status.rateLimit)")
            XCTAssertEqual(shown["backlog_limit"], "\(status.backlogLimit)")
            XCTAssertEqual(shown["backlog_wait_time"], "\(status.backlogWaitTime)")
            XCTAssertEqual(shown["loginuid_immutable"], status.loginuidImmutable.map { $0 ? "1" : "0" })
            let original = status.backlogLimit
            try sandbox.auditctl(["-b", "\(original + 17)"])
            XCTAssertEqual(try sandbox.connection.status().backlogLimit, original + 17)
        }
    }

    /// What `auditctl -l` shows that can be read off the decoded rule without a formatter:
    /// list and action, keys, string values, syscall names in the rule's own arch.
    private func checkAgainstListing(_ rule: KernelRule, _ line: String, file: StaticString = #filePath, line lineNo: UInt = #line) {
        let isWatch = line.hasPrefix("-w ")
        if !isWatch {
            XCTAssertTrue(line.hasPrefix("-a \(rule.action.rawValue),\(rule.list.rawValue)"), line, file: file, line: lineNo)
        }
        for field in rule.fields {
            guard let s = field.string else { continue }
            if field.id == 210 {
                for key in s.utf8String.split(separator: "\u{01}") {
                    XCTAssertTrue(line.contains(isWatch ? "-k \(key)" : "-F key=\(key)"), "\(key) in \(line)", file: file, line: lineNo)
                }
            } else {
                XCTAssertTrue(line.contains(s.utf8String), "\(message: s) in \(line)", file: file, line: lineNo)
            }
        }
        guard let arch = rule.fields.first(where: { $0.id == 11 })?.value, !line.contains("-S all") else { return }
        let machine = audit_elf_to_machine(arch)
        for n in 0..<2048 where rule.hasSyscall(n) {
            guard let name = audit_syscall_to_name(Int32(n), machine) else { continue }
            XCTAssertTrue(line.contains(String(cString: name)), "syscall \(n) in \(line)", file: file, line: lineNo)
        }
    }
}
