import Syscalls

/// The verdicts that depend on the loader release (its libaudit's field checks, its filter lists,
/// its io_uring operation table), read from the release's shipped facts (LoaderFacts), and the
/// kernel's own refusals that no loader release changes.
extension LineParser {
    /// The release whose facts answer: the target's loader, else 3.0.9 (the built-in semantics).
    var facts: LoaderFacts { shared.valueParser.facts }

    /// libaudit checks the kernel's EXCLUDE_EXTEND feature for the exclude list.
    var kernelHasExcludeExtend: Bool { kernel.map { $0 >= FieldTable.excludeExtendKernel } ?? true }

    /// What the target loader's audit_rule_fieldpair_data refuses about `-F written OP` on the
    /// rule's list (exclude list field set, the field's lists, its operators); nil without a loader
    /// (the built-in checks then decide) or when it takes it.
    func loaderRefusal(_ spec: FieldSpec, written: RulesText, op: FieldOperator) -> LoaderRefusal? {
        guard let loader, let list = effectiveList else { return nil }
        let exclude = kernelHasExcludeExtend
        // One loader (every command but a lint of several): its refusal as it is, asked of the
        // facts the value parser holds (no look-up per clause), where they lie: held in a local,
        // the large struct was copied per clause.
        if otherLoaders.isEmpty {
            if shared.valueParser.auditVersion == loader {
                return shared.fieldRefusal(spec, written: written, op: op, list: list, kernelHasExcludeExtend: exclude)
            }
            return loader.loader.fieldRefusal(spec.name, spelled: Self.spelling(written, of: spec), op: op.rawValue, list: list.rawValue, kernelHasExcludeExtend: exclude)
        }
        let spelled = Self.spelling(written, of: spec)
        let primary = shared.valueParser.auditVersion == loader ? shared.valueParser.facts : loader.loader
        let found = ([primary] + otherLoaders.map(\.loader)).compactMap {
            $0.fieldRefusal(spec.name, spelled: spelled, op: op.rawValue, list: list.rawValue, kernelHasExcludeExtend: exclude)
        }
        return Self.joined(found)
    }

    /// A field's name as written, for a message (the spelling found the field, so it is ASCII).
    static func spelling(_ written: RulesText, of spec: FieldSpec) -> String {
        written.asciiName ?? spec.name
    }

    /// One refusal naming every release's (their own texts), for a lint of several loaders.
    static func joined(_ refusals: [LoaderRefusal]) -> LoaderRefusal? {
        guard let first = refusals.first, let last = refusals.last else { return nil }
        let before = refusals.dropLast().map(\.description)
        return LoaderRefusal(release: first.release, key: first.key, text: last.text,
                             detail: (before + [last.detail]).joined(separator: "; "))
    }

    /// Whether the kernel refuses the field on `list` (FieldSpec.kernelRefuses). Without a loader,
    /// the built-in table (auditctl 3.0.9 and the kernel together) decides.
    func kernelRefuses(_ spec: FieldSpec, on list: FilterList) -> Bool {
        loader == nil ? !spec.isAllowed(on: list) : spec.kernelRefuses(on: list)
    }

    /// `-a LIST,ACTION` naming the io_uring list: refused by a loader without it (with its
    /// message) and by a kernel without it (kernelList); without a loader, a warning.
    mutating func ioUringList(_ l: Located<FilterList>, command: String, word: RulesText) {
        guard let loader else {
            report(.listAction, .warning, "the io_uring list needs audit 3.1 or later; auditctl 3.0.9 rejects it",
                   column: l.location.column, length: l.length)
            return
        }
        let id = command == "-A" ? "add-bad-keyword" : command == "-d" ? "delete-bad-keyword" : "append-bad-keyword"
        let refused = ([loader] + otherLoaders).filter { !$0.loader.has("list", "io_uring") }
        // Only when something is refused: finding the first release with the list parses older releases' data.
        let first = refused.isEmpty ? nil : AuditVersion.allCases.first { $0.loader.has("list", "io_uring") }
        let refusals = refused.map { v in
            LoaderRefusal(release: v, key: id, text: v.loader.auditctlMessage(id, word.description) ?? "bad keyword",
                          detail: "audit \(v) has no io_uring list" + (first.map { " (of the known releases, \($0) and later have it)" } ?? ""))
        }
        if let refusal = Self.joined(refusals) {
            report(.listAction, .error, refusal.description, column: l.location.column, length: l.length)
        } else {
            kernelList(l)
        }
    }

    /// `-S NAME` on the io_uring list: auditctl looks the name up in its io_uring operation table,
    /// not a syscall table, and refuses a name the table lacks. Without a loader, the newest table.
    mutating func ioUringOperation(_ name: RulesText, word: RulesText, column: Int, length: Int) -> Bool {
        let releases = loader.map { [$0] + otherLoaders } ?? [.newest]
        // Releases without the list refused it already. The table's names are ASCII.
        let refusals = releases.filter { $0.loader.has("list", "io_uring") && name.asciiName.flatMap($0.loader.uringOp) == nil }.map { v in
            LoaderRefusal(release: v, key: "uring-op-unknown", text: v.loader.auditctlMessage("uring-op-unknown", word.description) ?? "io_uring op unknown",
                          detail: "unknown io_uring operation '\(message: name)' for audit \(v)")
        }
        guard let refusal = Self.joined(refusals) else { return true }
        report(.ioUringOperation, .error, refusal.description, column: column, length: length)
        return false
    }

    /// auditctl's message for -S on a list without syscalls, as the loader prints it.
    func syscallListMessage(_ list: FilterList) -> String {
        let id: String
        switch list {
        case .task: id = "syscall-task-list"
        case .user: id = "syscall-user-list"
        case .filesystem: id = "syscall-filesystem-list"
        default: id = "syscall-exclude-list"
        }
        return facts.auditctlMessage(id).map { " (auditctl\(loader.map { " \($0)" } ?? ""): \"\($0)\")" } ?? ""
    }
}
