import Syscalls

/// A saved `auditctl -l` listing, made readable by the rules parser.
public enum SavedListing {
    /// `auditctl -l` prints a few values in forms auditctl itself refuses on input: file types as
    /// decimal modes (`filetype=32768`), and "No rules" for an empty set. Everything else it
    /// prints is rule syntax. Line numbers are kept; lines and words are cut at their bytes.
    public static func loadableText(_ text: RulesText) -> RulesText {
        if text.starts(with: "No rules".utf8) { return "" }
        let utf8 = text
        let lines = lineRanges(text)
        // Nearly every listing needs nothing: its bytes say so without copying it.
        guard lines.contains(where: { needsRewriting(utf8[$0]) || fieldFirstWatch(utf8[$0]) != nil }) else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count + 64)
        for (i, range) in lines.enumerated() {
            if i > 0 { out.append(0x0A) }
            if let line = loadableLine(utf8[range]) { out += line } else { out += utf8[range] }
        }
        return RulesText(out)
    }

    /// One line of a listing made loadable (`loadableText` line by line: a line that needs no
    /// rewriting is the same through `appendLoadable`); nil when it stays as it is.
    static func loadableLine(_ line: Slice<RulesText>) -> [UInt8]? {
        var out: [UInt8] = []
        if let watch = fieldFirstWatch(line) {
            appendLoadable(watch[...], to: &out)
        } else if needsRewriting(line) {
            appendLoadable(line, to: &out)
        } else {
            return nil
        }
        return out
    }

    /// The options whose value is the next word.
    private static let optionsWithValue: [[UInt8]] = ["-a", "-F", "-S", "-C", "-k", "-p", "-w"].map { Array($0.utf8) }

    /// One listing line made loadable. `auditctl -l` prints keys and paths as they are, spaces
    /// included (`-F key=by hand`, `-w /srv/my dir`), where a rules file needs `\ `: a word that
    /// is neither an option nor the value an option expects continues the value before it.
    /// A file type printed as a number becomes its name.
    private static func appendLoadable(_ line: Slice<RulesText>, to out: inout [UInt8]) {
        var words: [[UInt8]] = []
        var expectsValue = false
        for word in line.split(separator: 0x20, omittingEmptySubsequences: false) {
            if expectsValue {
                words.append(Array(word))
                expectsValue = false
            } else if word.first == UInt8(ascii: "-") || words.isEmpty {
                words.append(Array(word))
                expectsValue = optionsWithValue.contains { $0.elementsEqual(word) }
            } else {
                words[words.count - 1] += [0x5C, 0x20]
                words[words.count - 1] += word
            }
        }
        for (i, word) in words.enumerated() {
            if i > 0 { out.append(0x20) }
            out += namingFileType(word) ?? word
        }
    }

    /// A watch-shaped rule (`RulePrinter.isWatch`) whose first field is not its path lists as a
    /// line that starts with that field, in kernel order, `-w` glued to what precedes it:
    /// ` -p PERMS-w PATH...`, ` -k KEY-w PATH...` (a rule loaded with its key first; auditctl
    /// moves keys last, other loaders need not). One with no path or dir field at all (auditctl
    /// 3.0.9's `is_watch` asks only for a perm field) lists as ` -p PERMS [-k KEY]`: it is an
    /// exit rule on every syscall. Returns such a line as loadable rule syntax, else nil:
    /// `-w PATH... -p PERMS -k KEY`, or `-a always,exit -S all -F perm=PERMS -k KEY` (the action
    /// is not listed: ListingLoss).
    static func fieldFirstWatch(_ line: Slice<RulesText>) -> RulesText? {
        let perm = Array(" -p ".utf8), key = Array(" -k ".utf8), glue = Array("-w ".utf8)
        guard line.starts(with: perm) || line.starts(with: key) else { return nil }
        // The fields before the path, each ` -p PERMS` or ` -k KEY` (a key runs to the next
        // field: auditctl prints it as it is).
        var fields: [(isPerm: Bool, value: Slice<RulesText>)] = []
        var i = line.startIndex
        var rest: Slice<RulesText>?
        while i < line.endIndex {
            if line[i...].starts(with: perm) {
                let start = line.index(i, offsetBy: perm.count)
                var end = start
                while end < line.endIndex, "rwxa".utf8.contains(line[end]) { end = line.index(after: end) }
                guard end > start else { return nil }
                fields.append((true, line[start ..< end]))
                i = end
            } else if line[i...].starts(with: key) {
                let start = line.index(i, offsetBy: key.count)
                var end = start
                while end < line.endIndex, !line[end...].starts(with: perm), !line[end...].starts(with: key),
                      !line[end...].starts(with: glue) {
                    end = line.index(after: end)
                }
                guard end > start else { return nil }
                fields.append((false, line[start ..< end]))
                i = end
            } else if line[i...].starts(with: glue) {
                rest = line[line.index(i, offsetBy: glue.count)...]
                break
            } else {
                return nil
            }
        }
        var out: [UInt8] = []
        if let rest {
            // The perm may follow the path; the parser judges the line as any `-w` line.
            out = glue + Array(rest)
            for f in fields { out += (f.isPerm ? perm : key) + Array(f.value) }
        } else {
            guard fields.contains(where: \.isPerm) else { return nil }
            out = Array("-a always,exit -S all".utf8)
            for f in fields { out += (f.isPerm ? Array(" -F perm=".utf8) : key) + Array(f.value) }
        }
        return RulesText(out)
    }

    /// `filetype=file` for `filetype=32768` (and the same with `!=`), nil for any other word.
    private static func namingFileType(_ word: [UInt8]) -> [UInt8]? {
        for op in ["!=", "="] {
            let prefix = Array(("filetype" + op).utf8)
            guard word.starts(with: prefix) else { continue }
            guard let n = UInt32(String(decoding: word.dropFirst(prefix.count), as: UTF8.self)),
                  let name = FileTypeTable.name(of: n) else { return nil }
            return prefix + Array(name.utf8)
        }
        return nil
    }

    /// The byte ranges of the lines of a text: `\n` ends a line (a CR before it stays in the line).
    /// A text that ends with `\n` has an empty last line.
    static func lineRanges(_ text: RulesText) -> [Range<Int>] {
        text.withBytes { bytes in
            var lines = ByteLines(bytes).map(\.range)
            if bytes.last == 0x0A || bytes.isEmpty { lines.append(bytes.count ..< bytes.count) }
            return lines
        }
    }

    /// Whether `appendLoadable` would change this line.
    static func needsRewriting<Line: Collection<UInt8>>(_ line: Line) -> Bool {
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

    private static func containsFileType<Line: Collection<UInt8>>(_ line: Line) -> Bool {
        let needle = Array("filetype".utf8)
        var i = line.startIndex
        while let hit = line[i...].firstIndex(of: needle[0]) {
            if line[hit...].starts(with: needle) { return true }
            i = line.index(after: hit)
        }
        return false
    }
}
