@testable import AuditRules
import Syscalls
import XCTest

/// Watches, keys, the simulated rule set (-A, -d, -D, duplicates), settings order, audit 4.x perm.
final class CompilerRuleSetTests: XCTestCase {
    typealias B = RuleBuilder
    let x86 = B.target(.x86_64)

    func testWatchIsPathRuleWithPermAndAllMask() {
        let r = B.compile([B.watch("/etc/passwd", perms: "wa", keys: ["identity", "more"])], for: x86).rules
        XCTAssertEqual(r.count, 1)
        XCTAssertEqual(r[0].list, .exit)
        XCTAssertEqual(r[0].action, .always)
        XCTAssertEqual(r[0].fields, [KernelField(id: FieldID.path, op: .equal, string: "/etc/passwd"),
                                     KernelField(id: FieldID.perm, op: .equal, value: 2 | 8),
                                     KernelField(id: FieldID.filterkey, op: .equal, string: "identity\u{01}more")])
        XCTAssertEqual(r[0].mask[63], 0xFFFF)
        XCTAssertNil(r[0].provenance?.abi)
    }

    func testWatchKinds() {
        let auto = B.target(.x86_64, watchKind: .auto)
        XCTAssertEqual(B.compile([B.watch("/etc")], for: auto).rules.first?.fields.first?.id, FieldID.dir)
        XCTAssertEqual(B.compile([B.watch("/etc/hostname")], for: auto).rules.first?.fields.first?.id, FieldID.path)
        XCTAssertEqual(B.compile([B.watch("/etc")], for: B.target(.x86_64, watchKind: .path)).rules.first?.fields.first?.id, FieldID.path)
        XCTAssertEqual(B.compile([B.watch("/nonexistent/x")], for: B.target(.x86_64, watchKind: .dir)).rules.first?.fields.first?.id, FieldID.dir)
        // No -p: all four permissions.
        XCTAssertEqual(B.compile([B.watch("/etc/hosts")], for: x86).rules.first?.fields[1].value, 15)
    }

    func testWatchWithFieldsKeepsWatchFieldsFirst() {
        let w = B.watch("/etc/shadow", perms: "r", keys: ["k"], fields: [B.field("auid", .notEqual, .number(.max))])
        let r = B.compile([w], for: x86).rules
        XCTAssertEqual(r.first?.fields.map(\.id), [FieldID.path, FieldID.perm, 9, FieldID.filterkey])
    }

    func testDuplicatesSkippedDeletesAndPrepends() {
        let stmts = [
            B.rule(syscalls: [.name("open")], keys: ["a"], line: 1),
            B.rule(syscalls: [.name("open")], fields: [B.field("arch", .equal, .arch(.b64))], keys: ["a"], line: 2),
            B.rule(.prepend, syscalls: [.name("unlink")], fields: [B.field("arch", .equal, .arch(.b64))], line: 3),
            B.rule(.delete, syscalls: [.name("open")], keys: ["a"], line: 4),
            B.rule(syscalls: [.name("execve")], fields: [B.field("arch", .equal, .arch(.b32))], line: 5),
            B.watch("/etc/hosts", line: 6),
            B.watch("/etc/hosts", remove: true, line: 7),
            B.rule(.delete, syscalls: [.name("kill")], fields: [B.field("arch", .equal, .arch(.b64))], line: 8),
        ]
        let result = B.compile(stmts, for: x86)
        XCTAssertEqual(result.rules.map { $0.provenance!.line }, [3, 5])
        XCTAssertTrue(result.diagnostics.contains { $0.location.line == 2 && $0.message.contains("t.rules:1") })
        XCTAssertTrue(result.diagnostics.contains { $0.location.line == 8 && $0.message.contains("No rule matches") })
        XCTAssertFalse(result.hasErrors)
    }

