import AuditRules
import Foundation

/// SARIF 2.1.0 (the format code-scanning services read): one run, the checks as rules, one result
/// per diagnostic. Parser errors have no check code and appear under the rule `parse`.
public enum SarifReport {
    public static func render(_ diagnostics: [Diagnostic], checks: [any LintCheck]) -> String {
        let rules: [[String: Any]] = [["id": "parse", "shortDescription": ["text": "auditctl or the kernel would refuse this line"]]]
            + checks.map { c in
                ["id": c.code, "name": c.name, "shortDescription": ["text": c.summary], "fullDescription": ["text": c.rationale]]
            }
        let results: [[String: Any]] = diagnostics.map { d in
            var region: [String: Any] = ["startLine": max(d.location.line, 1)]
            if d.location.column >= 1 {
                region["startColumn"] = d.location.column
                region["endColumn"] = d.location.column + max(d.length, 1)
            }
            let level: String
            switch d.severity {
            case .error: level = "error"
            case .warning: level = "warning"
            case .note: level = "note"
            }
            return [
                "ruleId": d.code ?? "parse",
                "level": level,
                "message": ["text": d.message],
                "locations": [["physicalLocation": ["artifactLocation": ["uri": d.location.file], "region": region]]],
            ]
        }
        let document: [String: Any] = [
            "version": "2.1.0",
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "runs": [["tool": ["driver": ["name": "aurules", "informationUri": "https://github.com/aurules", "rules": rules]],
                      "results": results]],
        ]
        let data = (try? JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return ControlCharacters.inertJSON(data)
    }
}
