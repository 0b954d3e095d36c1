import Syscalls

/// Appends kernel rules as auditctl command lines to a UTF-8 byte buffer: the inner loop of
/// RulesFileWriter. The output for 100,000 rules is some 12 MB built from a few hundred distinct
/// pieces (field names, `-S` lists, arch names), so each piece is made once per renderer, as
/// bytes, and copied after that; numbers are written digit by digit. One renderer per thread:
/// it owns its memos and its buffer.
struct RuleLineRenderer {
    let target: CompileTarget
    let syscallStyle: SyscallStyle
    /// The rendered text, handed out and emptied by the caller.
    var bytes: [UInt8] = []
    /// The `# file:line` last written (the comment is written only when it changes).
    private var lastFile = ""
    private var lastLine = -1
    /// `lastFile` as the comment writes it (escaped once, not once per rule).
    private var lastFileEscaped: [UInt8]?

    /// `-S ...` by (ABI, list, mask, style); nil where no `-S` is written. Keys compare masks by
    /// value; the compiler interns masks (one buffer per distinct syscall set), so a compare
    /// is usually the array's own identity check.
    private var syscallOptions: [MaskKey: [UInt8]?] = [:]
    /// In front of `syscallOptions`: hashing the key through Hasher for every rule cost more
    /// than the rest of the `-S` work, so recent keys sit in a table indexed by a few bits of
    /// FNV-1a over the key's set words; a hit is a key equal by value.
    private var recentSyscallOptions: [(key: MaskKey, option: [UInt8]?)?] = Array(repeating: nil, count: RuleLineRenderer.recentSlots)
    private static let recentSlots = 256
    /// In front of that, by the mask's buffer: the compiler interns masks per lowering thread,
    /// so a few buffers carry nearly every rule's mask, and the buffer's address picks the slot
    /// without reading the mask. Each entry holds its mask, so the buffer lives (and no other
    /// buffer takes its address) while it is there; equal addresses are the same words.
    private var sameBufferOptions: [(mask: [UInt32], abi: ABI?, list: FilterList, style: SyscallStyle, option: [UInt8]?)?] =
        Array(repeating: nil, count: RuleLineRenderer.recentSlots)
    /// Permission letters by the field's value, for the values with only r, w, x and a bits.
    private var permissionLetters: [[UInt8]?] = Array(repeating: nil, count: 16)
    /// Syscall names (or digits) by number, per (ABI, style); an empty entry is not looked up yet.
    private var syscallNames: [NamesKey: [[UInt8]]] = [:]
    /// `-F name` (or `-F number`) and the value kind, by field number below `fieldTextLimit`.
    private var fieldTexts: [FieldText?] = Array(repeating: nil, count: RuleLineRenderer.fieldTextLimit)
    private var archTexts: [(value: UInt32, text: [UInt8])] = []
    private var archABIs: [(value: UInt32, abi: ABI?)] = []

    private struct MaskKey: Hashable {
        var abi: ABI?
        var list: FilterList
        var mask: [UInt32]
        var style: SyscallStyle

        /// A slot picked by the key's value (its set mask words, list and ABI).
        func slot(_ count: Int) -> Int {
            var h = FNV1a()
            h.mix(mask: mask)
            h.mix(UInt64(list.kernelValue) << 32 | UInt64(abi?.auditArch ?? 0))
            return Int(truncatingIfNeeded: h.value >> 32) & (count - 1)
        }
    }
    private struct NamesKey: Hashable { var abi: ABI; var style: SyscallStyle }
    private struct FieldText { var prefix: [UInt8]; var kind: FieldValueKind? }
    /// Field numbers run to 210 (AUDIT_FILTERKEY); larger ones are looked up each time.
    private static let fieldTextLimit = 256

    init(target: CompileTarget, syscallStyle: SyscallStyle) {
        self.target = target
        self.syscallStyle = syscallStyle
    }

    /// Continues after a rule from `file:line` (nil: no rule with provenance came before).
    mutating func resume(after previous: (file: String, line: Int)?) {
        lastFile = previous?.file ?? ""
        lastFileEscaped = nil
        lastLine = previous?.line ?? -1
    }

    /// Rules as RulesFileWriter writes them: each on its own line, after a `# file:line`
    /// comment where the source statement changes.
    mutating func append(_ rules: ArraySlice<KernelRule>) {
        // Through the buffer, rules are borrowed where they lie: a copy costs five reference
        // counts up and down, on objects the other threads count too (interned masks, file names).
        rules.withUnsafeBufferPointer { rules in
            for i in rules.indices {
                appendSourceComment(rules[i])
                appendLine(rules[i])
                bytes.append(0x0A)
            }
        }
    }

