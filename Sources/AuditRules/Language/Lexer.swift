import Syscalls

/// One whitespace-separated word of a rules line, after `\ ` and `\\` escapes are undone.
public struct Token: Hashable, Sendable {
    /// The word as auditctl sees it (escapes resolved; tabs and other bytes kept).
    public var text: RulesText
    /// 1-based byte column of the word's first byte in the line.
    public var column: Int
    /// Length of the word as written, in bytes (escapes counted as written).
    public var length: Int

    public init(text: RulesText, column: Int, length: Int) {
        self.text = text
        self.column = column
        self.length = length
    }
}

/// One physical line of a rules file.
public struct SourceLine: Sendable {
    /// 1-based line number.
    public var number: Int
    /// The line without its `\n` and without a trailing CR.
    public var text: RulesText
    public var endsWithCR: Bool
    /// Length in bytes of the line as read (CR included), to check auditctl's buffer size.
    public var byteCount: Int

    /// The line as a finding quotes it: without its CR, except a line of only a CR, whose CR is
    /// the word the finding is about (an empty quote would be taken for a line not quoted yet).
    public var quoted: RulesText { text.isEmpty && endsWithCR ? "\r" : text }
}

/// Splits rules text into lines and lines into words exactly as `auditctl -R` does: words are
/// separated by spaces only (a tab is part of a word), `\ ` is a space inside a word, `\\` a
/// backslash, and every other backslash stays as written. Quotes mean nothing.
///
/// Everything here works on bytes, valid UTF-8 or not, as auditctl's does.
public enum Lexer {
    /// auditctl reads lines with `fgets` into a 6144-byte buffer: at most 6143 bytes including the
    /// newline, so 6142 bytes of content. Longer lines are cut and the rest read as another line.
    public static let maxLineBytes = 6142

    public static func lines(of text: RulesText) -> [SourceLine] {
        var lines: [SourceLine] = []
        forEachLine(of: text) { line, _ in lines.append(line) }
        return lines
    }

    /// Calls `body` with each line and its content bytes (without the CR), in order, without
    /// building the array of all lines.
    static func forEachLine(of text: RulesText, _ body: (SourceLine, UnsafeBufferPointer<UInt8>) -> Void) {
        text.withBytes { forEachLine(in: $0, firstLine: 1, body) }
    }

    /// The same for part of a text that starts at line `firstLine`.
    static func forEachLine(in all: UnsafeBufferPointer<UInt8>, firstLine: Int, _ body: (SourceLine, UnsafeBufferPointer<UInt8>) -> Void) {
        for (offset, line) in ByteLines(all).enumerated() {
            let withoutCR = line.withoutCR(in: all)
            let content = UnsafeBufferPointer(rebasing: all[withoutCR])
            body(SourceLine(number: firstLine + offset, text: RulesText(content), endsWithCR: withoutCR != line.range,
                            byteCount: line.range.count), content)
        }
    }

    /// The words of one line (without its CR), with their columns.
    public static func tokens(of line: RulesText) -> [Token] {
        line.withBytes { tokens(in: $0) }
    }

    /// The words of one line's bytes.
    static func tokens(in bytes: UnsafeBufferPointer<UInt8>) -> [Token] {
        var tokens: [Token] = []
        // Lines rarely have more than 16 words; the array lives only while its line is parsed.
        tokens.reserveCapacity(16)
        var i = 0
        let count = bytes.count
        while i < count {
            if bytes[i] == 0x20 { i += 1; continue }
            let start = i
            var escaped = false
            while i < count && bytes[i] != 0x20 {
                let b = bytes[i]
                if b == 0x5C, i + 1 < count, bytes[i + 1] == 0x20 || bytes[i + 1] == 0x5C {
                    escaped = true
                    i += 2
                } else {
                    i += 1
                }
            }
            let word = UnsafeBufferPointer(rebasing: bytes[start ..< i])
            let text = escaped ? unescape(word) : RulesText(word)
            tokens.append(Token(text: text, column: start + 1, length: i - start))
        }
        return tokens
    }

    private static func unescape(_ word: UnsafeBufferPointer<UInt8>) -> RulesText {
        var out: [UInt8] = []
        out.reserveCapacity(word.count)
        var i = 0
        while i < word.count {
            if word[i] == 0x5C, i + 1 < word.count, word[i + 1] == 0x20 || word[i + 1] == 0x5C { i += 1 }
            out.append(word[i])
            i += 1
        }
        return RulesText(out)
    }
}
