import AuditRules
import Syscalls

/// The documentation of a check: `docs/checks/CODE.md` (SARIF's helpUri points there) and what
/// `aurules lint --explain CODE` prints are this one text, so they cannot drift apart (a test
/// compares the files with it; `scripts/generate-check-docs` rewrites them).
public enum CheckDocs {
    /// Where the documentation of every check is published; the project home page.
    public static let homepage = "https://github.com/aurules/aurules"

    public static func helpURI(_ check: any LintCheck) -> String {
        "\(homepage)/blob/main/docs/checks/\(check.code).md"
    }

    /// How a check is suppressed in a rules file: comment lines of their own (auditctl refuses a
    /// comment after a rule).
    public static func suppression(_ check: any LintCheck) -> String {
        "# aurules: disable=\(check.code)"
    }

    /// `loaders`: the audit releases the text speaks for (nil: every release the data has).
    public static func markdown(_ check: any LintCheck, loaders: [AuditVersion]? = nil) -> String {
        var out = "# \(check.code) \(check.name)\n\n"
        out += check.summary.prefix(1).uppercased() + check.summary.dropFirst() + ".\n\n"
        out += "Family: \(check.family.rawValue). "
        if let p = check as? FoundByParser {
            out += p.stage == .parse ? "Reported by the parser.\n\n" : "Reported by the compiler, for each target.\n\n"
        } else {
            out += "Reported by a lint check.\n\n"
        }
        out += "## Why\n\n\(check.rationale)\n\n"
        if let section = LoaderDocs.section(code: check.code, loaders: loaders) { out += section + "\n" }
        if let section = LoaderDocs.kernelSection(code: check.code) { out += section + "\n" }
        out += "## Examples\n\n"
        out += "`↓` marks where the finding is reported.\n\n"
        for e in check.examples {
            out += e.triggers ? "Reported:\n\n" : "Not reported:\n\n"
            out += "```\n" + shown(e) + "```\n\n"
        }
        out += "## Suppressing it\n\n"
        out += "On a line of its own above the rule, or anywhere in the file for the whole file:\n\n"
        out += "```\n\(suppression(check))\n# aurules: disable-file=\(check.code)\n```\n"
        return out
    }

    /// The example's text with its markers back in, control characters made visible.
    static func shown(_ e: LintExample) -> String {
        var lines = e.text.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0.utf8) }
        if lines.last?.isEmpty == true { lines.removeLast() }
        for p in e.positions.reversed() where p.line - 1 < lines.count {
            let i = min(p.column - 1, lines[p.line - 1].count)
            lines[p.line - 1].insert(contentsOf: Array(String(LintExample.marker).utf8), at: i)
        }
        return lines.map { ControlCharacters.escaped(String(decoding: $0, as: UTF8.self), except: ["\t"]) + "\n" }.joined()
    }

    /// One check as the object of `--list-checks --format json` and `--explain --format json`.
    public struct Entry: Codable, Sendable {
        public var code: String
        public var name: String
        public var family: String
        public var summary: String
        public var rationale: String
        public var helpUri: String
        public var examples: [Example]?
        /// What differs between audit releases (LoaderDocs), for the releases asked about.
        public var releases: String?
    }

    public struct Example: Codable, Sendable {
        public var text: String
        public var triggers: Bool
        public var positions: [Position]
    }

    public struct Position: Codable, Sendable {
        public var line: Int
        public var column: Int
    }

    /// The loader and kernel sections of `code`, for the JSON entry.
    static func releases(_ code: String, loaders: [AuditVersion]?) -> String? {
        let parts = [LoaderDocs.section(code: code, loaders: loaders), LoaderDocs.kernelSection(code: code)].compactMap { $0 }
        return parts.isEmpty ? nil : parts.joined(separator: "\n")
    }

    public static func entry(_ check: any LintCheck, examples: Bool, loaders: [AuditVersion]? = nil) -> Entry {
        Entry(code: check.code, name: check.name, family: check.family.rawValue, summary: check.summary,
              rationale: check.rationale, helpUri: helpURI(check),
              examples: examples ? check.examples.map {
                  Example(text: $0.text, triggers: $0.triggers, positions: $0.positions.map { Position(line: $0.line, column: $0.column) })
              } : nil, releases: examples ? releases(check.code, loaders: loaders) : nil)
    }
}
