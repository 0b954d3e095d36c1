import ArgumentParser
import AuditRules
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Syscalls

/// What `aurules syscall` prints: ausyscall's text and messages (Ausyscall.Answer), objects in
/// JSON, and explanations of a miss only when asked (--hints).
struct SyscallOutput {
    var json: Bool
    var hints = false

    /// The table an answer came from.
    enum Source {
        case libaudit(ABI, AuditVersion)
        case kernel(ABI, KernelVersion)

        var abi: ABI {
            switch self { case .libaudit(let a, _), .kernel(let a, _): return a }
        }

        var fields: [String: Any] {
            switch self {
            case .libaudit(let abi, let v): return ["abi": abi.rawValue, "table": "libaudit", "auditVersion": v.rawValue]
            case .kernel(let abi, let k): return ["abi": abi.rawValue, "table": "kernel", "kernel": k.description]
            }
        }
    }

    func print(_ answer: Ausyscall.Answer, source: Source, lookup: SyscallLookup) {
        if let message = answer.message { StandardError.print(message) }
        if !json {
            write(answer.text)
            if hints { explain(answer, source: source, lookup: lookup) }
            return
        }
        var o = source.fields
        switch answer {
        case .dump(_, let entries):
            o["syscalls"] = entries.map { ["name": $0.name, "number": $0.number] }
        case .exact(let name, let number), .name(let name, let number):
            o["name"] = name
            o["number"] = number
        case .matches(let query, let entries):
            o["query"] = query
            o["matches"] = entries.map { ["name": $0.name, "number": $0.number] }
        case .unknownName(let name, _):
            o["query"] = name
            o["matches"] = [Any]()
            if let (table, absence) = absence(of: name, source: source, lookup: lookup) {
                o["releases"] = absence.otherReleases.map(rowObject)
                o["equivalents"] = absence.equivalents
                o["suggestions"] = absence.suggestions
                if case .libaudit = source, let hit = lookup.exact(name, in: table) {
                    o["kernelNumber"] = hit.number
                    o["kernelName"] = hit.name
                    o["kernel"] = table.kernel.description
                }
            }
        case .unknownNumber(let number, _):
            o["query"] = Int(number)
            o["matches"] = [Any]()
            o["releases"] = lookup.database.rows(source.abi).filter { $0.number == Int(number) }.map(rowObject)
        case .nothingAsked:
            return
        }
        emit(o)
    }

    /// The kernel table a miss is explained against (for libaudit's table: the newest kernel's),
    /// and what it says about the name.
    private func absence(of name: String, source: Source, lookup: SyscallLookup) -> (SyscallTable, SyscallLookup.Absence)? {
        let db = lookup.database
        let release: KernelVersion
        switch source {
        case .kernel(_, let k): release = k
        case .libaudit(let abi, _): release = db.info(abi)?.last ?? db.newestRelease
        }
        guard let table = db.table(source.abi, at: release) else { return nil }
        return (table, lookup.absence(of: name, in: table))
    }

    private func explain(_ answer: Ausyscall.Answer, source: Source, lookup: SyscallLookup) {
        var lines: [String] = []
        switch answer {
        case .unknownName(let name, _):
            guard let (table, absence) = absence(of: name, source: source, lookup: lookup) else { return }
            let at = "\(table.abi) at \(table.kernel)"
            if case .libaudit(_, let version) = source, let hit = lookup.exact(name, in: table) {
                lines.append("libaudit \(version.rawValue) does not know \(name); the kernel's \(at) has it as \(hit.name) \(hit.number) "
                             + "(answer from the kernel's table with --kernel)")
            } else if let later = absence.otherReleases.first(where: { $0.first > table.kernel }) {
                lines.append("\(later.name) does not exist yet on \(at): it arrived in \(later.first) (number \(later.number))")
            } else if let earlier = absence.otherReleases.last(where: { ($0.last ?? table.kernel) < table.kernel }) {
                lines.append("\(earlier.name) no longer exists on \(at): its last release was \(earlier.last!) (number \(earlier.number))")
            } else if absence.knownElsewhere {
                lines.append("\(name) does not exist on \(at)")
            }
            if !absence.equivalents.isEmpty {
                lines.append("equivalents on \(at): \(absence.equivalents.joined(separator: ", "))")
            }
            if !absence.suggestions.isEmpty {
                lines.append("did you mean: \(absence.suggestions.joined(separator: ", "))?")
            }
        case .unknownNumber(let number, _):
            for r in lookup.database.rows(source.abi) where r.number == Int(number) {
                lines.append("\(source.abi) \(number) is \(r.name) in the kernel from \(r.first)" + (r.last.map { " to \($0)" } ?? ""))
            }
        default:
            return
        }
        if !lines.isEmpty { StandardError.print(lines.joined(separator: "\n")) }
    }

