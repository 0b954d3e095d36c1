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

    /// One entry per line that has an error or that the target's loader refuses (`verdicts` of
    /// a `judgesLoader` compilation: the judgement lint's AUR007 reports), in the order the lines
    /// come: files in `fileOrder` (the inputs as read, `RuleFile.fileOrder`), then line and column.
    /// A file not in `fileOrder` comes after those, as first met.
    public static func collect(_ diagnostics: [Diagnostic], refusals verdicts: [LoaderVerdict] = [],
                               target: CompileTarget? = nil, fileOrder: @autoclosure () -> [String] = []) -> [UnloadableLine] {
        var reasons: [(location: SourceLocation, message: String, text: RulesText?, hostDependent: Bool)] = []
        for d in diagnostics where d.severity == .error { reasons.append((d.location, d.message, d.sourceLine, d.hostDependent)) }
        if let target {
            for v in verdicts {
                guard let message = v.refusal(machine: target.machine, loader: target.auditVersion) else { continue }
                reasons.append((v.location, message, v.sourceLine, false))
            }
        }
        // Source order: files as read, then line and column. Parser errors, compiler errors and
        // refusals each come in source order, but one after the other, so a later file's parser
        // error precedes an earlier file's refusal until sorted.
        // (The order is worked out only when there is something to sort: it reads every statement.)
        guard !reasons.isEmpty else { return [] }
        var fileRank: [String: Int] = [:]
        for f in fileOrder() where fileRank[f] == nil { fileRank[f] = fileRank.count }
        for r in reasons where fileRank[r.location.file] == nil { fileRank[r.location.file] = fileRank.count }
        reasons = reasons.enumerated().sorted { a, b in
            let (x, y) = (a.element.location, b.element.location)
            return (fileRank[x.file]!, x.line, x.column, a.offset) < (fileRank[y.file]!, y.line, y.column, b.offset)
        }.map(\.element)
        var out: [UnloadableLine] = []
        var index: [LineKey: Int] = [:]
        for r in reasons {
            let key = LineKey(file: r.location.file, line: r.location.line)
            if let i = index[key] {
                if !out[i].reasons.contains(r.message) { out[i].reasons.append(r.message) }
                out[i].hostDependent = out[i].hostDependent && r.hostDependent
            } else {
                index[key] = out.count
                out.append(UnloadableLine(file: key.file, line: key.line, reasons: [r.message], text: r.text,
                                          hostDependent: r.hostDependent))
            }
        }
        return out
    }

    /// The rules of `rules` that come from one of `lines`.
    public static func from(_ lines: [UnloadableLine], in rules: [KernelRule]) -> [KernelRule] {
        guard !lines.isEmpty else { return [] }
        let keys = Set(lines.map { LineKey(file: $0.file, line: $0.line) })
        return rules.filter { r in r.provenance.map { keys.contains(LineKey(file: $0.file, line: $0.line)) } ?? false }
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

    struct LineKey: Hashable {
        var file: String
        var line: Int
    }

    static func lineKeys(_ lines: [UnloadableLine]) -> Set<LineKey> { Set(lines.map { LineKey(file: $0.file, line: $0.line) }) }
}
