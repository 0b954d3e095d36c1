import Syscalls

/// A two-way name/number table built from `number name` lines. Names compare
/// case-insensitively (ASCII only, as libaudit's generated lookups do); for a number with
/// several names the first line wins when printing.
struct NameNumberTable: Sendable {
    private(set) var numbers: [String: Int64] = [:]
    private(set) var names: [Int64: String] = [:]

    init(_ texts: String...) {
        for text in texts {
            for line in text.split(separator: "\n") {
                let parts = line.split(separator: " ")
                guard parts.count == 2, let n = Int64(parts[0]) else { continue }
                let name = String(parts[1])
                numbers[name.asciiUppercased] = n
                if names[n] == nil { names[n] = name }
            }
        }
    }

    func number(of name: String) -> Int64? { numbers[name.asciiUppercased] }
    func name(of number: Int64) -> String? { names[number] }
}

extension String {
    // Names are usually written in the case the tables use: then the string itself is returned
    // and nothing is allocated.
    var asciiUppercased: String {
        guard utf8.contains(where: { (0x61...0x7a).contains($0) }) else { return self }
        return String(decoding: utf8.map { (0x61...0x7a).contains($0) ? $0 - 0x20 : $0 }, as: UTF8.self)
    }

    var asciiLowercased: String {
        guard utf8.contains(where: { (0x41...0x5a).contains($0) }) else { return self }
        return String(decoding: utf8.map { (0x41...0x5a).contains($0) ? $0 + 0x20 : $0 }, as: UTF8.self)
    }
}

/// Linux errno names (the uapi set libaudit knows, aliases EWOULDBLOCK and EDEADLOCK included).
public enum ErrnoTable {
    private static let table = NameNumberTable(data)

    /// `EACCES` (any case) is 13. No sign handling here: see `FieldValueParser` for `-EACCES`.
    public static func number(of name: String) -> Int32? {
        table.number(of: name).map { Int32($0) }
    }

    /// The name libaudit prints for a positive errno (EAGAIN for 11, EDEADLK for 35).
    public static func name(of number: Int32) -> String? {
        table.name(of: Int64(number))
    }

    /// Every (number, printed name), ascending.
    public static var all: [(number: Int32, name: String)] {
        table.names.keys.sorted().map { (Int32($0), table.names[$0]!) }
    }

    /// Every accepted name (aliases included), upper case.
    public static var allNames: [String] { table.numbers.keys.sorted() }
}

/// Audit message types (`AUDIT_*` record types) by the names ausearch and auditctl use.
public enum MessageTypeTable {
    private static let v42 = NameNumberTable(data309, data42Additions)

    /// A name (any case) as auditctl 3.0.9 knows it.
    public static func number(of name: String) -> UInt32? { number(of: name, version: .v3_0_9) }
    public static func name(of number: UInt32) -> String? { name(of: number, version: .v3_0_9) }

    /// 4.2 also knows the names audit 4.x added (DM_CTRL, DM_EVENT).
    public static func number(of name: String, version: AuditVersion) -> UInt32? {
        guard version.loader.has("msgtype", name) else { return nil }
        return v42.number(of: name).map { UInt32($0) }
    }

    public static func name(of number: UInt32, version: AuditVersion) -> String? {
        guard let name = v42.name(of: Int64(number)), version.loader.has("msgtype", name) else { return nil }
        return name
    }
}

/// `filetype=` values: the S_IFMT bits of stat's st_mode.
public enum FileTypeTable {
    private static let values: [(String, UInt32)] = [
        ("socket", 0o140000), ("link", 0o120000), ("file", 0o100000), ("block", 0o060000),
        ("dir", 0o040000), ("character", 0o020000), ("fifo", 0o010000),
    ]

    public static func value(of name: String) -> UInt32? {
        let n = name.asciiLowercased
        return values.first { $0.0 == n }?.1
    }

    public static func name(of value: UInt32) -> String? {
        values.first { $0.1 == value }?.0
    }
}

/// `fstype=` names: the file system magic numbers auditctl knows by name (4.2 adds the cgroups).
public enum FileSystemTypeTable {
    private static let v309: [(String, UInt32)] = [("tracefs", 0x7472_6163), ("debugfs", 0x6462_6720)]
    private static let v42 = v309 + [("cgroup", 0x0027_e0eb), ("cgroup2", 0x6367_7270)]

    public static func value(of name: String, version: AuditVersion = .v3_0_9) -> UInt32? {
        let n = name.asciiLowercased
        guard version.loader.has("fstype", n) else { return nil }
        return v42.first { $0.0 == n }?.1
    }

    public static func name(of value: UInt32, version: AuditVersion = .v3_0_9) -> String? {
        guard let n = v42.first(where: { $0.1 == value })?.0, version.loader.has("fstype", n) else { return nil }
        return n
    }
}
