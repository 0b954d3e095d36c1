/// An error in a tables file: which file, which line, what is wrong.
public struct TableFormatError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var line: Int
    public var message: String

    public var description: String { "\(file):\(line): \(message)" }
}

/// The text formats of SyscallTables/: tab-separated, `#` starts a comment line.
public enum TableText {
    /// Splits into (line number, fields) for every non-comment, non-empty line.
    static func records(_ text: String) -> [(line: Int, fields: [Substring])] {
        var out: [(Int, [Substring])] = []
        var lineNumber = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            if line.isEmpty || line.first == "#" { continue }
            out.append((lineNumber, line.split(separator: "\t", omittingEmptySubsequences: false)))
        }
        return out
    }

    /// `<abi>.tsv`: number, name, first release, last release (empty while present).
    public static func rows(_ text: String, file: String) throws -> [SyscallRow] {
        var rows: [SyscallRow] = []
        for (line, f) in records(text) {
            guard f.count == 4 || f.count == 3 else {
                throw TableFormatError(file: file, line: line, message: "expected 4 tab-separated fields, found \(f.count)")
            }
            guard let number = Int(f[0]), number >= 0 else {
                throw TableFormatError(file: file, line: line, message: "bad syscall number '\(f[0])'")
            }
            let name = String(f[1])
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                throw TableFormatError(file: file, line: line, message: "bad syscall name '\(f[1])'")
            }
            guard let first = KernelVersion(String(f[2])) else {
                throw TableFormatError(file: file, line: line, message: "bad release '\(f[2])'")
            }
            var last: KernelVersion? = nil
            if f.count == 4 && !f[3].isEmpty {
                guard let l = KernelVersion(String(f[3])), first <= l else {
                    throw TableFormatError(file: file, line: line, message: "bad last release '\(f[3])'")
                }
                last = l
            }
            rows.append(SyscallRow(number: number, name: name, first: first, last: last))
        }
        return rows
    }

    public static func render(_ rows: [SyscallRow]) -> String {
        let sorted = rows.sorted { ($0.number, $0.first) < ($1.number, $1.first) }
        var out = "# number\tname\tfirst\tlast\n"
        for r in sorted {
            out += "\(r.number)\t\(r.name)\t\(r.first)\t\(r.last.map(\.description) ?? "")\n"
        }
        return out
    }

    /// `abis.tsv`: abi, audit arch, bits, machines, 32-bit partner, first, last, newest, source.
    public static func abis(_ text: String, file: String) throws -> [ABIInfo] {
        var out: [ABIInfo] = []
        for (line, f) in records(text) {
            guard f.count >= 8 else {
                throw TableFormatError(file: file, line: line, message: "expected 9 tab-separated fields, found \(f.count)")
            }
            guard let abi = ABI(rawValue: String(f[0])) else {
                throw TableFormatError(file: file, line: line, message: "unknown ABI '\(f[0])'")
            }
            let hex = f[1].hasPrefix("0x") ? f[1].dropFirst(2) : f[1]
            guard let arch = UInt32(hex, radix: 16), let bits = Int(f[2]),
                  let first = KernelVersion(String(f[5])) else {
                throw TableFormatError(file: file, line: line, message: "bad audit arch, bits or first release")
            }
            let partner: ABI? = f[4] == "-" ? nil : ABI(rawValue: String(f[4]))
            if f[4] != "-" && partner == nil {
                throw TableFormatError(file: file, line: line, message: "unknown partner ABI '\(f[4])'")
            }
            var last: KernelVersion? = nil
            if !f[6].isEmpty {
                guard let l = KernelVersion(String(f[6])) else {
                    throw TableFormatError(file: file, line: line, message: "bad last release '\(f[6])'")
                }
                last = l
            }
            guard let newest = KernelVersion(String(f[7])) else {
                throw TableFormatError(file: file, line: line, message: "bad newest release '\(f[7])'")
            }
            let machines = f[3] == "-" ? [] : f[3].split(separator: ",").map(String.init)
            out.append(ABIInfo(abi: abi, auditArch: arch, bits: bits, machines: machines, partner32: partner,
                               first: first, last: last, newest: newest, source: f.count > 8 ? String(f[8]) : ""))
        }
        return out
    }

    public static func render(_ abis: [ABIInfo]) -> String {
        var out = "# abi\taudit_arch\tbits\tmachines\tpartner32\tfirst\tlast\tnewest\tsource\n"
        for a in abis {
            let arch = String(a.auditArch, radix: 16)
            let fields = [a.abi.rawValue, "0x" + String(repeating: "0", count: max(0, 8 - arch.count)) + arch,
                          String(a.bits), a.machines.isEmpty ? "-" : a.machines.joined(separator: ","),
                          a.partner32?.rawValue ?? "-", a.first.description, a.last?.description ?? "",
                          a.newest.description, a.source]
            out += fields.joined(separator: "\t") + "\n"
        }
        return out
    }

    /// `libaudit-<version>.tsv`: abi, number, libaudit's name.
    static func libaudit(_ text: String, file: String) throws -> [ABI: [Int: String]] {
        var out: [ABI: [Int: String]] = [:]
        for (line, f) in records(text) {
            guard f.count == 3, let abi = ABI(rawValue: String(f[0])), let number = Int(f[1]) else {
                throw TableFormatError(file: file, line: line, message: "expected abi, number and name")
            }
            out[abi, default: [:]][number] = String(f[2])
        }
        return out
    }

    /// `equivalents.tsv`: group name, comma-separated member names.
    static func groups(_ text: String, file: String) throws -> [(name: String, members: [String])] {
        var out: [(String, [String])] = []
        for (line, f) in records(text) {
            guard f.count == 2, !f[1].isEmpty else {
                throw TableFormatError(file: file, line: line, message: "expected a group name and its members")
            }
            out.append((String(f[0]), f[1].split(separator: ",").map(String.init)))
        }
        return out
    }
}
