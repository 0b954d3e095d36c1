/// C's strtol/strtoul as auditctl calls them (64-bit `long`, no end pointer checked), because
/// auditctl accepts exactly what they make of a value: `12abc` is 12, `08` is 0, `0x` is 0,
/// and the result is cut to the 32 bits of `audit_rule_data.values`.
enum CNumber {
    /// strtol(text, NULL, base): clamps to the range of a 64-bit long.
    static func strtol(_ text: RulesText, base: Int = 0) -> Int64 {
        let (negative, magnitude, overflow) = scan(text, base: base)
        if negative {
            if overflow || magnitude > UInt64(Int64.max) + 1 { return Int64.min }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        if overflow || magnitude > UInt64(Int64.max) { return Int64.max }
        return Int64(magnitude)
    }

    /// strtoul(text, NULL, base): a leading minus negates in unsigned arithmetic; overflow gives
    /// ULONG_MAX. `overflowed` is errno == ERANGE.
    static func strtoul(_ text: RulesText, base: Int = 0) -> (value: UInt64, overflowed: Bool) {
        let (negative, magnitude, overflow) = scan(text, base: base)
        if overflow { return (UInt64.max, true) }
        return (negative ? 0 &- magnitude : magnitude, false)
    }

    /// The low 32 bits, as C's conversion to `__u32` keeps them.
    static func low32(_ v: Int64) -> UInt32 { UInt32(truncatingIfNeeded: v) }
    static func low32(_ v: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: v) }

    private static func scan(_ text: RulesText, base requested: Int) -> (Bool, UInt64, Bool) {
        text.withBytes { scan($0, base: requested) }
    }

    private static func scan(_ b: UnsafeBufferPointer<UInt8>, base requested: Int) -> (Bool, UInt64, Bool) {
        var i = 0
        while i < b.count, b[i] == 0x20 || (0x09...0x0d).contains(b[i]) { i += 1 }
        var negative = false
        if i < b.count, b[i] == 0x2b || b[i] == 0x2d {
            negative = b[i] == 0x2d
            i += 1
        }
        var base = requested
        let hasHexPrefix = i + 2 < b.count && b[i] == 0x30 && (b[i + 1] | 0x20) == 0x78
            && (digit(b[i + 2]) ?? 99) < 16
        if (base == 0 || base == 16) && hasHexPrefix {
            base = 16
            i += 2
        } else if base == 0 {
            base = i < b.count && b[i] == 0x30 ? 8 : 10
        }
        var value: UInt64 = 0
        var overflow = false
        while i < b.count, let d = digit(b[i]), d < base {
            let (m, o1) = value.multipliedReportingOverflow(by: UInt64(base))
            let (s, o2) = m.addingReportingOverflow(UInt64(d))
            if o1 || o2 { overflow = true }
            value = s
            i += 1
        }
        return (negative, value, overflow)
    }

    private static func digit(_ c: UInt8) -> Int? {
        switch c {
        case 0x30...0x39: return Int(c - 0x30)
        case 0x61...0x7a: return Int(c - 0x61 + 10)
        case 0x41...0x5a: return Int(c - 0x41 + 10)
        default: return nil
        }
    }
}

extension RulesText {
    /// C's isdigit on the first byte: what auditctl tests before calling strtol.
    var startsWithDigit: Bool { first.map { (0x30...0x39).contains($0) } ?? false }

    /// `-` followed by a digit: auditctl's test for a negative number.
    var startsWithMinusDigit: Bool {
        count >= 2 && self[0] == 0x2d && (0x30...0x39).contains(self[1])
    }
}
