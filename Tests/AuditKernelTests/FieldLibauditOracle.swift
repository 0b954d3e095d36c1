import CLibAudit
import Foundation
@testable import AuditRules

/// libaudit's own `-F` parser (audit_rule_fieldpair_data), the code auditctl 3.0.9 runs: the
/// oracle for what auditctl accepts and which value it sends. It does not know what the
/// kernel refuses later (uid=-1, bit operators on ids, relative paths).
enum FieldLibauditOracle {
    enum Verdict: Equatable {
        case accepted(field: UInt32, op: UInt32, value: UInt32, string: String?)
        case rejected(code: Int32)
    }

    /// libaudit's "what came before" flags (-S given, perm/exe given) live in globals that are
    /// not in its header.
    private static func flag(_ name: String) -> UnsafeMutablePointer<Int32>? {
        guard let p = dlsym(nil, name) else { return nil }
        return p.assumingMemoryBound(to: Int32.self)
    }

    private static let lock = NSLock()

    static func parse(_ pair: String, list: FilterList, syscallAdded: Bool = true) -> Verdict {
        lock.lock()
        defer { lock.unlock() }
        for name in ["_audit_syscalladded", "_audit_permadded", "_audit_archadded", "_audit_exeadded",
                     "_audit_filterfsadded", "_audit_elf"] {
            flag(name)?.pointee = 0
        }
        if syscallAdded { flag("_audit_syscalladded")?.pointee = 1 }
        var rule: UnsafeMutablePointer<audit_rule_data>? = audit_rule_create_data()
        defer { free(rule) }
        let copy = strdup(pair)!
        defer { free(copy) }
        let saved = dup(2)
        let null = open("/dev/null", O_WRONLY)
        dup2(null, 2)
        let rc = audit_rule_fieldpair_data(&rule, copy, Int32(list.kernelValue))
        dup2(saved, 2)
        close(null)
        close(saved)
        guard rc == 0, let r = rule else { return .rejected(code: rc) }
        return withUnsafeBytes(of: &r.pointee.fields) { f in
            withUnsafeBytes(of: &r.pointee.values) { v in
                withUnsafeBytes(of: &r.pointee.fieldflags) { o in
                    let field = f.load(as: UInt32.self)
                    let value = v.load(as: UInt32.self)
                    var string: String?
                    if r.pointee.buflen > 0 {
                        let base = UnsafeRawPointer(r).advanced(by: MemoryLayout<audit_rule_data>.size)
                        string = String(decoding: UnsafeRawBufferPointer(start: base, count: Int(value)), as: UTF8.self)
                    }
                    return .accepted(field: field, op: o.load(as: UInt32.self), value: value, string: string)
                }
            }
        }
    }
}
