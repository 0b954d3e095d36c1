/// The auditctl commands that would turn the kernel's rules and settings into the files'.
/// Printed by `aurules check --plan`, never run by aurules.
public enum ReconcilePlan {
    /// `render` gives a rule as a rules-file line that rebuilds exactly that rule (`-a ACTION,LIST
    /// ...` or `-w PATH ...`; the compiler's RulesFileWriter, not the `auditctl -l` form, which
    /// auditctl cannot always read back); deletions use the same text with `-d` / `-W`, prepends
    /// `-A`. Each command is one shell-quoted line, in the order of `ApplyPlan` (what
    /// `aurules apply` carries out).
    public static func commands(expected: [KernelRule], actual: [KernelRule], report: DriftReport,
                                keepKeys: [String] = [], render: (KernelRule) -> RulesText) -> [RulesText] {
        if report.immutable { return [immutable] }
        let plan = ApplyPlan.make(expected: expected, actual: actual, settings: report.settings, keepKeys: keepKeys)
        return refused(report) + plan.steps.map { command($0.operation, render: render) }
    }

    /// The same for the two sides of a drift check, in their arena (only the rules the commands
    /// name are made whole).
    static func commands(expected: DriftRules, actual: DriftRules, report: DriftReport, render: (KernelRule) -> RulesText) -> [RulesText] {
        var out: [RulesText] = []
        forEachCommand(expected: expected, actual: actual, report: report, render: render) { out.append($0) }
        return out
    }

    /// The same commands handed to `body` one at a time, each step's rule made whole as its
    /// command is made.
    static func forEachCommand(expected: DriftRules, actual: DriftRules, report: DriftReport, render: (KernelRule) -> RulesText,
                               _ body: (RulesText) -> Void) {
        if report.immutable { return body(immutable) }
        refused(report).forEach(body)
        let plan = ApplyPlan.make(expected: expected, actual: actual, settings: report.settings, keepKeys: [])
        for step in plan.steps { body(command(step.operation, render: render)) }
    }

    private static let immutable: RulesText = "# the kernel is immutable (-e 2): no rule or setting can change before a reboot"

    /// Refused lines cannot be reconciled by any command: the file needs fixing first.
    private static func refused(_ report: DriftReport) -> [RulesText] {
        report.unloadable.map { u in
            RulesText(ControlCharacters.escaped("# \(u.file):\(u.line) is not loadable (\(u.reasons.joined(separator: "; "))): fix it in the file; it is left out of this plan"))
        }
    }

    /// One plan step as an auditctl command line.
    public static func command(_ operation: ApplyOperation, render: (KernelRule) -> RulesText) -> RulesText {
        switch operation {
        case .append(let r): return "auditctl " + shellQuoted(render(r))
        case .prepend(let r): return "auditctl " + shellQuoted(replacingCommand(of: render(r), "-a ", with: "-A "))
        case .delete(let r): return "auditctl " + shellQuoted(replacingCommand(of: replacingCommand(of: render(r), "-a ", with: "-d "), "-w ", with: "-W "))
        case .setting(let s): return RulesText(setting(s))
        }
    }

    /// `line` with its first word `old` replaced by `new` (both three bytes), else as it is.
    private static func replacingCommand(of line: RulesText, _ old: String, with new: String) -> RulesText {
        line.starts(with: old.utf8) ? RulesText(new) + RulesText(line.dropFirst(old.utf8.count)) : line
    }

    private static func setting(_ s: SettingDrift) -> String {
        s.option == "--loginuid-immutable" ? "auditctl --loginuid-immutable" : "auditctl \(s.option) \(s.expected)"
    }

    /// Turns a rules-file line (space-separated, `\\ ` and `\\\\` escapes as `auditctl -R` reads
    /// them) into one shell command line: every argument a shell would misread is quoted
    /// (`auid>=1000` would be a redirection). By bytes, as auditctl splits; inside single
    /// quotes a shell passes every byte as it is.
    static func shellQuoted(_ line: RulesText) -> RulesText {
        var arguments: [[UInt8]] = [], current: [UInt8] = [], escaped = false, pending = false
        for c in line {
            if escaped {
                if c != 0x20 && c != 0x5C { current.append(0x5C) }
                current.append(c)
                escaped = false
            } else if c == 0x5C {
                escaped = true
                pending = true
            } else if c == 0x20 {
                if pending { arguments.append(current) }
                current = []
                pending = false
            } else {
                current.append(c)
                pending = true
            }
        }
        if escaped { current.append(0x5C) }
        if pending { arguments.append(current) }
        var out: [UInt8] = []
        for (i, argument) in arguments.enumerated() {
            if i > 0 { out.append(0x20) }
            if !argument.isEmpty && argument.allSatisfy({ plainInShell[Int($0)] }) {
                out += argument
                continue
            }
            out.append(0x27)
            for b in argument {
                if b == 0x27 { out += Array("'\\''".utf8) } else { out.append(b) }
            }
            out.append(0x27)
        }
        return RulesText(out)
    }

    /// Bytes a shell reads as part of a plain word.
    private static let plainInShell: [Bool] = (0 ..< 256).map { b in
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@%+=:,./-".utf8.contains(UInt8(b))
    }
}

extension AuditStatus {
    /// Reads a saved `auditctl -s` output (`enabled 1`, `backlog_limit 8192`, ...), the
    /// settings half of a saved listing.
    public init(auditctlStatus text: String) throws {
        var values: [String: UInt32] = [:]
        var immutable: Bool?
        for line in text.split(whereSeparator: \.isNewline) {
            let parts = line.split(separator: " ")
            guard parts.count >= 2, let v = UInt32(parts[1]) else { continue }
            values[String(parts[0])] = v
            if parts[0] == "loginuid_immutable" { immutable = v != 0 }
        }
        guard let enabled = values["enabled"], let backlogLimit = values["backlog_limit"] else {
            throw AuditStatusFormatError()
        }
        self.init(enabled: enabled, failure: values["failure"] ?? 0, pid: values["pid"] ?? 0,
                  rateLimit: values["rate_limit"] ?? 0, backlogLimit: backlogLimit, lost: values["lost"] ?? 0,
                  backlog: values["backlog"] ?? 0, backlogWaitTime: values["backlog_wait_time"] ?? 0,
                  backlogWaitTimeActual: values["backlog_wait_time_actual"] ?? 0, loginuidImmutable: immutable)
    }
}

public struct AuditStatusFormatError: Error, Hashable, Sendable, CustomStringConvertible {
    public init() {}
    public var description: String { "not an `auditctl -s` output: it has no `enabled` and `backlog_limit` lines" }
}
