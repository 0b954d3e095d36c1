/// An audit-userspace release whose auditctl/libaudit loads the rules: one of the releases whose
/// facts are shipped as data (`SyscallTables/loader-<release>.tsv`, made by `aurules tables loader`).
public struct AuditVersion: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The release as written in the data: `3.0.9`, `4.2.1`.
    public let rawValue: String
    private let parts: [Int]

    private init(release: String) {
        rawValue = release
        // Each non-empty dot-separated field as Int(field) ?? 0, read from the bytes: every
        // start makes every shipped release (`allCases`), and substrings cost a tenth of a lookup.
        var parts: [Int] = [], text = release
        parts.reserveCapacity(4)
        text.withUTF8 { bytes in
            var start = 0
            for i in 0 ... bytes.count where i == bytes.count || bytes[i] == UInt8(ascii: ".") {
                if i > start { parts.append(TableText.decimal(UnsafeBufferPointer(rebasing: bytes[start ..< i])) ?? 0) }
                start = i + 1
            }
        }
        self.parts = parts
    }

    /// Calls `body` with each dot-separated field of `text`, empty ones included, until it returns
    /// false. (Not `split`: its array of substrings is a generic type the runtime instantiates on
    /// first use, which every `aurules syscall` start paid for.)
    private static func forEachField(_ text: Substring, _ body: (Substring) -> Bool) {
        var rest = text
        while true {
            let end = rest.firstIndex(of: ".") ?? rest.endIndex
            guard body(rest[..<end]), end < rest.endIndex else { return }
            rest = rest[rest.index(after: end)...]
        }
    }

    public var description: String { rawValue }
    public var major: Int { parts.first ?? 0 }

    public static func < (a: AuditVersion, b: AuditVersion) -> Bool { a.parts.lexicographicallyPrecedes(b.parts) }

    /// Every release with shipped loader data, oldest first.
    public static let allCases: [AuditVersion] = EmbeddedTables.fileNames.compactMap { name -> AuditVersion? in
        // `loader-<release>.tsv`, compared as bytes (the names are ASCII).
        var name = name
        return name.withUTF8 { bytes -> AuditVersion? in
            let (prefix, suffix) = ("loader-".utf8, ".tsv".utf8)
            guard bytes.count >= prefix.count + suffix.count, bytes.starts(with: prefix),
                  bytes[(bytes.count - suffix.count)...].elementsEqual(suffix) else { return nil }
            return AuditVersion(release: String(decoding: bytes[prefix.count ..< bytes.count - suffix.count], as: UTF8.self))
        }
    }.sorted()

    /// Debian 12's release, the oracle installed here.
    public static let v3_0_9 = AuditVersion(release: "3.0.9")
    /// The newest 4.2 release with data.
    public static let v4_2 = AuditVersion(release: "4.2.1")
    public static var newest: AuditVersion { allCases.last ?? v4_2 }

    /// Exactly a shipped release.
    public init?(rawValue: String) {
        guard let v = Self.allCases.first(where: { $0.rawValue == rawValue }) else { return nil }
        self = v
    }

    /// `--audit-version` and the installed package's version: an exact release (`3.0.9`, `v3.0.9`);
    /// a prefix names its newest release (`3` -> 3.1.2, `4.1` -> 4.1.4, `4.2` -> 4.2.1); any other
    /// release of a known major version takes the data of the newest shipped release not newer
    /// than it (3.0.8 -> 3.0.7, 3.1.4 -> 3.1.2): names and arches only change at releases that
    /// are shipped. nil for an older release than the oldest shipped, or text that is no release.
    public init?(loose text: String) {
        var s = Substring(text)
        if s.hasPrefix("v") { s = s.dropFirst() }
        var wanted: [Int] = [], valid = true
        Self.forEachField(s) { field in
            guard !field.isEmpty, field.allSatisfy(\.isASCII), let number = Int(field) else { valid = false; return false }
            wanted.append(number)
            return true
        }
        guard valid, wanted.count <= 4 else { return nil }
        if let exact = Self.allCases.first(where: { $0.parts == wanted }) { self = exact; return }
        if let prefixed = Self.allCases.last(where: { $0.parts.starts(with: wanted) }) { self = prefixed; return }
        guard let floor = Self.allCases.last(where: { $0.major == wanted[0] && !wanted.lexicographicallyPrecedes($0.parts) }) else { return nil }
        self = floor
    }

    /// The shipped releases, for messages: "2.8.5, 3.0, ..., 4.2.1".
    public static var knownList: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// The audit 4 family: perm expanded into syscalls by auditctl, 4.x's exclude-list fields and
    /// listing spellings. (Behaviour that changed inside a major series is read from the data.)
    public var isAudit4: Bool { major >= 4 }

    /// What this release's libaudit and auditctl accept.
    public var loader: LoaderFacts { LoaderFacts.shipped(self) }
}
