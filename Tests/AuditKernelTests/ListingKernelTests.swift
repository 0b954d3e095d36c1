import AuditKernel
import AuditRules
import Foundation
import Syscalls
import XCTest

/// The listing formatter against auditctl 3.0.9 itself: rules loaded by auditctl, read back from
/// the kernel over netlink, formatted by `Listing`, compared line for line with `auditctl -l`.
final class ListingKernelTests: XCTestCase {
    private static var host: Machine {
        var u = utsname()
        uname(&u)
        let machine = withUnsafeBytes(of: &u.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return Machine(uname: machine) ?? .x86_64
    }

    /// Every listing quirk that a rule set can show: arch-less rules after an arch'd one, watch
    /// forms (never, dir, path, via -F), keys both ways, -C normalisation, exe!=, foreign arches,
    /// unknown msgtypes, value forms, every list.
    static let quirks = """
    -a always,exit -F arch=b32 -S open -k aurules-test-a32
    -a always,exit -S openat -k aurules-test-noarch
    -a always,exit -F arch=ppc64 -S 5 -k aurules-test-ppc
    -a always,exit -S 59 -k aurules-test-after-ppc
    -a always,exit -F arch=s390 -S 5 -k aurules-test-s390
    -a always,exit -F arch=b64 -S openat,open -S creat -S 2 -F exit=-EACCES -k aurules-test-multi
    -a exit,always -F arch=b32 -S clone -S fork -S vfork -F auid>=1000 -F auid!=unset -k aurules-test-p
    -a always,exit -S all -C euid!=uid -k aurules-test-cmp
    -a always,exit -F arch=b64 -S all -C obj_gid=sgid -k aurules-test-cmp2
    -a never,exit -F arch=b64 -S all -F exe!=/usr/bin/ls -k aurules-test-exe
    -a always,exit -F arch=b64 -S openat -F filetype=file -F dir=/var/log -k aurules-test-ft
    -a never,exit -F path=/etc/hostname -F perm=r -k aurules-test-nw
    -a always,exit -F dir=/etc/ssh -F perm=x -F key=aurules-test-dk
    -w /etc/ssh/ -p rwxa -k aurules-test-ssh -k aurules-test-multi2
    -w /etc/hosts
    -w /etc/passwd -p wa -F auid!=-1 -k aurules-test-wf
    -a always,exit -F arch=b64 -S open -F key=aurules-test-a -F uid=root -k aurules-test-b
    -a always,exit -F arch=b64 -S ioctl -F a1=0x5401 -F a2&0100 -F a3=-1 -F a0>=7 -k aurules-test-args
    -a always,exit -F arch=b64 -S kill -F exit=EACCES -F success=0 -F sessionid!=unset -F pid>1 -k aurules-test-k
    -a always,exit -F arch=x86_64 -S pread,pwrite -F inode=3000000000 -F devmajor=8 -k aurules-test-pr
    -a always,exit -F arch=b64 -S execve -F subj_type=unconfined_t -F obj_uid=0 -F ppid=1 -k aurules-test-subj
    -a always,exit -F arch=b64 -S 1999 -F pers=0x0008 -k aurules-test-num
    -a always,exit -F arch=i686 -S 2047 -k aurules-test-class
    -a always,exit -F arch=b64 -S all -F saddr_fam=2 -F gid!=0 -F euid=0 -k aurules-test-net
    -a always,task -F uid=0 -F gid=0
    -a never,user -F uid=0 -F msgtype=USER_LOGIN
    -a never,exclude -F msgtype=1305
    -a never,exclude -F msgtype=1338
    -a never,exclude -F exe=/usr/bin/true
    -a never,filesystem -F fstype=debugfs -k aurules-test-fs
    -a never,filesystem -F fstype=0x9fa0 -k aurules-test-fs2
    """

    func testQuirksAgainstAuditctl() throws {
        try KernelSandbox.run { sandbox in
            try sandbox.load(rules: ListingKernelTests.quirks)
            let rules = try sandbox.connection.rules()
            let expected = try sandbox.listing()
            let ours = Listing.lines(for: rules, host: ListingKernelTests.host)
            XCTAssertEqual(rules.count, 31)
            Self.compare(ours, expected, label: "quirk rule set")
            // Listed alone, the arch-less rule uses the host's table.
            let noArch = rules.first { $0.fields.last?.string == "aurules-test-noarch" }!
            XCTAssertEqual(Listing.line(for: noArch, host: .x86_64), "-a always,exit -S openat -F key=aurules-test-noarch")
        }
    }

    /// Every AUDIT_COMPARE_* constant written in the reverse of its name's order, with both
    /// operators: auditctl -l prints each as ComparisonTable.fields says.
    func testComparisonOrientationAgainstAuditctl() throws {
        var text = ""
        for c in UInt32(1)...25 {
            let f = ComparisonTable.fields(of: c)!
            let op = c % 2 == 0 ? "=" : "!="
            text += "-a always,exit -F arch=b64 -S all -C \(f.right)\(op)\(f.left) -k aurules-test-cmp\(c)\n"
        }
        try KernelSandbox.run { sandbox in
            try sandbox.load(rules: text)
            let rules = try sandbox.connection.rules()
            let live = try sandbox.listing()
            XCTAssertEqual(rules.map { $0.fields[1].value }, Array(UInt32(1)...25))
            Self.compare(Listing.lines(for: rules, host: ListingKernelTests.host), live, label: "-C orientation")
            for (i, line) in live.enumerated() {
                let f = ComparisonTable.fields(of: UInt32(i + 1))!
                XCTAssertTrue(line.utf8String.contains(" -C \(f.left)\(i % 2 == 0 ? "!=" : "=")\(f.right) "), line.utf8String)
            }
        }
    }

    /// Corpus files loaded as the corpus README says (`-c`, control lines that could harm the
    /// machine stripped): our listing of the kernel's rules equals auditctl's, and is compared
    /// with the listing saved in ../shared/corpus/loaded. Small files by default (kernel rule
    /// deletion costs ~12 ms a rule); AURULES_LISTING_FULL_CORPUS=1 takes every file.
    func testCorpusListingsAgainstAuditctl() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("../shared/corpus").standardized
        guard let manifest = try? String(contentsOf: root.appendingPathComponent("MANIFEST.tsv"), encoding: .utf8) else {
            print("skipping corpus listing test: ../shared/corpus is not there")
            throw XCTSkip("../shared/corpus is not there")
        }
        let full = ProcessInfo.processInfo.environment["AURULES_LISTING_FULL_CORPUS"] == "1"
        var files: [(rules: String, listing: String)] = []
        for row in manifest.split(separator: "\n").dropFirst() {
            let c = row.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard c.count >= 14, let listed = Int(c[11]), listed > 0, full || listed <= 30 else { continue }
            files.append((c[0], c[13]))
        }
        try KernelSandbox.run { sandbox in
            var lines = 0, agreeLive = 0, agreeSaved = 0
            for f in files {
                let text = try String(contentsOf: root.appendingPathComponent(f.rules), encoding: .isoLatin1)
                try sandbox.clearRules()
                _ = try? sandbox.load(rules: "-c\n" + Self.harmless(text))
                let rules = try sandbox.connection.rules()
                let live = try sandbox.listing()
                let saved = try String(contentsOf: root.appendingPathComponent(f.listing), encoding: .utf8)
                    .split(separator: "\n").map { RulesText(String($0)) }.filter { $0 != "No rules" }
                let ours = Listing.lines(for: rules, host: ListingKernelTests.host).filter { $0 != "No rules" }
                lines += live.count
                agreeLive += zip(ours, live).filter { $0 == $1 }.count
                agreeSaved += zip(ours, saved).filter { $0 == $1 }.count
                Self.compare(ours, live, label: f.rules)
                if ours != saved { print("listing: \(f.rules): \(ours.count) lines, saved listing has \(saved.count); differs") }
            }
            print("listing: \(files.count) corpus files, \(lines) rules; \(agreeLive)/\(lines) lines equal auditctl -l now, "
                  + "\(agreeSaved) equal the saved listings")
        }
    }

    /// Lines that change the machine rather than add rules are never sent (the kernel's
    /// enabled flag, immutability, failure mode, loginuid immutability).
    static func harmless(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            let tokens = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            let dangerous = tokens.contains { $0 == "-e" || $0.hasPrefix("-e") && !$0.hasPrefix("-ex") || $0 == "-f"
                || $0.hasPrefix("--loginuid") || $0 == "-s" || $0.hasPrefix("-f") }
            return dangerous ? "" : String(line)
        }.joined(separator: "\n")
    }

    static func compare(_ ours: [RulesText], _ expected: [RulesText], label: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(ours.count, expected.count, "\(label): rule count", file: file, line: line)
        for (i, (a, b)) in zip(ours, expected).enumerated() where a != b {
            XCTFail("\(label) line \(i + 1):\n  ours:     \(message: a)\n  auditctl: \(message: b)", file: file, line: line)
        }
    }
}
