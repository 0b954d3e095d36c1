import AuditRules

/// GitHub Actions workflow commands, one per diagnostic:
/// `::error file=F,line=L,endLine=L,col=C,endColumn=E,title=CODE::message`. Property values escape
/// `%`, CR, LF, `:` and `,`; the message escapes `%`, CR and LF (the runner's rules), after control
/// characters from the input are made visible.
public enum GitHubAnnotations {
    public static func render(_ diagnostics: [Diagnostic]) -> String {
        var out = ""
        for d in diagnostics {
            let command: String
            switch d.severity {
            case .error: command = "error"
            case .warning: command = "warning"
            case .note: command = "notice"
            }
            var properties: [(String, String)] = []
            if d.location.file != SarifReport.standardInput { properties.append(("file", d.location.file)) }
            if d.location.line >= 1 {
                properties.append(("line", String(d.location.line)))
                properties.append(("endLine", String(d.location.line)))
                if d.location.column >= 1 {
                    properties.append(("col", String(d.location.column)))
                    properties.append(("endColumn", String(d.location.column + max(d.length, 1))))
                }
            }
            let title = d.code ?? "aurules"
            properties.append(("title", title))
            let props = properties.map { "\($0.0)=\(property($0.1))" }.joined(separator: ",")
            let message = d.message + (d.hostDependent ? " (depends on this host)" : "")
            out += "::\(command) \(props)::\(data(ControlCharacters.escaped(message)))\n"
        }
        return out
    }

    public static func data(_ s: String) -> String {
        var out = ""
        for ch in s.unicodeScalars {
            switch ch {
            case "%": out += "%25"
            case "\r": out += "%0D"
            case "\n": out += "%0A"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    public static func property(_ s: String) -> String {
        var out = ""
        for ch in data(ControlCharacters.escaped(s)).unicodeScalars {
            switch ch {
            case ":": out += "%3A"
            case ",": out += "%2C"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }
}
