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
    static let withArgument: Set<Character> = ["C", "e", "f", "r", "b", "a", "A", "d", "S", "F", "m", "R", "w", "W", "k", "p", "q"]
    static let withoutArgument: Set<Character> = ["h", "i", "c", "s", "l", "D", "v", "t"]
    static let longOptions: [(name: String, takesArgument: Bool)] = [
        ("loginuid-immutable", false), ("backlog_wait_time", true), ("reset-lost", false),
        ("reset_backlog_wait_time_actual", false), ("signal", true),
    ]

    /// The option sets by ASCII byte: 0 not an option, 1 without argument, 2 with one.
    private static let letterKinds: [UInt8] = (0 ..< 128).map { b in
        let c = Character(Unicode.Scalar(UInt8(b)))
        return withArgument.contains(c) ? 2 : withoutArgument.contains(c) ? 1 : 0
    }
    /// `-x` for every ASCII byte x, built once.
    private static let dashedNames: [String] = (0 ..< 128).map { "-" + String(Unicode.Scalar(UInt8($0))) }

    /// `isASCII`: every word is ASCII, so each byte is one character.
    static func scan(_ words: [Token], isASCII: Bool = false) -> (options: [ScannedOption], operands: [Token], problems: [ScanProblem]) {
        var options: [ScannedOption] = []
        var operands: [Token] = []
        var problems: [ScanProblem] = []
        options.reserveCapacity(words.count / 2 + 1)
        var i = 0
        while i < words.count {
            let word = words[i]
            i += 1
            // An ASCII word's bytes are its characters: two byte checks instead of two String comparisons.
            let utf8 = word.text.utf8
            let long = isASCII ? utf8.count >= 2 && utf8.first == UInt8(ascii: "-") && utf8[utf8.index(after: utf8.startIndex)] == UInt8(ascii: "-")
                : word.text.hasPrefix("--")
            if long && (isASCII ? utf8.count == 2 : word.text == "--") {
                operands.append(contentsOf: words[i...])
                break
            }
            if long {
                scanLong(word, words: words, next: &i, options: &options, problems: &problems)
                continue
            }
            if isASCII {
                if !scanCluster(word, words: words, next: &i, options: &options, problems: &problems) { operands.append(word) }
            } else if !scanCharacterCluster(word, words: words, next: &i, options: &options, problems: &problems) {
                operands.append(word)
            }
        }
        return (options, operands, problems)
    }

    private static func scanLong(_ word: Token, words: [Token], next i: inout Int, options: inout [ScannedOption],
                                 problems: inout [ScanProblem]) {
        let body = word.text.dropFirst(2)
        let name = body.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        let inlineValue: String? = body.contains("=") ? String(body[body.index(after: body.firstIndex(of: "=")!)...]) : nil
        let exact = longOptions.filter { $0.name == name }
        let matches = exact.isEmpty ? longOptions.filter { $0.name.hasPrefix(name) } : exact
        guard matches.count == 1, !name.isEmpty else {
            let why = matches.count > 1
                ? "ambiguous option '--\(name)' (could be \(matches.map { "--" + $0.name }.joined(separator: ", ")))"
                : "unknown option '\(word.text)'"
            problems.append(ScanProblem(message: why, column: word.column, length: word.length))
            return
        }
        let option = matches[0]
        var scanned = ScannedOption(name: "--" + option.name, column: word.column, length: word.length, argument: nil)
        if option.takesArgument {
            if let v = inlineValue {
                let offset = 2 + name.utf8.count + 1
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

    /// A cluster of short options in an ASCII word: `-ic`, or an option with its value attached:
    /// `-Fauid>=1000`. Returns false when the word is not an option at all.
    private static func scanCluster(_ word: Token, words: [Token], next i: inout Int, options: inout [ScannedOption],
                                    problems: inout [ScanProblem]) -> Bool {
        let utf8 = word.text.utf8
        let count = utf8.count
        guard count > 1, utf8.first == UInt8(ascii: "-") else { return false }
        var k = utf8.index(after: utf8.startIndex)
        var offset = 1
        while k != utf8.endIndex {
            let letter = utf8[k]
            // The first option of a word is shown with its dash; later ones in a cluster alone.
            let letterColumn = offset == 1 ? word.column : word.column + offset
            let shown = offset == 1 ? 2 : 1
            offset += 1
            k = utf8.index(after: k)
            let endsWord = k == utf8.endIndex
            switch letterKinds[Int(letter)] {
            case 1:
                options.append(ScannedOption(name: dashedNames[Int(letter)], column: letterColumn, length: shown, argument: nil,
                                             lastWord: i - 1, endsWord: endsWord, letter: letter))
            case 2:
                var scanned = ScannedOption(name: dashedNames[Int(letter)], column: letterColumn, length: shown, argument: nil,
                                            letter: letter)
                if !endsWord {
                    scanned.argument = Token(text: String(word.text[k...]), column: word.column + offset,
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
                problems.append(ScanProblem(message: "unknown option '\(dashedNames[Int(letter)])'", column: letterColumn,
                                            length: shown))
            }
        }
        return true
    }

    /// The same for a word with other characters: each character (with its combining marks) is
    /// one letter, and only a plain ASCII letter can be an option.
    private static func scanCharacterCluster(_ word: Token, words: [Token], next i: inout Int, options: inout [ScannedOption],
                                             problems: inout [ScanProblem]) -> Bool {
        let chars = Array(word.text)
        guard chars.count > 1, chars[0] == "-" else { return false }
        var offset = 1
        var k = 1
        while k < chars.count {
            let letter = chars[k]
            let letterBytes = String(letter).utf8.count
            let letterColumn = k == 1 ? word.column : word.column + offset
            let shown = k == 1 ? letterBytes + 1 : letterBytes
            offset += letterBytes
            k += 1
            if withoutArgument.contains(letter) {
                options.append(ScannedOption(name: "-\(letter)", column: letterColumn, length: shown, argument: nil,
                                             lastWord: i - 1, endsWord: k == chars.count, letter: letter.asciiValue ?? 0))
            } else if withArgument.contains(letter) {
                var scanned = ScannedOption(name: "-\(letter)", column: letterColumn, length: shown, argument: nil,
                                            letter: letter.asciiValue ?? 0)
                if k < chars.count {
                    let rest = String(chars[k...])
                    scanned.argument = Token(text: rest, column: word.column + offset, length: max(word.length - offset, 0))
                } else if i < words.count {
                    scanned.argument = words[i]
                    i += 1
                } else {
                    problems.append(ScanProblem(message: "option '-\(letter)' needs a value",
                                                column: letterColumn, length: shown))
                    return true
                }
                scanned.lastWord = i - 1
                options.append(scanned)
                return true
            } else {
                problems.append(ScanProblem(message: "unknown option '-\(letter)'", column: letterColumn,
                                            length: shown))
            }
        }
        return true
    }
}
