/// `-C left op right`: the kernel stores one AUDIT_COMPARE_* constant per unordered pair of
/// fields, so `-C euid!=uid` and `-C uid!=euid` are the same rule.
public enum ComparisonTable {
    /// Constant number and its two fields in the order of the constant's name, which is the
    /// order `auditctl -l` prints them in.
    private static let pairs: [(UInt32, String, String)] = [
        (1, "uid", "obj_uid"), (2, "gid", "obj_gid"), (3, "euid", "obj_uid"), (4, "egid", "obj_gid"),
        (5, "auid", "obj_uid"), (6, "suid", "obj_uid"), (7, "sgid", "obj_gid"), (8, "fsuid", "obj_uid"),
        (9, "fsgid", "obj_gid"), (10, "uid", "auid"), (11, "uid", "euid"), (12, "uid", "fsuid"),
        (13, "uid", "suid"), (14, "auid", "fsuid"), (15, "auid", "suid"), (16, "auid", "euid"),
        (17, "euid", "suid"), (18, "euid", "fsuid"), (19, "suid", "fsuid"), (20, "gid", "egid"),
        (21, "gid", "fsgid"), (22, "gid", "sgid"), (23, "egid", "fsgid"), (24, "egid", "sgid"),
        (25, "sgid", "fsgid"),
    ]

    /// Field names as auditctl takes them (any case, `loginuid` for auid); nil for pairs
    /// auditctl calls an "incompatible comparison" (mixed uid/gid, a field with itself, ...).
    public static func constant(_ left: String, _ right: String) -> UInt32? {
        guard let l = FieldTable.spec(named: left)?.name, let r = FieldTable.spec(named: right)?.name else {
            return nil
        }
        return pairs.first { ($0.1 == l && $0.2 == r) || ($0.1 == r && $0.2 == l) }?.0
    }

    public static func fields(of constant: UInt32) -> (left: String, right: String)? {
        pairs.first { $0.0 == constant }.map { (left: $0.1, right: $0.2) }
    }
}
