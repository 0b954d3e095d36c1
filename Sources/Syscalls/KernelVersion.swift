import Foundation

/// A kernel release such as `6.1` or `7.2-rc1`. Patch levels are not tracked: syscall tables only
/// change at major.minor releases (and their release candidates).
public struct KernelVersion: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public var major: Int
    public var minor: Int
    /// Release candidate number; nil for a final release. `7.2-rc1` sorts before `7.2`.
    public var rc: Int?

    public init(_ major: Int, _ minor: Int, rc: Int? = nil) {
        self.major = major
        self.minor = minor
        self.rc = rc
    }

    /// Accepts `6.1`, `v6.1`, `6.1.192`, `7.2-rc1`, `6.18.44-fc-v657` (the running kernel's uname -r).
    public init?(_ text: String) {
        var s = Substring(text)
        if s.hasPrefix("v") { s = s.dropFirst() }
        var rc: Int? = nil
        if let r = s.range(of: "-rc") {
            let digits = s[r.upperBound...].prefix(while: { $0.isNumber })
            guard let n = Int(digits) else { return nil }
            rc = n
            s = s[..<r.lowerBound]
        }
        let numeric = s.prefix(while: { $0.isNumber || $0 == "." })
        let parts = numeric.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 2, let ma = Int(parts[0]), let mi = Int(parts[1]) else { return nil }
        self.init(ma, mi, rc: rc)
    }

    public var description: String {
        rc.map { "\(major).\(minor)-rc\($0)" } ?? "\(major).\(minor)"
    }

    public static func < (a: KernelVersion, b: KernelVersion) -> Bool {
        if a.major != b.major { return a.major < b.major }
        if a.minor != b.minor { return a.minor < b.minor }
        switch (a.rc, b.rc) {
        case let (x?, y?): return x < y
        case (.some, nil): return true
        default: return false
        }
    }

    public init(from decoder: Decoder) throws {
        let s = try decoder.singleValueContainer().decode(String.self)
        guard let v = KernelVersion(s) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "bad kernel version \(s)"))
        }
        self = v
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
