import AuditLint
import AuditRules
import Syscalls
import XCTest

/// Duplicates and loader refusals judged on the rules as each target's auditctl loads the file
/// (`ArchlessRules.asLoaded`), not on the syntax tree nor on compile's per-ABI expansion.
final class KernelLevelCheckTests: XCTestCase {
    let options = ParseOptions(resolver: nil, hostMachine: .x86_64)

    func lint(_ text: String, targets: [Machine] = [.x86_64, .aarch64, .ppc64le, .s390x], loaders: [AuditVersion] = [.v3_0_9],
              kernel: KernelVersion? = nil) -> [Diagnostic] {
        let file = RuleParser.parse(text: RulesText(text), file: "t.rules", options: options)
        return Linter.lint(file, context: LintContext(targets: targets, checkHost: false, hostMachine: .x86_64, kernel: kernel, loaders: loaders))
    }

    func codes(_ ds: [Diagnostic], _ code: String) -> [String] {
        ds.filter { $0.code == code }.map { "\($0.location.line):\($0.location.column) \($0.message)" }
    }

    /// `arch=b64` and `arch=x86_64` store the same AUDIT_ARCH value: the same kernel rule on
    /// x86_64; on the other machines the loader refuses arch=x86_64, so nothing repeats there.
    func testArchSpellingsOfOneValueAreDuplicates() {
        let found = codes(lint("-a always,exit -F arch=b64 -S openat -k a\n-a always,exit -F arch=x86_64 -S openat -k a\n"), "AUR005")
        XCTAssertEqual(found, ["2:1 this rule equals the one on line 1; the kernel refuses it (Rule exists) (on x86_64)"])
    }

    /// A `-d` line records no loader verdicts: its -S list, resolved in silence, must not stand
    /// for the next `-a` rule's, which the loader still judges (AUR007 on both `-a` lines).
    func testDeleteLineDoesNotSilenceTheNextRulesVerdicts() {
        let rule = "always,exit -F arch=b32 -S umount"
        let text = "-a \(rule) -k a\n-d \(rule) -k b\n-a \(rule) -k c\n"
        let lines = lint(text, targets: [.aarch64]).filter { $0.code == "AUR007" && $0.message.contains("(arm has umount2)") }.map(\.location.line)
        XCTAssertEqual(lines, [1, 3])
        let alone = lint("-d \(rule) -k b\n-a \(rule) -k c\n", targets: [.aarch64])
        XCTAssertEqual(alone.filter { $0.code == "AUR007" && $0.message.contains("(arm has umount2)") }.map(\.location.line), [2])
    }

    /// A refused -S list written again is judged from the memo of resolved lists: each line's
    /// verdicts are at its own words (another column here), with its own text, and the line is
    /// still refused (no rule: the second `open` line repeats nothing).
    func testRefusedListRepeatedIsJudgedAtEachLinesWords() {
        let text = "-a always,exit -S open,creat -k a\n-a always,exit -F auid>=1000 -S open,creat -k b\n"
            + "-a always,exit -S open,creat -k a\n-a always,exit -S creat,open -k c\n"
        let found = lint(text, targets: [.aarch64]).filter { $0.code == "AUR007" }
        XCTAssertEqual(found.map { "\($0.location.line):\($0.location.column):\($0.length)" },
                       ["1:19:4", "1:24:5", "2:33:4", "2:38:5", "3:19:4", "3:24:5", "4:19:5", "4:25:4"])
        XCTAssertEqual(found.map { $0.sourceLine.map { String(decoding: Array($0), as: UTF8.self) } ?? "" },
                       text.split(separator: "\n").flatMap { [String($0), String($0)] })
        XCTAssertEqual(codes(lint(text, targets: [.aarch64]), "AUR005"), [], "refused lines hold no rule")
        XCTAssertEqual(codes(lint(text, targets: [.x86_64]), "AUR005").count, 1, "taken on x86_64: line 3 repeats line 1")
    }

    /// `-D -k KEY` deletes every rule whose key holds KEY: the same rule may then be added again.
    func testDeleteByKeyForgetsTheRule() {
        XCTAssertEqual(codes(lint("-a always,exit -F arch=b64 -S openat -k a\n-D -k a\n-a always,exit -F arch=b64 -S openat -k a\n"), "AUR005"), [])
        XCTAssertEqual(codes(lint("-a always,exit -F arch=b64 -S openat -k a\n-D -k b\n-a always,exit -F arch=b64 -S openat -k a\n"), "AUR005").count, 1)
    }

    /// auditctl loads an arch-less rule as one rule without an arch field: it is not the
    /// `-F arch=b64` rule, although compile's per-ABI expansion of it is.
    func testArchlessRuleIsNotItsExplicitArchCopy() throws {
        let text = "-a always,exit -S openat -k a\n-a always,exit -F arch=b64 -S openat -k a\n"
        XCTAssertEqual(codes(lint(text), "AUR005"), [])
        var target = CompileTarget(machine: .x86_64, kernel: SyscallDatabase.shipped.newestRelease, watchKind: .path)
        let file = RuleParser.parse(text: RulesText(text), file: "t.rules", options: options)
        XCTAssertEqual(Compiler(target: target).compile(file).repeated.map(\.location.line), [2], "per ABI, the b64 copy repeats")
        target.archless = .asLoaded
        let loaded = Compiler(target: target).compile(file)
        XCTAssertEqual(loaded.repeated.count, 0)
        XCTAssertEqual(loaded.rules.count, 2)
        let archless = try XCTUnwrap(loaded.rules.first)
        XCTAssertFalse(archless.fields.contains { $0.id == FieldID.arch }, "no arch field, as auditctl sends it")
        XCTAssertEqual(archless.provenance?.abi, .x86_64)
        XCTAssertTrue(archless.hasSyscall(257), "openat in x86_64's numbers")
    }

