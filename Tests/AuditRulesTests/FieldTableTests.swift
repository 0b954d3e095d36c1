import CLibAudit
import Syscalls
import XCTest
@testable import AuditRules

/// The field, errno, message type, file type and comparison tables against libaudit's own.
final class FieldTableTests: XCTestCase {
    func testEveryNameMatchesLibaudit() {
        for spec in FieldTable.all {
            for name in [spec.name] + spec.aliases {
                XCTAssertEqual(audit_name_to_field(name), Int32(spec.id), name)
                XCTAssertEqual(audit_name_to_field(name.uppercased()), Int32(spec.id), name.uppercased())
                XCTAssertEqual(FieldTable.spec(named: name.uppercased())?.id, spec.id)
            }
        }
        XCTAssertEqual(FieldTable.spec(named: "LoginUID")?.name, "auid")
        XCTAssertNil(FieldTable.spec(named: "loginuid_set"))
        XCTAssertEqual(audit_name_to_field("loginuid_set"), -1)
    }

    func testEveryLibauditFieldIsInTheTable() {
        var count = 0
        for id in UInt32(0)..<1024 {
            guard let name = audit_field_to_name(Int32(id)) else {
                XCTAssertNil(FieldTable.spec(id: id), "we know field \(id), libaudit does not")
                continue
            }
            count += 1
            XCTAssertEqual(FieldTable.spec(id: id)?.name, String(cString: name), "field \(id)")
        }
        XCTAssertEqual(count, FieldTable.all.count)
    }

    func testFieldIDsMatchTheKernelHeader() {
        let pairs: [(UInt32, Int32)] = [
            (FieldID.pid, AUDIT_PID), (FieldID.uid, AUDIT_UID), (FieldID.euid, AUDIT_EUID), (FieldID.suid, AUDIT_SUID),
            (FieldID.fsuid, AUDIT_FSUID), (FieldID.gid, AUDIT_GID), (FieldID.egid, AUDIT_EGID), (FieldID.sgid, AUDIT_SGID),
            (FieldID.fsgid, AUDIT_FSGID), (FieldID.loginuid, AUDIT_LOGINUID), (FieldID.pers, AUDIT_PERS),
            (FieldID.arch, AUDIT_ARCH), (FieldID.msgtype, AUDIT_MSGTYPE), (FieldID.subjUser, AUDIT_SUBJ_USER),
            (FieldID.subjRole, AUDIT_SUBJ_ROLE), (FieldID.subjType, AUDIT_SUBJ_TYPE), (FieldID.subjSen, AUDIT_SUBJ_SEN),
            (FieldID.subjClr, AUDIT_SUBJ_CLR), (FieldID.ppid, AUDIT_PPID), (FieldID.objUser, AUDIT_OBJ_USER),
            (FieldID.objRole, AUDIT_OBJ_ROLE), (FieldID.objType, AUDIT_OBJ_TYPE), (FieldID.objLevLow, AUDIT_OBJ_LEV_LOW),
            (FieldID.objLevHigh, AUDIT_OBJ_LEV_HIGH), (FieldID.loginuidSet, AUDIT_LOGINUID_SET),
            (FieldID.sessionid, AUDIT_SESSIONID), (FieldID.fstype, AUDIT_FSTYPE), (FieldID.devmajor, AUDIT_DEVMAJOR),
            (FieldID.devminor, AUDIT_DEVMINOR), (FieldID.inode, AUDIT_INODE), (FieldID.exit, AUDIT_EXIT),
            (FieldID.success, AUDIT_SUCCESS), (FieldID.watch, AUDIT_WATCH), (FieldID.perm, AUDIT_PERM),
            (FieldID.dir, AUDIT_DIR), (FieldID.filetype, AUDIT_FILETYPE), (FieldID.objUid, AUDIT_OBJ_UID),
            (FieldID.objGid, AUDIT_OBJ_GID), (FieldID.fieldCompare, AUDIT_FIELD_COMPARE), (FieldID.exe, AUDIT_EXE),
            (FieldID.saddrFam, AUDIT_SADDR_FAM), (FieldID.arg0, AUDIT_ARG0), (FieldID.arg1, AUDIT_ARG0 + 1),
            (FieldID.arg2, AUDIT_ARG0 + 2), (FieldID.arg3, AUDIT_ARG0 + 3), (FieldID.filterkey, AUDIT_FILTERKEY),
        ]
        for (ours, header) in pairs { XCTAssertEqual(ours, UInt32(header)) }
    }

