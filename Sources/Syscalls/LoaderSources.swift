#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Reads the facts of one audit-userspace release from its source tree (a checkout or
/// `git archive` of a tag of linux-audit/audit-userspace) and writes them as the two data files
/// `libaudit-<release>.tsv` (syscall names per ABI) and `loader-<release>.tsv` (machines, `-F arch`
/// bits, fields, lists, actions, operators, message types, errno and fs-type names). Only names
/// and numbers are taken: the tables are lists of `_S(key, "name")` entries, and the two C
/// functions read (`audit_name_to_syscall`, `audit_determine_machine`) are reduced to which
/// machine uses which table and which bits each machine takes.
public enum LoaderSources {
    public struct SourceError: Error, CustomStringConvertible {
        public let description: String
        init(_ d: String) { description = d }
    }

    /// One `_S(key, "name")` entry and the `#ifdef` symbol it sits under ("" when none).
    struct Entry: Equatable {
        var key: String
        var name: String
        var condition: String
    }

    /// The `_S` entries of a table header, in order. Commented-out entries are skipped.
    static func entries(_ text: String) -> [Entry] {
        var out: [Entry] = []
        var conditions: [String] = []
        var inComment = false
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = Substring(raw)
            if inComment {
                guard let end = line.firstRange(of: "*/") else { continue }
                line = line[end.upperBound...]
                inComment = false
            }
            if let start = line.firstRange(of: "/*"), !line[start.upperBound...].contains("*/") {
                inComment = true
                line = line[..<start.lowerBound]
            }
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            if trimmed.hasPrefix("#ifdef") || trimmed.hasPrefix("#if ") {
                conditions.append(trimmed.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().joined(separator: " "))
                continue
            }
            if trimmed.hasPrefix("#endif") { _ = conditions.popLast(); continue }
            guard trimmed.hasPrefix("_S("), let open = trimmed.firstIndex(of: "("),
                  let comma = trimmed.firstIndex(of: ","), let q1 = trimmed.firstIndex(of: "\"") else { continue }
            let afterQ1 = trimmed.index(after: q1)
            guard let q2 = trimmed[afterQ1...].firstIndex(of: "\"") else { continue }
            let key = trimmed[trimmed.index(after: open)..<comma].trimmingWhitespace()
            out.append(Entry(key: key, name: String(trimmed[afterQ1..<q2]), condition: conditions.last ?? ""))
        }
        return out
    }

    /// The body of the C function `name` in `text` (from its signature line to the closing brace
    /// in column 0).
    static func functionBody(_ name: String, in text: String) -> [Substring]? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard let start = lines.firstIndex(where: { $0.hasPrefix("int \(name)(") }) else { return nil }
        guard let end = lines[start...].firstIndex(where: { $0.hasPrefix("}") }) else { return nil }
        return Array(lines[start...end])
    }

    /// `case MACH_X:` ... `found = t_syscall_s2i` in audit_name_to_syscall: machine -> table.
    static func machineTables(_ lookupTable: String) throws -> [(machine: String, table: String, condition: String)] {
        guard let body = functionBody("audit_name_to_syscall", in: lookupTable) else {
            throw SourceError("lib/lookup_table.c has no audit_name_to_syscall")
        }
        var out: [(String, String, String)] = []
        var labels: [String] = [], conditions: [String] = []
        for line in body {
            let t = line.trimmingWhitespace()
            if t.hasPrefix("#ifdef") { conditions.append(String(t.dropFirst(7)).trimmingWhitespace()) }
            if t.hasPrefix("#ifndef") { conditions.append("!" + String(t.dropFirst(8)).trimmingWhitespace()) }
            if t.hasPrefix("#endif") { _ = conditions.popLast() }
            if t.hasPrefix("case "), t.hasSuffix(":") { labels.append(String(t.dropFirst(5).dropLast())); continue }
            let table: String?
            if let r = t.firstRange(of: "_syscall_s2i("), let eq = t.firstRange(of: "= ") {
                table = String(t[eq.upperBound..<r.lowerBound])
            } else if t.contains("audit_name_to_uringop") {
                table = "uring"
            } else {
                table = nil
            }
            if let table {
                let condition = conditions.filter { !$0.hasPrefix("!") }.last ?? ""
                for l in labels { out.append((l, table, condition)) }
                labels = []
            }
            if t.hasPrefix("break;") || t.hasPrefix("default:") { labels = [] }
        }
        return out
    }

    /// audit_determine_machine: which machine `b32` turns a 64-bit machine into, and which bits
    /// each machine accepts (`32`, `64` or `any`; a machine missing from the switch is refused).
    static func archRules(_ libaudit: String) throws -> (b32: [(String, String)], bits: [(String, String)]) {
        guard let body = functionBody("audit_determine_machine", in: libaudit) else {
            throw SourceError("lib/libaudit.c has no audit_determine_machine")
        }
        var b32: [(String, String)] = []
        var bits: [(String, String)] = []
        var labels: [String] = [], kind = "any", inSwitch = false
        for line in body {
            let t = line.trimmingWhitespace()
            if t.contains("bits == ~__AUDIT_ARCH_64BIT && machine == "),
               let m = t.firstRange(of: "machine == ") {
                let from = t[m.upperBound...].prefix { $0 == "_" || $0.isLetter || $0.isNumber }
                b32.append((String(from), ""))
                continue
            }
            if t.hasPrefix("machine = MACH_"), let last = b32.indices.last, b32[last].1.isEmpty {
                b32[last].1 = String(t.dropFirst("machine = ".count).prefix { $0 == "_" || $0.isLetter || $0.isNumber })
                continue
            }
            if t.hasPrefix("switch (machine)") { inSwitch = true; continue }
            guard inSwitch else { continue }
            if t.hasPrefix("case "), let colon = t.firstIndex(of: ":") {
                labels.append(String(t[t.index(t.startIndex, offsetBy: 5)..<colon]))
                continue
            }
            if t.hasPrefix("if (bits == __AUDIT_ARCH_64BIT)") { kind = "32" }
            if t.hasPrefix("if (bits && bits != __AUDIT_ARCH_64BIT)") { kind = "64" }
            if t.hasPrefix("break;") {
                for l in labels { bits.append((l, kind)) }
                labels = []
                kind = "any"
            }
            if t.hasPrefix("default:") { break }
        }
        guard !bits.isEmpty else { throw SourceError("lib/libaudit.c: audit_determine_machine has no machine switch") }
        return (b32, bits)
    }

    /// `{ -EAU_X, n, "text" }` entries of lib/errormsg.h: the refusal texts auditctl prints, and
    /// where it puts the `-F` word's field name (0: not at all, 1: before the text, 2: after it).
    static func refusalMessages(_ text: String) -> [(key: String, text: String, position: Int)] {
        var out: [(String, String, Int)] = []
        for line in text.split(separator: "\n") {
            let t = line.trimmingWhitespace()
            guard t.hasPrefix("{ -EAU_"), let comma = t.firstIndex(of: ","), let q1 = t.firstIndex(of: "\""),
                  let q2 = t.lastIndex(of: "\""), q1 < q2 else { continue }
            // C escapes become the characters auditctl prints.
            let text = String(t[t.index(after: q1)..<q2]).replacing("\\'", with: "'")
                .replacing("\\\"", with: "\"")
            let position = Int(t[t.index(after: comma)...].prefix { $0 != "," }.trimmingWhitespace()) ?? 0
            out.append((String(t[t.index(t.startIndex, offsetBy: 3)..<comma]), text, position))
        }
        return out
    }

    /// The ABI each libaudit machine constant resolves syscalls for (ppc64 and ppc64le share one).
    public static let machineABIs: [(machine: String, abi: ABI)] = [
        ("MACH_86_64", .x86_64), ("MACH_X86", .i386), ("MACH_PPC", .ppc), ("MACH_PPC64", .ppc64),
        ("MACH_S390", .s390), ("MACH_S390X", .s390x), ("MACH_AARCH64", .aarch64), ("MACH_ARM", .arm),
        ("MACH_RISCV64", .riscv64), ("MACH_RISCV32", .riscv32),
    ]

    /// The fact files of the release in `tree` (`tag` names it in the provenance header).
    public static func render(tree: String, release: String, tag: String) throws -> (libaudit: String, loader: String) {
        func read(_ path: String) throws -> String {
            guard let data = FileManager.default.contents(atPath: tree + "/" + path) else {
                throw SourceError("\(tree)/\(path): cannot read")
            }
            return String(decoding: data, as: UTF8.self)
        }
        func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: tree + "/" + path) }
        let origin = "linux-audit/audit-userspace tag \(tag)"

        let tables = try machineTables(try read("lib/lookup_table.c"))
        var sys = "# abi\tnumber\tname (libaudit's own spelling)\n"
        sys += "# generated by `aurules tables loader` from \(origin): lib/lookup_table.c, lib/<table>_table.h\n"
        for (machine, abi) in machineABIs {
            guard let table = tables.first(where: { $0.machine == machine })?.table, exists("lib/\(table)_table.h") else { continue }
            for e in entries(try read("lib/\(table)_table.h")) {
                guard let n = Int(e.key) else { throw SourceError("lib/\(table)_table.h: bad number '\(e.key)'") }
                sys += "\(abi.rawValue)\t\(n)\t\(e.name)\n"
            }
        }

        let libauditC = try read("lib/libaudit.c")
        var facts = "# kind\tname\tvalue\tcondition (the configure switch it needs; empty: always)\n"
        var sources = ["lib/machinetab.h", "lib/lookup_table.c (audit_name_to_syscall)",
                       "lib/libaudit.c (audit_determine_machine)", "lib/fieldtab.h", "lib/flagtab.h",
                       "lib/actiontab.h", "lib/optab.h", "lib/msg_typetab.h", "lib/errtab.h", "lib/fstypetab.h", "lib/errormsg.h",
                       "lib/libaudit.c (audit_rule_fieldpair_data)"]
        if exists("src/auditctl.c") { sources.append("src/auditctl.c (refusal messages)") }
        if exists("lib/uringop_table.h") { sources.append("lib/uringop_table.h") }
        facts += "# generated by `aurules tables loader` from \(origin): \(sources.joined(separator: ", "))\n"
        facts += "release\t\(release)\t\(tag)\t\n"
        for e in entries(try read("lib/machinetab.h")) { facts += "machine\t\(e.name)\t\(e.key)\t\(e.condition)\n" }
        for m in tables { facts += "table\t\(m.machine)\t\(m.table)\t\(m.condition)\n" }
        let arch = try archRules(libauditC)
        for (from, to) in arch.b32 { facts += "b32\t\(from)\t\(to)\t\n" }
        for (machine, kind) in arch.bits { facts += "bits\t\(machine)\t\(kind)\t\n" }
        let simple: [(kind: String, file: String, keyed: Bool)] = [
            ("field", "lib/fieldtab.h", false), ("list", "lib/flagtab.h", false), ("action", "lib/actiontab.h", false),
            ("op", "lib/optab.h", false), ("msgtype", "lib/msg_typetab.h", false), ("errno", "lib/errtab.h", false),
            ("fstype", "lib/fstypetab.h", true), ("uringop", "lib/uringop_table.h", true),
        ]
        for s in simple where exists(s.file) {
            for e in entries(try read(s.file)) {
                facts += "\(s.kind)\t\(e.name)\t\(s.keyed ? e.key : "")\t\(e.condition)\n"
            }
        }
        if exists("lib/errormsg.h") {
            for m in refusalMessages(try read("lib/errormsg.h")) {
                facts += "message\t\(m.key)\t\(m.text)\t\n"
                facts += "msgpos\t\(m.key)\t\(m.position)\t\n"
            }
        }
        let fieldtab = entries(try read("lib/fieldtab.h"))
        let rules = try fieldRules(libauditC, fields: fieldtab, lists: entries(try read("lib/flagtab.h")), ops: entries(try read("lib/optab.h")))
        for e in rules.exclude { facts += "exclude\t\(e.branch)\t\(e.key) \(e.fields.joined(separator: ","))\t\n" }
        var seen = Set<String>()
        for e in fieldtab where seen.insert(e.name).inserted {
            guard let r = rules.fields[e.name] else { continue }
            facts += "fieldkind\t\(e.name)\t\(r.kind)\t\(e.condition)\n"
            if let l = r.lists { facts += "fieldlists\t\(e.name)\t\(l.key) \(l.names.joined(separator: ","))\t\(e.condition)\n" }
            if let o = r.ops { facts += "fieldops\t\(e.name)\t\(o.key) \(o.names.joined(separator: ","))\t\(e.condition)\n" }
            if let f = r.feature { facts += "fieldfeature\t\(e.name)\t\(f.key) \(f.name)\t\(e.condition)\n" }
        }
        if exists("src/auditctl.c") {
            for m in auditctlMessages(try read("src/auditctl.c")) { facts += "auditctl\t\(m.id)\t\(m.text)\t\n" }
        }
        return (sys, facts)
    }
}
