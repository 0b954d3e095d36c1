extension Lexer {
    /// The inverse of `tokens(of:)` for one word: a backslash before each space and backslash,
    /// the two escapes auditctl -R knows. Byte by byte, as auditctl splits: a space followed by
    /// a combining mark is still a space to it.
    public static func escape(_ word: RulesText) -> RulesText {
        guard word.contains(where: needsEscape) else { return word }
        var out: [UInt8] = []
        appendEscaped(word, to: &out)
        return RulesText(out)
    }

    /// `escape` of these bytes, appended to `out`.
    static func appendEscaped(_ word: some Collection<UInt8>, to out: inout [UInt8]) {
        // Nearly every word has nothing to escape: appended at once, not byte by byte. No
        // reserveCapacity: it grows a long output buffer only by what is asked, so a buffer of
        // many escaped words would be copied once per word.
        guard word.contains(where: needsEscape) else {
            out.append(contentsOf: word)
            return
        }
        for b in word {
            if needsEscape(b) { out.append(0x5C) }
            out.append(b)
        }
    }

    private static func needsEscape(_ b: UInt8) -> Bool { b == 0x20 || b == 0x5C }
}
