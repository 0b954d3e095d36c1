/// The AUDIT_PERM_* bits of a watch's `-p` or a rule's `-F perm=`: the one place that knows
/// which letter is which bit and in which order auditctl prints them.
public struct Permissions: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let exec = Permissions(rawValue: 1)
    public static let write = Permissions(rawValue: 2)
    public static let read = Permissions(rawValue: 4)
    public static let attr = Permissions(rawValue: 8)
    /// What a watch without `-p` gets.
    public static let all: Permissions = [.read, .write, .exec, .attr]

    /// Letters in the order auditctl prints them.
    private static let lettered: [(letter: UInt8, permission: Permissions)] = [
        (UInt8(ascii: "r"), .read), (UInt8(ascii: "w"), .write), (UInt8(ascii: "x"), .exec), (UInt8(ascii: "a"), .attr),
    ]

    /// auditctl's reading of `-p` and `perm=`: at most four letters, each of r, w, x, a in either
    /// case (repeats allowed); nil otherwise.
    public init?(letters: some Collection<UInt8>) {
        guard letters.count <= Self.maxLetters else { return nil }
        var bits = Permissions()
        for byte in letters {
            let lower = byte | 0x20
            guard let p = Self.lettered.first(where: { $0.letter == lower })?.permission else { return nil }
            bits.insert(p)
        }
        self = bits
    }

    public init?(letters: String) { self.init(letters: letters.utf8) }

    /// auditctl refuses longer values ("String value too long").
    public static let maxLetters = 4

    /// The letters as auditctl lists them (`rwxa` order).
    public var letters: String {
        String(decoding: Self.lettered.filter { contains($0.permission) }.map(\.letter), as: UTF8.self)
    }
}
