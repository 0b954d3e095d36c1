import AuditRules
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Syscalls

/// SARIF 2.1.0 (the format code-scanning services read): one run, every code as a rule with its
/// help and helpUri, one result per diagnostic.
public enum SarifReport {
    /// The file name the parser gives standard input.
    public static let standardInput = InputFile.standardInputName

    public static func render(_ diagnostics: [Diagnostic], checks: [any LintCheck] = Linter.allChecks) -> String {
        var index: [String: Int] = [:]
        for (i, c) in checks.enumerated() { index[c.code] = i }
        let rules: [[String: Any]] = checks.map { c in
            [
                "id": c.code, "name": c.name,
                "shortDescription": ["text": c.summary],
                "fullDescription": ["text": c.rationale],
                "help": ["text": c.rationale + "\n\nSuppress with: " + CheckDocs.suppression(c), "markdown": CheckDocs.markdown(c)],
                "helpUri": CheckDocs.helpURI(c),
                "properties": ["tags": [c.family.rawValue]],
            ]
        }
        let results: [[String: Any]] = diagnostics.map { d in
            var region: [String: Any] = [:]
            if d.location.line >= 1 { region["startLine"] = d.location.line }
            if d.location.line >= 1 && d.location.column >= 1 {
                region["startColumn"] = d.location.column
                region["endColumn"] = d.location.column + max(d.length, 1)
            }
            let level: String
            switch d.severity {
            case .error: level = "error"
            case .warning: level = "warning"
            case .note: level = "note"
            }
            var physical: [String: Any] = ["artifactLocation": artifactLocation(d.location.file)]
            if !region.isEmpty { physical["region"] = region }
            var result: [String: Any] = [
                "ruleId": d.code ?? "AUR000",
                "level": level,
                "message": ["text": d.message],
                "locations": [["physicalLocation": physical]],
            ]
            if let code = d.code, let i = index[code] { result["ruleIndex"] = i }
            return result
        }
        let driver: [String: Any] = [
            "name": "aurules", "version": ProductVersion.aurules, "semanticVersion": ProductVersion.aurules,
            "informationUri": CheckDocs.homepage, "rules": rules,
            "properties": ["syscallTables": ProductVersion.tables, "loaderData": ProductVersion.loaders],
        ]
        let document: [String: Any] = [
            "version": "2.1.0",
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "runs": [["tool": ["driver": driver], "results": results]],
        ]
        return ControlCharacters.inertJSON(Data((JSONText.render(document, escapingSlashes: false) ?? "").utf8))
    }

    /// Standard input has no URI: it is described instead (SARIF allows an artifactLocation with
    /// only a description; `--stdin-filename` gives it a name). Paths are percent-encoded URI
    /// references: relative ones stay relative (code scanning resolves them against the checkout),
    /// absolute ones become file:// URIs.
    static func artifactLocation(_ file: String) -> [String: Any] {
        if file == standardInput { return ["description": ["text": "standard input"]] }
        let encoded = percentEncoded(file)
        return ["uri": file.hasPrefix("/") ? "file://" + encoded : encoded]
    }

    static func percentEncoded(_ path: String) -> String {
        var out = ""
        for byte in path.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "/"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        return out
    }
}
