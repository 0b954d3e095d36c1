import AuditRules

extension RulesText {
    /// The bytes decoded, for assertions on text that is valid UTF-8 (U+FFFD would show any
    /// other byte, so a test of bytes compares `bytes`).
    var utf8String: String { String(decoding: bytes, as: UTF8.self) }
}
