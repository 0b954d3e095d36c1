/// The auditctl commands that would turn the kernel's rules and settings into the files'.
/// Printed by `aurules check --plan`, never run by aurules.
public enum ReconcilePlan {
    /// `render` gives a rule as a rules-file line that rebuilds exactly that rule (`-a ACTION,LIST
    /// ...` or `-w PATH ...`; the compiler's RulesFileWriter, not the `auditctl -l` form, which
    /// auditctl cannot always read back); deletions use the same text with `-d` / `-W`. Each command is one
    /// shell-quoted line. Per list: delete every rule the files do not have, keep the longest
    /// prefix already in the files' order, delete the rest and append the files' rules after it.
    public static func commands(expected: [KernelRule], actual: [KernelRule], report: DriftReport,
                                render: (KernelRule) -> String) -> [String] {
        if report.immutable {
            return ["# the kernel is immutable (-e 2): no rule or setting can change before a reboot"]
        }
        // Refused lines cannot be reconciled by any command: the file needs fixing first.
        var out = report.unloadable.map { u in
            DriftFormatter.printable("# \(u.file):\(u.line) is not loadable (\(u.reasons.joined(separator: "; "))): fix it in the file; it is left out of this plan")
        }
        let late: Set<String> = ["-e", "--loginuid-immutable"]
        for s in report.settings where !late.contains(s.option) { out.append(setting(s)) }

        var deletions: [String] = [], additions: [String] = []
        for list in FilterList.allCases {
            let e = expected.filter { $0.list == list }
            let a = actual.filter { $0.list == list }
            let match = ExactMatch(expected: e, actual: a)
            for j in match.unmatchedActual { deletions.append(delete(render(a[j]))) }
            let kept = match.pairs.sorted { $0.actual < $1.actual }
            var prefix = 0
            while prefix < kept.count && kept[prefix].expected == prefix { prefix += 1 }
            for pair in kept[prefix...] { deletions.append(delete(render(a[pair.actual]))) }
            for i in prefix..<e.count { additions.append(render(e[i])) }
        }
        out += deletions.map { "auditctl " + shellQuoted($0) }
        out += additions.map { "auditctl " + shellQuoted($0) }
        for s in report.settings where late.contains(s.option) { out.append(setting(s)) }
        return out
    }

    private static func setting(_ s: SettingDrift) -> String {
        s.option == "--loginuid-immutable" ? "auditctl --loginuid-immutable" : "auditctl \(s.option) \(s.expected)"
    }

    private static func delete(_ line: String) -> String {
        if line.hasPrefix("-a ") { return "-d " + line.dropFirst(3) }
        if line.hasPrefix("-w ") { return "-W " + line.dropFirst(3) }
        return line
    }

    /// Turns a rules-file line (whitespace-separated, `\\ ` and `\\\\` escapes as `auditctl -R` reads
    /// them) into one shell command line: every argument a shell would misread is quoted
    /// (`auid>=1000` would be a redirection).
    static func shellQuoted(_ line: String) -> String {
        var arguments: [String] = [], current = "", escaped = false, pending = false
        for c in line {
            if escaped {
                if c != " " && c != "\\" { current.append("\\") }
                current.append(c)
                escaped = false
            } else if c == "\\" {
                escaped = true
                pending = true
            } else if c == " " {
                if pending { arguments.append(current) }
                current = ""
                pending = false
            } else {
                current.append(c)
                pending = true
            }
        }
        if escaped { current.append("\\") }
        if pending { arguments.append(current) }
        let plain = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@%+=:,./-")
        return arguments.map { argument -> String in
            if !argument.isEmpty && argument.allSatisfy({ plain.contains($0) }) { return argument }
            return "'" + argument.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
        }.joined(separator: " ")
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