    func testDeleteAllAndDeleteByKey() {
        let del: (RulesText?) -> Statement = { key in
            Statement(kind: .deleteAll(key: key.map { Located($0, at: B.loc()) }), location: B.loc(), text: "-D")
        }
        let stmts = [B.watch("/etc/a", keys: ["x"], line: 1), del(nil), B.watch("/etc/b", keys: ["keep"], line: 3),
                     B.watch("/etc/c", keys: ["dropme"], line: 4), del("drop"), B.watch("/etc/d", line: 6)]
        let result = B.compile(stmts, for: x86)
        XCTAssertTrue(result.deleteAll)
        XCTAssertEqual(result.deleteKeys.map(\.value), ["drop"])
        XCTAssertEqual(result.rules.map { $0.provenance!.line }, [3, 6])
    }

    func testSettingsInAugenrulesOrder() {
        func s(_ setting: Setting, _ line: Int) -> Statement {
            Statement(kind: .setting(setting), location: B.loc(line), text: RulesText("s\(line)"))
        }
        let result = B.compile([s(.enabled(1), 1), s(.backlogLimit(10), 2), s(.rateLimit(5), 3), s(.failureMode(1), 4),
                                s(.backlogLimit(8192), 5), s(.enabled(0), 6), s(.backlogWaitTime(60000), 7)], for: x86)
        XCTAssertEqual(result.settings.map(\.setting), [.backlogLimit(8192), .failureMode(1), .rateLimit(5), .backlogWaitTime(60000), .enabled(0)])
    }

    func testAudit4PermAddsSyscallsOnlyWithArch() throws {
        let x = try CompilerExpansionTests.headerNumbers(.x86_64)
        let withArch = B.rule(fields: [B.field("arch", .equal, .arch(.b64)), B.field("path", .equal, .string("/etc/shadow")),
                                       B.field("perm", .equal, .permissions(Permissions(rawValue: 1)))])
        let v4 = B.target(.x86_64, audit: .v4_2)
        XCTAssertEqual(B.compile([withArch], for: v4).rules.first?.mask, B.mask([x["execve"]!, x["execveat"]!]))
        XCTAssertEqual(B.compile([withArch], for: x86).rules.first?.mask[0], .max, "audit 3.x: all syscalls")
        let noArch = B.rule(fields: [B.field("path", .equal, .string("/etc/shadow")), B.field("perm", .equal, .permissions(Permissions(rawValue: 1)))])
        XCTAssertEqual(B.compile([noArch], for: v4).rules.first?.mask[0], .max, "no arch: audit 4.x keeps all")
        // An arch-less syscall rule gets its arch first, so perm expands on each ABI.
        let i = try CompilerExpansionTests.headerNumbers(.i386)
        let expanded = B.compile([B.rule(syscalls: [.name("chmod")], fields: [B.field("perm", .equal, .permissions(Permissions(rawValue: 1)))])], for: v4).rules
        XCTAssertEqual(expanded.map(\.mask), [B.mask([x["chmod"]!, x["execve"]!, x["execveat"]!]),
                                              B.mask([i["chmod"]!, i["execve"]!, i["execveat"]!])])
    }

    func testTooManyFieldsAfterAddingArch() {
        let fields = (0 ..< 61).map { _ in B.field("uid", .equal, .number(0)) }
        let ok = B.compile([B.rule(syscalls: [.name("read")], fields: fields, keys: ["k"])], for: x86)
        XCTAssertFalse(ok.hasErrors, "61 + arch + key = 63")
        let tooMany = B.compile([B.rule(syscalls: [.name("read")], fields: fields + [B.field("gid", .equal, .number(0))], keys: ["k"])], for: x86)
        XCTAssertTrue(tooMany.hasErrors)
    }

    func testUnresolvedUserWithoutResolverIsAnError() {
        var t = x86
        t.resolver = nil
        let r = B.compile([B.rule(syscalls: [.all], fields: [B.field("uid", .equal, .userName("root"))])], for: t)
        XCTAssertTrue(r.hasErrors)
        XCTAssertTrue(r.diagnostics[0].message.contains("--no-resolve"))
        let resolved = B.compile([B.rule(syscalls: [.all], fields: [B.field("uid", .equal, .userName("root"))])], for: x86)
        XCTAssertEqual(resolved.rules.first?.fields.first?.value, 0)
    }
}
