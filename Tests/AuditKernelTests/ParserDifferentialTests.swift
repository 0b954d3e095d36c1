import AuditLint
import AuditRules
import Syscalls
import Foundation
import XCTest

/// Tricky single lines, each loaded by the real `auditctl -R` into the kernel of this host and
/// parsed by aurules: both must accept or both must reject. No expected verdicts are written
/// here: auditctl and the kernel are the oracle.
final class ParserDifferentialTests: XCTestCase {
    static let key = "aurules-test-diff"
    static let lines = [
        "-a always,exit -F arch=b64 -S open -k \(key) -F key=\(key)b",
        "-a exit,always -F arch=b64 -S 2 -S 0x3b -S 073 -k \(key)",
        "-a always,exit -F arch=b64 -S 2048 -k \(key)",
        "-a always,exit -F arch=b64 -S 2047 -k \(key)",
        "-a always,exit -F arch=b64 -S 12abc -k \(key)",
        "-a always,exit -F arch=b64 -S open,,openat -k \(key)",
        "-a always,exit -F arch=b64 -S opne -k \(key)",
        "-a always,exit -k \(key) -F arch=b64 -S open",
        "-a always,exit -F auid=0 -F key=\(key)",
        "-a always,exit -F path=/etc/passwd -k \(key)",
        "-a always,exit -F arch=b64 -S open -F arch=b32 -k \(key)",
        "-a always,task -S open",
        "-a always,user -F uid=0",
        "-a always,exclude -F msgtype=CWD",
        "-a never,exclude -F path=/etc/passwd",
        "-a always,exit -C auid!=obj_uid -k \(key)",
        "-a always,exit -C uid=gid -k \(key)",
        "-a always,exit -C auid<obj_uid -k \(key)",
        "-a always,task -C auid=uid",
        "-w /etc/passwd -p rwxa -k \(key)",
        "-w etc/passwd -p r -k \(key)",
        "-w /etc/passwd -p rwxz -k \(key)",
        "-w /etc/passwd -F arch=b64 -k \(key)",
        "-w /etc/passwd -F auid!=unset -k \(key)",
        "-w /nonexistent-aurules/x -k \(key)",
        "-a always,exit -F dir=/nonexistent-aurules -F perm=wa -k \(key)",
        "-a always,exit -F path=/etc/passwd -p wa -k \(key)",
        "-a always,exit -p wa -k \(key)",
        "-a always,exit -F arch=b64 -S open -F uid=-1 -k \(key)",
        "-a always,exit -F arch=b64 -S open -F auid=-1 -k \(key)",
        "-a always,exit -F arch=b64 -S open -F uid=unset -k \(key)",
        "-a always,exit -F arch=b64 -S open -F gid=unset -k \(key)",
        "-a always,exit -F arch=b64 -S open -F uid=root -k \(key)",
        "-a always,exit -F arch=b64 -S open -F uid=nosuchuser-aurules -k \(key)",
        "-a always,exit -F arch=b64 -S open -k \(key) stray",
        "-a always,exit -F arch=b64 -S open -k \(key) # comment",
        "-a Always,exit -F arch=b64 -S open -k \(key)",
        "-a always,entry -F arch=b64 -S open -k \(key)",
        "-a always,exit -F arch=b64 -S all -F exe<x -k \(key)",
        "-a always,exit -F arch=b64 -S open -F a0&=8 -k \(key)",
        "-a always,exit -F arch=b64 -S open -F a1&0100 -k \(key)",
        "-a always,exit -F arch=b64 -S open -F exit=EPERM -k \(key)",
        "-a always,user -F exit=-EPERM",
        "-a always,exit -F arch=b64 -S open -Fauid>=1000 -k \(key)",
        "-a always,exit -F arch=b64 -S open -F obj=x -k \(key)",
        "-a always,exit -F arch=b64 -S open -F \"auid>=500\" -k \(key)",
        "-a always,exit -F arch=b64 -S open -F -k \(key)",
        "-a always,exit -F arch=b64 -S open -k \(key) -k \(String(repeating: "k", count: 240))",
        "-a always,exit -F arch=b64 -S open -k \(key) -k \(String(repeating: "k", count: 250))",
        "-a always,exit -F arch=b64 -S open -F key=\(key)\\ two",
        "-a always,exit -F arch=b64 -S open -F perm=wx -k \(key)",
        "-a always,exit -F arch=b64 -S open -F filetype=file -k \(key)",
        "-a always,exit -F arch=b64 -S open -F filetype=nosuch -k \(key)",
        "-a always,filesystem -F fstype=debugfs -k \(key)",
        "-a always,exit -F arch=b64 -S open -F sessionid!=unset -k \(key)",
        "-a always,exit -F arch=i686 -S open -k \(key)",
        "-a always,exit -F arch=0xc000003e -S open -k \(key)",
        "-a always,exit -F arch>b64 -S open -k \(key)",
        "-a always,exit -F arch=b64 -S socketcall -k \(key)",
        "-b 8192",
        "-b 12abc",
        "-r 0x",
        "-b",
        "--reset",
        "--backlog 60000",
        "-D -b 5",
        "-D -k \(key)",
        "\t",
        "\t# tab-indented comment",
        "   # space-indented comment",
        "-w /etc/passwd\t-p wa",
        "-a always,exit -F arch=b64 -S open -k \(key)\\ with\\ spaces",
        "-a always,exit -F arch=b64 -S open -a always,exit -k \(key)",
        "-w /etc/passwd -w /etc/group -k \(key)",
        "-w /etc/passwd -W /etc/group -k \(key)",
        "-a always,exit -w /etc/passwd -k \(key)",
        "-a always,exit,task",
        "-a always",
        "-a never,exit -F arch=b64 -S all -F exe!=/usr/bin/ls -k \(key)",
        "-a always,exit -F arch=b64 -S open -F key=",
        "-a always,exit -F arch=b64 -S open -F KEY=\(key)",
        "-ci",
        "-c -i",
        "-b 8192 -c",
        "-c -b 8192",
        "--reset-lost -b 8192",
        "-w /etc/passwd -k \(key) --reset-lost",
        "-i -w /etc/passwd",
        "-l",
        "-a always,exit -F arch=b64 -S open -F success=1 -k \(key)",
        "-a always,exit -F arch=b64 -S open -F pers=0x0008 -k \(key)",
        "-a always,exit -F arch=b64 -S open -F devmajor=8 -k \(key)",
        "-a always,exit -F arch=b64 -S open -F inode<5 -k \(key)",
        "-a always,exit -F arch=b64 -S open -F ppid=1 -k \(key)",
        "-a always,task -F ppid=1",
        "-a always,exit -F arch=b64 -S connect -F saddr_fam=2 -k \(key)",
        "-a always,exit -F arch=b64 -S connect -F saddr_fam=999 -k \(key)",
        "-a always,exit -F arch=b64 -S open -F msgtype=CWD -k \(key)",
        "-a always,user -F msgtype=USER_LOGIN",
        "-a always,exit -F arch=b64 -S open -F a0=-1 -k \(key)",
        "-a always,exit -F arch=b64 -S open -F a0=abc -k \(key)",
        "-a always,exit -F arch=b64 -S open -F pid=abc -k \(key)",
        "-a always,exit -F arch=b64 -S open -F exit=-EACCES -k \(key)",
        "-a always,exit -F arch=b64 -S open -F exit=NOSUCH -k \(key)",
        "-a always,exit -F arch=b64 -S open -F auid>=unset -k \(key)",
        "-a always,exit -F arch=b64 -S open -F uid&1 -k \(key)",
        "-a always,exit -F arch=b64 -S open -F gid=wheel-nosuch -k \(key)",
        "-a always,exit -F arch=b32 -S socketcall,ipc -k \(key)",
        "-a always,exit -F arch=b32 -S mmap2 -k \(key)",
        "-a always,exit -F arch=b64 -S mmap2 -k \(key)",
        "-a always,exit -F arch=ppc64 -S open -k \(key)",
        "-a always,exit -F arch=nosuch -S open -k \(key)",
        "-a always,exit -S all -C euid!=uid -k \(key)",
        "-a always,exit -F arch=b64 -S open -p wa",
        "--loginuid-immutablex",
        "-A always,exit -F arch=b64 -S open -k \(key)",
        "-a always,exclude -F uid=0",
        "-a always,exclude -F euid=0",
        // Bytes, not characters: a combining mark after the operator, an escaped space before one.
        "-a always,exit -F arch=b64 -S open -F obj_user!=\u{301}x -k \(key)",
        "-a always,exit -F arch=b64 -S open -F key=\(key)\\ \u{301}x",
        "-a always,exit -F arch=b64 -S open,\u{301} -k \(key)",
        "-w /etc/passwd -p wa -k \(key) -\u{301}",
        "-a always,exit -F arch=b64 -S open -F path=/\u{301}x -F perm=wa -k \(key)",
        "-a always,exit -F arch=b64 -S open -F path=/\u{301}x/ -k \(key)",
        "-a always,exit -F arch=b64 -S open -F exit=-\u{301}EPERM -k \(key)",
        // -p on rules of every list: auditctl sets the perm field without the list check -F perm= has.
        "-a always,exit -F arch=b64 -S open -F auid=0 -p wa -k \(key)",
        "-a always,task -F uid=0 -p wa",
        "-a always,task -F uid=0 -F perm=wa",
        "-a always,user -F uid=0 -p r",
        "-a always,exclude -F msgtype=CWD -p wa",
        "-a always,filesystem -F fstype=debugfs -p wa",
    ]

