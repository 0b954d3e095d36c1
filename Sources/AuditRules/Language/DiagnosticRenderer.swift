#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Syscalls

/// Renders diagnostics the way compilers do, and as JSON for tools.
public enum DiagnosticRenderer {
    /// `path:line:col: error: message`, then the source line and a caret under the offending
    /// text (`^~~~`). Tabs in the line are kept in the caret line so the caret stays aligned.
    public static func text(_ d: Diagnostic, color: Bool = false) -> String {
        let paint = Paint(enabled: color)
        var out = paint.bold(ControlCharacters.escaped(position(d.location)) + ":") + " " + paint.severity(d.severity) + " " + paint.bold(ControlCharacters.escaped(d.message))
        if let code = d.code { out += " [\(code)]" }
        if d.hostDependent { out += " (depends on this host)" }
        guard let line = d.sourceLine, d.location.column >= 1 else { return out }
        let (shown, column) = window(masked(line), column: d.location.column)
        out += "\n" + shown + "\n" + paint.caret(caret(line: shown, column: column, length: d.length))
        return out
    }

    /// ANSI SGR colours as clang prints them: bold positions and messages, red errors, magenta
    /// warnings, cyan notes, a green caret. Only ever applied to text already escaped.
    public struct Paint: Sendable {
        public var enabled: Bool

        public init(enabled: Bool) { self.enabled = enabled }

        func sgr(_ code: String, _ s: String) -> String { enabled ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s }
        public func bold(_ s: String) -> String { sgr("1", s) }
        public func red(_ s: String) -> String { sgr("1;31", s) }
        public func green(_ s: String) -> String { sgr("1;32", s) }
        public func yellow(_ s: String) -> String { sgr("1;33", s) }
        public func cyan(_ s: String) -> String { sgr("1;36", s) }
        func caret(_ s: String) -> String { sgr("1;32", s) }
        public func severity(_ s: Severity) -> String {
            switch s {
            case .error: return sgr("1;31", "error:")
            case .warning: return sgr("1;35", "warning:")
            case .note: return sgr("1;36", "note:")
            }
        }
    }

    /// `path:line:col`, shortened for problems of a whole file (line 0) or a whole line (column 0).
    static func position(_ l: SourceLocation) -> String {
        if l.line < 1 { return l.file }
        if l.column < 1 { return "\(l.file):\(l.line)" }
        return l.description
    }

