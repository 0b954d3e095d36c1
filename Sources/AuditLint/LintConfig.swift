import AuditRules
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import Syscalls

/// `.aurules`: `key=value` lines, as a shell user writes `.shellcheckrc`; `#` starts a comment
/// line; a key given twice takes the last value, except `target`, `select` and `ignore`, which add up.
///
///     target=x86_64,aarch64
///     loader=3.0.9
///     fail-on=warning
///     select=AUR0,rule-set
///     ignore=AUR011
///     max-diagnostics=200
///
/// The command line wins over the file; `--config FILE` names one, `--no-config` skips the search.
public struct LintConfig: Equatable, Sendable {
    public static let fileName = ".aurules"
    public static let keys = ["target", "loader", "fail-on", "select", "ignore", "max-diagnostics"]

    public var path: String?
    public var targets: [Machine] = []
    public var loader: AuditVersion?
    public var failOn: Severity?
    public var select: [String] = []
    public var ignore: [String] = []
    public var maxDiagnostics: Int?

    public init() {}

    public struct Problem: Error, CustomStringConvertible, Equatable {
        public var location: SourceLocation
        public var message: String
        public var description: String { "\(location): error: \(message)" }
    }

    /// Parses a configuration text; every problem located, never stopping at the first.
    public static func parse(_ text: String, path: String) -> (LintConfig, [Problem]) {
        var config = LintConfig()
        config.path = path
        var problems: [Problem] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let column = line.utf8.count - trimmed.utf8.count + 1
            func fail(_ message: String, at col: Int = column) {
                problems.append(Problem(location: SourceLocation(file: path, line: index + 1, column: col), message: message))
            }
            guard let eq = trimmed.firstIndex(of: "=") else {
                fail("expected key=value (keys: \(keys.joined(separator: ", ")))")
                continue
            }
            let key = trimmed[..<eq].trimmingWhitespace()
            let value = trimmed[trimmed.index(after: eq)...].trimmingWhitespace()
            let valueColumn = column + trimmed[...eq].utf8.count
            let items = value.split(separator: ",").map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
            switch key {
            case "target":
                for item in items {
                    if let m = Machine(uname: item) { config.targets.append(m) } else {
                        fail("unknown machine '\(item)' (known: \(Machine.allCases.map(\.rawValue).joined(separator: ", ")))", at: valueColumn)
                    }
                }
            case "loader":
                if let v = AuditVersion(loose: value) { config.loader = v } else {
                    fail("unknown loader release '\(value)' (known: \(AuditVersion.allCases.map(\.rawValue).joined(separator: ", ")))", at: valueColumn)
                }
            case "fail-on":
                if let s = Severity(rawValue: value) { config.failOn = s } else { fail("fail-on is error, warning or note, not '\(value)'", at: valueColumn) }
            case "select", "ignore":
                for item in items where !Linter.selectorIsKnown(item) {
                    fail("'\(item)' is not a check code, name, family or code prefix", at: valueColumn)
                }
                if key == "select" { config.select += items } else { config.ignore += items }
            case "max-diagnostics":
                if let n = Int(value), n >= 0 { config.maxDiagnostics = n } else { fail("max-diagnostics is a number, not '\(value)'", at: valueColumn) }
            default:
                fail("unknown key '\(key)' (keys: \(keys.joined(separator: ", ")))")
            }
        }
        return (config, problems)
    }

    /// The `.aurules` nearest to `start` (a file or directory), looking in its directory and each
    /// parent up to the root, as ShellCheck and ruff look for theirs.
    public static func find(from start: String) -> String? {
        var dir = URL(fileURLWithPath: start).standardizedFileURL
        var isDirectory = false
        if !(FileManager.default.fileExists(atPath: dir.path, isDirectory: &isDirectory) && isDirectory) {
            dir.deleteLastPathComponent()
        }
        while true {
            let candidate = dir.appendingPathComponent(fileName).path
            if FileManager.default.isReadableFile(atPath: candidate) { return candidate }
            let parent = dir.deletingLastPathComponent()
            if parent.path == dir.path { return nil }
            dir = parent
        }
    }
}

extension Linter {
    /// A `--select`/`--ignore` item: a code (AUR001), a check name, a family (rule-set), or a code
    /// prefix (AUR5 for the 5xx family), in any case.
    public static func matches(_ selector: String, _ check: any LintCheck) -> Bool {
        let s = selector.uppercased()
        return check.code.hasPrefix(s) || check.name == selector || check.family.rawValue == selector
    }

    public static func selectorIsKnown(_ selector: String) -> Bool {
        allChecks.contains { matches(selector, $0) }
    }

    /// The diagnostics whose code `select` (when not empty) and not `ignore` selects.
    public static func filter(_ diagnostics: [Diagnostic], select: [String], ignore: [String]) -> [Diagnostic] {
        guard !select.isEmpty || !ignore.isEmpty else { return diagnostics }
        let selected = selection(select: select, ignore: ignore)
        return diagnostics.filter { d in d.code.map(selected) ?? true }
    }

    /// Whether `filter` keeps a diagnostic with this code.
    static func selection(select: [String], ignore: [String]) -> (String) -> Bool {
        guard !select.isEmpty || !ignore.isEmpty else { return { _ in true } }
        var chosen: [String: Bool] = [:]
        for c in allChecks {
            chosen[c.code] = (select.isEmpty || select.contains { matches($0, c) }) && !ignore.contains { matches($0, c) }
        }
        // Unreadable input is never hidden: it decides the exit status 2.
        return { code in code == RuleInputs.unreadableCode || (chosen[code] ?? true) }
    }
}