    override class func tearDown() {
        unlink(NSTemporaryDirectory() + "aurules-s2e-\(getpid()).so")
        super.tearDown()
    }

    func testEachLineGetsAuditctlsVerdict() throws {
        let fields = (0..<61).map { _ in "-F auid!=5" }.joined(separator: " ")
        let lines = Self.lines + [
            "-a always,exit -F arch=b64 -S open \(fields) -k \(Self.key)",
            "-a always,exit -F arch=b64 -S open \(fields) -F uid=0 -k \(Self.key)",
        ]
        var disagreements: [String] = []
        try KernelSandbox.run { sandbox in
            for line in lines {
                let parsed = RuleParser.parse(text: RulesText(line + "\n"), file: "d.rules", options: ParseOptions())
                // On this host, a missing watch directory (AUR006) and a syscall this machine's ABI
                // lacks (AUR007 with this machine as the only target) are refusals too.
                let findings = Linter.lint(parsed, context: LintContext(targets: [HostFacts.current.machineOrDefault], checkHost: true))
                let oursAccepts = !findings.contains { $0.severity == .error || $0.code == "AUR006" || $0.code == "AUR007" }
                let auditctlAccepts = try Self.auditctlAccepts(line, sandbox)
                if oursAccepts != auditctlAccepts {
                    disagreements.append("\(line.debugDescription): auditctl \(auditctlAccepts ? "accepts" : "rejects"), aurules \(oursAccepts ? "accepts" : "rejects: " + findings.map(\.message).joined(separator: "; "))")
                }
            }
        }
        print("parser vs auditctl: \(lines.count - disagreements.count)/\(lines.count) lines agree")
        XCTAssertEqual(disagreements, [])
    }

