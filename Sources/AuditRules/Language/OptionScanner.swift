/// One option of a rules line as auditctl's `getopt_long` sees it.
struct ScannedOption {
    /// `-a`, `-F`, ... or the full long name `--backlog_wait_time`.
    var name: String
    /// Where the option itself was written (inside a cluster like `-ic`, the letter's column).
    var column: Int
    var length: Int
    /// The option's argument, when it takes one: the rest of the word (`-Fauid>=1000`) or the next word.
    var argument: Token?
    /// Index of the last word the option (with its argument) occupies.
    var lastWord = 0
    /// False when more options follow in the same word (`-c` in `-ci`).
    var endsWord = true
    /// The option letter of a short option (`F` of `-F`), 0 for long options: what the
    /// parser dispatches on (comparing `name` with two dozen strings costs more than parsing it).
    var letter: UInt8 = 0
}

struct ScanProblem {
    var message: String
    var column: Int
    var length: Int
}

/// auditctl's command-line grammar: getopt_long with the option string
/// `hicslDvtC:e:f:r:b:a:A:d:S:F:m:R:w:W:k:p:q:`, GNU argument permutation (words that are not
/// options are moved to the end and then rejected), long options matched by unique prefix.
enum OptionScanner {
    /// The option letters as getopt reads them: bytes of a word.
    static let withArgument = Set("CefrbaAdSFmRwWkpq".utf8)
    static let withoutArgument = Set("hicslDvt".utf8)
    static let longOptions: [(name: String, takesArgument: Bool)] = [
        ("loginuid-immutable", false), ("backlog_wait_time", true), ("reset-lost", false),
        ("reset_backlog_wait_time_actual", false), ("signal", true),
    ]

    /// The option sets by byte: 0 not an option, 1 without argument, 2 with one.
    private static let letterKinds: [UInt8] = (0 ..< 256).map { b in
        withArgument.contains(UInt8(b)) ? 2 : withoutArgument.contains(UInt8(b)) ? 1 : 0
    }
    /// `-x` for every ASCII byte x, built once.
    private static let dashedNames: [String] = (0 ..< 128).map { "-" + String(Unicode.Scalar(UInt8($0))) }

    /// Scans the words by their bytes, as getopt does: each byte of a cluster is one option letter.
    static func scan(_ words: [Token]) -> (options: [ScannedOption], operands: [Token], problems: [ScanProblem]) {
        var options: [ScannedOption] = []
        var operands: [Token] = []
        var problems: [ScanProblem] = []
        options.reserveCapacity(words.count / 2 + 1)
        var i = 0
        while i < words.count {
            let word = words[i]
            i += 1
            let utf8 = word.text
            let long = utf8.count >= 2 && utf8.first == UInt8(ascii: "-") && utf8[utf8.index(after: utf8.startIndex)] == UInt8(ascii: "-")
            if long && utf8.count == 2 {
                operands.append(contentsOf: words[i...])
                break
            }
            if long {
                scanLong(word, words: words, next: &i, options: &options, problems: &problems)
                continue
            }
            if !scanCluster(word, words: words, next: &i, options: &options, problems: &problems) { operands.append(word) }
        }
        return (options, operands, problems)
    }

    private static func scanLong(_ word: Token, words: [Token], next i: inout Int, options: inout [ScannedOption],
                                 problems: inout [ScanProblem]) {
        let body = word.text.dropFirst(2)
        let equal = body.firstIndex(of: UInt8(ascii: "="))
        let name = RulesText(body[..<(equal ?? body.endIndex)])
        let inlineValue = equal.map { RulesText(body[body.index(after: $0)...]) }
        let exact = longOptions.filter { $0.name.utf8.elementsEqual(name) }
        let matches = exact.isEmpty ? longOptions.filter { $0.name.utf8.starts(with: name) } : exact
        guard matches.count == 1, !name.isEmpty else {
            let why = matches.count > 1
                ? "ambiguous option '--\(message: name)' (could be \(matches.map { "--" + $0.name }.joined(separator: ", ")))"
                : "unknown option '\(message: word.text)'"
            problems.append(ScanProblem(message: why, column: word.column, length: word.length))
            return
        }
        let option = matches[0]
        var scanned = ScannedOption(name: "--" + option.name, column: word.column, length: word.length, argument: nil)
        if option.takesArgument {
            if let v = inlineValue {
                let offset = 2 + name.count + 1
                scanned.argument = Token(text: v, column: word.column + offset, length: max(word.length - offset, 0))
            } else if i < words.count {
                scanned.argument = words[i]
                i += 1
            } else {
                problems.append(ScanProblem(message: "option '--\(option.name)' needs a value",
                                            column: word.column, length: word.length))
                return
            }
        } else if inlineValue != nil {
            problems.append(ScanProblem(message: "option '--\(option.name)' takes no value",
                                        column: word.column, length: word.length))
            return
        }
        scanned.lastWord = i - 1
        options.append(scanned)
    }

    /// A cluster of short options: `-ic`, or an option with its value attached: `-Fauid>=1000`.
    /// Returns false when the word is not an option at all.
    private static func scanCluster(_ word: Token, words: [Token], next i: inout Int, options: inout [ScannedOption],
                                    problems: inout [ScanProblem]) -> Bool {
        let utf8 = word.text
        let count = utf8.count
        guard count > 1, utf8.first == UInt8(ascii: "-") else { return false }
        var k = utf8.index(after: utf8.startIndex)
        var offset = 1
        while k != utf8.endIndex {
            let letter = utf8[k]
            let letterStart = k
            // The first option of a word is shown with its dash; later ones in a cluster alone.
            let first = offset == 1
            let letterColumn = first ? word.column : word.column + offset
            offset += 1
            k = utf8.index(after: k)
            let endsWord = k == utf8.endIndex
            switch letterKinds[Int(letter)] {
            case 1:
                options.append(ScannedOption(name: dashedNames[Int(letter)], column: letterColumn, length: first ? 2 : 1, argument: nil,
                                             lastWord: i - 1, endsWord: endsWord, letter: letter))
            case 2:
                let shown = first ? 2 : 1
                var scanned = ScannedOption(name: dashedNames[Int(letter)], column: letterColumn, length: shown, argument: nil,
                                            letter: letter)
                if !endsWord {
                    scanned.argument = Token(text: RulesText(utf8[k...]), column: word.column + offset,
                                             length: max(word.length - offset, 0))
                } else if i < words.count {
                    scanned.argument = words[i]
                    i += 1
                } else {
                    problems.append(ScanProblem(message: "option '\(dashedNames[Int(letter)])' needs a value",
                                                column: letterColumn, length: shown))
                    return true
                }
                scanned.lastWord = i - 1
                options.append(scanned)
                return true
            default:
                // getopt refuses each byte of a multi-byte character; the message names the
                // character once, with its continuation bytes.
                if letter >= 0xC0 {
                    while k != utf8.endIndex && utf8[k] & 0xC0 == 0x80 {
                        k = utf8.index(after: k)
                        offset += 1
                    }
                }
                let bytes = utf8[letterStart ..< k]
                let shown = bytes.count + (first ? 1 : 0)
                problems.append(ScanProblem(message: "unknown option '-\(message: RulesText(bytes))'", column: letterColumn,
                                            length: shown))
            }
        }
        return true
    }
}
