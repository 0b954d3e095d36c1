#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Untrusted text (file names, values, kernel strings) copied into a message or a comment: a
/// newline there would start a new line of the output (a live rule in a compiled rules file, a
/// forged diagnostic), an escape sequence would rewrite what a terminal shows. This is the one
/// place such text is made inert.
public enum ControlCharacters {
    /// C0 controls, DEL and the C1 controls (U+0080...U+009F: 0x9B is a CSI on 8-bit terminals).
    public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (scalar.value >= 0x7F && scalar.value <= 0x9F)
    }

    /// A C0 control or DEL, as a byte (UTF-8 encodes the C1 controls in two bytes, 0xC2 0x80-0x9F).
    public static func isControl(_ byte: UInt8) -> Bool { byte < 0x20 || byte == 0x7F }

    /// Whether every byte is printable ASCII (0x20-0x7E): no control, no UTF-8 sequence. Eight
    /// bytes per test (a byte loop costs a compare per byte, and in the fuzzers' instrumented
    /// builds a call per compare).
    static func isPrintableASCII(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        var i = 0
        if let base = b.baseAddress {
            while i + 8 <= b.count {
                let w = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
                let del = w ^ (0x7F &* ones)
                // A high bit; a byte below 0x20; a byte equal to 0x7F (the classic "has less
                // than" word tests, exact for whether any byte matches).
                if (w | ((w &- 0x20 &* ones) & ~w) | ((del &- ones) & ~del)) & highs != 0 { return false }
                i += 8
            }
        }
        while i < b.count {
            guard b[i] >= 0x20 && b[i] < 0x7F else { return false }
            i += 1
        }
        return true
    }

    public static func contains(_ s: String) -> Bool {
        s.unicodeScalars.contains(where: isControl)
    }

    /// The first control character of `s`, for a message naming it.
    public static func first(in s: String) -> Unicode.Scalar? {
        s.unicodeScalars.first(where: isControl)
    }

    /// `s` with each control character written as `\xNN` (C0, DEL) or `\u{NN}` (C1); a backslash
    /// stays as it is, so an escaped text can be told from a plain one only where it had controls.
    /// `kept`: controls left as they are (the line breaks of a message made of several lines).
    public static func escaped(_ s: String, except kept: [Unicode.Scalar] = []) -> String {
        // Printable ASCII holds no control: the bytes answer without decoding scalars.
        if s.utf8.withContiguousStorageIfAvailable(isPrintableASCII) == true { return s }
        guard s.unicodeScalars.contains(where: { isControl($0) && !kept.contains($0) }) else { return s }
        var out = ""
        out.reserveCapacity(s.utf8.count + 8)
        for u in s.unicodeScalars {
            if isControl(u) && !kept.contains(u) {
                out += notation(u)
            } else {
                out.unicodeScalars.append(u)
            }
        }
        return out
    }

    /// `\x0a`, `\x7f`, `\u{9b}`.
    public static func notation(_ u: Unicode.Scalar) -> String {
        let hex = String(u.value, radix: 16)
        return u.value < 0x80 ? "\\x" + (u.value < 0x10 ? "0" : "") + hex : "\\u{" + hex + "}"
    }

    /// Rules text for a message: valid UTF-8 as it reads, with controls written as `escaped(_:)`
    /// writes them, and each byte that is not part of valid UTF-8 (a stray continuation byte,
    /// an overlong or truncated sequence, a surrogate, 0xF5-0xFF) as `\xNN`, so that a message
    /// shows what the kernel gets. `controls`: false leaves the controls as they are (a JSON
    /// encoder escapes them itself).
    public static func escaped(_ text: RulesText, controls: Bool = true) -> String {
        text.withBytes { b in
            if !b.contains(where: { $0 >= 0x80 || (controls && isControl($0)) }) { return String(decoding: b, as: UTF8.self) }
            var out = ""
            out.reserveCapacity(b.count + 8)
            var i = 0
            while i < b.count {
                guard let (scalar, length) = scalar(in: b, at: i) else {
                    out += "\\x" + (b[i] < 0x10 ? "0" : "") + String(b[i], radix: 16)
                    i += 1
                    continue
                }
                if controls && isControl(scalar) { out += notation(scalar) } else { out.unicodeScalars.append(scalar) }
                i += length
            }
            return out
        }
    }

    /// The scalar whose well-formed UTF-8 sequence (RFC 3629: shortest form, no surrogates, at
    /// most U+10FFFF) starts at `i`, and its length; nil when the byte at `i` starts none.
    static func scalar(in b: UnsafeBufferPointer<UInt8>, at i: Int) -> (Unicode.Scalar, Int)? {
        let lead = b[i]
        if lead < 0x80 { return (Unicode.Scalar(lead), 1) }
        let length: Int, minimum: UInt32
        switch lead {
        case 0xC2 ... 0xDF: length = 2; minimum = 0x80
        case 0xE0 ... 0xEF: length = 3; minimum = 0x800
        case 0xF0 ... 0xF4: length = 4; minimum = 0x10000
        default: return nil
        }
        guard i + length <= b.count else { return nil }
        var value = UInt32(lead) & (0x7F >> UInt32(length))
        for k in 1 ..< length {
            let c = b[i + k]
            guard c & 0xC0 == 0x80 else { return nil }
            value = value << 6 | UInt32(c & 0x3F)
        }
        guard value >= minimum, let scalar = Unicode.Scalar(value) else { return nil }
        return (scalar, length)
    }

    /// UTF-8 bytes with the same escaping, appended to `out` (the compiler's byte renderers).
    public static func appendEscaped(_ s: String, to out: inout [UInt8]) {
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F || $0 == 0xC2 }) {
            out.append(contentsOf: s.utf8)
        } else {
            out.append(contentsOf: escaped(s).utf8)
        }
    }
}

extension ControlCharacters {
    /// An encoded JSON document as text, with DEL and the C1 controls written `\u007f`, `\u009b`:
    /// JSON encoders escape only U+0000...U+001F, and a consumer printing a string raw would pass
    /// the rest to a terminal. Outside strings JSON has no such characters, so every one is in a
    /// string, where the escape means the same character.
    public static func inertJSON(_ encoded: Data) -> String {
        guard encoded.contains(where: { $0 == 0x7F || $0 == 0xC2 }) else { return String(decoding: encoded, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(encoded.count + 16)
        var bytes = encoded.makeIterator()
        var pending: UInt8? = nil
        while let b = pending ?? bytes.next() {
            pending = nil
            if b == 0x7F {
                out.append(contentsOf: Array("\\u007f".utf8))
            } else if b == 0xC2, let next = bytes.next() {
                if next >= 0x80 && next <= 0x9F {
                    out.append(contentsOf: Array(("\\u00" + String(next, radix: 16)).utf8))
                } else {
                    out.append(b)
                    pending = next
                }
            } else {
                out.append(b)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
