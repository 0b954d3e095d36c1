import Syscalls

/// Rules text as auditctl reads it and the kernel stores it: bytes, not characters. A key, a
/// path or a field value may hold any byte but NUL and newline, valid UTF-8 or not; what the
/// kernel gets (and `auditctl -l` prints) is these bytes. Turning them into a `String` happens
/// only for a message, through `ControlCharacters.escaped`, which shows the bytes that are not
/// UTF-8 as `\xNN`.
///
/// Most words of a rules line are short: up to 15 bytes are kept inline (no allocation per
/// word, as a small Swift string has none), longer text in an array. The representation is
/// canonical (a text is inline exactly when it is short), so equality compares the storage.
public struct RulesText: Sendable {
    @usableFromInline enum Storage: Sendable, Hashable {
        /// Bytes 0-7 in the first word and 8-14 in the second, little-endian; the second word's
        /// top byte is the count. Unused bytes are zero.
        case inline(UInt64, UInt64)
        case heap([UInt8])
    }

    @usableFromInline var storage: Storage

    static let inlineCapacity = 15

    public init() { storage = .inline(0, 0) }

    public init(_ bytes: UnsafeBufferPointer<UInt8>) {
        if bytes.count <= Self.inlineCapacity {
            // One copy into the two words (read as little-endian), not a shift per byte.
            var words: (UInt64, UInt64) = (0, 0)
            if let base = bytes.baseAddress {
                withUnsafeMutableBytes(of: &words) { $0.baseAddress!.copyMemory(from: base, byteCount: bytes.count) }
            }
            storage = .inline(UInt64(littleEndian: words.0), UInt64(littleEndian: words.1) | UInt64(bytes.count) << 56)
        } else {
            storage = .heap(Array(bytes))
        }
    }

    /// Takes the array as it is when the text is long.
    public init(_ bytes: [UInt8]) {
        if bytes.count > Self.inlineCapacity { storage = .heap(bytes) } else { self = bytes.withUnsafeBufferPointer { RulesText($0) } }
    }

    public init(_ bytes: some Sequence<UInt8>) {
        if let made = bytes.withContiguousStorageIfAvailable({ RulesText($0) }) {
            self = made
        } else {
            self = Array(bytes).withUnsafeBufferPointer { RulesText($0) }
        }
    }

    /// The UTF-8 bytes of `string` (text aurules itself writes: names from its tables, literals).
    public init(_ string: String) {
        var string = string
        self = string.withUTF8 { RulesText($0) }
    }

    /// The bytes, contiguous, for the duration of `body`.
    @inlinable
    public func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        switch storage {
        case .inline(let low, let high):
            return try withUnsafeBytes(of: (low.littleEndian, high.littleEndian)) { raw in
                try body(UnsafeBufferPointer(start: raw.baseAddress!.assumingMemoryBound(to: UInt8.self), count: Int(high >> 56)))
            }
        case .heap(let bytes):
            return try bytes.withUnsafeBufferPointer(body)
        }
    }

    /// The bytes as an array.
    public var bytes: [UInt8] { withBytes { Array($0) } }

    /// True when every byte is ASCII.
    public var isASCII: Bool {
        switch storage {
        case .inline(let low, let high): return (low | (high & 0x00FF_FFFF_FFFF_FFFF)) & 0x8080_8080_8080_8080 == 0
        case .heap(let bytes): return !bytes.contains { $0 >= 0x80 }
        }
    }

    /// The text with ASCII letters in lower case (auditctl's `strcasecmp` folds only these).
    public var lowercasedASCII: RulesText {
        withBytes { b in
            guard b.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) else { return self }
            return RulesText(b.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 })
        }
    }

    /// The text as a Swift string when it is valid UTF-8, nil otherwise (for looking up names
    /// in tables keyed by strings: a text that is not UTF-8 is no name there).
    public var validUTF8: String? {
        withBytes { String(validating: $0, as: UTF8.self) }
    }

    /// The text as a Swift string when every byte is ASCII, nil otherwise: how text is looked up
    /// in aurules' tables of names (errno, message types, arches, lists), which are ASCII. As
    /// libaudit's `strcmp`, by bytes: a Swift string compares by canonical equivalence, and
    /// U+212A KELVIN SIGN equals "K" there.
    public var asciiName: String? {
        isASCII ? withBytes { String(decoding: $0, as: UTF8.self) } : nil
    }

    /// The text followed by a NUL, for a C function taking a name.
    public func withCString<R>(_ body: (UnsafePointer<CChar>) throws -> R) rethrows -> R {
        var c = bytes.map { CChar(bitPattern: $0) }
        c.append(0)
        return try c.withUnsafeBufferPointer { try body($0.baseAddress!) }
    }

    public static func + (a: RulesText, b: RulesText) -> RulesText {
        a.withBytes { x in b.withBytes { y in RulesText(Array(x) + Array(y)) } }
    }
}