    /// Two arch-less rules whose -S resolve to the same number on one machine only.
    func testArchlessDuplicateOnlyWhereTheNumbersAgree() {
        let found = codes(lint("-a always,exit -S open -k f\n-a always,exit -S 2 -k f\n"), "AUR005")
        XCTAssertEqual(found, ["2:1 this rule equals the one on line 1; the kernel refuses it (Rule exists) (on x86_64)"])
    }

    /// A watch and the exit rule it is turned into, with the letters in another order.
    func testWatchAndItsExitRule() {
        let found = codes(lint("-w /etc/hosts -p wa -k net\n-a always,exit -F path=/etc/hosts -F perm=aw -k net\n"), "AUR005")
        XCTAssertEqual(found.count, 1)
    }

    /// A line the loader refuses is not loaded: it repeats nothing and nothing shadows it.
    func testRefusedLineIsNotInTheRuleSet() {
        let text = "-a always,exit -F arch=b32 -S all -k x\n-a always,exit -F arch=b32 -S chmod,fchmodat2 -k y\n-a always,exit -F arch=b32 -S chmod,fchmodat2 -k y\n"
        let ds = lint(text, targets: [.x86_64])
        XCTAssertEqual(codes(ds, "AUR502"), [])
        XCTAssertEqual(codes(ds, "AUR005"), [])
        XCTAssertEqual(ds.filter { $0.code == "AUR007" && $0.severity == .error }.map(\.location.line), [2, 3])
        // With a loader that knows fchmodat2, the lines load: line 2 is shadowed by line 1, and
        // line 3 repeats line 2 (the kernel refuses it, so it is in no list to be shadowed).
        let newer = lint(text, targets: [.x86_64], loaders: [.newest])
        XCTAssertEqual(newer.filter { $0.code == "AUR502" }.map(\.location.line), [2])
        XCTAssertEqual(newer.filter { $0.code == "AUR005" }.map(\.location.line), [3])
    }

    /// The verdicts name each (machine, ABI, loader) once, whatever the order of the targets.
    func testLoaderVerdictsNameEveryTarget() {
        let ds = lint("-a always,exit -F arch=b64 -S open -k files\n", targets: [.x86_64, .aarch64], loaders: [.v3_0_9, .newest])
        XCTAssertEqual(codes(ds, "AUR007"), ["1:31 auditctl refuses syscall 'open' (\"Syscall name unknown\") on aarch64 with audit 3.0.9, aarch64 with audit \(AuditVersion.newest) (aarch64 has openat, openat2)"])
    }

    /// A finding that holds with one loader only is named with it: the targets are (loader,
    /// machine) pairs, not machines. 3.0.9 refuses fchmodat2, so only the newest release loads
    /// line 3, which repeats line 2.
    func testPerTargetFindingsNameTheLoader() {
        let text = "-a always,exit -F arch=b64 -S chmod,fchmodat2 -k y\n-a always,exit -F arch=b64 -S chmod,fchmodat2 -k y\n"
        let both = lint(text, targets: [.x86_64, .aarch64], loaders: [.v3_0_9, .newest])
        XCTAssertEqual(codes(both, "AUR005"), ["2:1 this rule equals the one on line 1; the kernel refuses it (Rule exists) (on x86_64 with audit \(AuditVersion.newest))"])
        // With every loader loading it on x86_64 only, the machine alone is named.
        let dup = "-a always,exit -S open -k f\n-a always,exit -S 2 -k f\n"
        XCTAssertEqual(codes(lint(dup, targets: [.x86_64, .aarch64], loaders: [.v3_0_9, .newest]), "AUR005"),
                       ["2:1 this rule equals the one on line 1; the kernel refuses it (Rule exists) (on x86_64)"])
        // Every target: no list.
        XCTAssertEqual(codes(lint(dup, targets: [.x86_64], loaders: [.v3_0_9, .newest]), "AUR005"),
                       ["2:1 this rule equals the one on line 1; the kernel refuses it (Rule exists)"])
    }

    /// A name one loader refuses and another takes on an ABI whose kernel lacks it: both facts,
    /// the error for the refusing loader and the warning for the kernel table.
    func testRefusedAndMissingAreBothReported() {
        let ds = lint("-a always,exit -F arch=b64 -S fchmodat2 -k f\n", targets: [.x86_64], loaders: [.v3_0_9, .newest], kernel: KernelVersion(6, 1))
        let found = ds.filter { $0.code == "AUR007" }.map { "\($0.severity) \($0.message)" }
        XCTAssertEqual(found.count, 2, "\(found)")
        XCTAssertTrue(found.contains { $0.hasPrefix("error auditctl refuses syscall 'fchmodat2'") && $0.contains("x86_64 with audit 3.0.9") }, "\(found)")
        XCTAssertTrue(found.contains { $0.hasPrefix("warning syscall 'fchmodat2' does not exist on x86_64 at kernel 6.1") }, "\(found)")
        // Only the refusal where the kernel has the syscall.
        let newer = lint("-a always,exit -F arch=b64 -S fchmodat2 -k f\n", targets: [.x86_64], loaders: [.v3_0_9, .newest], kernel: KernelVersion(6, 6))
        XCTAssertEqual(newer.filter { $0.code == "AUR007" }.map(\.severity), [.error])
    }
}