    /// auditctl's verdict on one line: it refused the line when it exits non-zero or reports
    /// "There was an error in line" (under `-i` it reports the error and still exits 0). Its
    /// messages go to syslog; the team's LD_PRELOAD shim sends them to stderr.
    static func auditctlAccepts(_ line: String, _ sandbox: KernelSandbox) throws -> Bool {
        try sandbox.clearRules()
        let path = NSTemporaryDirectory() + "aurules-test-diff-\(getpid())-\(UInt32.random(in: 0 ... .max)).rules"
        guard FileManager.default.createFile(atPath: path, contents: Data((line + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            throw XCTSkip("cannot write \(path)")
        }
        defer { unlink(path) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: KernelSandbox.auditctlPath!)
        process.arguments = ["-R", path]
        process.environment = ["LD_PRELOAD": try shim(), "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"]
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let messages = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return process.terminationStatus == 0 && !messages.contains("There was an error in line")
    }

    /// Builds ../shared/tools/syslog2stderr.c outside the repository, once per run.
    static func shim() throws -> String {
        let out = NSTemporaryDirectory() + "aurules-s2e-\(getpid()).so"
        if FileManager.default.fileExists(atPath: out) { return out }
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("../shared/tools/syslog2stderr.c").standardized.path
        guard FileManager.default.fileExists(atPath: source) else { throw XCTSkip("\(source) is not available") }
        let (status, _, err) = try KernelSandbox.runProcess("/usr/bin/cc", ["-shared", "-fPIC", "-o", out, source])
        guard status == 0 else { throw XCTSkip("cannot build the syslog shim: \(err)") }
        return out
    }
}