    /// In the quoted source line control characters and bytes that are not UTF-8 become `?`,
    /// one byte for one byte (a C1 control is two), so the caret stays aligned; tabs are kept.
    static func masked(_ line: RulesText) -> String {
        line.withBytes { b in
            if ControlCharacters.isPrintableASCII(b) { return String(decoding: b, as: UTF8.self) }
            guard b.contains(where: { ($0 < 0x20 && $0 != 0x09) || $0 >= 0x7F }) else { return String(decoding: b, as: UTF8.self) }
            var bytes = Array(b)
            var i = 0
            while i < bytes.count {
                guard let (scalar, length) = ControlCharacters.scalar(in: b, at: i) else {
                    bytes[i] = UInt8(ascii: "?")
                    i += 1
                    continue
                }
                if scalar != "\t" && ControlCharacters.isControl(scalar) {
                    for k in i ..< i + length { bytes[k] = UInt8(ascii: "?") }
                }
                i += length
            }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    /// Very long lines are cut around the column (with "..." marks) so that a line full of
    /// errors does not print the whole line once per error.
    static let maxShownBytes = 512

    static func window(_ line: String, column: Int) -> (String, Int) {
        guard line.utf8.count > maxShownBytes else { return (line, column) }
        let bytes = Array(line.utf8)
        var start = max(0, min(column - 1 - maxShownBytes / 2, bytes.count - maxShownBytes))
        // Never start inside a UTF-8 sequence.
        while start > 0 && bytes[start] & 0xC0 == 0x80 { start -= 1 }
        var end = min(bytes.count, start + maxShownBytes)
        while end < bytes.count && bytes[end] & 0xC0 == 0x80 { end += 1 }
        let head = start > 0 ? "..." : "", tail = end < bytes.count ? "..." : ""
        return (head + String(decoding: bytes[start..<end], as: UTF8.self) + tail, column - start + head.utf8.count)
    }

    /// All diagnostics, each followed by a newline, and a summary line when there are any.
    public static func text(_ ds: [Diagnostic], color: Bool = false) -> String {
        guard !ds.isEmpty else { return "" }
        var out = ""
        for d in ds {
            out += text(d, color: color)
            out += "\n"
        }
        var errors = 0, warnings = 0
        for d in ds {
            if d.severity == .error { errors += 1 } else if d.severity == .warning { warnings += 1 }
        }
        let notes = ds.count - errors - warnings
        var parts = ["\(errors) error\(errors == 1 ? "" : "s")", "\(warnings) warning\(warnings == 1 ? "" : "s")"]
        if notes > 0 { parts.append("\(notes) note\(notes == 1 ? "" : "s")") }
        out += parts.joined(separator: ", ") + "\n"
        return out
    }

    static func caret(line: String, column: Int, length: Int) -> String {
        var line = line
        return line.withUTF8 { bytes in
            let start = min(column - 1, bytes.count), end = min(start + max(length, 1), bytes.count)
            // Printable ASCII: one character per byte, so the caret line is made byte for byte,
            // as the general case makes it.
            if ControlCharacters.isPrintableASCII(UnsafeBufferPointer(rebasing: bytes[..<end])) {
                return String(repeating: " ", count: start) + "^" + String(repeating: "~", count: max(end - start - 1, 0))
            }
            // ASCII without CR (which joins a following LF into one character), tabs kept.
            guard !bytes[..<end].contains(where: { $0 >= 0x80 || $0 == 0x0D }) else { return caretOfCharacters(line: bytes, column: column, length: length) }
            var out = [UInt8]()
            out.reserveCapacity(end + 1)
            for b in bytes[..<start] { out.append(b == 0x09 ? 0x09 : 0x20) }
            out.append(UInt8(ascii: "^"))
            if end - start > 1 { out.append(contentsOf: repeatElement(UInt8(ascii: "~"), count: end - start - 1)) }
            return String(decoding: out, as: UTF8.self)
        }
    }

    private static func caretOfCharacters(line bytes: UnsafeBufferPointer<UInt8>, column: Int, length: Int) -> String {
        let start = min(column - 1, bytes.count)
        let prefix = String(decoding: bytes[0..<start], as: UTF8.self)
        var out = String(prefix.map { $0 == "\t" ? "\t" : " " })
        let visible = String(decoding: bytes[start..<min(start + max(length, 1), bytes.count)], as: UTF8.self)
        out += "^" + String(repeating: "~", count: max(visible.count - 1, 0))
        return out
    }

    /// A JSON document: `{"diagnostics": [...], "errors": N, "warnings": N, "notes": N}`, one
    /// object per diagnostic with file, line, column, length, severity, code, message, hostDependent.
    public static func json(_ ds: [Diagnostic]) -> String {
        struct Entry: Encodable {
            var file: String, line: Int, column: Int, length: Int
            var severity: String, code: String?, message: String, hostDependent: Bool, sourceLine: RulesText?
        }
        struct Document: Encodable {
            var aurules = ProductVersion.json
            var diagnostics: [Entry]
            var errors: Int, warnings: Int, notes: Int
        }
        let doc = Document(
            diagnostics: ds.map {
                Entry(file: $0.location.file, line: $0.location.line, column: $0.location.column, length: $0.length,
                      severity: $0.severity.rawValue, code: $0.code, message: $0.message, hostDependent: $0.hostDependent,
                      sourceLine: $0.sourceLine)
            },
            errors: ds.filter { $0.severity == .error }.count,
            warnings: ds.filter { $0.severity == .warning }.count,
            notes: ds.filter { $0.severity == .note }.count)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return ControlCharacters.inertJSON((try? encoder.encode(doc)) ?? Data("{}".utf8))
    }
}