    private mutating func appendSourceComment(_ rule: KernelRule) {
        guard let p = rule.provenance, p.line != lastLine || p.file != lastFile else { return }
        bytes.append(0x23)  // "# "
        bytes.append(0x20)
        if p.file != lastFile || lastFileEscaped == nil {
            lastFile = p.file
            // A file name is written into the output file: a newline in it would start a live rule.
            var escaped: [UInt8] = []
            ControlCharacters.appendEscaped(p.file, to: &escaped)
            lastFileEscaped = escaped
        }
        bytes.append(contentsOf: lastFileEscaped!)
        bytes.append(0x3A)  // ":"
        bytes.appendDecimal(Int64(p.line))
        bytes.append(0x0A)
        lastLine = p.line
    }

    /// One rule, without the newline. A line auditctl -R would cut (names are long) is written
    /// again with numbers.
    mutating func appendLine(_ rule: KernelRule) {
        let start = bytes.count
        appendLine(rule, style: syscallStyle)
        if bytes.count - start >= RulesFileWriter.lineLimit && syscallStyle != .numbers {
            bytes.removeSubrange(start...)
            appendLine(rule, style: .numbers)
        }
    }

    private mutating func appendLine(_ rule: KernelRule, style: SyscallStyle) {
        appendCommand(rule.action, rule.list)
        rule.fields.withUnsafeBufferPointer { fields in
            let lastArch = fields.lastIndex { $0.id == FieldID.arch }
            let abi = rule.provenance?.abi ?? lastArch.flatMap { abiOf(archValue: fields[$0].value) }
            let key = MaskKey(abi: abi, list: rule.list, mask: rule.mask, style: style)
            let syscalls = syscallOption(rule, key: key)
            if lastArch == nil, let syscalls {
                bytes.append(0x20)
                bytes.append(contentsOf: syscalls)
            }
            for i in fields.indices {
                bytes.append(0x20)
                if fields[i].id == FieldID.perm, i > 0, rule.list.permFieldNeedsOption {
                    bytes.append(contentsOf: "-p ".utf8)
                    appendValue(fields[i].value, kind: .permission)
                } else {
                    appendField(fields[i])
                }
                if i == lastArch, let syscalls {
                    bytes.append(0x20)
                    bytes.append(contentsOf: syscalls)
                }
            }
        }
    }

    /// Static text: no allocation and no reference counting (which, on data all threads share,
    /// makes the cores wait on each other). RuleLineRendererCommandTests holds every literal to
    /// the enums' raw values.
    private mutating func appendCommand(_ action: RuleAction, _ list: FilterList) {
        // One piece per command: each append checks the buffer's capacity and uniqueness.
        let always = action == .always
        switch list {
        case .user: append(static: always ? "-a always,user" : "-a never,user")
        case .task: append(static: always ? "-a always,task" : "-a never,task")
        case .entry: append(static: always ? "-a always,entry" : "-a never,entry")
        case .exit: append(static: always ? "-a always,exit" : "-a never,exit")
        case .exclude: append(static: always ? "-a always,exclude" : "-a never,exclude")
        case .filesystem: append(static: always ? "-a always,filesystem" : "-a never,filesystem")
        case .io_uring: append(static: always ? "-a always,io_uring" : "-a never,io_uring")
        }
    }

