#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

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
    /// Byte-level: table parsing calls it at every `aurules syscall` start.
    public init?(_ text: String) {
        var text = text
        let parsed: (Int, Int, Int?)? = text.withUTF8 { b in
            var i = b.first == UInt8(ascii: "v") ? 1 : 0
            var parts = (0, 0), count = 0, current = -1
            while i < b.count {
                let c = b[i]
                if c >= 0x30 && c <= 0x39 {
                    guard current < 100_000 else { return nil }
                    current = max(current, 0) * 10 + Int(c - 0x30)
                } else if c == UInt8(ascii: ".") {
                    guard current >= 0 else { return nil }
                    if count == 0 { parts.0 = current } else if count == 1 { parts.1 = current }
                    count += 1
                    current = -1
                } else {
                    break
                }
                i += 1
            }
            if current >= 0 {
                if count == 0 { parts.0 = current } else if count == 1 { parts.1 = current }
                count += 1
            }
            guard count >= 2 else { return nil }
            // `-rc<N>` anywhere after the numbers.
            var rc: Int? = nil
            var j = i
            while j + 3 < b.count + 1 {
                if j + 3 <= b.count, b[j] == UInt8(ascii: "-"), b[j + 1] == UInt8(ascii: "r"), b[j + 2] == UInt8(ascii: "c") {
                    var k = j + 3, n = 0
                    while k < b.count, b[k] >= 0x30, b[k] <= 0x39, n < 1_000_000 { n = n * 10 + Int(b[k] - 0x30); k += 1 }
                    guard k > j + 3 else { return nil }
                    rc = n
                    break
                }
                j += 1
            }
            return (parts.0, parts.1, rc)
        }
        guard let parsed else { return nil }
        self.init(parsed.0, parsed.1, rc: parsed.2)
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
