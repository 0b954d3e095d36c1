#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Just enough of the C preprocessor to read the kernel's unistd headers: object-like defines,
/// #if/#ifdef/#ifndef/#elif/#else/#endif with integer expressions and defined(), #undef and
/// #include. Function-like macros are only recorded as defined.
///
/// Headers may be hostile (`tables import --headers` runs as root on whatever it is given):
/// arithmetic is overflow-checked, nesting and expansion are bounded, and every failure is an
/// ImportError naming the file and line.
struct MiniPreprocessor {
    /// Include nesting, and files opened in total (a file including itself twice per level
    /// would otherwise open 2^depth files).
    static let maxIncludeDepth = 16
    static let maxFilesOpened = 1_000
    /// Tokens all expression evaluations of one import may read together.
    static let maxTokensRead = 10_000_000

    var includeDirs: [String]
    private(set) var macros: [String: String] = [:]
    /// `file:line` of each macro's #define, for errors found when its value is computed.
    private var definedAt: [String: String] = [:]
    private var depth = 0
    private var filesOpened = 0
    private var tokensRead = 0

    init(includeDirs: [String]) {
        self.includeDirs = includeDirs
    }

    mutating func define(_ name: String, _ value: Int) {
        macros[name] = String(value)
        definedAt[name] = "<command line>"
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
            guard call != "syscalls", call != "arch_specific_syscall", TableText.isSyscallName(call),
                  call.allSatisfy({ $0.isLowercase || $0.isNumber || $0 == "_" }),
                  let value = try evaluate(name, site: definedAt[name] ?? path) else { continue }
            out[value] = call
        }
        return out
    }

    /// Where `name` was defined (`file:line`), for messages about its value.
    func site(of name: String) -> String? { definedAt[name] }

    private mutating func process(path: String) throws {
        depth += 1
        filesOpened += 1
        defer { depth -= 1 }
        guard depth <= Self.maxIncludeDepth else { throw KernelSources.ImportError("\(path): includes nest too deep") }
        guard filesOpened <= Self.maxFilesOpened else {
            throw KernelSources.ImportError("\(path): more than \(Self.maxFilesOpened) files included")
        }
        let text = try KernelSources.read(path)
        var stack: [(active: Bool, taken: Bool)] = []
        var active: Bool { stack.allSatisfy(\.active) }
        for (lineNumber, raw) in try Self.logicalLines(text, file: path) {
            // Most lines are no directive: their first byte after ASCII blanks is an ASCII byte
            // other than '#'. Only the others pay for the Unicode-aware trim.
            if let first = raw.utf8.first(where: { $0 != 0x20 && $0 != 0x09 }), first < 0x80, first != UInt8(ascii: "#") { continue }
            let line = raw.trimmingWhitespace()
            guard line.hasPrefix("#") else { continue }
            let site = "\(path):\(lineNumber)"
            let body = line.dropFirst().trimmingWhitespace()
            let word = String(body.prefix(while: { $0.isLetter }))
            let rest = body.dropFirst(word.count).trimmingWhitespace()
            switch word {
            case "ifdef", "ifndef":
                let defined = macros[rest.split(separator: " ").first.map(String.init) ?? ""] != nil
                let cond = word == "ifdef" ? defined : !defined
                stack.append((cond, cond))
            case "if":
                let cond = try active && (evaluateExpression(rest, site: site) ?? 0) != 0
                stack.append((cond, cond))
            case "elif":
                guard let top = stack.popLast() else { continue }
                let parent = stack.allSatisfy(\.active)
                let cond = try !top.taken && parent && (evaluateExpression(rest, site: site) ?? 0) != 0
                stack.append((cond, top.taken || cond))
            case "else":
                guard let top = stack.popLast() else { continue }
                stack.append((!top.taken, true))
            case "endif":
                _ = stack.popLast()
            case "define" where active:
                let name = String(rest.prefix(while: { $0.isLetter || $0.isNumber || $0 == "_" }))
                let after = rest.dropFirst(name.count)
                macros[name] = after.hasPrefix("(") ? "" : after.trimmingWhitespace()
                definedAt[name] = site
            case "undef" where active:
                let name = rest.trimmingWhitespace()
                macros[name] = nil
                definedAt[name] = nil
            case "include" where active:
                let file = rest.trimming(where: { "<>\" ".unicodeScalars.contains($0) })
                if let found = includeDirs.map({ $0 + "/" + file }).first(where: { FileManager.default.fileExists(atPath: $0) }) {
                    try process(path: found)
                }
            default:
                break
            }
        }
    }

    /// Lines with comments removed and backslash continuations joined, each with the number of
    /// the physical line it starts on. CRLF line ends are read as LF; an unterminated comment is
    /// an error (it would otherwise hide the rest of the file).
    static func logicalLines(_ text: String, file: String) throws -> [(line: Int, text: String)] {
        let bytes = Array(text.utf8)
        var out: [(line: Int, text: String)] = []
        var current: [UInt8] = []
        var line = 1, startLine = 1
        var i = 0
        func at(_ k: Int) -> UInt8 { k < bytes.count ? bytes[k] : 0 }
        func isNewline(_ k: Int) -> Int {  // the length of a line end at k, 0 if none
            if at(k) == 0x0A { return 1 }
            return at(k) == 0x0D && at(k + 1) == 0x0A ? 2 : 0
        }
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "/") && at(i + 1) == UInt8(ascii: "*") {
                let opened = line
                i += 2
                while i < bytes.count && !(bytes[i] == UInt8(ascii: "*") && at(i + 1) == UInt8(ascii: "/")) {
                    if bytes[i] == 0x0A { line += 1 }
                    i += 1
                }
                guard i < bytes.count else { throw KernelSources.ImportError("\(file):\(opened): unterminated /* comment") }
                i += 2
                current.append(0x20)
            } else if b == UInt8(ascii: "/") && at(i + 1) == UInt8(ascii: "/") {
                while i < bytes.count && isNewline(i) == 0 { i += 1 }
            } else if b == UInt8(ascii: "\\") && isNewline(i + 1) > 0 {
                i += 1 + isNewline(i + 1)
                line += 1
                current.append(0x20)
            } else if isNewline(i) > 0 {
                out.append((startLine, String(decoding: current, as: UTF8.self)))
                current.removeAll(keepingCapacity: true)
                i += isNewline(i)
                line += 1
                startLine = line
            } else {
                current.append(b)
                i += 1
            }
        }
        out.append((startLine, String(decoding: current, as: UTF8.self)))
        return out
    }

    /// The integer value of macro `name`, expanding other macros; nil when it is no number.
    mutating func evaluate(_ name: String, site: String) throws -> Int? {
        guard let body = macros[name], !body.isEmpty else { return nil }
        return try evaluateExpression(body, site: site)
    }

    mutating func evaluateExpression(_ text: String, site: String) throws -> Int? {
        var evaluator = ExpressionEvaluator(macros: macros, budget: Self.maxTokensRead - tokensRead)
        let value = evaluator.evaluate(text)
        tokensRead += evaluator.tokensRead
        if let failure = evaluator.failure { throw KernelSources.ImportError("\(site): \(failure)") }
        return value
    }
}