    private mutating func append(static text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    // MARK: -S

    private mutating func syscallOption(_ rule: KernelRule, key: MaskKey) -> [UInt8]? {
        let address = UInt(bitPattern: key.mask.withUnsafeBufferPointer { $0.baseAddress })
        // One buffer serves several keys (`-S all` of watches and of b64 rules): list and ABI pick too.
        let mixed = UInt64(address) ^ UInt64(key.abi?.auditArch ?? 0) << 32 ^ UInt64(key.list.kernelValue) << 4
        let bufferSlot = Int(truncatingIfNeeded: (mixed &* 0x9E37_79B9_7F4A_7C15) >> 56) & (Self.recentSlots - 1)
        if let same = sameBufferOptions[bufferSlot], same.abi == key.abi, same.list == key.list, same.style == key.style,
           same.mask.withUnsafeBufferPointer({ UInt(bitPattern: $0.baseAddress) }) == address {
            return same.option
        }
        let option = syscallOption(byValue: rule, key: key)
        sameBufferOptions[bufferSlot] = (key.mask, key.abi, key.list, key.style, option)
        return option
    }

    private mutating func syscallOption(byValue rule: KernelRule, key: MaskKey) -> [UInt8]? {
        let slot = key.slot(Self.recentSlots)
        if let recent = recentSyscallOptions[slot], recent.key == key { return recent.option }
        let option: [UInt8]?
        if let cached = syscallOptions[key] {
            option = cached
        } else {
            option = makeSyscallOption(rule.mask, list: rule.list, abi: key.abi, style: key.style)
            syscallOptions[key] = .some(option)
        }
        recentSyscallOptions[slot] = (key, option)
        return option
    }

    /// `-S ...`, or nil where auditctl's default (`all` off the task list, none on it) gives the mask.
    private mutating func makeSyscallOption(_ mask: [UInt32], list: FilterList, abi: ABI?, style: SyscallStyle) -> [UInt8]? {
        if SyscallMask.isEmpty(mask) { return nil }
        if SyscallMask.isAll(mask) {
            // Explicit on the exit lists, so that audit 4.x does not narrow perm rules to the perm syscalls.
            // (Not on io_uring: there `-S all` names the operations only; no -S sets every bit.)
            return list == .exit ? Array("-S all".utf8) : nil
        }
        if list == .io_uring { return ioUringOption(mask) }
        var out: [UInt8] = [0x2D, 0x53, 0x20]  // "-S "
        var first = true
        for n in SyscallMask.numbers(in: mask) {
            if !first { out.append(0x2C) }
            first = false
            if let abi, n < SyscallMask.firstClassNumber, style != .numbers {
                out.append(contentsOf: syscallName(n, abi: abi, style: style))
            } else {
                out.appendDecimal(Int64(n))
            }
        }
        return out
    }

    /// `-S` of an io_uring rule: the loader's operation names, numbers where it has none.
    private func ioUringOption(_ mask: [UInt32]) -> [UInt8] {
        var out: [UInt8] = [0x2D, 0x53, 0x20]  // "-S "
        let facts = target.auditVersion.loader
        for (i, n) in SyscallMask.numbers(in: mask).enumerated() {
            if i > 0 { out.append(0x2C) }
            if let name = facts.uringOpName(n) { out.append(contentsOf: name.utf8) } else { out.appendDecimal(Int64(n)) }
        }
        return out
    }

    /// libaudit's name for the loader; with `.names` also the table's name where the loader
    /// resolves it to the same number; else the number (a name the loader lacks would make
    /// auditctl refuse the line).
    private mutating func syscallName(_ n: Int, abi: ABI, style: SyscallStyle) -> [UInt8] {
        let key = NamesKey(abi: abi, style: style)
        if let known = syscallNames[key]?[n], !known.isEmpty { return known }
        var name: [UInt8]
        if let s = target.database.libauditName(of: n, abi: abi, version: target.auditVersion) {
            name = Array(s.utf8)
        } else if style == .names, let s = target.database.table(abi, at: target.kernel)?.name(of: n),
                  target.database.libauditNumber(of: s, abi: abi, version: target.auditVersion) == n {
            name = Array(s.utf8)
        } else {
            name = []
            name.appendDecimal(Int64(n))
        }
        syscallNames[key, default: Array(repeating: [], count: SyscallMask.firstClassNumber)][n] = name
        return name
    }

    // MARK: -F and -C

    private mutating func appendField(_ f: KernelField) {
        if f.id == FieldID.fieldCompare, let pair = ComparisonTable.fields(of: f.value) {
            bytes.append(contentsOf: "-C ".utf8)
            bytes.append(contentsOf: pair.left.utf8)
            bytes.appendOperator(f.op)
            bytes.append(contentsOf: pair.right.utf8)
            return
        }
        if f.id == FieldID.filterkey, let s = f.string {
            appendKeys(s)
            return
        }
        let text = fieldText(f.id)
        bytes.append(contentsOf: text.prefix)
        bytes.appendOperator(f.op)
        if let s = f.string {
            bytes.appendEscaped(s)
        } else if f.id == FieldID.arch {
            bytes.append(contentsOf: archText(f.value))
        } else {
            appendValue(f.value, kind: text.kind)
        }
    }

    /// The kernel holds several keys as one string joined by 0x01; auditctl takes one `-F key=` each.
    private mutating func appendKeys(_ s: RulesText) {
        s.withBytes { utf8 in
            var partStart = 0
            for i in 0 ... utf8.count where i == utf8.count || utf8[i] == 0x01 {
                if partStart != 0 { bytes.append(0x20) }
                bytes.append(contentsOf: "-F key=".utf8)
                bytes.appendEscaped(UnsafeBufferPointer(rebasing: utf8[partStart ..< i]))
                partStart = i + 1
            }
        }
    }

    private mutating func fieldText(_ id: UInt32) -> FieldText {
        if id < Self.fieldTextLimit, let known = fieldTexts[Int(id)] { return known }
        let spec = FieldTable.spec(id: id)
        var prefix = Array("-F ".utf8)
        if let spec { prefix.append(contentsOf: spec.name.utf8) } else { prefix.appendDecimal(Int64(id)) }
        let text = FieldText(prefix: prefix, kind: spec?.kind)
        if id < Self.fieldTextLimit { fieldTexts[Int(id)] = text }
        return text
    }

    /// Values in a form libaudit parses back to the same 32 bits for that field.
    private mutating func appendValue(_ v: UInt32, kind: FieldValueKind?) {
        switch kind {
        case .permission?:
            if v < permissionLetters.count {
                if permissionLetters[Int(v)] == nil { permissionLetters[Int(v)] = Array(Permissions(rawValue: v).letters.utf8) }
                bytes.append(contentsOf: permissionLetters[Int(v)]!)
            } else {
                bytes.append(contentsOf: Permissions(rawValue: v).letters.utf8)
            }
        case .fileType?:
            if let name = FileTypeTable.name(of: v) { bytes.append(contentsOf: name.utf8) } else { bytes.appendDecimal(Int64(v)) }
        case .exit?: bytes.appendDecimal(Int64(Int32(bitPattern: v)))
        case .argument?: bytes.appendHex(v, uppercase: true)
        default: bytes.appendDecimal(Int64(v))
        }
    }

    // MARK: arch

    private mutating func archText(_ v: UInt32) -> [UInt8] {
        if let known = archTexts.first(where: { $0.value == v }) { return known.text }
        var text: [UInt8] = []
        let pair = target.abis
        if let b64 = pair.b64, v == target.machine.auditArch(for: b64) {
            text = Array("b64".utf8)
        } else if let b32 = pair.b32, v == target.machine.auditArch(for: b32) {
            text = Array("b32".utf8)
        } else {
            // A foreign arch: the raw value.
            text.appendHex(v, uppercase: false)
        }
        archTexts.append((v, text))
        return text
    }

    private mutating func abiOf(archValue v: UInt32) -> ABI? {
        if let known = archABIs.first(where: { $0.value == v }) { return known.abi }
        let abi = ArchName.byAuditArch(v)?.abi
        archABIs.append((v, abi))
        return abi
    }
}

extension [UInt8] {
    /// Decimal digits, as `String(v)` writes them.
    mutating func appendDecimal(_ v: Int64) {
        // Digits come least significant first: written from the end of a stack buffer, appended at once.
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        Swift.withUnsafeMutableBytes(of: &digits) { buffer in
            var i = buffer.count
            var rest = v.magnitude
            repeat {
                i -= 1
                buffer[i] = 0x30 + UInt8(truncatingIfNeeded: rest % 10)
                rest /= 10
            } while rest != 0
            if v < 0 {
                i -= 1
                buffer[i] = 0x2D
            }
            append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[i...]))
        }
    }

    /// `0x` and hex digits, as `"0x" + String(v, radix: 16, uppercase:)` writes them.
    mutating func appendHex(_ v: UInt32, uppercase: Bool) {
        append(0x30)
        append(0x78)
        let letterBase: UInt8 = uppercase ? 0x41 - 10 : 0x61 - 10
        var shift = (Swift.max(1, (32 - v.leadingZeroBitCount + 3) / 4) - 1) * 4
        while shift >= 0 {
            let d = UInt8(truncatingIfNeeded: (v >> UInt32(shift)) & 0xF)
            append(d < 10 ? 0x30 + d : letterBase + d)
            shift -= 4
        }
    }

    mutating func appendOperator(_ op: FieldOperator) {
        switch op {
        case .notEqual: append(0x21); append(0x3D)
        case .greaterOrEqual: append(0x3E); append(0x3D)
        case .lessOrEqual: append(0x3C); append(0x3D)
        case .bitTest: append(0x26); append(0x3D)
        case .equal: append(0x3D)
        case .greaterThan: append(0x3E)
        case .lessThan: append(0x3C)
        case .bitMask: append(0x26)
        }
    }

    /// `Lexer.escape(s)`, as bytes.
    mutating func appendEscaped(_ s: RulesText) {
        s.withBytes { Lexer.appendEscaped($0, to: &self) }
    }

    mutating func appendEscaped(_ utf8: UnsafeBufferPointer<UInt8>) {
        Lexer.appendEscaped(utf8, to: &self)
    }
}
