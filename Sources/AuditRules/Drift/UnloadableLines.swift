/// A rules line the loader refuses: `aurules check` reports it as a finding of its own and leaves
/// it out of the comparison, so one bad line does not hide the drift of all the others.
public struct UnloadableLine: Hashable, Sendable, Codable {
    public var file: String
    public var line: Int
    /// Why the loader refuses it (each distinct error on the line, in column order).
    public var reasons: [String]
    /// The line as written, when known.
    public var text: RulesText?
    /// The refusal depends on this host (an unknown user, a missing directory), not the text.
    public var hostDependent: Bool

    /// One entry per line that has an error, in the order the lines come.
    public static func collect(_ diagnostics: [Diagnostic]) -> [UnloadableLine] {
        var out: [UnloadableLine] = []
        var index: [LineKey: Int] = [:]
        for d in diagnostics where d.severity == .error {
            let key = LineKey(file: d.location.file, line: d.location.line)
            if let i = index[key] {
                if !out[i].reasons.contains(d.message) { out[i].reasons.append(d.message) }
                out[i].hostDependent = out[i].hostDependent && d.hostDependent
            } else {
                index[key] = out.count
                out.append(UnloadableLine(file: key.file, line: key.line, reasons: [d.message], text: d.sourceLine,
                                          hostDependent: d.hostDependent))
            }
        }
        return out
    }

    /// `rules` without those that come from one of `lines`.
    public static func excluding(_ lines: [UnloadableLine], from rules: [KernelRule]) -> [KernelRule] {
        guard !lines.isEmpty else { return rules }
        let keys = Set(lines.map { LineKey(file: $0.file, line: $0.line) })
        return rules.filter { r in r.provenance.map { !keys.contains(LineKey(file: $0.file, line: $0.line)) } ?? true }
    }

    /// The same for settings (`-b`, `-f`, `-r`, ... on a refused line are not applied either).
    public static func excluding(_ lines: [UnloadableLine], from settings: [DesiredSetting]) -> [DesiredSetting] {
        guard !lines.isEmpty else { return settings }
        let keys = Set(lines.map { LineKey(file: $0.file, line: $0.line) })
        return settings.filter { s in s.provenance.map { !keys.contains(LineKey(file: $0.file, line: $0.line)) } ?? true }
    }

    private struct LineKey: Hashable {
        var file: String
        var line: Int
    }
}
