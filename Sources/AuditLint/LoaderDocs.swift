import AuditRules
import Syscalls

/// The part of a check's documentation that differs between audit-userspace releases, written
/// from the shipped loader data (loader-<release>.tsv) so that `--explain` states no fact of one
/// release as universal: every release when none is named, else only the releases named.
public enum LoaderDocs {
    /// The section for `code`, or nil when the check's facts are the same for every loader.
    public static func section(code: String, loaders: [AuditVersion]?) -> String? {
        let releases = loaders ?? AuditVersion.allCases
        let lines: [String]
        switch code {
        case DiagnosticCode.listAction.rawValue:
            lines = releases.map { "- audit \($0): lists \(ordered($0.loader.names("list")).joined(separator: ", "))" }
        case DiagnosticCode.unknownField.rawValue:
            let every = Set(AuditVersion.allCases.flatMap { $0.loader.names("field") })
            lines = releases.map { v in
                let missing = every.subtracting(v.loader.names("field")).sorted()
                return "- audit \(v): \(v.loader.names("field").count) field names" + (missing.isEmpty ? "" : "; not \(missing.joined(separator: ", "))")
            }
        case DiagnosticCode.fieldNotOnList.rawValue:
            lines = releases.flatMap(fieldLists)
        case DiagnosticCode.fieldOperator.rawValue:
            lines = releases.map { v in
                let byOps = grouped(v) { $0.ops.map { $0.names.joined(separator: " ") } }
                return "- audit \(v): " + byOps.map { "\($0.fields.joined(separator: ", ")) only \($0.value)" }.joined(separator: "; ")
            }
        case DiagnosticCode.ioUringOperation.rawValue:
            lines = releases.map { v in
                let ops = v.loader.uringOpNumbers.compactMap { v.loader.uringOpName($0) }
                return ops.isEmpty ? "- audit \(v): no io_uring list" : "- audit \(v): \(ops.count) operations: \(ops.joined(separator: ", "))"
            }
        case DiagnosticCode.syscallMissingOnABI.rawValue:
            lines = releases.map { v in
                let machines = Machine.allCases.filter { v.loader.knows($0) }.map(\.rawValue)
                let b32 = Machine.allCases.filter { m in v.loader.knows(m) && (try? v.loader.arch("b32", on: m).get()) != nil }.map(\.rawValue)
                return "- audit \(v): machines \(machines.joined(separator: ", ")); arch=b32 on \(b32.joined(separator: ", "))"
            }
        case "AUR002":
            lines = releases.map { v in
                "- audit \(v): auditctl -R \(v.auditctlCarriageReturn == .kept ? "keeps" : "removes") the CR; augenrules \(v.augenrulesCarriageReturn == .kept ? "keeps" : "removes") it"
            }
        default:
            return nil
        }
        let title = loaders.map { "## For audit \($0.map(\.rawValue).joined(separator: ", "))" } ?? "## Per audit release"
        return title + "\n\nFrom the loader data of each release (`aurules tables loader`, read from its sources).\n\n"
            + lines.joined(separator: "\n") + "\n"
    }

    /// The section for `code` stating what the kernel takes from which release (KernelAuditFacts),
    /// or nil when the check has no kernel facts.
    public static func kernelSection(code: String) -> String? {
        func line(_ f: KernelAuditFacts.Fact, _ what: String) -> String {
            "- \(what) from Linux \(f.first) on" + (f.feature.map { " (kernel feature \($0), which libaudit checks first)" } ?? "")
                + ". Source: \(f.commit); \(f.source)."
        }
        let facts = KernelAuditFacts.facts
        var lines: [String]
        switch code {
        case DiagnosticCode.unknownField.rawValue:
            lines = facts.filter { $0.kind == .field }.map { line($0, "field \($0.name)") }
        case DiagnosticCode.fieldNotOnList.rawValue:
            lines = facts.filter { $0.kind == .fieldOffExit }.map { line($0, "field \($0.name) on lists other than exit") }
            if let f = KernelAuditFacts.fact(.feature, "EXCLUDE_EXTEND") { lines.append(line(f, "the exclude list's extended field set (EXCLUDE_EXTEND)")) }
            lines += KernelAuditFacts.fieldOnlyOn.sorted { $0.key < $1.key }.map { "- every release: \($0.key) only on the \($0.value.joined(separator: " and ")) list\($0.value.count == 1 ? "" : "s")" }
            lines += KernelAuditFacts.listTakesOnly.sorted { $0.key < $1.key }.map { "- every release: the \($0.key) list takes only \($0.value.joined(separator: " and "))" }
            lines += KernelAuditFacts.listRefuses.sorted { $0.key < $1.key }.map { "- every release: the \($0.key) list refuses \($0.value.joined(separator: ", "))" }
        case DiagnosticCode.fieldOperator.rawValue:
            lines = facts.filter { $0.kind == .fieldNotEqual }.map { line($0, "field \($0.name) with !=") }
        case DiagnosticCode.listAction.rawValue:
            lines = facts.filter { $0.kind == .list }.map { line($0, "the \($0.name) list") }
        default:
            return nil
        }
        return "## Per kernel release\n\nWith `--kernel R`, what a mainline kernel older than the release below lacks is an error: "
            + "auditctl refuses it where libaudit checks the kernel's feature bit, else the kernel refuses the rule (Invalid argument). "
            + "Distribution kernels may have backported it (RHEL 7's 3.10.0-351 has exe).\n\n" + lines.joined(separator: "\n") + "\n"
    }

    /// The lists each field is allowed on by libaudit of `v`, and the exclude list's field set.
    private static func fieldLists(_ v: AuditVersion) -> [String] {
        let f = v.loader
        var out: [String] = []
        let byLists = grouped(v) { $0.lists.map { $0.names.joined(separator: ", ") } }
        out.append("- audit \(v): " + byLists.map { "\($0.fields.joined(separator: ", ")) only on \($0.value)" }.joined(separator: "; "))
        for extend in [true, false] {
            let since = KernelAuditFacts.firstRelease(ofFeature: "EXCLUDE_EXTEND").map { "\($0)" } ?? "?"
            let kernel = extend ? "kernels with exclude-extend (\(since) on)" : "older kernels"
            if let e = f.excludeFields(kernelHasExtend: extend) {
                out.append("  - exclude list on \(kernel): only \(e.fields.sorted().joined(separator: ", "))")
            } else {
                out.append("  - exclude list on \(kernel): every field not limited above")
            }
        }
        return out
    }

    /// Fields grouped by one of their facts (fields without it left out), in field-table order.
    private static func grouped(_ v: AuditVersion, _ fact: (LoaderFacts.FieldRule) -> String?) -> [(value: String, fields: [String])] {
        var out: [(value: String, fields: [String])] = []
        for spec in FieldTable.all {
            guard let rule = v.loader.fieldRule(spec.name), let value = fact(rule) else { continue }
            if let i = out.firstIndex(where: { $0.value == value }) { out[i].fields.append(spec.name) } else { out.append((value, [spec.name])) }
        }
        return out
    }

    private static func ordered(_ lists: Set<String>) -> [String] {
        FilterList.listingOrder.map(\.rawValue).filter(lists.contains)
    }
}
