/// A saved `auditctl -l` listing, made readable by the rules parser.
public enum SavedListing {
    /// `auditctl -l` prints a few values in forms auditctl itself refuses on input: file types as
    /// decimal modes (`filetype=32768`), and "No rules" for an empty set. Everything else it
    /// prints is rule syntax. Line numbers are kept.
    public static func loadableText(_ text: String) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.first(where: { !$0.isEmpty }) == "No rules" { return "" }
        for i in lines.indices where lines[i].contains("filetype") {
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
}
