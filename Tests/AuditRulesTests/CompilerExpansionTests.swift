@testable import AuditRules
import Syscalls
import XCTest

/// Expansion of arch-less syscall rules on every machine, checked against the kernel's own 6.1
/// syscall headers (../shared/syscall-data/derived/headers-6.1-nr).
final class CompilerExpansionTests: XCTestCase {
    typealias B = RuleBuilder

    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let headersDir = packageRoot.appendingPathComponent("../shared/syscall-data/derived/headers-6.1-nr").standardized.path

    /// name -> number for one ABI from the 6.1 headers; skips the calling test when ../shared is absent.
    static func headerNumbers(_ abi: ABI) throws -> [String: Int] {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: headersDir),
                          "\(headersDir) is not available: the kernel's 6.1 headers are the oracle of this test")
        let text = try String(contentsOfFile: "\(headersDir)/\(abi.rawValue).txt", encoding: .utf8)
        var out: [String: Int] = [:]
        for line in text.split(separator: "\n") {
            let cols = line.split(separator: "\t")
            if cols.count >= 2, let n = Int(cols[0]) { out[String(cols[1])] = n }
        }
        return out
    }

    static let names = ["open", "openat", "read", "mmap", "mmap2", "clone", "socketcall", "_llseek", "getdents64",
                        "fork", "chown32", "newfstatat", "fstatat64", "umount2", "renameat"]

    func testArchlessRuleExpandsPerABIOnEveryMachine() throws {
        for machine in Machine.allCases {
            // audit 3.0.9 knows no riscv64: 4.2 loads riscv64 rules.
            let target = B.target(machine, audit: machine == .riscv64 ? .v4_2 : .v3_0_9)
            let abis = target.expansionABIs
            XCTAssertFalse(abis.isEmpty, "\(machine)")
            let stmt = B.rule(syscalls: Self.names.map { .name(RulesText($0)) }, keys: ["k"])
            let result = B.compile([stmt], for: target)
            XCTAssertFalse(result.hasErrors, "\(machine): \(result.diagnostics.map(\.message))")
            var expectedRules = 0
            var ruleIndex = 0
            for abi in abis {
                let header = try Self.headerNumbers(abi)
                // libaudit's spellings count too: its ppc64 table is ppc's (fstatat64 is 291, newfstatat there).
                let number: (String) -> Int? = { name in
                    header[name] ?? LibauditNames.kernelName(name, abi: abi, version: .v3_0_9).flatMap { header[$0] }
                }
                let present = Self.names.compactMap(number)
                let absent = Self.names.filter { number($0) == nil }
                for name in absent {
                    XCTAssertTrue(result.diagnostics.contains { $0.severity == .warning && $0.message.contains("'\(name)'") && $0.message.contains("on \(abi)") },
                                  "\(machine)/\(abi): no warning for dropped \(name)")
                }
                guard !present.isEmpty else { continue }
                expectedRules += 1
                guard ruleIndex < result.rules.count else { XCTFail("\(machine): missing \(abi) rule"); continue }
                let rule = result.rules[ruleIndex]
                ruleIndex += 1
                XCTAssertEqual(rule.mask, B.mask(present), "\(machine)/\(abi) mask")
                XCTAssertEqual(rule.fields.first, KernelField(id: FieldID.arch, op: .equal, value: machine.auditArch(for: abi)))
                XCTAssertEqual(rule.fields.last, KernelField(id: FieldID.filterkey, op: .equal, string: "k"))
                XCTAssertEqual(rule.provenance?.abi, abi)
                XCTAssertEqual(rule.provenance?.line, 1)
            }
            XCTAssertEqual(result.rules.count, expectedRules, "\(machine)")
        }
    }

    func testArchValuesPerMachine() {
        let expected: [Machine: [UInt32]] = [
            .x86_64: [0xc000_003e, 0x4000_0003], .i386: [0x4000_0003], .aarch64: [0xc000_00b7, 0x4000_0028],
            // No audit release takes b32 on ppc64le: no 32-bit copy there.
            .arm: [0x4000_0028], .ppc64le: [0xc000_0015], .ppc64: [0x8000_0015, 0x0000_0014],
            .ppc: [0x0000_0014], .s390x: [0x8000_0016, 0x0000_0016], .s390: [0x0000_0016], .riscv64: [0xc000_00f3],
        ]
        for (machine, values) in expected {
            let result = B.compile([B.rule(syscalls: [.number(0)])], for: B.target(machine, audit: machine == .riscv64 ? .v4_2 : .v3_0_9))
            XCTAssertEqual(result.rules.map { $0.fields[0].value }, values, "\(machine)")
        }
    }

    func testAarch64DropsOpenNamingEquivalents() throws {
        let result = B.compile([B.rule(syscalls: [.name("open")], keys: ["o"])], for: B.target(.aarch64))
        // arm (b32) has open; aarch64 (b64) does not: one rule, one warning naming openat.
        XCTAssertEqual(result.rules.count, 1)
        XCTAssertEqual(result.rules[0].provenance?.abi, .arm)
        let w = result.diagnostics.filter { $0.severity == .warning }
        XCTAssertTrue(w.contains { $0.message.contains("'open'") && $0.message.contains("openat") }, "\(w.map(\.message))")
        XCTAssertTrue(w.contains { $0.message.contains("not emitted") }, "\(w.map(\.message))")
    }

    func testDroppedSyscallReportedOncePerABI() {
        let stmts = (1 ... 5).map { B.rule(syscalls: [.name("open"), .name("openat")], keys: [RulesText("k\($0)")], line: $0) }
        let result = B.compile(stmts, for: B.target(.aarch64))
        let drops = result.diagnostics.filter { $0.message.contains("'open' does not exist on aarch64") }
        XCTAssertEqual(drops.count, 1)
        XCTAssertEqual(drops.first?.location.line, 1)
        XCTAssertEqual(result.rules.count, 10)
    }

    func testExplicitArchKeptInPlaceAndNamesResolvedThere() throws {
        let i386 = try Self.headerNumbers(.i386)
        let stmt = B.rule(syscalls: [.name("open"), .number(2)],
                          fields: [B.field("uid", .equal, .number(0)), B.field("arch", .equal, .arch(.b32))], keys: ["a", "b"])
        let result = B.compile([stmt], for: B.target(.x86_64))
        XCTAssertEqual(result.rules.count, 1)
        let r = result.rules[0]
        XCTAssertEqual(r.fields.map(\.id), [1, FieldID.arch, FieldID.filterkey])
        XCTAssertEqual(r.fields[1].value, 0x4000_0003)
        XCTAssertEqual(r.fields[2].string, "a\u{01}b")
        XCTAssertEqual(r.mask, B.mask([i386["open"]!, 2]))
    }

    func testPpc64leMachineArchValue() {
        let stmt = B.rule(syscalls: [.name("read")], fields: [B.field("arch", .equal, .arch(.machine(.ppc64le)))])
        let result = B.compile([stmt], for: B.target(.ppc64le))
        XCTAssertEqual(result.rules.first?.fields.first?.value, 0xc000_0015)
        XCTAssertEqual(result.rules.first?.provenance?.abi, .ppc64)
    }

    func testLibauditSpellingAccepted() throws {
        let x = try Self.headerNumbers(.x86_64)
        let stmt = B.rule(syscalls: [.name("pread")], fields: [B.field("arch", .equal, .arch(.b64))])
        let result = B.compile([stmt], for: B.target(.x86_64))
        XCTAssertEqual(result.rules.first?.mask, B.mask([x["pread64"]!]), "\(result.diagnostics.map(\.message))")
    }

    func testAllAndNoSyscallStayOneRuleWithoutArch() {
        let all = B.compile([B.rule(syscalls: [.all], fields: [B.field("auid", .notEqual, .number(.max))])], for: B.target(.x86_64))
        XCTAssertEqual(all.rules.count, 1)
        XCTAssertFalse(all.rules[0].fields.contains { $0.id == FieldID.arch })
        XCTAssertEqual(Array(all.rules[0].mask.prefix(63)), [UInt32](repeating: .max, count: 63))
        XCTAssertEqual(all.rules[0].mask[63], 0xFFFF, "the kernel clears the syscall-class bits")
        let task = B.compile([B.rule(list: .task, fields: [B.field("uid", .equal, .number(0))])], for: B.target(.x86_64))
        XCTAssertEqual(task.rules.first?.mask, [UInt32](repeating: 0, count: 64))
        let exclude = B.compile([B.rule(list: .exclude, action: .never, fields: [B.field("msgtype", .equal, .number(1305))])], for: B.target(.x86_64))
        XCTAssertEqual(exclude.rules.first?.mask[0], .max)
    }

    func testNoArchOn32BitMachineForB64() {
        let stmt = B.rule(syscalls: [.name("read")], fields: [B.field("arch", .equal, .arch(.b64))])
        // A statement that asks for events and produces no rule is an error naming the cause...
        let result = B.compile([stmt], for: B.target(.i386))
        XCTAssertTrue(result.rules.isEmpty)
        XCTAssertTrue(result.diagnostics.contains { $0.severity == .warning && $0.message.contains("not emitted") })
        XCTAssertTrue(result.diagnostics.contains { $0.severity == .error && $0.message.contains("no kernel rule for i386 at kernel 6.1 with audit 3.0.9")
            && $0.message.contains("arch=b64") }, "\(result.diagnostics.map(\.message))")
        // ...and a warning when drops are allowed.
        var allowing = B.target(.i386)
        allowing.allowDrops = true
        let allowed = B.compile([stmt], for: allowing)
        XCTAssertFalse(allowed.hasErrors)
        XCTAssertTrue(allowed.diagnostics.contains { $0.severity == .warning && $0.message.contains("--allow-drops") })
    }

    func testS390CompatGoneIn619() {
        let target = B.target(.s390x, kernel: KernelVersion(6, 19))
        XCTAssertEqual(target.expansionABIs, [.s390x])
        XCTAssertEqual(B.compile([B.rule(syscalls: [.name("read")])], for: target).rules.count, 1)
    }
}
