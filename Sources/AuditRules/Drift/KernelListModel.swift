/// The kernel's filter lists as AUDIT_ADD_RULE and AUDIT_DEL_RULE change them
/// (kernel/auditfilter.c): an add goes to the tail of its list, or to the head with
/// AUDIT_FILTER_PREPEND, and is refused with EEXIST when an identical rule is loaded; a delete
/// removes the identical rule wherever it is, or fails with ENOENT. `auditctl -l` lists the
/// lists in this order. Used to predict what a partly carried out plan leaves behind.
public struct KernelListModel: Sendable {
    public enum Refusal: Error, Hashable, Sendable { case exists, notFound }

    private var lists: [FilterList: [KernelRule]] = [:]

    public init(_ rules: [KernelRule]) {
        for r in rules { lists[r.list, default: []].append(r) }
    }

    /// Every rule, list by list in kernel list-number order, each list head first.
    public var rules: [KernelRule] { FilterList.allCases.flatMap { lists[$0] ?? [] } }

    public func contains(_ rule: KernelRule) -> Bool { lists[rule.list]?.contains(rule) ?? false }

    public mutating func add(_ rule: KernelRule, prepend: Bool) throws {
        if contains(rule) { throw Refusal.exists }
        if prepend { lists[rule.list, default: []].insert(rule, at: 0) } else { lists[rule.list, default: []].append(rule) }
    }

    public mutating func delete(_ rule: KernelRule) throws {
        guard let i = lists[rule.list]?.firstIndex(of: rule) else { throw Refusal.notFound }
        lists[rule.list]!.remove(at: i)
    }

    /// Carries out a rule operation (settings are not modelled).
    public mutating func perform(_ operation: ApplyOperation) throws {
        switch operation {
        case .append(let r): try add(r, prepend: false)
        case .prepend(let r): try add(r, prepend: true)
        case .delete(let r): try delete(r)
        case .setting: break
        }
    }
}
