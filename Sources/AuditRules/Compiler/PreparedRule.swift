/// What lowering a rule statement gives on every target alike, worked out once for the targets
/// that lower one input (lint lowers each statement for four): the kernel field of each clause
/// whose field does not depend on the target, the key field, and where the `arch=` clause the
/// loader reads is. Each target lowered every clause again (looking its field up by name and
/// copying the clause), a third of each lowering.
public struct PreparedRule: Sendable {
    /// One per clause, in order: nil when the clause's field depends on the target (arch values,
    /// user and group names) or is reported (an unknown field); the lowering makes those.
    var fields: [KernelField?]
    /// The single key field (nil without a key).
    var key: KernelField?
    /// The first `-F arch=` clause the loader reads (`CompilationState.loaderArch`); nil for none.
    var archClause: Int?

    init(_ rule: RuleStatement, fieldIDs: inout [(name: String, id: UInt32)]) {
        var fields: [KernelField?] = []
        fields.reserveCapacity(rule.fields.count)
        var archClause: Int?
        for i in rule.fields.indices {
            let clause = rule.fields[i]
            if archClause == nil, CompilationState.isLoaderArchClause(clause) { archClause = i }
            fields.append(Self.field(clause, fieldIDs: &fieldIDs))
        }
        self.fields = fields
        self.archClause = archClause
        key = CompilationState.keyField(rule.keys)
    }

    /// The clause's kernel field as `CompilationState.kernelField` makes it, when that is the
    /// same on every target and reports nothing; else nil.
    private static func field(_ clause: FieldClause, fieldIDs: inout [(name: String, id: UInt32)]) -> KernelField? {
        let op = clause.op.value
        if case .comparison(let c) = clause.value { return KernelField(id: FieldID.fieldCompare, op: op, value: c) }
        // A field made of a `-C` clause is a comparison, so that a perm field never is one.
        guard !clause.isComparison, let id = CompilationState.fieldID(clause.name.value, memo: &fieldIDs) else { return nil }
        switch clause.value {
        case .number(let v): return KernelField(id: id, op: op, value: v)
        case .string(let s): return KernelField(id: id, op: op, string: s)
        case .permissions(let permissions): return KernelField(id: id, op: op, value: permissions.rawValue)
        case .comparison(let c): return KernelField(id: FieldID.fieldCompare, op: op, value: c)
        case .arch, .userName, .groupName: return nil
        }
    }

    /// The prepared form of each rule statement of `statements` (nil for other statements).
    public static func of(_ statements: [Statement]) -> [PreparedRule?] {
        var fieldIDs: [(name: String, id: UInt32)] = []
        return statements.map { stmt in
            guard case .rule(let rule) = stmt.kind else { return nil }
            return PreparedRule(rule, fieldIDs: &fieldIDs)
        }
    }
}
