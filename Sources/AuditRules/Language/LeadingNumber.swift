/// C's `strtoul(s, NULL, 0)` as auditctl uses it: a leading number in decimal, `0x` hex or `0`
/// octal, parsing stops at the first byte that does not belong (auditctl ignores the rest).
enum LeadingNumber {
    struct Prefix {
        var value: UInt64
        /// Bytes consumed; 0 when the text does not start with a number.
        var consumed: Int
        var overflow: Bool
    }

    static func parsePrefix(_ text: some Collection<UInt8>) -> Prefix {
        let b = Array(text)
        var i = 0
        var base: UInt64 = 10
        if b.count >= 2, b[0] == UInt8(ascii: "0"), b[1] | 0x20 == UInt8(ascii: "x"), b.count >= 3, hexValue(b[2]) != nil {
            base = 16
            i = 2
        } else if b.first == UInt8(ascii: "0") {
            base = 8
        }
        var value: UInt64 = 0
        var overflow = false
        let start = i
        while i < b.count, let d = digit(b[i], base: base) {
            let (m, o1) = value.multipliedReportingOverflow(by: base)
            let (s, o2) = m.addingReportingOverflow(UInt64(d))
            if o1 || o2 { overflow = true }
            value = s
            i += 1
        }
        if i == start { return Prefix(value: 0, consumed: 0, overflow: false) }
        return Prefix(value: value, consumed: i, overflow: overflow)
    }

    /// The whole text as a number (strtoul base 0), nil when anything is left over.
    static func parseWhole(_ text: some Collection<UInt8>) -> UInt64? {
        let p = parsePrefix(text)
        guard p.consumed > 0, p.consumed == text.count, !p.overflow else { return nil }
        return p.value
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    private static func digit(_ c: UInt8, base: UInt64) -> UInt8? {
        guard let v = hexValue(c), UInt64(v) < base else { return nil }
        return v
    }
}
