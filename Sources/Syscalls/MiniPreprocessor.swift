import Foundation

/// Just enough of the C preprocessor to read the kernel's unistd headers: object-like defines,
/// #if/#ifdef/#ifndef/#elif/#else/#endif with integer expressions and defined(), #undef and
/// #include. Function-like macros are only recorded as defined.
struct MiniPreprocessor {
    var includeDirs: [String]
    private(set) var macros: [String: String] = [:]
    private var depth = 0

    init(includeDirs: [String]) {
        self.includeDirs = includeDirs
    }

    mutating func define(_ name: String, _ value: Int) {
        macros[name] = String(value)
    }

    /// Processes `path` (and `include` first, when given, as if the file began by including it),
    /// then returns every `__NR_name` macro that evaluates to a number.
    mutating func syscalls(in path: String, include: String?) throws -> [Int: String] {
        if let include { try process(path: include) }
        try process(path: path)
        var out: [Int: String] = [:]
        for (name, body) in macros where name.hasPrefix("__NR_") {
            let call = String(name.dropFirst(5))
            // `#define __NR_sync_file_range2 __NR_arm_sync_file_range` is an alias: the table name wins.
            if body.hasPrefix("__NR_") && body.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) { continue }
            guard call != "syscalls", call != "arch_specific_syscall",
                  call.allSatisfy({ $0.isLowercase || $0.isNumber || $0 == "_" }),
                  let value = evaluate(name) else { continue }
            out[value] = call
        }
        return out
    }

    private mutating func process(path: String) throws {
        depth += 1
        defer { depth -= 1 }
        guard depth < 16 else { throw KernelSources.ImportError("\(path): includes nest too deep") }
        let text = try KernelSources.read(path)
        // (active, some branch taken, parent active)
        var stack: [(active: Bool, taken: Bool)] = []
        var active: Bool { stack.allSatisfy(\.active) }
        for raw in Self.logicalLines(text) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            guard line.hasPrefix("#") else { continue }
            let body = line.dropFirst().trimmingCharacters(in: .whitespaces)
            let word = String(body.prefix(while: { $0.isLetter }))
            let rest = body.dropFirst(word.count).trimmingCharacters(in: .whitespaces)
            switch word {
            case "ifdef", "ifndef":
                let defined = macros[rest.split(separator: " ").first.map(String.init) ?? ""] != nil
                let cond = word == "ifdef" ? defined : !defined
                stack.append((cond, cond))
            case "if":
                let cond = active && (evaluateExpression(rest) ?? 0) != 0
                stack.append((cond, cond))
            case "elif":
                guard let top = stack.popLast() else { continue }
                let parent = stack.allSatisfy(\.active)
                let cond = !top.taken && parent && (evaluateExpression(rest) ?? 0) != 0
                stack.append((cond, top.taken || cond))
            case "else":
                guard let top = stack.popLast() else { continue }
                stack.append((!top.taken, true))
            case "endif":
                _ = stack.popLast()
            case "define" where active:
                let name = String(rest.prefix(while: { $0.isLetter || $0.isNumber || $0 == "_" }))
                let after = rest.dropFirst(name.count)
                macros[name] = after.hasPrefix("(") ? "" : after.trimmingCharacters(in: .whitespaces)
            case "undef" where active:
                macros[rest.trimmingCharacters(in: .whitespaces)] = nil
            case "include" where active:
                let file = rest.trimmingCharacters(in: CharacterSet(charactersIn: "<>\" "))
                if let found = includeDirs.map({ $0 + "/" + file }).first(where: { FileManager.default.fileExists(atPath: $0) }) {
                    try process(path: found)
                }
            default:
                break
            }
        }
    }

    /// Lines with comments removed and backslash continuations joined.
    static func logicalLines(_ text: String) -> [String] {
        var noComments = ""
        var i = text.startIndex
        while i < text.endIndex {
            if text[i...].hasPrefix("/*") {
                guard let end = text.range(of: "*/", range: i..<text.endIndex) else { break }
                noComments += " "
                i = end.upperBound
            } else if text[i...].hasPrefix("//") {
                i = text[i...].firstIndex(of: "\n") ?? text.endIndex
            } else {
                noComments.append(text[i])
                i = text.index(after: i)
            }
        }
        return noComments.replacingOccurrences(of: "\\\n", with: " ").components(separatedBy: "\n")
    }

    /// The integer value of macro `name`, expanding other macros; nil when it is no number.
    func evaluate(_ name: String) -> Int? {
        guard let body = macros[name], !body.isEmpty else { return nil }
        return evaluateExpression(body)
    }

    func evaluateExpression(_ text: String) -> Int? {
        var parser = ExpressionParser(tokens: ExpressionParser.tokenize(text), macros: macros)
        return parser.parse()
    }
}

