import Syscalls

extension LineParser {
    /// The lists syscalls (-S) cannot be used on.
    static func refusesSyscalls(_ list: FilterList) -> Bool {
        switch list {
        case .task, .user, .filesystem, .exclude: return true
        case .exit, .entry, .io_uring: return false
        }
    }
    /// The kernel's syscall bitmap: AUDIT_BITMASK_SIZE (64) words of 32 bits.
    static let syscallLimit = 2048
    /// AUDIT_MAX_FIELDS - 1: auditctl refuses the 64th field, arch and key included.
    static let maxFields = 63

    /// `all` as text, made once (a literal is converted at each comparison).
    private static let allText: RulesText = "all"

    mutating func syscallOption(_ o: ScannedOption, _ arg: Token) {
        if watch != nil {
            report(.syscallPlacement, .error, "-S cannot be combined with a watch (-w); write an -a always,exit rule with -F path=",
                   column: o.column, length: o.length)
            return
        }
        if let l = list?.value, Self.refusesSyscalls(l) {
            report(.syscallPlacement, .error, "syscalls (-S) cannot be used on the \(l.rawValue) list" + syscallListMessage(l), column: o.column, length: o.length)
            syscallListReported = true
            return
        }
        var offset = 0
        var any = false
        let pieces = commaSeparated(arg.text)
        syscalls.reserveCapacity(syscalls.count + pieces.count)
        for item in pieces {
            let column = arg.column + offset
            offset += item.count + 1
            if item.isEmpty { continue }
            any = true
            let length = item.count
            if item == Self.allText {
                syscalls.append(Located(.all, at: location(column), length: length))
            } else if let first = item.first, first >= UInt8(ascii: "0"), first <= UInt8(ascii: "9") {
                let p = LeadingNumber.parsePrefix(item)
                guard !p.overflow, p.value < UInt64(Self.syscallLimit) else {
                    report(.syscallRange, .error, "syscall number \(message: item) is out of range: the kernel's syscall bitmap has 2048 entries (0-2047)",
                           column: column, length: length)
                    continue
                }
                if p.consumed < length {
                    report(.numberSuffix, .warning, "auditctl reads only the leading number of '\(message: item)' and ignores the rest",
                           column: column + p.consumed, length: length - p.consumed)
                }
                syscalls.append(Located(.number(Int(p.value)), at: location(column), length: length))
            } else if list?.value == .io_uring {
                // io_uring operations, from the loader's own table (not syscalls).
                guard ioUringOperation(item, word: arg.text, column: column, length: length) else { continue }
                syscalls.append(Located(.name(item), at: location(column), length: length))
            } else {
                if !knownSyscalls.isKnown(item) {
                    report(.unknownSyscall, .error, "unknown syscall '\(message: item)': no ABI has a syscall of that name\(syscallSuggestion(for: item))",
                           column: column, length: length)
                    continue
                }
                syscalls.append(Located(.name(item), at: location(column), length: length))
            }
        }
        if !any {
            report(.syntax, "-S needs a syscall name, a number or all", arg)
            return
        }
        syscallAdded = true
        if firstSyscallOption == nil { firstSyscallOption = (o.column, o.length) }
    }

    mutating func finish() {
        guard hasRuleTarget else {
            if let s = firstSyscallOption {
                report(.syscallPlacement, .error, "-S needs a rule: write -a LIST,ACTION on the same line", column: s.column, length: s.length)
            }
            return
        }
        if let l = list?.value, Self.refusesSyscalls(l), !syscalls.isEmpty, !syscallListReported,
           let s = firstSyscallOption {
            report(.syscallPlacement, .error, "syscalls (-S) cannot be used on the \(l.rawValue) list", column: s.column, length: s.length)
        }
        if let k = fieldKeys.first, !keyHasAnchor {
            report(.keyPlacement, .error, "a key needs a syscall (-S), a watch, or a perm, path, dir, exe or fstype field in the rule",
                   column: k.location.column, length: k.length)
        }
        // auditctl adds the keys last, as one `key=` field through audit_rule_fieldpair_data with
        // the rule's list: the exclude list's field set refuses it where the loader's lacks the key
        // (3.0.9 with exclude-extend: "Only msgtype, *uid, *gid, pid, and subj* fields ...").
        if let k = keys.first, effectiveList == .exclude {
            let found = ([facts] + otherLoaders.map(\.loader)).compactMap {
                $0.fieldRefusal("key", spelled: "key", op: "=", list: FilterList.exclude.rawValue, kernelHasExcludeExtend: kernelHasExcludeExtend)
            }
            if let refusal = Self.joined(found) {
                report(.fieldNotOnList, .error, "a key cannot be used on the exclude list: \(refusal)", column: k.location.column, length: k.length)
            }
        }
        let base = watch != nil ? 2 : 0
        let count = base + fields.count
        if count > Self.maxFields {
            let f = fields[Self.maxFields - base]
            report(.tooManyFields, .error, "too many fields: this is field 64; the kernel takes at most 63, arch and key included",
                   column: f.name.location.column, length: f.name.length)
        } else if count == Self.maxFields, let k = keys.first {
            report(.tooManyFields, .error, "too many fields: the key would be field 64; the kernel takes at most 63, arch and key included",
                   column: k.location.column, length: k.length)
        }
        if let c = command, let l = list, let a = action {
            let rule = RuleStatement(command: c.kind, list: l, action: a, syscalls: syscalls, fields: fields, keys: keys)
            emit(.rule(rule), column: c.column)
        } else if let w = watch {
            let statement = WatchStatement(remove: w.remove, path: w.path, permissions: permissions, keys: keys, fields: fields)
            emit(.watch(statement), column: w.column)
        }
    }

    /// The line's statements in the order written; none when the line has an error that does not
    /// depend on the host (such a line would not load anywhere).
    var result: [Statement] {
        if diagnostics.contains(where: { $0.severity == .error && !$0.hostDependent }) { return [] }
        return statements.sorted { $0.column < $1.column }.map(\.statement)
    }

    /// Appends `result` to `list`, moving the usual single statement instead of copying it.
    mutating func moveResult(to list: inout [Statement]) {
        if statements.count == 1 {
            if diagnostics.contains(where: { $0.severity == .error && !$0.hostDependent }) { return }
            list.append(statements.removeLast().statement)
        } else if !statements.isEmpty {
            list += result
        }
    }

    /// " (did you mean 'x'?)" for the closest syscall name of the shipped tables, when one is close.
    mutating func syscallSuggestion(for name: RulesText) -> String {
        guard suggestionsLeft > 0, name.count <= 32 else { return "" }
        suggestionsLeft -= 1
        return SyscallSuggestion.closest(to: name.description).map { " (did you mean '\($0)'?)" } ?? ""
    }
}
