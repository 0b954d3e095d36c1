/// A saved `auditctl -l` listing, made readable by the rules parser.
public enum SavedListing {
    /// `auditctl -l` prints a few values in forms auditctl itself refuses on input: file types as
    /// decimal modes (`filetype=32768`), and "No rules" for an empty set. Everything else it
    /// prints is rule syntax. Line numbers are kept.
    public static func loadableText(_ text: String) -> String {
        if text.utf8.starts(with: "No rules".utf8) { return "" }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
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