/// Integer expressions of #if lines and macro bodies: literals, macros, defined(), unary ! and -,
/// * / + - < > <= >= == != && ||, parentheses.
private struct ExpressionParser {
    var tokens: [String]
    var macros: [String: String]
    var pos = 0
    var expanding: Set<String> = []

    static func tokenize(_ s: String) -> [String] {
        var out: [String] = []
        var cur = ""
        let chars = Array(s)
        var i = 0
        func flush() { if !cur.isEmpty { out.append(cur); cur = "" } }
        while i < chars.count {
            let c = chars[i]
            if c.isLetter || c.isNumber || c == "_" { cur.append(c); i += 1; continue }
            flush()
            if c.isWhitespace { i += 1; continue }
            let two = i + 1 < chars.count ? String([c, chars[i + 1]]) : ""
            if ["&&", "||", "==", "!=", "<=", ">=", "<<", ">>"].contains(two) { out.append(two); i += 2 } else { out.append(String(c)); i += 1 }
        }
        flush()
        return out
    }

    mutating func parse() -> Int? {
        let v = binary(0)
        return pos == tokens.count ? v : nil
    }

    static let precedence: [String: Int] = ["||": 1, "&&": 2, "==": 3, "!=": 3, "<": 4, ">": 4, "<=": 4, ">=": 4,
                                            "<<": 5, ">>": 5, "+": 6, "-": 6, "*": 7, "/": 7]

    mutating func binary(_ minPrec: Int) -> Int? {
        guard var lhs = unary() else { return nil }
        while pos < tokens.count, let p = Self.precedence[tokens[pos]], p > minPrec {
            let op = tokens[pos]
            pos += 1
            guard let rhs = binary(p) else { return nil }
            switch op {
            case "||": lhs = (lhs != 0 || rhs != 0) ? 1 : 0
            case "&&": lhs = (lhs != 0 && rhs != 0) ? 1 : 0
            case "==": lhs = lhs == rhs ? 1 : 0
            case "!=": lhs = lhs != rhs ? 1 : 0
            case "<": lhs = lhs < rhs ? 1 : 0
            case ">": lhs = lhs > rhs ? 1 : 0
            case "<=": lhs = lhs <= rhs ? 1 : 0
            case ">=": lhs = lhs >= rhs ? 1 : 0
            case "<<": lhs <<= rhs
            case ">>": lhs >>= rhs
            case "+": lhs += rhs
            case "-": lhs -= rhs
            case "*": lhs *= rhs
            default: guard rhs != 0 else { return nil }; lhs /= rhs
            }
        }
        return lhs
    }

    mutating func unary() -> Int? {
        guard pos < tokens.count else { return nil }
        let t = tokens[pos]
        pos += 1
        switch t {
        case "!": return unary().map { $0 == 0 ? 1 : 0 }
        case "-": return unary().map { -$0 }
        case "(":
            let v = binary(0)
            guard pos < tokens.count, tokens[pos] == ")" else { return nil }
            pos += 1
            return v
        case "defined":
            var name = pos < tokens.count ? tokens[pos] : ""
            if name == "(" { pos += 1; name = pos < tokens.count ? tokens[pos] : ""; pos += 2 } else { pos += 1 }
            return macros[name] != nil ? 1 : 0
        default:
            if let n = Self.literal(t) { return n }
            guard let body = macros[t], !body.isEmpty, !expanding.contains(t) else { return 0 }
            var inner = ExpressionParser(tokens: Self.tokenize(body), macros: macros)
            inner.expanding = expanding.union([t])
            return inner.parse()
        }
    }

    static func literal(_ t: String) -> Int? {
        let s = t.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "ul"))
        if s.hasPrefix("0x") { return Int(s.dropFirst(2), radix: 16) }
        return s.first?.isNumber == true ? Int(s) : nil
    }
}
