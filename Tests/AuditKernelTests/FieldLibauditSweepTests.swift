import CLibAudit
import XCTest
@testable import AuditRules

/// Every field x list x operator x value of a corpus through libaudit's -F parser (what
/// auditctl 3.0.9 runs) and through ours. libaudit refuses: we refuse. libaudit accepts: we
/// send the same value, or we refuse for a reason the kernel refuses it for (those are
/// checked against the kernel itself in AuditKernelTests/FieldKernelTests).
final class FieldLibauditSweepTests: XCTestCase {
    static let values = [
        "0", "1", "7", "1000", "0x10", "010", "08", "12abc", "4294967295", "4294967296", "-1", "-13", "-", "unset",
        "root", "daemon", "nosuchuser-x", "EACCES", "-EACCES", "eperm", "-ENOENT", "EFOO", "CONFIG_CHANGE", "avc", "1305",
        "UNKNOWN[1338]", "file", "dir", "fifo", "r", "wa", "RWXA", "rq", "rwxar", "b64", "b32", "x86_64", "i686", "armv7l",
        "aarch64", "ppc64le", "s390", "riscv64", "0xc000003e", "c000003e", "3221225534", "0x3e", "/etc/passwd", "/etc/",
        "etc", "tracefs", "debugfs", "0x74726163", "abc", "45", "46", "99",
    ]
    static let lists: [FilterList] = [.user, .task, .exit, .exclude, .filesystem]

    /// The refusals we make on the kernel's behalf (libaudit lets these through).
    static func isKernelRefusal(_ e: FieldValueError) -> Bool {
        e.message.contains("kernel")
    }

    func testSweepAgainstLibaudit() throws {
        let needed = UInt32(AUDIT_FEATURE_BITMAP_EXCLUDE_EXTEND | AUDIT_FEATURE_BITMAP_EXECUTABLE_PATH
                            | AUDIT_FEATURE_BITMAP_SESSIONID_FILTER | AUDIT_FEATURE_BITMAP_FILTER_FS)
        guard audit_get_features() & needed == needed else {
            print("skipping libaudit sweep: libaudit cannot read the kernel's audit features (not root?)")
            throw XCTSkip("libaudit cannot read the kernel's audit features")
        }
        let parser = FieldValueParser(resolver: HostUserResolver())
        var agreed = 0, kernelOnly = 0
        var problems: [String] = []
        let names = FieldTable.all.map(\.name) + ["loginuid"]
        for name in names {
            let spec = FieldTable.spec(named: name)!
            for list in Self.lists {
                // Keys reach the kernel through auditctl's -k path, which has no exclude-list
                // check; only the odd `-F KEY=x` spelling goes through libaudit's field parser.
                if spec.id == FieldID.key && list == .exclude { continue }
                for op in FieldOperator.allCases {
                    for raw in Self.values {
                        let pair = "\(name)\(op.rawValue)\(raw)"
                        let theirs = FieldLibauditOracle.parse(pair, list: list, syscallAdded: spec.id != FieldID.arch)
                        let ours = parser.parse(spec, op: op, raw: RulesText(raw), list: list)
                        switch (theirs, ours) {
                        case (.rejected, .failure):
                            agreed += 1
                        case (.rejected(let code), .success(let v)):
                            problems.append("\(list.rawValue): \(pair): libaudit refuses (\(code)), we accept \(v)")
                        case (.accepted, .failure(let e)):
                            if Self.isKernelRefusal(e) { kernelOnly += 1 } else {
                                problems.append("\(list.rawValue): \(pair): libaudit accepts, we refuse: \(e.message)")
                            }
                        case (.accepted(let field, let fop, let value, let string), .success(let v)):
                            let mine = Self.kernelValue(v)
                            if field != spec.id || fop != op.kernelValue || mine?.0 != value || mine?.1 != string.map({ RulesText($0) }) {
                                problems.append("\(list.rawValue): \(pair): libaudit sends \(value) \(string ?? ""), we \(v)")
                            } else {
                                agreed += 1
                            }
                        }
                    }
                }
            }
        }
        print("field sweep: \(agreed) agreements with libaudit, \(kernelOnly) refused on the kernel's behalf, \(problems.count) disagreements")
        for p in problems.prefix(40) { print("  " + p) }
        XCTAssertEqual(problems.count, 0, "disagreements with libaudit")
        XCTAssertGreaterThan(agreed, 50_000)
    }

    /// What goes into `values[i]` (and the string buffer) on this x86_64 host.
    static func kernelValue(_ v: FieldValue) -> (UInt32, RulesText?)? {
        switch v {
        case .number(let n), .comparison(let n): return (n, nil)
        case .permissions(let p): return (p.rawValue, nil)
        case .string(let s): return (UInt32(s.count), s)
        case .arch(.b64): return (0xc000_003e, nil)
        case .arch(.b32): return (0x4000_0003, nil)
        case .arch(.raw(let n)): return (n, nil)
        case .arch(.machine(let m)):
            guard let abi = m.b64 ?? m.b32 else { return nil }
            return (m.auditArch(for: m == .i386 || m == .arm || m == .ppc || m == .s390 ? m.b32! : abi), nil)
        case .userName, .groupName: return nil
        }
    }
}
