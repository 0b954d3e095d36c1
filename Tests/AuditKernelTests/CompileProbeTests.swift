import AuditKernel
import AuditRules
import Foundation
import Syscalls
import XCTest

/// Source rules loaded by auditctl itself vs the same rules compiled by us: the kernel must hold
/// exactly our bytes. Every probe names its arch, so auditctl's host semantics and our x86_64
/// target agree; the probes cover what the corpus lacks (syscall classes, foreign arches,
/// -A, lists without syscalls, watches of directories, name resolution of users and groups).
final class CompileProbeTests: XCTestCase {
    static let probes = """
    -a always,exit -F arch=b64 -S 2047 -k aurules-test-c0
    -a always,exit -F arch=b64 -S 2046 -k aurules-test-c1
    -a always,exit -F arch=b32 -S 2045 -k aurules-test-c2
    -a always,exit -F arch=b64 -S 2044 -S 2043 -S 2042 -k aurules-test-c3
    -a always,exit -F arch=b64 -S 2041 -S 2040 -S 2039 -S 2038 -S open -k aurules-test-c4
    -a always,exit -F arch=b64 -S 2036 -S read -k aurules-test-c11
    -a always,exit -F arch=b64 -S all -F exit=-EPERM -k aurules-test-all
    -a always,exit -F arch=ppc64 -S open,mmap -k aurules-test-ppc64
    -a always,exit -F arch=s390 -S chown -k aurules-test-s390
    -a always,exit -F arch=aarch64 -S openat -k aurules-test-aarch64
    -a always,exit -F arch=0x40000003 -S chown32 -k aurules-test-hex
    -a always,exit -F arch=b32 -S socketcall,_llseek,mmap2 -F a0=1 -k aurules-test-b32
    -a always,exit -F arch=b64 -S pread,pwrite -F uid=root -F gid=root -k aurules-test-spell
    -A always,exit -F arch=b64 -S unlinkat -F auid>=1000 -F auid!=unset -k aurules-test-prep
    -w /etc -p wa -k aurules-test-dir
    -w /etc/hosts -k aurules-test-file -k aurules-test-second
    -w /etc/passwd -p r -F auid!=-1 -k aurules-test-wf
    -a always,exit -F dir=/etc -F perm=x -F key=aurules-test-fdir
    -a never,exit -F arch=b64 -S execve -F exe=/usr/bin/true -F key=aurules-test-exe
    -a always,exit -F arch=b64 -S openat -F filetype=dir -F success=0 -F sessionid!=unset -k aurules-test-ft
    -a always,exit -F arch=b64 -S kill -C uid!=euid -F a1&=9 -k aurules-test-cmp
    -a always,task -F uid=0
    -a never,user -F auid=0
    -a never,exclude -F msgtype=CWD
    """

    func testAuditctlLoadedSourceEqualsCompiledRules() throws {
        if let reason = KernelSandbox.unavailableReason() {
            print("skipping kernel test: \(reason)")
            throw XCTSkip(reason)
        }
        let options = ParseOptions(resolver: HostUserResolver(), hostMachine: .x86_64)
        let parsed = RuleParser.parse(text: RulesText(Self.probes), file: "probes", options: options)
        XCTAssertEqual(parsed.diagnostics.filter { $0.severity == .error }.map(\.message), [])
        let db = SyscallDatabase.shipped
        let running = KernelVersion(HostFacts.current.release) ?? db.newestRelease
        let target = CompileTarget(machine: .x86_64, kernel: min(running, db.newestRelease), auditVersion: .v3_0_9,
                                   watchKind: .auto, database: db, resolver: HostUserResolver())
        let result = Compiler(target: target).compile(parsed)
        XCTAssertFalse(result.hasErrors, "\(result.diagnostics.map(\.message))")
        let ours = CompileDifferentialTests.kernelOrder(result.rules)
        try KernelSandbox.run { sandbox in
            try sandbox.load(rules: Self.probes)
            let raw = try sandbox.connection.listRules()
            let listing = try sandbox.listing()
            let ourLines = Listing.lines(for: ours, host: .x86_64, auditVersion: .v3_0_9)
            let c = CompileDifferentialTests.compare(ours: ours, ourLines: ourLines, kernel: raw, listing: listing)
            print("compile probes: \(c.wire)/\(ours.count) kernel rules byte-identical to auditctl's")
            for m in c.misses { print("  MISS \(m)") }
            XCTAssertEqual(c.misses, [])
            XCTAssertEqual(c.wire, raw.count)

            // Our own output, in both syscall styles, loads back into the same kernel rules
            // (foreign arches as hex values, classes as their expanded syscalls).
            for style in [SyscallStyle.auto, .numbers] {
                try sandbox.clearRules()
                let text = RulesFileWriter(target: target, syscallStyle: style, includeControls: false).render(result)
                let errors = try CompileDifferentialTests.load(text, shim: CompileDifferentialTests.syslogShim())
                XCTAssertEqual(errors, [], "\(style)")
                let again = try sandbox.connection.listRules()
                XCTAssertEqual(again, raw, "\(style): our output loads into different kernel rules")
            }
        }
    }
}
