import Syscalls
import XCTest
@testable import AuditRules

final class FieldValueParserTests: XCTestCase {
    private let users = StaticUserResolver(users: ["root": 0, "alice": 1000], groups: ["root": 0, "wheel": 10])

    private func parse(_ name: String, _ op: FieldOperator, _ raw: RulesText, list: FilterList = .exit,
                       resolver: (any UserResolver)? = nil, auditVersion: AuditVersion = .v3_0_9) -> Result<FieldValue, FieldValueError> {
        let spec = FieldTable.spec(named: name)!
        return FieldValueParser(resolver: resolver ?? users, auditVersion: auditVersion).parse(spec, op: op, raw: raw, list: list)
    }

    private func value(_ name: String, _ op: FieldOperator, _ raw: RulesText, list: FilterList = .exit) -> FieldValue? {
        try? parse(name, op, raw, list: list).get()
    }

    private func value(_ name: String, _ raw: RulesText, list: FilterList = .exit) -> FieldValue? {
        value(name, .equal, raw, list: list)
    }

    private func error(_ name: String, _ op: FieldOperator, _ raw: RulesText, list: FilterList = .exit) -> FieldValueError? {
        if case .failure(let e) = parse(name, op, raw, list: list) { return e }
        return nil
    }

    private func error(_ name: String, _ raw: RulesText, list: FilterList = .exit) -> FieldValueError? {
        error(name, .equal, raw, list: list)
    }

    func testUIDs() {
        XCTAssertEqual(value("uid", "0"), .number(0))
        XCTAssertEqual(value("uid", "0x10"), .number(16))
        XCTAssertEqual(value("uid", "010"), .number(8))
        XCTAssertEqual(value("uid", "12abc"), .number(12))
        XCTAssertEqual(value("uid", "4294967296"), .number(0))
        XCTAssertEqual(value("uid", "-2"), .number(0xFFFF_FFFE))
        XCTAssertEqual(value("uid", "alice"), .number(1000))
        XCTAssertEqual(value("auid", "unset"), .number(0xFFFF_FFFF))
        XCTAssertEqual(value("auid", .notEqual, "-1"), .number(0xFFFF_FFFF))
        XCTAssertEqual(value("loginuid", .greaterOrEqual, "1000"), .number(1000))
        XCTAssertEqual(error("uid", "bob"), FieldValueError("Unknown user: bob", hostDependent: true))
        XCTAssertEqual(error("uid", "Unset")?.message, "Unknown user: Unset")
        XCTAssertNotNil(error("uid", "-1"))
        XCTAssertNotNil(error("euid", "unset"))
        XCTAssertNotNil(error("uid", "4294967295"))
        XCTAssertNotNil(error("auid", .greaterOrEqual, "unset"))
        XCTAssertNotNil(error("uid", .bitMask, "1"))
        XCTAssertEqual(try FieldValueParser(resolver: nil).parse(FieldTable.spec(named: "uid")!, op: .equal, raw: "bob",
                                                                 list: .exit).get(), .userName("bob"))
    }

    func testGIDs() {
        XCTAssertEqual(value("gid", "wheel"), .number(10))
        XCTAssertEqual(value("egid", "0x0"), .number(0))
        XCTAssertEqual(error("gid", "unset"), FieldValueError("Unknown group: unset"))
        XCTAssertEqual(error("gid", "-1"), FieldValueError("Unknown group: -1"))
        XCTAssertEqual(error("gid", "staff"), FieldValueError("Unknown group: staff", hostDependent: true))
        XCTAssertNotNil(error("gid", "4294967295"))
        XCTAssertEqual(try FieldValueParser(resolver: nil).parse(FieldTable.spec(named: "gid")!, op: .equal, raw: "staff",
                                                                 list: .exit).get(), .groupName("staff"))
    }

