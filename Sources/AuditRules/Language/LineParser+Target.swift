import Syscalls

/// The options that say what a rule applies to: `-a`/`-A`/`-d LIST,ACTION`, a watch (`-w`/`-W`)
/// and its permissions (`-p`).
extension LineParser {
    mutating func ruleCommand(_ o: ScannedOption, _ arg: Token) {
        if watch != nil {
            report(.misplacedOption, .error, "\(o.name) cannot be combined with a watch (-w/-W) on one line", column: o.column, length: o.length)
            return
        }
        if command != nil {
            report(.misplacedOption, .error, "only one of -a, -A, -d is allowed per line", column: o.column, length: o.length)
            return
        }
        command = (RuleCommand(rawValue: o.name)!, o.column, o.length)
        let parts = commaSeparated(arg.text)
        guard parts.count == 2 else {
            report(.listAction, "expected LIST,ACTION (for example always,exit), not '\(message: arg.text)'", arg)
            return
        }
        let firstColumn = arg.column, secondColumn = arg.column + parts[0].count + 1
        func listNamed(_ s: RulesText) -> FilterList? { s == "entry" ? nil : Self.listNames.first { $0.text == s }?.list }
        func actionNamed(_ s: RulesText) -> RuleAction? { Self.actionNames.first { $0.text == s }?.action }
        if let a = actionNamed(parts[0]), let l = listNamed(parts[1]) {
            action = Located(a, at: location(firstColumn), length: parts[0].count)
            list = Located(l, at: location(secondColumn), length: parts[1].count)
        } else if let l = listNamed(parts[0]), let a = actionNamed(parts[1]) {
            list = Located(l, at: location(firstColumn), length: parts[0].count)
            action = Located(a, at: location(secondColumn), length: parts[1].count)
        } else {
            if let bad = parts.firstIndex(where: { listNamed($0) == nil && actionNamed($0) == nil }) {
                report(.listAction, .error, Self.explainListOrAction(parts[bad], in: arg.text),
                       column: bad == 0 ? firstColumn : secondColumn, length: parts[bad].count)
            } else {
                report(.listAction, "'\(message: arg.text)' needs one list and one action (for example always,exit)", arg)
            }
            return
        }
        if let l = list { if l.value == .io_uring { ioUringList(l, command: o.name, word: arg.text) } else { kernelList(l) } }
    }

    /// The lists' and actions' names as bytes, compared as written (no String made per rule; the
    /// names are ASCII, which no other bytes spell).
    private static let listNames = FilterList.allCases.map { (text: RulesText($0.rawValue), list: $0) }
    private static let actionNames = RuleAction.allCases.map { (text: RulesText($0.rawValue), action: $0) }

    static func explainListOrAction(_ word: RulesText, in text: RulesText) -> String {
        let lists = "task, exit, user, exclude, filesystem, io_uring"
        switch word {
        case "entry":
            return "the entry list no longer exists (gone from the kernel since 2.6.31 and from auditctl since 2016): use exit"
        case "possible":
            return "the action 'possible' is obsolete: use always or never"
        default:
            if let lower = word.lowercasedASCII.validUTF8, FilterList(rawValue: lower) != nil || RuleAction(rawValue: lower) != nil {
                return "'\(message: word)' must be written in lower case (auditctl 3.0.9 is case-sensitive here)"
            }
            return "'\(message: text)' needs one list (\(lists)) and one action (always, never), not '\(message: word)'"
        }
    }

    mutating func watchOption(_ o: ScannedOption, _ arg: Token) {
        if command != nil {
            report(.misplacedOption, .error, "a watch (\(o.name)) cannot be combined with -a/-A/-d on one line", column: o.column, length: o.length)
            return
        }
        if watch != nil {
            report(.misplacedOption, .error, "only one watch per line", column: o.column, length: o.length)
            return
        }
        var path = arg.text
        if path.count >= 4096 {
            report(.watchPath, "the watch path is \(path.count) bytes long; the limit is 4095", arg)
        }
        if path.first != UInt8(ascii: "/") {
            report(.watchPath, "the watch path must be absolute (start with '/')", arg)
        }
        if Self.lastComponentBytes(of: path) > 255 {
            report(.watchPath, "the last component of the watch path is longer than 255 bytes", arg)
        }
        if trimsWatchSlashes, path.count > 2, path.last == UInt8(ascii: "/") {
            // auditctl trims the trailing '/' bytes, keeping at least one byte.
            var kept = path.count
            while kept > 1 && path[kept - 1] == UInt8(ascii: "/") { kept -= 1 }
            path = RulesText(path.prefix(kept))
        }
        watch = (o.name == "-W", Located(path, at: location(arg.column), length: arg.length), o.column)
        syscallAdded = true
        permAdded = true
    }

    /// Length in bytes of the last non-empty `/`-separated component of `path` (0 when none).
    static func lastComponentBytes(of path: RulesText) -> Int {
        var length = 0
        for b in path.reversed() {
            if b != UInt8(ascii: "/") { length += 1 } else if length > 0 { break }
        }
        return length
    }

    mutating func permissionOption(_ o: ScannedOption, _ arg: Token) {
        guard hasRuleTarget else {
            report(.permissions, .error, "-p needs a watch (-w PATH) before it", column: o.column, length: o.length)
            return
        }
        guard let bits = Permissions(letters: arg.text) else {
            report(.permissions, arg.text.count > Permissions.maxLetters ? "permissions '\(message: arg.text)' are too long: at most the four letters r, w, x, a"
                                           : "permissions may only contain the letters r, w, x and a, not '\(message: arg.text)'", arg)
            return
        }
        permAdded = true
        if watch != nil {
            permissions = Located(arg.text, at: location(arg.column), length: arg.length)
            return
        }
        if fields.isEmpty {
            report(.permissions, .error, "-p on an -a rule updates its perm field and needs another field before it (auditctl: Permissions should be preceded by other fields)",
                   column: o.column, length: o.length)
            return
        }
        if let l = list?.value, !l.kernelTakesPermField {
            report(.permissions, .error, "-p cannot be used on the \(l.rawValue) list: the kernel takes only fstype and key fields there",
                   column: o.column, length: o.length)
            return
        }
        let clause = FieldClause(name: Located("perm", at: location(o.column), length: o.length),
                                 op: Located(.equal, at: location(o.column), length: o.length),
                                 rawValue: Located(arg.text, at: location(arg.column), length: arg.length),
                                 value: .permissions(bits))
        if let i = fields.firstIndex(where: { $0.name.value == "perm" && !$0.isComparison }) {
            fields[i].rawValue = clause.rawValue
            fields[i].value = clause.value
        } else {
            fields.append(clause)
        }
    }
}
