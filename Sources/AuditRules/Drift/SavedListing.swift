/// A saved `auditctl -l` listing, made readable by the rules parser.
public enum SavedListing {
    /// `auditctl -l` prints a few values in forms auditctl itself refuses on input: file types as
    /// decimal modes (`filetype=32768`), and "No rules" for an empty set. Everything else it
    /// prints is rule syntax. Line numbers are kept.
    public static func loadableText(_ text: String) -> String {
        if text.utf8.starts(with: "No rules".utf8) { return "" }
        // Nearly every listing needs nothing: its bytes say so without cutting it into strings.
        if let lines = plainLines(text), !lines.contains(where: { needsRewriting(text.utf8[$0]) }) { return text }
        var lines = byteLines(text)
        for i in lines.indices { lines[i] = escapingSpaces(lines[i]) }
        for i in lines.indices where mentionsFileType(lines[i]) {
            lines[i] = lines[i].split(separator: " ", omittingEmptySubsequences: false).map { token -> String in
                for op in ["!=", "="] where token.hasPrefix("filetype" + op) {
                    let value = token.dropFirst(("filetype" + op).count)
                    if let n = UInt32(value), let name = FileTypeTable.name(of: n) { return "filetype\(op)\(name)" }
                }
                return String(token)
            }.joined(separator: " ")
        }
        return lines.joined(separator: "\n")
    }

    /// The text cut at each LF byte. Not `split(separator: "\n")`: a key the loader kept a CR in
    /// is listed as `key=name\r` before the LF, and CR LF is one Character, so a split by
    /// characters would not cut there.
    static func byteLines(_ text: String) -> [String] {
        text.utf8.split(separator: 0x0A, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
    }

    /// `auditctl -l` prints keys and paths as they are, spaces included (`-F key=by hand`,
    /// `-w /srv/my dir`), where a rules file needs `\ `. A word that is neither an option nor the
    /// value an option expects continues the value before it.
    static func escapingSpaces(_ line: String) -> String {
        let words = line.split(separator: " ", omittingEmptySubsequences: false)
        var out: [String] = []
        var expectsValue = false
        var joined = false
        for word in words {
            if expectsValue {
                out.append(String(word))
                expectsValue = false
            } else if word.hasPrefix("-") || out.isEmpty {
                out.append(String(word))
                expectsValue = ["-a", "-F", "-S", "-C", "-k", "-p", "-w"].contains(word)
            } else {
                out[out.count - 1] += "\\ " + word
                joined = true
            }
        }
        return joined ? out.joined(separator: " ") : line
    }

    /// The byte ranges of the lines of a text that is ASCII without CR: there bytes are
    /// characters and `\n` always ends a line, so cutting by bytes is cutting by characters.
    /// nil for any other text.
    static func plainLines(_ text: String) -> [Range<String.UTF8View.Index>]? {
        let utf8 = text.utf8
        guard !utf8.contains(where: { $0 >= 0x80 || $0 == 0x0D }) else { return nil }
        var lines: [Range<String.UTF8View.Index>] = []
        var start = utf8.startIndex
        while let end = utf8[start...].firstIndex(of: 0x0A) {
            lines.append(start ..< end)
            start = utf8.index(after: end)
        }
        lines.append(start ..< utf8.endIndex)
        return lines
    }

    /// Whether `escapingSpaces` or the file type rewrite would change this plain ASCII line.
    private static func needsRewriting(_ line: Substring.UTF8View) -> Bool {
        var expectsValue = false
        var first = true
        var word = line.startIndex
        while true {
            let end = line[word...].firstIndex(of: 0x20) ?? line.endIndex
            let w = line[word ..< end]
            if expectsValue {
                expectsValue = false
            } else if w.first == UInt8(ascii: "-") || first {
                expectsValue = w.count == 2 && w.first == UInt8(ascii: "-")
                    && "aFSCkpw".utf8.contains(w[w.index(after: w.startIndex)])
            } else {
                return true
            }
            first = false
            guard end != line.endIndex else { break }
            word = line.index(after: end)
        }
        return containsFileType(line)
    }

    private static func containsFileType(_ line: Substring.UTF8View) -> Bool {
        let needle = Array("filetype".utf8)
        var i = line.startIndex
        while let hit = line[i...].firstIndex(of: needle[0]) {
            if line[hit...].starts(with: needle) { return true }
            i = line.index(after: hit)
        }
        return false
    }

    /// A plain byte scan: the generic substring searches cost more than parsing the line.
    private static func mentionsFileType(_ line: String) -> Bool {
        var copy = line
        return copy.withUTF8 { bytes in
            let needle = Array("filetype".utf8)
            guard bytes.count >= needle.count else { return false }
            for start in 0 ... bytes.count - needle.count where bytes[start] == needle[0] {
                if (1 ..< needle.count).allSatisfy({ bytes[start + $0] == needle[$0] }) { return true }
            }
            return false
        }
    }
}
