extension LineParser {
    /// `-F NAME OP VALUE`. auditctl finds the operator by searching the whole word for each
    /// operator in a fixed order, so `a2&=0x8` is `&=` and `path=/a<b` is `=`.
    mutating func fieldPair(_ arg: Token) {
        let text = arg.text
        guard let found = OperatorSplit(arg, at: Self.fieldOperator(in: text)) else {
            report(.fieldSyntax, "-F '\(message: text)' has no operator (=, !=, <, >, <=, >=, &, &=)", arg)
            return
        }
        let (op, name, raw) = (found.op, found.left, found.right)
        let (opColumn, valueColumn, valueLength) = (found.opColumn, found.rightColumn, found.rightLength)
        if name.isEmpty {
            report(.fieldSyntax, .error, "-F '\(message: text)' has no field name before '\(op.rawValue)'", column: arg.column, length: arg.length)
            return
        }
        if raw.isEmpty {
            report(.fieldSyntax, .error, "-F '\(message: text)' has no value after '\(op.rawValue)'", column: opColumn, length: op.rawValue.utf8.count)
            return
        }
        guard let spec = FieldTable.spec(named: name) else {
            let quoted = name.first == UInt8(ascii: "\"") || name.first == UInt8(ascii: "'")
            report(.unknownField, .error, "unknown field '\(message: name)'" + (quoted ? ": quotes are not understood in rules files (auditctl -R splits words on spaces only)"
                                                              : suggestion(for: name)),
                   column: arg.column, length: name.count)
            return
        }
        let nameToken = Located(spec.name, at: location(arg.column), length: name.count)
        let opToken = Located(op, at: location(opColumn), length: op.rawValue.utf8.count)
        let rawToken = Located(raw, at: location(valueColumn), length: valueLength)
        if spec.id == FieldID.filterkey {
            // `-F KEY=x` (not the exact `key=` prefix) still names the key field.
            guard op == .equal else {
                report(.fieldOperator, .error, "the key field only takes '='", column: opColumn, length: op.rawValue.utf8.count)
                return
            }
            addKey(raw, token: Token(text: raw, column: valueColumn, length: valueLength), fromField: true)
            return
        }
        var ok = true
        // The name as written goes in (as `valueList` below, worked out before the call: an
        // argument evaluated after `self` is read can make a call copy the parser); its String,
        // for messages only, is made where one is printed.
        let refusal = loaderRefusal(spec, written: name, op: op)
        if let refusal, refusal.key != "EAU_OPEQ" && refusal.key != "EAU_OPEQNOTEQ" {
            report(refusal.key == "EAU_FIELDUNKNOWN" ? .unknownField : .fieldNotOnList, .error,
                   (refusal.key == "EAU_FIELDUNKNOWN" ? "" : "field '\(spec.name)' cannot be used on the \(effectiveList?.rawValue ?? "") list: ")
                   + "\(refusal)", column: arg.column, length: name.count)
            if refusal.key == "EAU_FIELDUNKNOWN" { return }
            ok = false
        } else if let (code, message) = kernelReleaseRefusal(spec, written: name, op: op) {
            report(code, .error, message, column: code == .fieldOperator ? opColumn : arg.column,
                   length: code == .fieldOperator ? op.rawValue.utf8.count : name.count)
            // The release lacks the field: nothing more to say of it.
            if code == .unknownField { return }
            ok = false
        } else if let list = effectiveList, kernelRefuses(spec, on: list) {
            let allowed = FilterList.listingOrder.filter { spec.lists.contains($0) }.map(\.rawValue)
            report(.fieldNotOnList, .error, "field '\(spec.name)' cannot be used on the \(list.rawValue) list"
                   + (allowed.isEmpty ? "" : " (only on: \(allowed.joined(separator: ", ")))"),
                   column: arg.column, length: name.count)
            ok = false
        }
        if let refusal, refusal.key == "EAU_OPEQ" || refusal.key == "EAU_OPEQNOTEQ" {
            report(.fieldOperator, .error, "field '\(spec.name)' does not take '\(op.rawValue)': \(refusal)",
                   column: opColumn, length: op.rawValue.utf8.count)
            ok = false
        } else if !spec.takes(op) {
            let allowed = FieldOperator.searchOrder.filter { spec.operators.contains($0) }.map(\.rawValue)
            report(.fieldOperator, .error, "field '\(spec.name)' does not take '\(op.rawValue)' (only \(allowed.joined(separator: " ")))",
                   column: opColumn, length: op.rawValue.utf8.count)
            ok = false
        }
        if spec.id == FieldID.arch && syscallAdded {
            report(.archOrder, .error, watch != nil ? "arch cannot be given on a watch" : "arch must be given before -S (syscall names are looked up in its table)",
                   column: arg.column, length: name.count)
            ok = false
        }
        guard ok else { return }
        let value: FieldValue
        let valueList = effectiveList ?? .exit  // before the call, as `spelled` above
        switch shared.parse(spec, op: op, raw: raw, list: valueList) {
        case .success(let v):
            value = v
            if case .number(let n) = v, n == UInt32.max, spec.kind == .uid || spec.kind == .gid,
               spec.name != "auid", spec.name != "loginuid" {
                report(.fieldValue, .error, "the kernel rejects \(spec.name)=\(message: raw): 4294967295 (-1) is not a valid id; only auid may be unset",
                       column: valueColumn, length: valueLength)
                return
            }
            if case .arch(let selector) = v, selector == .b64, hostMachine.b64 == nil {
                report(.fieldValue, .error, "arch=b64 on a 32-bit host (\(hostMachine.rawValue)): auditctl rejects it",
                       column: valueColumn, length: valueLength, hostDependent: true)
            }
        case .failure(let e):
            report((e.hostDependent ? .unknownUser : .fieldValue), .error, e.message, column: valueColumn, length: valueLength, hostDependent: e.hostDependent)
            guard e.hostDependent else { return }
            value = spec.kind == .gid ? .groupName(raw) : .userName(raw)
        }
        fields.append(FieldClause(name: nameToken, op: opToken, rawValue: rawToken, value: value))
        switch spec.id {
        case FieldID.perm, FieldID.path, FieldID.dir: permAdded = true
        case FieldID.exe: exeAdded = true
        case FieldID.fstype: fsAdded = true
        default: break
        }
    }

