/// One whitespace-separated word of a rules line, after `\ ` and `\\` escapes are undone.
public struct Token: Hashable, Sendable {
    /// The word as auditctl sees it (escapes resolved; tabs and other bytes kept).
    public var text: String
    /// 1-based byte column of the word's first byte in the line.
    public var column: Int
    /// Length of the word as written, in bytes (escapes counted as written).
    public var length: Int

    public init(text: String, column: Int, length: Int) {
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
    public var text: String
    public var endsWithCR: Bool
    /// Length in bytes of the line as read (CR included), to check auditctl's buffer size.
    public var byteCount: Int
}

/// Splits rules text into lines and lines into words exactly as `auditctl -R` does: words are
/// separated by spaces only (a tab is part of a word), `\ ` is a space inside a word, `\\` a
/// backslash, and every other backslash stays as written. Quotes mean nothing.
public enum Lexer {
    /// auditctl reads lines with `fgets` into a 6144-byte buffer: at most 6143 bytes including the
    /// newline, so 6142 bytes of content. Longer lines are cut and the rest read as another line.
    public static let maxLineBytes = 6142

    public static func lines(of text: String) -> [SourceLine] {
        var pieces = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        if pieces.last?.isEmpty == true { pieces.removeLast() }
        return pieces.enumerated().map { index, piece in
            let cr = piece.last == 13
            let content = cr ? piece.dropLast() : piece
            return SourceLine(number: index + 1, text: String(decoding: content, as: UTF8.self),
                              endsWithCR: cr, byteCount: piece.count)
        }
    }

    /// The words of one line (without its CR), with their columns.
    public static func tokens(of line: String) -> [Token] {
        let bytes = Array(line.utf8)
        var tokens: [Token] = []
        var i = 0
        while i < bytes.count {
            if bytes[i] == 0x20 { i += 1; continue }
            let start = i
            var word: [UInt8] = []
            while i < bytes.count && bytes[i] != 0x20 {
                if bytes[i] == 0x5C, i + 1 < bytes.count, bytes[i + 1] == 0x20 || bytes[i + 1] == 0x5C {
                    word.append(bytes[i + 1])
                    i += 2
                } else {
                    word.append(bytes[i])
                    i += 1
                }
            }
            tokens.append(Token(text: String(decoding: word, as: UTF8.self), column: start + 1, length: i - start))
        }
        return tokens
    }

    /// The inverse of `tokens(of:)` for one word: escapes what would otherwise split or change it.
    public static func escape(_ word: String) -> String {
        var out = ""
        for ch in word {
            switch ch {
            case " ": out += "\\ "
            case "\\": out += "\\\\"
            default: out.append(ch)
            }
        }
        return out
    }
}