/// Integer expressions of #if lines and macro bodies: literals, macros, defined(), unary ! and -,
/// * / + - << >> < > <= >= == != && ||, parentheses. Unknown names are 0, as in C.
struct ExpressionEvaluator {
    /// Parentheses, unary operators and macro expansions nested in one another.
    static let maxNesting = 200
    /// Tokens read over all expansions of one expression (`#define A B+B`, `#define B C+C`, ...
    /// doubles per level).
    static let maxTokens = 100_000

    let macros: [String: String]
    private(set) var failure: String?
    private(set) var tokensRead = 0
    private let budget: Int
    private var nesting = 0
    private var expanding: [String] = []

    init(macros: [String: String], budget: Int = ExpressionEvaluator.maxTokens) {
        self.macros = macros
        self.budget = min(budget, Self.maxTokens)
    }

    private struct Cursor {
        var tokens: [String]
        var pos = 0
        var current: String? { pos < tokens.count ? tokens[pos] : nil }
    }

    /// The value of `text`; nil when it is no number. A bound exceeded or an overflow sets `failure`.
    mutating func evaluate(_ text: String) -> Int? {
        let tokens = Self.tokenize(text)
        tokensRead += tokens.count
        guard tokensRead <= budget else {
            return fail(budget < Self.maxTokens ? "expressions expand to more than \(MiniPreprocessor.maxTokensRead) tokens in all"
                                                : "expression expands to more than \(Self.maxTokens) tokens")
        }
        var cursor = Cursor(tokens: tokens)
        let v = binary(&cursor, 0)
        return failure == nil && cursor.pos == tokens.count ? v : nil
    }

    private mutating func fail(_ message: String) -> Int? {
        if failure == nil { failure = message }
        return nil
    }

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