    /// `-C LEFT OP RIGHT`: an inter-field comparison, `=` or `!=` only, exit list only.
    mutating func comparison(_ o: ScannedOption, _ arg: Token) {
        let text = arg.text
        guard let w = OperatorSplit(arg, at: Self.comparisonOperator(in: text)) else {
            report(.comparison, "-C '\(message: text)' needs '=' or '!=' between two fields", arg)
            return
        }
        if w.left.isEmpty { report(.comparison, .error, "-C '\(message: text)' has no field before '\(w.op.rawValue)'", column: arg.column, length: arg.length) }
        if w.right.isEmpty { report(.comparison, .error, "-C '\(message: text)' has no field after '\(w.op.rawValue)'", column: w.opColumn, length: w.op.rawValue.utf8.count) }
        guard !w.left.isEmpty, !w.right.isEmpty else { return }
        let leftSpec = FieldTable.spec(named: w.left), rightSpec = FieldTable.spec(named: w.right)
        if leftSpec == nil {
            report(.comparison, .error, "unknown field '\(message: w.left)'\(suggestion(for: w.left))", column: arg.column, length: w.left.count)
        }
        if rightSpec == nil {
            report(.comparison, .error, "unknown field '\(message: w.right)'\(suggestion(for: w.right))", column: w.rightColumn, length: w.rightLength)
        }
        guard let l = leftSpec, let r = rightSpec else { return }
        if !hasRuleTarget {
            report(.comparison, .error, "-C needs a rule (-a LIST,ACTION) before it", column: o.column, length: o.length)
            return
        }
        if let list = effectiveList, list != .exit {
            report(.comparison, .error, "-C can only be used on the exit list", column: o.column, length: o.length)
            return
        }
        guard let constant = ComparisonTable.constant(l.name, r.name) else {
            report(.comparison, .error, "cannot compare \(l.name) with \(r.name): -C compares two uid fields (auid uid euid suid fsuid obj_uid) or two gid fields (gid egid sgid fsgid obj_gid)",
                   column: arg.column, length: arg.length)
            return
        }
        fields.append(FieldClause(name: Located(l.name, at: location(arg.column), length: w.left.count),
                                  op: Located(w.op, at: location(w.opColumn), length: w.op.rawValue.utf8.count),
                                  rawValue: Located(RulesText(r.name), at: location(w.rightColumn), length: w.rightLength),
                                  value: .comparison(constant), isComparison: true))
    }