extension RulesText: RandomAccessCollection {
    public typealias Index = Int
    public typealias Element = UInt8
    public typealias SubSequence = Slice<RulesText>
    public typealias Indices = Range<Int>

    @inlinable public var startIndex: Int { 0 }

    @inlinable public var endIndex: Int {
        switch storage {
        case .inline(_, let high): return Int(high >> 56)
        case .heap(let bytes): return bytes.count
        }
    }

    @inlinable public subscript(i: Int) -> UInt8 {
        precondition(i >= 0 && i < endIndex, "RulesText index out of range")
        switch storage {
        case .inline(let low, let high):
            return i < 8 ? UInt8(truncatingIfNeeded: low >> (8 * UInt64(i))) : UInt8(truncatingIfNeeded: high >> (8 * UInt64(i - 8)))
        case .heap(let bytes):
            return bytes[i]
        }
    }

    @inlinable public func index(after i: Int) -> Int { i + 1 }
    @inlinable public func index(before i: Int) -> Int { i - 1 }

    public func withContiguousStorageIfAvailable<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R? {
        try withBytes(body)
    }
}

extension RulesText {
    /// A slot among `count` (a power of two) by FNV-1a of the text's storage: for the parser's
    /// small tables of names, where a Hasher per look-up costs more than the rest of it. Equal
    /// texts have equal slots (the storage is canonical). The slot is the top bits of a
    /// golden-ratio product, as RuleArena's and HeldRules' buckets: a product's low bits see only
    /// the inputs' low bits, and a storage word's high byte reaches only FNV's high bits.
    func quickSlot(_ count: Int) -> Int {
        var h = FNV1a()
        switch storage {
        case .inline(let low, let high):
            h.mix(low)
            h.mix(high)
        case .heap(let bytes):
            bytes.withUnsafeBufferPointer { h.mix(bytes: $0) }
        }
        return Int(truncatingIfNeeded: (h.value &* 0x9E37_79B9_7F4A_7C15) >> UInt64(64 - count.trailingZeroBitCount))
    }
}

extension RulesText: Hashable {
    public static func == (a: RulesText, b: RulesText) -> Bool { a.storage == b.storage }
    public func hash(into h: inout Hasher) { h.combine(storage) }
}

extension RulesText: Comparable {
    /// Byte order, as `strcmp` orders.
    public static func < (a: RulesText, b: RulesText) -> Bool {
        a.withBytes { x in b.withBytes { y in x.lexicographicallyPrecedes(y) } }
    }
}

extension RulesText: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self.init(value) }
}

extension RulesText: CustomStringConvertible, CustomDebugStringConvertible {
    /// The text in a message: the bytes that are not UTF-8 written `\xNN` (see
    /// `ControlCharacters.escaped`). Controls are left to whoever prints the message: the
    /// diagnostic renderer and JSON encoders escape them where the message is printed.
    public var description: String { ControlCharacters.escaped(self, controls: false) }
    public var debugDescription: String { "\"" + ControlCharacters.escaped(self) + "\"" }
}

extension RulesText: Codable {
    /// In JSON, the text as a string with the bytes that are not UTF-8 written `\xNN` (the
    /// encoder escapes the controls itself).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(ControlCharacters.escaped(self, controls: false))
    }

    public init(from decoder: any Decoder) throws {
        self.init(try decoder.singleValueContainer().decode(String.self))
    }
}

extension DefaultStringInterpolation {
    /// Rules text goes into a `String` only for a message, and says so: `"key '\(message: key)'"`.
    /// A plain `\(text)` is flagged, so that no rules output is built from decoded text.
    @available(*, deprecated, message: "rules text is bytes; write \\(message: text) for a message, or append the bytes.")
    public mutating func appendInterpolation(_ text: RulesText) { appendLiteral(text.description) }

    /// The text as a message shows it (`RulesText.description`).
    public mutating func appendInterpolation(message text: RulesText) {
        appendLiteral(text.description)
    }
}