    func testErrnoNamesMatchLibaudit() {
        var seen = 0
        for n in Int32(1)..<4096 {
            let theirs = audit_errno_to_name(n).map { String(cString: $0) }
            XCTAssertEqual(ErrnoTable.name(of: n), theirs, "errno \(n)")
            if let name = theirs {
                seen += 1
                XCTAssertEqual(ErrnoTable.number(of: name), n)
            }
        }
        XCTAssertEqual(seen, 131)
        for name in ErrnoTable.allNames {
            XCTAssertEqual(audit_name_to_errno(name), ErrnoTable.number(of: name), name)
            XCTAssertEqual(audit_name_to_errno(name.lowercased()), ErrnoTable.number(of: name.lowercased()), name)
            XCTAssertEqual(audit_name_to_errno("-" + name), -ErrnoTable.number(of: name)!, name)
        }
        XCTAssertEqual(ErrnoTable.number(of: "EWOULDBLOCK"), 11)
        XCTAssertEqual(ErrnoTable.number(of: "EDEADLOCK"), 35)
        XCTAssertEqual(ErrnoTable.name(of: 11), "EAGAIN")
        XCTAssertNil(ErrnoTable.number(of: "ENOTSUP"))
        XCTAssertEqual(audit_name_to_errno("ENOTSUP"), 0)
    }

    func testMessageTypesMatchLibaudit() {
        var seen = 0
        for n in UInt32(0)..<70000 {
            let theirs = audit_msg_type_to_name(Int32(n)).map { String(cString: $0) }
            XCTAssertEqual(MessageTypeTable.name(of: n), theirs, "type \(n)")
            if let name = theirs {
                seen += 1
                XCTAssertEqual(MessageTypeTable.number(of: name), n)
                XCTAssertEqual(MessageTypeTable.number(of: name.lowercased()).map(Int32.init),
                               audit_name_to_msg_type(name.lowercased()) > 0 ? audit_name_to_msg_type(name.lowercased()) : nil)
            }
        }
        XCTAssertGreaterThan(seen, 190)
        XCTAssertEqual(MessageTypeTable.name(of: 1305), "CONFIG_CHANGE")
        XCTAssertNil(MessageTypeTable.name(of: 1338))
        XCTAssertEqual(MessageTypeTable.name(of: 1338, version: .v4_2), "DM_CTRL")
    }

    func testFileTypesMatchLibaudit() {
        for name in ["file", "dir", "socket", "link", "character", "block", "fifo", "FILE", "Dir", "x", "32768", ""] {
            let theirs = audit_name_to_ftype(name)
            XCTAssertEqual(FileTypeTable.value(of: name).map(Int32.init) ?? -1, theirs, name)
        }
        for v in UInt32(0)..<0o200000 {
            let theirs = audit_ftype_to_name(Int32(v)).map { String(cString: $0) }
            XCTAssertEqual(FileTypeTable.name(of: v), theirs)
        }
        XCTAssertEqual(FileTypeTable.value(of: "file"), 32768)
    }

    func testFileSystemTypesMatchLibaudit() {
        for name in ["tracefs", "debugfs", "TraceFS", "ext4", "proc"] {
            XCTAssertEqual(FileSystemTypeTable.value(of: name).map { Int32(bitPattern: $0) } ?? -1,
                           audit_name_to_fstype(name), name)
        }
        XCTAssertEqual(FileSystemTypeTable.name(of: 0x7472_6163), "tracefs")
    }
}
