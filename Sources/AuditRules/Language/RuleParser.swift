import Foundation
import Syscalls

/// What parsing may depend on beyond the text itself.
public struct ParseOptions: Sendable {
    /// Resolves user and group names; nil keeps them as names (`--no-resolve`).
    public var resolver: (any UserResolver)?
    /// The machine auditctl would run on: `b64` is an error on 32-bit machines.
    public var hostMachine: Machine
    /// Says whether a syscall name exists on some ABI (any release, libaudit spellings included);
    /// nil accepts every name. By default the shipped syscall tables decide.
    public var isKnownSyscall: (@Sendable (String) -> Bool)?

    public init(resolver: (any UserResolver)? = HostUserResolver(), hostMachine: Machine = ParseOptions.detectedMachine,
                isKnownSyscall: (@Sendable (String) -> Bool)? = { SyscallDatabase.shipped.isKnownOnAnyABI($0) }) {
        self.resolver = resolver
        self.hostMachine = hostMachine
        self.isKnownSyscall = isKnownSyscall
    }

    /// This host's machine (`uname -m`), x86_64 when it is not one aurules knows.
    public static var detectedMachine: Machine {
        var u = utsname()
        guard uname(&u) == 0 else { return .x86_64 }
        let name = withUnsafeBytes(of: &u.machine) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        return Machine(uname: name) ?? .x86_64
    }
}

/// The rules-file parser: every line of the text is read as `auditctl -R` would read it, and every
/// problem of every line is reported (auditctl stops at the first).
public enum RuleParser {
    public static func parse(text: String, file: String, options: ParseOptions) -> RuleFile {
        var result = RuleFile(path: file)
        let valueParser = FieldValueParser(resolver: options.resolver)
        let lines = Lexer.lines(of: text)
        for line in lines {
            parseLine(line, file: file, options: options, valueParser: valueParser, into: &result)
        }
        if let last = lines.last, !text.hasSuffix("\n") {
            result.unterminatedLastLines.append(SourceLocation(file: file, line: last.number, column: max(last.text.utf8.count, 1)))
        }
        return result
    }

    static func parseLine(_ line: SourceLine, file: String, options: ParseOptions, valueParser: FieldValueParser,
                          into result: inout RuleFile) {
        let location = SourceLocation(file: file, line: line.number, column: 1)
        var pre: [Diagnostic] = []
        if line.byteCount > Lexer.maxLineBytes {
            // auditctl reads such a line as several lines; parsing it as one would only add noise
            // (and cost: a binary file can be one huge line).
            let shown = String(decoding: line.text.utf8.prefix(Lexer.maxLineBytes + 80), as: UTF8.self)
            result.diagnostics.append(Diagnostic(.error, "line is \(line.byteCount) bytes long; auditctl reads at most \(Lexer.maxLineBytes) bytes per line and splits longer ones",
                                                 at: SourceLocation(file: file, line: line.number, column: Lexer.maxLineBytes + 1),
                                                 length: 1, sourceLine: shown))
            return
        }
        var text = line.text
        if let nul = text.utf8.firstIndex(of: 0) {
            pre.append(Diagnostic(.error, "NUL byte in line: auditctl ignores everything after it",
                                  at: SourceLocation(file: file, line: line.number,
                                                     column: text.utf8.distance(from: text.utf8.startIndex, to: nul) + 1),
                                  sourceLine: line.text))
            text = String(text[..<nul])
        }
        if line.endsWithCR { result.carriageReturnLines.append(location) }
        let words = Lexer.tokens(of: text)
        if words.isEmpty || words[0].text.hasPrefix("#") {
            result.diagnostics += pre
            result.trivia.append(Located(words.isEmpty ? "" : text, at: location, length: line.text.utf8.count))
            return
        }
        var parser = LineParser(file: file, line: line, words: words, options: options, valueParser: valueParser)
        parser.diagnostics = pre
        parser.run()
        result.diagnostics += parser.diagnostics
        result.statements += parser.result
    }
}
