#if canImport(Glibc)
import Glibc
#endif

// What full Foundation gave the package's text handling and FoundationEssentials does not
// (`trimmingCharacters(in:)`, `String(format:)`): the package links FoundationEssentials only,
// which leaves ICU and its data out of the executable.

extension Unicode.Scalar {
    /// Foundation's `CharacterSet.whitespaces`: the tab, the space separators of Unicode and the
    /// zero width space, as CoreFoundation lists them.
    package var isHorizontalWhitespace: Bool {
        switch value {
        case 0x09, 0x20, 0xA0, 0x1680, 0x2000 ... 0x200B, 0x202F, 0x205F, 0x3000: true
        default: false
        }
    }

    /// Foundation's `CharacterSet.newlines`: U+000A...U+000D, U+0085, U+2028, U+2029.
    package var isLineBreak: Bool {
        (0x0A...0x0D).contains(value) || value == 0x85 || value == 0x2028 || value == 0x2029
    }
}

extension StringProtocol {
    /// The text without the leading and trailing scalars that `trimmed` accepts, compared scalar by
    /// scalar as Foundation's `trimmingCharacters(in:)` does.
    package func trimming(where trimmed: (Unicode.Scalar) -> Bool) -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !trimmed($0) }),
              let last = scalars.lastIndex(where: { !trimmed($0) }) else { return "" }
        // The kept scalars' bytes copied at once (appending them one by one was a third of
        // reading a header).
        return String(decoding: utf8[first ..< scalars.index(after: last)], as: UTF8.self)
    }

    /// `trimmingCharacters(in: .whitespaces)`.
    package func trimmingWhitespace() -> String { trimming(where: \.isHorizontalWhitespace) }
}

/// `value` with `decimals` digits after the point, rounded as printf's `%.Nf` rounds (the
/// `String(format:)` this replaces formatted through it too).
package func fixedPoint(_ value: Double, decimals: Int) -> String {
    var buffer = [CChar](repeating: 0, count: 350)
    let written = withVaList([value]) { vsnprintf(&buffer, buffer.count, "%.\(max(0, min(decimals, 17)))f", $0) }
    guard written > 0 else { return "\(value)" }
    return String(decoding: buffer.prefix(Int(min(written, Int32(buffer.count - 1)))).map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// NSString's `appendingPathComponent`: `name` after `path` and one slash, unless `path` is empty
/// or already ends with one.
package func appendingPathComponent(_ path: String, _ name: String) -> String {
    path.isEmpty ? name : path.hasSuffix("/") ? path + name : path + "/" + name
}

/// NSString's `deletingLastPathComponent` for an absolute path: runs of slashes count as one, a
/// trailing slash is ignored, the parent of a top-level name is "/" (and a path made only of two
/// slashes or more gives "", as NSString does).
package func deletingLastPathComponent(_ path: String) -> String {
    if path == "/" { return path }
    var bytes = Array(path.utf8)
    while bytes.last == UInt8(ascii: "/") { bytes.removeLast() }
    if bytes.isEmpty { return "" }
    var collapsed: [UInt8] = []
    collapsed.reserveCapacity(bytes.count)
    for b in bytes where !(b == UInt8(ascii: "/") && collapsed.last == UInt8(ascii: "/")) { collapsed.append(b) }
    guard let slash = collapsed.lastIndex(of: UInt8(ascii: "/")) else { return "" }
    return slash == 0 ? "/" : String(decoding: collapsed[..<slash], as: UTF8.self)
}