    func testExit() {
        XCTAssertEqual(value("exit", "-EACCES"), .number(UInt32(bitPattern: -13)))
        XCTAssertEqual(value("exit", "EACCES"), .number(13))
        XCTAssertEqual(value("exit", "-eperm"), .number(UInt32(bitPattern: -1)))
        XCTAssertEqual(value("exit", "-13"), .number(UInt32(bitPattern: -13)))
        XCTAssertEqual(value("exit", "EWOULDBLOCK"), .number(11))
        XCTAssertEqual(error("exit", "-EFOO")?.message, "-F unknown errno - exit")
        XCTAssertEqual(error("exit", "-")?.message, "-F unknown errno - exit")
        XCTAssertEqual(error("exit", "-EACCES", list: .task)?.message, "exit can only be used with exit filter list")
        XCTAssertNotNil(error("exit", .bitTest, "1"))
    }

    func testNumbers() {
        XCTAssertEqual(value("pid", "123"), .number(123))
        XCTAssertEqual(error("pid", "-1")?.message, "-F value should be number for pid")
        XCTAssertEqual(value("a0", "-1"), .number(0xFFFF_FFFF))
        XCTAssertEqual(value("a1", .bitMask, "0x80"), .number(0x80))
        XCTAssertEqual(error("a0", "abc")?.message, "-F value should be number for a0")
        XCTAssertEqual(value("inode", "4294967297"), .number(1))
        XCTAssertEqual(error("inode", .greaterThan, "5")?.message, "inode only takes = or != operators")
        XCTAssertEqual(value("saddr_fam", "abc"), .number(0))
        XCTAssertEqual(error("saddr_fam", "99")?.message, "value is too large for field: saddr_fam")
        XCTAssertEqual(value("sessionid", "abc"), .number(0))
        XCTAssertEqual(value("sessionid", .notEqual, "unset"), .number(0xFFFF_FFFF))
        XCTAssertEqual(error("ppid", "1", list: .task)?.message, "ppid can only be used with exit filter list")
        XCTAssertEqual(value("field_compare", "26"), .number(26))
        XCTAssertEqual(value("field_compare", "11"), .number(11))
    }

    func testMessageTypes() {
        XCTAssertEqual(value("msgtype", "CONFIG_CHANGE", list: .exclude), .number(1305))
        XCTAssertEqual(value("msgtype", "avc", list: .user), .number(1400))
        XCTAssertEqual(value("msgtype", "1305", list: .exclude), .number(1305))
        XCTAssertEqual(value("msgtype", "UNKNOWN[1338]", list: .exclude), .number(1338))
        XCTAssertEqual(error("msgtype", "DM_CTRL", list: .exclude)?.message, "-F unknown message type - msgtype")
        XCTAssertEqual(try parse("msgtype", .equal, "DM_CTRL", list: .exclude, auditVersion: .v4_2).get(), .number(1338))
        XCTAssertEqual(error("msgtype", "AVC", list: .exit)?.message,
                       "msgtype field can only be used with exclude or user filter list")
    }

    func testFileTypesPermsAndStrings() {
        XCTAssertEqual(value("filetype", "file"), .number(32768))
        XCTAssertEqual(error("filetype", "32768")?.message, "-F unknown file type - filetype")
        XCTAssertEqual(value("perm", "wa"), .permissions(Permissions(rawValue: 10)))
        XCTAssertEqual(value("perm", "RWXA"), .permissions(Permissions(rawValue: 15)))
        XCTAssertEqual(error("perm", "rq")?.message, "Permission can only contain 'rwxa'")
        XCTAssertEqual(error("perm", "rwxar")?.message, "String value too long")
        XCTAssertEqual(error("perm", .notEqual, "r")?.message, "perm only takes = operator")
        XCTAssertEqual(value("path", "/etc/shadow"), .string("/etc/shadow"))
        XCTAssertNotNil(error("path", "etc/shadow"))
        XCTAssertNotNil(error("path", "/etc/"))
        XCTAssertEqual(value("dir", "/etc/"), .string("/etc/"))
        XCTAssertNotNil(error("path", .notEqual, "/etc/shadow"))
        XCTAssertEqual(error("path", "/x", list: .task)?.message, "path can only be used with exit filter list")
        XCTAssertEqual(value("exe", .notEqual, "/usr/bin/ls", list: .exclude), .string("/usr/bin/ls"))
        XCTAssertEqual(error("exe", .greaterThan, "/x")?.message, "exe only takes = or != operators")
        XCTAssertNotNil(error("exe", "ls"))
        XCTAssertNotNil(error("exe", "/usr/bin/"))
        XCTAssertEqual(error("path", RulesText("/" + String(repeating: "a", count: 4096)))?.message, "String value too long")
        XCTAssertNotNil(value("key", RulesText(String(repeating: "k", count: 256))))
        XCTAssertNotNil(error("key", RulesText(String(repeating: "k", count: 257))))
        XCTAssertEqual(value("fstype", "debugfs", list: .filesystem), .number(0x6462_6720))
        XCTAssertEqual(value("fstype", "0x01021994", list: .filesystem), .number(0x0102_1994))
        XCTAssertEqual(error("fstype", "ext9", list: .filesystem)?.message, "file system type is unknown for field: fstype")
        XCTAssertEqual(error("fstype", "debugfs")?.message, "fstype field is not valid for the filter")
    }

