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
        var out = ""
        render(result) { out += $0 }
        return out
    }

    /// Streams the file in pieces of about 64 KiB (a 100,000-rule file need not be one string).
    public func render(_ result: CompileResult, into emit: (String) -> Void) {
        var out = ""
        out.reserveCapacity(1 << 16)
        func flush(_ force: Bool = false) {
            if force || out.utf8.count >= 1 << 16 {
                emit(out)
                out = ""
                out.reserveCapacity(1 << 16)
            }
        }
        out += "# aurules compile: machine \(target.machine), kernel \(target.kernel), audit \(target.auditVersion.rawValue)\n"
        if includeControls {
            for o in result.loaderOptions { out += o.rawValue + "\n" }
            if result.deleteAll { out += "-D\n" }
            for k in result.deleteKeys { out += "-D -k \(Self.escape(k.value))\n" }
        }
        let enabled = result.settings.last.flatMap { if case .enabled = $0.setting { return $0 } else { return nil } }
        if includeControls {
            for s in result.settings where s.provenance != enabled?.provenance || enabled == nil {
                out += "# \(s.provenance.file):\(s.provenance.line)\n\(s.setting.auditctlText)\n"
            }
        }
        var cache = LineCache()
        var lastFile = "", lastLine = -1
        for rule in result.rules {
            if let p = rule.provenance, p.line != lastLine || p.file != lastFile {
                out += "# "
                out += p.file
                out += ":"
                out += String(p.line)
                out += "\n"
                lastFile = p.file
                lastLine = p.line
            }
            append(rule, to: &out, cache: &cache)
            out += "\n"
            flush()
        }
        if includeControls, let e = enabled {
            out += "# \(e.provenance.file):\(e.provenance.line)\n\(e.setting.auditctlText)\n"
        }
        flush(true)
    }

    /// One rule as an auditctl command line that rebuilds exactly this `audit_rule_data`.
    public func line(for rule: KernelRule) -> String {
        var out = ""
        var cache = LineCache()
        append(rule, to: &out, cache: &cache)
        return out
    }

    /// Per-render memo: `-S` lists by (ABI, mask buffer), field specs by number.
    struct LineCache {
        struct MaskKey: Hashable { var abi: ABI?; var list: FilterList; var buffer: UnsafeRawPointer?; var style: SyscallStyle }
        var syscalls: [MaskKey: String?] = [:]
        var specs: [UInt32: FieldSpec?] = [:]
        var archNames: [UInt32: String] = [:]
    }

    private func append(_ rule: KernelRule, to out: inout String, cache: inout LineCache) {
        let start = out.utf8.count
        append(rule, style: syscallStyle, to: &out, cache: &cache)
        if out.utf8.count - start >= Self.lineLimit && syscallStyle != .numbers {
            out = String(out.utf8.prefix(start))!
            append(rule, style: .numbers, to: &out, cache: &cache)
        }
    }

    private func append(_ rule: KernelRule, style: SyscallStyle, to out: inout String, cache: inout LineCache) {
        out += "-a "
        out += rule.action.rawValue
        out += ","
        out += rule.list.rawValue
        let lastArch = rule.fields.lastIndex { $0.id == FieldID.arch }
        let abi = rule.provenance?.abi ?? lastArch.flatMap { abiOf(archValue: rule.fields[$0].value) }
        let key = LineCache.MaskKey(abi: abi, list: rule.list, buffer: rule.mask.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) },
                                    style: style)
        let syscalls: String?
        if let cached = cache.syscalls[key] {
            syscalls = cached
        } else {
            syscalls = syscallOption(rule, abi: abi, style: style)
            cache.syscalls[key] = .some(syscalls)
        }
        if lastArch == nil, let syscalls { out += " "; out += syscalls }
        for (i, f) in rule.fields.enumerated() {
            out += " "
            let spec: FieldSpec?
            if let s = cache.specs[f.id] { spec = s } else { spec = FieldTable.spec(id: f.id); cache.specs[f.id] = .some(spec) }
            append(f, spec: spec, to: &out, cache: &cache)
            if i == lastArch, let syscalls { out += " "; out += syscalls }
        }
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

    private func append(_ f: KernelField, spec: FieldSpec?, to out: inout String, cache: inout LineCache) {
        let op = f.op.rawValue
        if f.id == CompilerFieldID.compare, let pair = ComparisonTable.fields(of: f.value) {
            out += "-C \(pair.left)\(op)\(pair.right)"
            return
        }
        if f.id == FieldID.filterkey, let s = f.string {
            var first = true
            for part in s.split(separator: "\u{01}", omittingEmptySubsequences: false) {
                if !first { out += " " }
                first = false
                out += "-F key="
                out += Self.escape(String(part))
            }
            return
        }
        out += "-F "
        out += spec?.name ?? String(f.id)
        out += op
        if let s = f.string {
            out += Self.escape(s)
        } else if f.id == FieldID.arch {
            if let name = cache.archNames[f.value] {
                out += name
            } else {
                let name = archName(f.value)
                cache.archNames[f.value] = name
                out += name
            }
        } else {
            out += value(f, kind: spec?.kind)
        }
    }

    /// b64/b32 when the value is the target's, else the raw value (foreign arches).
    private func archName(_ v: UInt32) -> String {
        let pair = target.abis
        if let b64 = pair.b64, v == target.machine.auditArch(for: b64) { return "b64" }
        if let b32 = pair.b32, v == target.machine.auditArch(for: b32) { return "b32" }
        return "0x" + String(v, radix: 16)
    }

    /// Values in a form libaudit parses back to the same 32 bits for that field.
    private func value(_ f: KernelField, kind: FieldValueKind?) -> String {
        let v = f.value
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
