/// The canonical, loadable spelling of rules (`aurules fmt`): one statement per line, single
/// spaces, `ACTION,LIST` order, all `-S` of a rule merged into one comma list placed where the
/// first `-S` was (so arch fields stay before it and the kernel's field order is unchanged), keys
/// last as `-k`, and `\ ` / `\\` escapes where a word needs them. Comment lines are kept; runs of
/// blank lines become one. Formatting the output again gives the same text.
public enum RuleFormatter {
    public static func format(_ file: RuleFile) -> String {
        enum Item { case statement(Statement), trivia(Located<String>) }
        var items: [(file: String, line: Int, order: Int, item: Item)] = []
        for (i, s) in file.statements.enumerated() {
            items.append((s.location.file, s.location.line, i, .statement(s)))
        }
        // Trivia only exists for plain files, whose statements are in line order: interleave by line.
        if !file.trivia.isEmpty {
            for (i, t) in file.trivia.enumerated() {
                items.append((t.location.file, t.location.line, file.statements.count + i, .trivia(t)))
            }
            var fileOrder: [String: Int] = [:]
            for item in items where fileOrder[item.file] == nil { fileOrder[item.file] = fileOrder.count }
            items.sort { a, b in
                let fa = fileOrder[a.file]!, fb = fileOrder[b.file]!
                if fa != fb { return fa < fb }
                if a.line != b.line { return a.line < b.line }
                return a.order < b.order
            }
        }
        var lines: [String] = []
        for entry in items {
            switch entry.item {
            case .statement(let s):
                lines.append(format(s))
            case .trivia(let t):
                if t.value.isEmpty {
                    if let last = lines.last, !last.isEmpty { lines.append("") }
                } else {
                    lines.append(t.value.drop(while: { $0 == " " }).description)
                }
            }
        }
        while lines.first == "" { lines.removeFirst() }
        while lines.last == "" { lines.removeLast() }
        return lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n"
    }

    public static func format(_ s: Statement) -> String {
        switch s.kind {
        case .rule(let r): return format(r)
        case .watch(let w): return format(w)
        case .deleteAll(let key): return key.map { "-D -k " + Lexer.escape($0.value) } ?? "-D"
        case .setting(let setting): return format(setting)
        case .loaderOption(let o): return o.rawValue
        }
    }

    static func format(_ r: RuleStatement) -> String {
        var words = [r.command.rawValue, "\(r.action.value.rawValue),\(r.list.value.rawValue)"]
        let syscallsAt: Int
        if let first = r.syscalls.first {
            syscallsAt = r.fields.firstIndex(where: { !precedes($0.name.location, first.location) }) ?? r.fields.count
        } else {
            syscallsAt = r.fields.count
        }
        for (i, f) in r.fields.enumerated() {
            if i == syscallsAt { words += syscallWords(r.syscalls) }
            words += format(f)
        }
        if syscallsAt == r.fields.count { words += syscallWords(r.syscalls) }
        words += keyWords(r.keys)
        return words.joined(separator: " ")
    }

    static func precedes(_ a: SourceLocation, _ b: SourceLocation) -> Bool {
        (a.line, a.column) < (b.line, b.column)
    }

    static func syscallWords(_ syscalls: [Located<SyscallSpec>]) -> [String] {
        guard !syscalls.isEmpty else { return [] }
        // Names are case-insensitive and a repeated syscall sets the same bit: both are normalised.
        var names: [String] = []
        for s in syscalls {
            let word: String
            switch s.value {
            case .name(let n): word = n.lowercased()
            case .number(let n): word = String(n)
            case .all: word = "all"
            }
            if !names.contains(word) { names.append(word) }
        }
        return ["-S", Lexer.escape(names.joined(separator: ","))]
    }

    static func format(_ f: FieldClause) -> [String] {
        let flag = f.isComparison ? "-C" : "-F"
        return [flag, Lexer.escape(f.name.value + f.op.value.rawValue + f.rawValue.value)]
    }

    static func keyWords(_ keys: [Located<String>]) -> [String] {
        keys.flatMap { k in k.value.isEmpty ? ["-F", "key="] : ["-k", Lexer.escape(k.value)] }
    }

    static func format(_ w: WatchStatement) -> String {
        var words = [w.remove ? "-W" : "-w", Lexer.escape(w.path.value)]
        if let p = w.permissions { words += ["-p", p.value] }
        for f in w.fields { words += format(f) }
        words += keyWords(w.keys)
        return words.joined(separator: " ")
    }

    static func format(_ s: Setting) -> String {
        switch s {
        case .backlogLimit(let n): return "-b \(n)"
        case .failureMode(let n): return "-f \(n)"
        case .enabled(let n): return "-e \(n)"
        case .rateLimit(let n): return "-r \(n)"
        case .backlogWaitTime(let n): return "--backlog_wait_time \(n)"
        case .loginuidImmutable: return "--loginuid-immutable"
        case .resetLost: return "--reset-lost"
        case .resetBacklogWaitTimeActual: return "--reset_backlog_wait_time_actual"
        }
    }
}