    func all(_ rows: [SyscallLookup.AcrossABIs], name: String, kernel: KernelVersion) -> Int32 {
        if json {
            emit(["name": name, "kernel": kernel.description, "abis": rows.map { r -> [String: Any] in
                var o: [String: Any] = ["abi": r.abi.rawValue, "equivalents": r.equivalents]
                o["number"] = r.number ?? JSONText.null
                o["kernelName"] = r.kernelName ?? JSONText.null
                return o
            }])
        } else {
            var lines = ["\("ABI".padding(9))\("NUMBER".padding(12))EQUIVALENTS (\(name) at \(kernel))"]
            for r in rows {
                let nr = r.number.map { n in r.kernelName.map { $0.lowercased() == name.lowercased() ? "\(n)" : "\(n) (\($0))" } ?? "\(n)" } ?? "-"
                lines.append(r.abi.rawValue.padding(9) + nr.padding(12) + r.equivalents.joined(separator: ", "))
            }
            write(lines.joined(separator: "\n") + "\n")
        }
        if rows.allSatisfy({ $0.number == nil && $0.equivalents.isEmpty }) {
            StandardError.print("aurules syscall: \(name) is unknown on every ABI at \(kernel)")
            return 1
        }
        return 0
    }

    /// `coverage` gives each ABI's first covered release: a row starting there may be older.
    func history(_ history: [(abi: ABI, rows: [SyscallRow])], name: String, suggestions: [String],
                 coverage: (ABI) -> KernelVersion?) -> Int32 {
        if history.isEmpty {
            var message = "aurules syscall: \(name) is unknown on every ABI at every release"
            if !suggestions.isEmpty { message += "\ndid you mean: \(suggestions.joined(separator: ", "))?" }
            StandardError.print(message)
            if json { emit(["name": name, "abis": [Any](), "suggestions": suggestions]) }
            return 1
        }
        if json {
            emit(["name": name, "abis": history.map { h in
                ["abi": h.abi.rawValue, "rows": h.rows.map { r -> [String: Any] in
                    var o = rowObject(r)
                    o["firstIsCoverageStart"] = coverage(h.abi) == r.first
                    return o
                }] as [String: Any]
            }])
            return 0
        }
        var lines: [String] = []
        for h in history {
            for r in h.rows {
                let from = coverage(h.abi) == r.first ? "from \(r.first) or earlier" : "from \(r.first)"
                let span = from + (r.last.map { " to \($0)" } ?? "")
                lines.append(h.abi.rawValue.padding(9) + "\(r.number)".padding(12) + r.name.padding(24) + span)
            }
        }
        write(lines.joined(separator: "\n") + "\n")
        return 0
    }

    private func rowObject(_ r: SyscallRow) -> [String: Any] {
        ["number": r.number, "name": r.name, "first": r.first.description, "last": r.last.map { $0.description as Any } ?? JSONText.null]
    }

    /// Straight to the file descriptor: print()'s dynamic casts cost more than a whole lookup.
    private func write(_ text: String) {
        var text = text
        text.withUTF8 { StandardOutput.write(UnsafeRawBufferPointer($0)) }
    }

    private func emit(_ object: [String: Any]) {
        guard let json = JSONText.render(object) else { return }
        write(json + "\n")
    }
}

private extension String {
    func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
