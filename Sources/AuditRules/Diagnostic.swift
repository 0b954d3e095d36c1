/// Where a token starts in its source: 1-based line and column (columns count bytes, like clang).
public struct SourceLocation: Hashable, Sendable, Codable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}

/// A value together with where it was written.
public struct Located<Value: Hashable & Sendable>: Hashable, Sendable {
    public var value: Value
    public var location: SourceLocation
    /// Length of the token in bytes, for the caret line (`^~~~`).
    public var length: Int

    public init(_ value: Value, at location: SourceLocation, length: Int = 1) {
        self.value = value
        self.location = location
        self.length = length
    }
}

public enum Severity: String, Sendable, Codable, Comparable, CaseIterable {
    case note, warning, error

    private var rank: Int {
        switch self {
        case .note: return 0
        case .warning: return 1
        case .error: return 2
        }
    }

    public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
}

/// One finding about the input. `code` is a stable identifier for lint checks (`AUR001`, ...);
/// parser errors have `nil` or a parser code.
public struct Diagnostic: Hashable, Sendable, Codable {
    public var severity: Severity
    public var message: String
    public var location: SourceLocation
    public var length: Int
    /// The whole source line, for the caret display; nil when not available (stdin already consumed, ...).
    public var sourceLine: RulesText?
    public var code: String?
    /// True when the problem depends on the host rather than the text (unknown user, missing directory).
    public var hostDependent: Bool

    public init(_ severity: Severity, _ message: String, at location: SourceLocation, length: Int = 1,
                sourceLine: RulesText? = nil, code: String? = nil, hostDependent: Bool = false) {
        self.severity = severity
        self.message = message
        self.location = location
        self.length = length
        self.sourceLine = sourceLine
        self.code = code
        self.hostDependent = hostDependent
    }
}
