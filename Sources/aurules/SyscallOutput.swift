import ArgumentParser
import Foundation
import Syscalls

/// What `aurules syscall` prints: ausyscall's shapes in text, objects in JSON.
struct SyscallOutput {
    var json: Bool

    func matches(_ hits: [SyscallEntry], query: String, table: SyscallTable) {
        if json {
            return emit(["abi": table.abi.rawValue, "kernel": table.kernel.description, "query": query,
                         "matches": hits.map { ["name": $0.name, "number": $0.number] }])
        }
        // ausyscall's "%-18s %d".
        write(hits.map { $0.name.padding(18) + " \($0.number)\n" }.joined())
    }

    func exact(_ hit: SyscallEntry, abi: ABI, kernel: KernelVersion) {
        if json {
            return emit(["abi": abi.rawValue, "kernel": kernel.description, "name": hit.name, "number": hit.number])
        }
        write("\(hit.number)\n")
    }

    func number(_ number: Int, name: String, abi: ABI, kernel: KernelVersion) {
        if json {
            return emit(["abi": abi.rawValue, "kernel": kernel.description, "name": name, "number": number])
        }
        write(name + "\n")
    }

    func dump(_ table: SyscallTable, machineName: String) {
        if json {
            return emit(["abi": table.abi.rawValue, "kernel": table.kernel.description,
                         "syscalls": table.entries.map { ["name": $0.name, "number": $0.number] }])
        }
        var text = "Using \(machineName) syscall table:\n"
        for e in table.entries { text += "\(e.number)\t\(e.name)\n" }
        write(text)
    }

    func unknown(_ name: String, table: SyscallTable, machineName: String, absence: SyscallLookup.Absence) {
        var lines = ["Unknown syscall \(name) using \(machineName) lookup table"]
        let at = "\(table.abi) at \(table.kernel)"
        if let later = absence.otherReleases.first(where: { $0.first > table.kernel }) {
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
        StandardError.print(lines.joined(separator: "\n"))
        // A script reading JSON gets the same facts on standard output, not an empty document.
        if json {
            emit(["abi": table.abi.rawValue, "kernel": table.kernel.description, "query": name, "matches": [Any](),
                  "releases": absence.otherReleases.map(rowObject), "equivalents": absence.equivalents,
                  "suggestions": absence.suggestions])
        }
    }

    func unknownNumber(_ number: Int, table: SyscallTable, machineName: String, rows: [SyscallRow]) {
        var lines = ["Unknown syscall \(number) using \(machineName) lookup table"]
        for r in rows {
            lines.append("\(table.abi) \(number) is \(r.name) from \(r.first)" + (r.last.map { " to \($0)" } ?? ""))
        }
        StandardError.print(lines.joined(separator: "\n"))
        if json {
            emit(["abi": table.abi.rawValue, "kernel": table.kernel.description, "query": number, "matches": [Any](),
                  "releases": rows.map(rowObject)])
        }
    }

    func all(_ rows: [SyscallLookup.AcrossABIs], name: String, kernel: KernelVersion) throws {
        if json {
            emit(["name": name, "kernel": kernel.description, "abis": rows.map { r -> [String: Any] in
                var o: [String: Any] = ["abi": r.abi.rawValue, "equivalents": r.equivalents]
                o["number"] = r.number ?? NSNull()
                o["kernelName"] = r.kernelName ?? NSNull()
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
            throw ExitCode.findings
        }
    }

    /// `coverage` gives each ABI's first covered release: a row starting there may be older.
    func history(_ history: [(abi: ABI, rows: [SyscallRow])], name: String, suggestions: [String],
                 coverage: (ABI) -> KernelVersion?) throws {
        if history.isEmpty {
            var message = "aurules syscall: \(name) is unknown on every ABI at every release"
            if !suggestions.isEmpty { message += "\ndid you mean: \(suggestions.joined(separator: ", "))?" }
            StandardError.print(message)
            if json { emit(["name": name, "abis": [Any](), "suggestions": suggestions]) }
            throw ExitCode.findings
        }
        if json {
            return emit(["name": name, "abis": history.map { h in
                ["abi": h.abi.rawValue, "rows": h.rows.map { r -> [String: Any] in
                    var o = rowObject(r)
                    o["firstIsCoverageStart"] = coverage(h.abi) == r.first
                    return o
                }] as [String: Any]
            }])
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
    }

    private func rowObject(_ r: SyscallRow) -> [String: Any] {
        ["number": r.number, "name": r.name, "first": r.first.description, "last": r.last.map { $0.description as Any } ?? NSNull()]
    }

    /// Straight to the file descriptor: print()'s dynamic casts cost more than a whole lookup.
    private func write(_ text: String) {
        var text = text
        text.withUTF8 { StandardOutput.write(UnsafeRawBufferPointer($0)) }
    }

    private func emit(_ object: [String: Any]) {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]) else { return }
        write(String(decoding: data, as: UTF8.self) + "\n")
    }
}

private extension String {
    func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