    func testArch() {
        XCTAssertEqual(value("arch", "b64"), .arch(.b64))
        XCTAssertEqual(value("arch", .notEqual, "B32"), .arch(.b32))
        XCTAssertEqual(value("arch", "i686"), .arch(.machine(.i386)))
        XCTAssertEqual(value("arch", "armv7l"), .arch(.machine(.arm)))
        XCTAssertEqual(value("arch", "armv8l"), .arch(.machine(.aarch64)))
        XCTAssertEqual(value("arch", "ppc64le"), .arch(.machine(.ppc64le)))
        XCTAssertEqual(value("arch", "0xc000003e"), .arch(.raw(0xc000_003e)))
        XCTAssertEqual(value("arch", "c000003e"), .arch(.raw(0xc000_003e)))
        XCTAssertEqual(value("arch", "3221225534"), .arch(.raw(0xc000_003e)))
        XCTAssertEqual(error("arch", "riscv64")?.message, "arch elf mapping not found")
        XCTAssertEqual(try parse("arch", .equal, "riscv64", auditVersion: .v4_2).get(), .arch(.machine(.riscv64)))
        XCTAssertEqual(error("arch", "0x3e")?.message, "arch elf mapping not found")
        XCTAssertEqual(error("arch", .greaterThan, "b64")?.message, "arch only takes = or != operators")
    }

    func testAudit4Differences() {
        XCTAssertNotNil(error("euid", "0", list: .exclude))
        XCTAssertEqual(try parse("euid", .equal, "0", list: .exclude, auditVersion: .v4_2).get(), .number(0))
        XCTAssertEqual(try parse("perm", .equal, "wa", list: .exclude, auditVersion: .v4_2).get(), .permissions(Permissions(rawValue: 10)))
        XCTAssertNotNil(try? parse("sessionid", .equal, "1", list: .exclude, auditVersion: .v4_2).get())
        XCTAssertNil(try? parse("path", .equal, "/etc/passwd", list: .exclude, auditVersion: .v4_2).get())
        XCTAssertEqual(try parse("fstype", .equal, "cgroup2", list: .filesystem, auditVersion: .v4_2).get(), .number(0x6367_7270))
        XCTAssertNil(try? parse("fstype", .equal, "cgroup2", list: .filesystem).get())
    }

    func testListRules() {
        XCTAssertEqual(error("euid", "0", list: .exclude)?.message,
                       "Only msgtype, *uid, *gid, pid, and subj* fields can be used with exclude filter")
        XCTAssertNotNil(value("uid", "0", list: .exclude))
        XCTAssertNotNil(error("uid", "0", list: .filesystem))
        XCTAssertNotNil(value("key", "k", list: .filesystem))
        XCTAssertEqual(error("uid", "", list: .exit)?.message, "-F missing value after operation for uid")
    }

