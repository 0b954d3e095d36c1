import Syscalls

/// How `-S` lists are written in the output.
public enum SyscallStyle: String, Sendable, CaseIterable {
    /// Names the loader's libaudit knows, numbers for the rest (never "Syscall name unknown").
    case auto
    /// Names wherever any table has one (libaudit's spelling first).
    case names
    /// Numbers only: loads with any libaudit, as the arch field says which table they are in.
    case numbers
}

/// Writes a compile result as a file for `auditctl -R`: control lines in augenrules order,
/// then each source statement's rules after a `# file:line` comment. Comments stand on their
/// own lines (auditctl rejects inline ones). The same result always gives the same bytes.
public struct RulesFileWriter {
    public var target: CompileTarget
    public var syscallStyle: SyscallStyle
    /// Settings and `-D` lines; off for loading rules into a kernel whose settings must not change.
    public var includeControls: Bool
    /// auditctl -R's line limit: a `-S` list of names that would pass it is written as numbers.
    static let lineLimit = 6144

    public init(target: CompileTarget, syscallStyle: SyscallStyle = .auto, includeControls: Bool = true) {
        self.target = target
        self.syscallStyle = syscallStyle
        self.includeControls = includeControls
    }

    public func render(_ result: CompileResult) -> String {
        var out = "# aurules compile: machine \(target.machine), kernel \(target.kernel), audit \(target.auditVersion.rawValue)\n"
        if includeControls {
            for o in result.loaderOptions { out += o.rawValue + "\n" }
            if result.deleteAll { out += "-D\n" }
            for k in result.deleteKeys { out += "-D -k \(Self.escape(k.value))\n" }
        }
        let enabled = result.settings.last.flatMap { if case .enabled = $0.setting { return $0 } else { return nil } }
        if includeControls {
            for s in result.settings where s.provenance != enabled?.provenance || enabled == nil {
                out += "# \(s.provenance.file):\(s.provenance.line)\n\(Self.line(for: s.setting))\n"
            }
        }
        var last: (String, Int)? = nil
        for rule in result.rules {
            if let p = rule.provenance, last.map({ $0 != (p.file, p.line) }) ?? true {
                out += "# \(p.file):\(p.line)\n"
                last = (p.file, p.line)
            }
            out += line(for: rule) + "\n"
        }
        if includeControls, let e = enabled {
            out += "# \(e.provenance.file):\(e.provenance.line)\n\(Self.line(for: e.setting))\n"
        }
        return out
    }

    static func line(for setting: Setting) -> String {
        switch setting {
        case .backlogLimit(let n): return "-b \(n)"
        case .failureMode(let n): return "-f \(n)"
        case .enabled(let n): return "-e \(n)"
        case .rateLimit(let n): return "-r \(n)"
        case .backlogWaitTime(let n): return "--backlog_wait_time \(n)"
        case .loginuidImmutable: return "--loginuid-immutable"
        case .resetLost: return "--reset-lost"
        case .resetBacklogWaitTimeActual: return "--reset_backlog_wait_time_actual"
        }
    }

    /// One rule as an auditctl command line that rebuilds exactly this `audit_rule_data`.
    public func line(for rule: KernelRule) -> String {
        let text = line(for: rule, style: syscallStyle)
        if text.utf8.count < Self.lineLimit || syscallStyle == .numbers { return text }
        return line(for: rule, style: .numbers)
    }

    private func line(for rule: KernelRule, style: SyscallStyle) -> String {
        var parts: [String] = ["-a \(rule.action.rawValue),\(rule.list.rawValue)"]
        let lastArch = rule.fields.lastIndex { $0.id == FieldID.arch }
        let abi = rule.provenance?.abi ?? lastArch.flatMap { abiOf(archValue: rule.fields[$0].value) }
        let syscalls = syscallOption(rule, abi: abi, style: style)
        if lastArch == nil, let syscalls { parts.append(syscalls) }
        for (i, f) in rule.fields.enumerated() {
            parts.append(field(f))
            if i == lastArch, let syscalls { parts.append(syscalls) }
        }
        return parts.joined(separator: " ")
    }

    /// `-S ...`, or nil where auditctl's default (`all` off the task list, none on it) gives the mask.
    private func syscallOption(_ rule: KernelRule, abi: ABI?, style: SyscallStyle) -> String? {
        if SyscallMask.isEmpty(rule.mask) { return nil }
        if SyscallMask.isAll(rule.mask) {
            // Explicit on the exit lists, so that audit 4.x does not narrow perm rules to the perm syscalls.
            return rule.list == .exit || rule.list == .io_uring ? "-S all" : nil
        }
        let names = SyscallMask.numbers(in: rule.mask).map { n -> String in
            guard let abi, n < SyscallMask.firstClassNumber, style != .numbers else { return String(n) }
            if let s = target.database.libauditName(of: n, abi: abi, version: target.auditVersion) { return s }
            if style == .names, let s = target.database.table(abi, at: target.kernel)?.name(of: n) { return s }
            return String(n)
        }
        return "-S " + names.joined(separator: ",")
    }

    private func abiOf(archValue v: UInt32) -> ABI? {
        if v == Machine.ppc64le.auditArch(for: .ppc64) { return .ppc64 }
        return ABI.allCases.first { $0.auditArch == v && $0 != .x32 }
    }

    private func field(_ f: KernelField) -> String {
        let op = f.op.rawValue
        if f.id == CompilerFieldID.compare, let pair = ComparisonTable.fields(of: f.value) {
            return "-C \(pair.left)\(op)\(pair.right)"
        }
        if f.id == FieldID.filterkey, let s = f.string {
            return s.split(separator: "\u{01}", omittingEmptySubsequences: false)
                .map { "-F key=" + Self.escape(String($0)) }.joined(separator: " ")
        }
        let spec = FieldTable.spec(id: f.id)
        let name = spec?.name ?? String(f.id)
        if let s = f.string { return "-F \(name)\(op)\(Self.escape(s))" }
        return "-F \(name)\(op)\(value(f, kind: spec?.kind))"
    }

    /// Values in a form libaudit parses back to the same 32 bits for that field.
    private func value(_ f: KernelField, kind: FieldValueKind?) -> String {
        let v = f.value
        if f.id == FieldID.arch {
            let pair = target.abis
            if let b64 = pair.b64, v == target.machine.auditArch(for: b64) { return "b64" }
            if let b32 = pair.b32, v == target.machine.auditArch(for: b32) { return "b32" }
            return "0x" + String(v, radix: 16)
        }
        switch kind {
        case .permission?: return PermissionSyscalls.letters(v)
        case .fileType?: return FileTypeTable.name(of: v) ?? String(v)
        case .exit?: return String(Int32(bitPattern: v))
        case .argument?: return "0x" + String(v, radix: 16, uppercase: true)
        default: return String(v)
        }
    }

    /// auditctl -R splits on whitespace and knows two escapes: `\ ` and `\\`.
    static func escape(_ s: String) -> String {
        guard s.utf8.contains(where: { $0 == 0x20 || $0 == 0x5C }) else { return s }
        var out = ""
        for c in s {
            if c == " " || c == "\\" { out.append("\\") }
            out.append(c)
        }
        return out
    }
}