    static let precedence: [String: Int] = ["||": 1, "&&": 2, "==": 3, "!=": 3, "<": 4, ">": 4, "<=": 4, ">=": 4,
                                            "<<": 5, ">>": 5, "+": 6, "-": 6, "*": 7, "/": 7]

    private mutating func nested<T>(_ body: (inout Self) -> T?) -> T? {
        nesting += 1
        defer { nesting -= 1 }
        guard nesting <= Self.maxNesting else {
            _ = fail("expression nests deeper than \(Self.maxNesting) (parentheses, operators and macros)")
            return nil
        }
        return body(&self)
    }

    private mutating func binary(_ c: inout Cursor, _ minPrec: Int) -> Int? {
        guard var lhs = unary(&c) else { return nil }
        while let op = c.current, let p = Self.precedence[op], p > minPrec {
            c.pos += 1
            guard let rhs = nested({ $0.binary(&c, p) }) else { return nil }
            let result: (partialValue: Int, overflow: Bool)
            switch op {
            case "||": result = ((lhs != 0 || rhs != 0) ? 1 : 0, false)
            case "&&": result = ((lhs != 0 && rhs != 0) ? 1 : 0, false)
            case "==": result = (lhs == rhs ? 1 : 0, false)
            case "!=": result = (lhs != rhs ? 1 : 0, false)
            case "<": result = (lhs < rhs ? 1 : 0, false)
            case ">": result = (lhs > rhs ? 1 : 0, false)
            case "<=": result = (lhs <= rhs ? 1 : 0, false)
            case ">=": result = (lhs >= rhs ? 1 : 0, false)
            case "<<", ">>":
                // C leaves shifts by a negative or too large count undefined: refuse them.
                guard (0..<Int.bitWidth).contains(rhs) else { return fail("shift by \(rhs)") }
                if op == ">>" { result = (lhs >> rhs, false) } else {
                    let shifted = lhs << rhs
                    result = (shifted, shifted >> rhs != lhs)
                }
            case "+": result = lhs.addingReportingOverflow(rhs)
            case "-": result = lhs.subtractingReportingOverflow(rhs)
            case "*": result = lhs.multipliedReportingOverflow(by: rhs)
            default:
                guard rhs != 0 else { return nil }
                result = lhs.dividedReportingOverflow(by: rhs)
            }
            guard !result.overflow else { return fail("arithmetic overflow in \(lhs) \(op) \(rhs)") }
            lhs = result.partialValue
        }
        return lhs
    }

    private mutating func unary(_ c: inout Cursor) -> Int? {
        guard let t = c.current else { return nil }
        c.pos += 1
        switch t {
        case "!": return nested { $0.unary(&c) }.map { $0 == 0 ? 1 : 0 }
        case "-":
            guard let v = nested({ $0.unary(&c) }) else { return nil }
            let negated = 0.subtractingReportingOverflow(v)
            return negated.overflow ? fail("arithmetic overflow in -(\(v))") : negated.partialValue
        case "(":
            let v = nested { $0.binary(&c, 0) }
            guard c.current == ")" else { return nil }
            c.pos += 1
            return v
        case "defined":
            let parenthesized = c.current == "("
            if parenthesized { c.pos += 1 }
            let name = c.current ?? ""
            c.pos += 1
            if parenthesized {
                guard c.current == ")" else { return nil }
                c.pos += 1
            }
            return macros[name] != nil ? 1 : 0
        default:
            if let n = Self.literal(t) { return n }
            if let first = t.unicodeScalars.first, first.properties.numericType != nil { return fail("bad number '\(t)'") }
            // A stray operator or parenthesis is no expression (only names read as 0).
            guard let first = t.first, first.isLetter || first == "_" else { return nil }
            guard let body = macros[t], !body.isEmpty, !expanding.contains(t) else { return 0 }
            expanding.append(t)
            defer { expanding.removeLast() }
            return nested { $0.evaluate(body) }
        }
    }

    /// A decimal or hexadecimal literal with optional U/L suffixes; nil for anything else
    /// (an identifier such as `L60` included).
    static func literal(_ t: String) -> Int? {
        guard let first = t.utf8.first, first >= 0x30 && first <= 0x39 else { return nil }
        var s = Substring(t.lowercased())
        while let last = s.last, last == "u" || last == "l" { s = s.dropLast() }
        if s.hasPrefix("0x") { return Int(s.dropFirst(2), radix: 16) }
        return Int(s)
    }
}