    /// " (did you mean 'x'?)" for the closest field name, when one is close.
    mutating func suggestion(for name: RulesText) -> String {
        guard suggestionsLeft > 0, name.count <= 32 else { return "" }
        suggestionsLeft -= 1
        // A suggestion is part of a message: the name as the message shows it.
        return FieldSuggestion.closest(to: name.description).map { " (did you mean '\($0)'?)" } ?? ""
    }
}

/// A `LEFT OP RIGHT` word of `-F` or `-C` split at the operator its search found, with the
/// columns of the operator and of the right side (at least one column wide, for a caret).
struct OperatorSplit {
    let op: FieldOperator
    let left: RulesText, right: RulesText
    let opColumn: Int, rightColumn: Int, rightLength: Int

    init?(_ word: Token, at found: (FieldOperator, Range<Int>)?) {
        guard let (op, range) = found else { return nil }
        self.op = op
        (left, right) = word.text.withBytes {
            (RulesText(UnsafeBufferPointer(rebasing: $0[..<range.lowerBound])), RulesText(UnsafeBufferPointer(rebasing: $0[range.upperBound...])))
        }
        opColumn = word.column + left.count
        rightColumn = opColumn + op.rawValue.utf8.count
        rightLength = max(word.length - (rightColumn - word.column), 1)
    }
}

extension LineParser {
    /// auditctl's operator search (strstr for each operator of `FieldOperator.searchOrder`,
    /// the first one found wins) done in one pass over the word's bytes.
    static func fieldOperator(in text: RulesText) -> (FieldOperator, Range<Int>)? {
        // First byte offset of each operator, in search order: != >= <= &= = > < &.
        var first = (-1, -1, -1, -1, -1, -1, -1, -1)
        var previous: UInt8 = 0
        var i = 0
        // Over the bytes at once: the text's own iteration asks its storage for every byte.
        text.withBytes { bytes in for b in bytes {
            switch b {
            case UInt8(ascii: "="):
                if first.4 < 0 { first.4 = i }
                switch previous {
                case UInt8(ascii: "!"): if first.0 < 0 { first.0 = i - 1 }
                case UInt8(ascii: ">"): if first.1 < 0 { first.1 = i - 1 }
                case UInt8(ascii: "<"): if first.2 < 0 { first.2 = i - 1 }
                case UInt8(ascii: "&"): if first.3 < 0 { first.3 = i - 1 }
                default: break
                }
            case UInt8(ascii: ">"): if first.5 < 0 { first.5 = i }
            case UInt8(ascii: "<"): if first.6 < 0 { first.6 = i }
            case UInt8(ascii: "&"): if first.7 < 0 { first.7 = i }
            default: break
            }
            previous = b
            i += 1
        } }
        let found: (FieldOperator, Int)
        if first.0 >= 0 { found = (.notEqual, first.0) }
        else if first.1 >= 0 { found = (.greaterOrEqual, first.1) }
        else if first.2 >= 0 { found = (.lessOrEqual, first.2) }
        else if first.3 >= 0 { found = (.bitTest, first.3) }
        else if first.4 >= 0 { found = (.equal, first.4) }
        else if first.5 >= 0 { found = (.greaterThan, first.5) }
        else if first.6 >= 0 { found = (.lessThan, first.6) }
        else if first.7 >= 0 { found = (.bitMask, first.7) }
        else { return nil }
        return (found.0, found.1 ..< found.1 + found.0.rawValue.utf8.count)
    }

    /// `-C`'s search over the word's bytes: the first `!=`, else the first `=`.
    static func comparisonOperator(in text: RulesText) -> (FieldOperator, Range<Int>)? {
        var equal = -1
        var previous: UInt8 = 0
        var i = 0
        for b in text {
            if b == UInt8(ascii: "=") {
                if previous == UInt8(ascii: "!") { return (.notEqual, i - 1 ..< i + 1) }
                if equal < 0 { equal = i }
            }
            previous = b
            i += 1
        }
        return equal < 0 ? nil : (.equal, equal ..< equal + 1)
    }
}
