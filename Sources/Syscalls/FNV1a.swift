/// FNV-1a, 64 bit: the project's one hash of its own, for a stable digest (the tables' in
/// `aurules --version` and compile headers) and for cheap in-process identities (rules, masks,
/// syscall names), where Hasher's SipHash over 64 mask words costs more than the work it keys.
/// A byte is mixed as one word, so a digest of bytes is the standard byte-wise FNV-1a.
package struct FNV1a {
    @usableFromInline var state: UInt64 = 0xcbf2_9ce4_8422_2325

    @inlinable package init() {}

    @inlinable @inline(__always)
    package mutating func mix(_ word: UInt64) { state = (state ^ word) &* 0x0000_0100_0000_01b3 }

    @inlinable package mutating func mix(bytes: some Sequence<UInt8>) {
        for b in bytes { mix(UInt64(b)) }
    }

    /// The same for a buffer, not generic: other modules' calls with a buffer (rules text) took
    /// the unspecialized generic, a witness call per byte.
    package mutating func mix(bytes: UnsafeBufferPointer<UInt8>) {
        for b in bytes { mix(UInt64(b)) }
    }

    /// The set words of a mask with their positions: most of a mask is zero.
    @inlinable package mutating func mix(mask: [UInt32]) {
        for (i, w) in mask.enumerated() where w != 0 { mix(UInt64(i) << 32 | UInt64(w)) }
    }

    @inlinable package var value: UInt64 { state }
    /// The value as an in-process hash.
    @inlinable package var intValue: Int { Int(truncatingIfNeeded: state) }

    /// The value as 16 hex digits.
    package var hex: String {
        let digits = String(state, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
