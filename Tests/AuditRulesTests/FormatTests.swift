import AuditRules
import Foundation
import Syscalls
import XCTest

final class FormatTests: XCTestCase {
    let options = ParseOptions(resolver: nil, hostMachine: .x86_64)

    func fmt(_ text: RulesText) -> RulesText {
        RuleFormatter.format(RuleParser.parse(text: text, file: "t.rules", options: options))
    }

    func testCanonicalForms() {
        XCTAssertEqual(fmt("-a   exit,always  -F arch=b64 -S open -S openat,creat -F auid>=1000 -k a -F key=b\n"),
                       "-a always,exit -F arch=b64 -S open,openat,creat -F auid>=1000 -k a -k b\n")
        XCTAssertEqual(fmt("-a always,exit -F arch=b32 -C euid!=uid -F euid=0 -Fauid>=1000 -F auid!=-1 -S execve -k actions\n"),
                       "-a always,exit -F arch=b32 -C euid!=uid -F euid=0 -F auid>=1000 -F auid!=-1 -S execve -k actions\n")
        XCTAssertEqual(fmt("-w /etc/ssh/ -k sshd -p wa\n"), "-w /etc/ssh -p wa -k sshd\n")
        XCTAssertEqual(fmt("-w /srv/my\\ dir -k a\\\\b\n"), "-w /srv/my\\ dir -k a\\\\b\n")
        XCTAssertEqual(fmt("-w /srv/x -k a\\b\n"), "-w /srv/x -k a\\\\b\n")
        XCTAssertEqual(fmt("-a always,exit -F path=/x -F perm=r -p wa -F key=k\n"), "-a always,exit -F path=/x -F perm=wa -k k\n")
        XCTAssertEqual(fmt("-a always,exit -F loginuid=0 -F arch=b64 -S 0x3b\n"), "-a always,exit -F auid=0 -F arch=b64 -S 59\n")
        XCTAssertEqual(fmt("-D -k old\n-b 0x2000\n--backlog 60\n-c\n"), "-D -k old\n-b 8192\n--backlog_wait_time 60\n-c\n")
        XCTAssertEqual(fmt("## header\n\n\n\n-D\n  # indented\n-e 1\r\n\n"), "## header\n\n-D\n# indented\n-e 1\n")
        XCTAssertEqual(fmt("-a always,exit -F arch=b64 -S all -F key=\n"), "-a always,exit -F arch=b64 -S all -F key=\n")
        XCTAssertEqual(fmt("-a always,exit -F arch=b64 -S OPEN -S open,Creat -S 2 -S 0x2\n"), "-a always,exit -F arch=b64 -S open,creat,2\n")
    }

    /// Off the exit list, perm is set by `-p` only (auditctl 3.0.9 refuses `-F perm=` there but
    /// takes `-p` after another field): fmt and compile write it that way, and an updated perm
    /// stays where it was first set. The kernel refuses perm on the filesystem list.
    func testPermissionOptionOffTheExitList() {
        XCTAssertEqual(fmt("-a always,task -F uid=0 -p r -F gid=0 -p WA -k t\n"), "-a always,task -F uid=0 -p WA -F gid=0 -k t\n")
        XCTAssertEqual(fmt("-a always,exit -F path=/x -p wa\n"), "-a always,exit -F path=/x -F perm=wa\n")
        for text in ["-a always,task -F uid=0 -p wa\n", "-a always,user -F uid=0 -p r\n", "-a always,exclude -F msgtype=CWD -p wa\n"] {
            let parsed = RuleParser.parse(text: RulesText(text), file: "t.rules", options: options)
            XCTAssertEqual(parsed.diagnostics.filter { $0.severity == .error }.map(\.message), [], text)
            let formatted = RuleParser.parse(text: fmt(RulesText(text)), file: "t.rules", options: options)
            XCTAssertEqual(formatted.diagnostics.filter { $0.severity == .error }.map(\.message), [], text)
            let target = CompileTarget(machine: .x86_64, kernel: KernelVersion(6, 1), resolver: nil)
            let compiled = Compiler(target: target).compile(parsed)
            let written = RulesFileWriter(target: target, includeControls: false).render(compiled)
            XCTAssertTrue(written.utf8String.contains(" -p "), written.utf8String)
            let again = Compiler(target: target).compile(RuleParser.parse(text: written, file: "w.rules", options: options))
            XCTAssertEqual(again.rules.map(WireCodec.encode), compiled.rules.map(WireCodec.encode), written.utf8String)
        }
        let fs = RuleParser.parse(text: "-a always,filesystem -F fstype=debugfs -p wa\n", file: "t.rules", options: options)
        XCTAssertEqual(fs.diagnostics.map(\.message), ["-p cannot be used on the filesystem list: the kernel takes only fstype and key fields there"])
        XCTAssertEqual(fs.diagnostics.map(\.location.column), [40])
    }

    func testFormattedTextMeansTheSame() throws {
        for url in try corpusFiles() {
            let text = String(decoding: try Data(contentsOf: url), as: UTF8.self)
            let original = RuleParser.parse(text: RulesText(text), file: url.path, options: options)
            let once = RuleFormatter.format(original)
            let reparsed = RuleParser.parse(text: RulesText(once), file: "formatted", options: options)
            XCTAssertEqual(reparsed.diagnostics.filter { $0.severity == .error }.map(\.message), [], url.path)
            XCTAssertEqual(reparsed.statements.map(Self.meaning), original.statements.map(Self.meaning), url.path)
            XCTAssertEqual(RuleFormatter.format(reparsed), once, "fmt is not idempotent on \(url.path)")
        }
    }

    func corpusFiles() throws -> [URL] {
        try XCTSkipUnless(Corpus.isAvailable, "../shared/corpus is not available")
        let files = Corpus.allFiles()
        XCTAssertGreaterThan(files.count, 100)
        return files
    }

    /// Everything about a statement that reaches the kernel, without locations.
    static func meaning(_ s: Statement) -> String {
        func field(_ f: FieldClause) -> String { "\(f.isComparison ? "C" : "F") \(f.name.value)\(f.op.value.rawValue)\(f.value)" }
        switch s.kind {
        case .rule(let r):
            var calls: [String] = []
            for c in r.syscalls.map({ "\($0.value)".lowercased() }) where !calls.contains(c) { calls.append(c) }
            return "\(r.command) \(r.action.value),\(r.list.value) S\(calls) \(r.fields.map(field)) k\(r.keys.map(\.value))"
        case .watch(let w):
            return "watch \(w.remove) \(message: w.path.value) p\(message: w.permissions?.value ?? "-") \(w.fields.map(field)) k\(w.keys.map(\.value))"
        case .deleteAll(let k): return "D \(message: k?.value ?? "-")"
        case .setting(let x): return "\(x)"
        case .loaderOption(let o): return o.rawValue
        }
    }
}