    func testHostUserResolverReadsFiles() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("aurules-fields-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let passwd = dir.appendingPathComponent("passwd").path
        let group = dir.appendingPathComponent("group").path
        try "root:x:0:0:root:/root:/bin/bash\n+nis::::::\nbob:x:1001:1001::/home/bob:/bin/sh\nbob:x:7:7::/:/bin/sh\nbad:x:zz:1::/:\n"
            .write(toFile: passwd, atomically: true, encoding: .utf8)
        try "root:x:0:\nstaff:x:50:bob\n".write(toFile: group, atomically: true, encoding: .utf8)
        let r = HostUserResolver(passwdPath: passwd, groupPath: group)
        XCTAssertEqual(r.uid(named: "bob"), 1001)
        XCTAssertEqual(r.uid(named: "root"), 0)
        XCTAssertNil(r.uid(named: "bad"))
        XCTAssertNil(r.uid(named: "+nis"))
        XCTAssertEqual(r.gid(named: "staff"), 50)
        XCTAssertNil(HostUserResolver(passwdPath: "/nonexistent", groupPath: "/nonexistent").uid(named: "root"))
    }

    /// On a host whose users live in files, the resolvers agree on every name there (the static
    /// build's files-then-getent resolver, without getent, is its files half).
    func testSystemResolverAgreesWithTheFiles() throws {
        let files = HostUserResolver()
        let filesHalf = FilesThenGetentUserResolver(getent: [])
        let system = SystemUserResolver()
        let passwd = (try? String(contentsOfFile: "/etc/passwd", encoding: .utf8)) ?? ""
        let names = passwd.split(separator: "\n").compactMap { $0.split(separator: ":").first.map(String.init) }
        XCTAssertFalse(names.isEmpty)
        for name in names where !name.hasPrefix("+") && !name.hasPrefix("-") {
            XCTAssertEqual(system.uid(named: RulesText(name)), files.uid(named: RulesText(name)), name)
            XCTAssertEqual(system.uid(named: RulesText(name)), filesHalf.uid(named: RulesText(name)), name)
        }
        XCTAssertEqual(system.gid(named: "root"), 0)
        XCTAssertNil(system.uid(named: "aurules-no-such-user"))
        XCTAssertNil(system.gid(named: "aurules-no-such-group"))
    }
}

final class FieldCNumberTests: XCTestCase {
    func testStrtolSemantics() {
        XCTAssertEqual(CNumber.strtol("0x1F"), 31)
        XCTAssertEqual(CNumber.strtol("0X1f"), 31)
        XCTAssertEqual(CNumber.strtol("017"), 15)
        XCTAssertEqual(CNumber.strtol("08"), 0)
        XCTAssertEqual(CNumber.strtol("0x"), 0)
        XCTAssertEqual(CNumber.strtol("0xg"), 0)
        XCTAssertEqual(CNumber.strtol("  -12z"), -12)
        XCTAssertEqual(CNumber.strtol("99999999999999999999"), Int64.max)
        XCTAssertEqual(CNumber.strtol("-99999999999999999999"), Int64.min)
        XCTAssertEqual(CNumber.strtol("-9223372036854775808"), Int64.min)
        XCTAssertEqual(CNumber.strtoul("-1").value, UInt64.max)
        XCTAssertEqual(CNumber.strtoul("18446744073709551616").overflowed, true)
        XCTAssertEqual(CNumber.strtoul("c000003e", base: 16).value, 0xc000_003e)
        XCTAssertEqual(CNumber.strtoul("0xc000003e", base: 16).value, 0xc000_003e)
        for s in ["0", "1", "-1", "0x7fffffff", "0777", "4294967296", "-4294967297", "123abc", "0x", "+5", " 7", "",
                  "abc", "9223372036854775807", "9223372036854775808", "-9223372036854775809", "0xFFFFFFFFFFFFFFFFF"] {
            XCTAssertEqual(CNumber.strtol(RulesText(s)), Int64(Glibc.strtol(s, nil, 0)), s)
            XCTAssertEqual(CNumber.strtoul(RulesText(s)).value, UInt64(Glibc.strtoul(s, nil, 0)), s)
        }
    }
}
