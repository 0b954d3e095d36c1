#if canImport(Glibc)
import Glibc
#endif

/// An error in a tables file: which file, which line, what is wrong.
public struct TableFormatError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var line: Int
    public var message: String

    public var description: String { "\(file):\(line): \(message)" }
}

/// The text formats of SyscallTables/: tab-separated, `#` starts a comment line.
public enum TableText {
    /// Calls `body` with (line number, fields) for every non-comment, non-empty line. Byte-level,
    /// with String fields and no collection of tuples: each distinct generic type costs a run-time
    /// instantiation per process, which `aurules syscall` start-up notices.
    static func forEachRecord(_ text: String, _ body: (Int, [String]) throws -> Void) rethrows {
        var text = text
        try text.withUTF8 { bytes in try forEachRecord(bytes, body) }
    }

    /// `forEachRecord` over bytes.
    static func forEachRecord(_ bytes: UnsafeBufferPointer<UInt8>, _ body: (Int, [String]) throws -> Void) rethrows {
        try forEachDataLine(bytes) { lineNumber, start, end in
            var fields: [String] = []
            // The widest record (abis.tsv) has 9 fields: one allocation per line, not three.
            fields.reserveCapacity(9)
            var fieldStart = start
            for i in start...end where i == end || bytes[i] == 0x09 {
                fields.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[fieldStart..<i]), as: UTF8.self))
                fieldStart = i + 1
            }
            try body(lineNumber, fields)
        }
    }

    /// Calls `body` with the line number and the byte range, without a final CR, of every line
    /// of `bytes` that is neither empty nor a comment: the shape every table file shares.
    @inline(__always)
    static func forEachDataLine(_ bytes: UnsafeBufferPointer<UInt8>, _ body: (_ lineNumber: Int, _ start: Int, _ end: Int) throws -> Void) rethrows {
        var lineNumber = 0
        for line in ByteLines(bytes) {
            lineNumber += 1
            let (start, end) = (line.range.lowerBound, line.withoutCR(in: bytes).upperBound)
            if end == start || bytes[start] == UInt8(ascii: "#") { continue }
            try body(lineNumber, start, end)
        }
    }

    /// `<abi>.tsv`: number, name, first release, last release (empty while present).
    /// Parsed in place over the bytes: this runs on every `aurules syscall` start, where time is
    /// measured against ausyscall, so it allocates nothing per line but the name.
    /// Numbers outside `abi`'s range (the audit bitmap) are errors: no rule could use them, and
    /// the compiler indexes the bitmap with them.
    public static func rows(_ text: String, file: String, abi: ABI) throws -> [SyscallRow] {
        var text = text
        return try text.withUTF8 { bytes -> [SyscallRow] in
            var rows: [SyscallRow] = []
            rows.reserveCapacity(bytes.count / 20)
            // Releases repeat on every line: parse each spelling once (keyed by its packed bytes).
            var versions: [(key: Int, version: KernelVersion)] = []
            var lineNumber = 0
            for line in ByteLines(bytes) {
                lineNumber += 1
                let (start, end) = (line.range.lowerBound, line.withoutCR(in: bytes).upperBound)
                if end == start || bytes[start] == UInt8(ascii: "#") { continue }
                var fields: (Range<Int>, Range<Int>, Range<Int>, Range<Int>) = (0..<0, 0..<0, 0..<0, 0..<0)
                var count = 0, fieldStart = start
                for i in start...end where i == end || bytes[i] == 0x09 {
                    switch count {
                    case 0: fields.0 = fieldStart..<i
                    case 1: fields.1 = fieldStart..<i
                    case 2: fields.2 = fieldStart..<i
                    case 3: fields.3 = fieldStart..<i
                    default: break
                    }
                    count += 1
                    fieldStart = i + 1
                }
                func text(_ r: Range<Int>) -> String { String(decoding: UnsafeBufferPointer(rebasing: bytes[r]), as: UTF8.self) }
                func fail(_ m: String) -> TableFormatError { TableFormatError(file: file, line: lineNumber, message: m) }
                guard count == 4 || count == 3 else { throw fail("expected 4 tab-separated fields, found \(count)") }
                var number = 0
                guard !fields.0.isEmpty, fields.0.count < 19 else { throw fail("bad syscall number '\(text(fields.0))'") }
                for i in fields.0 {
                    guard bytes[i] >= 0x30 && bytes[i] <= 0x39 else { throw fail("bad syscall number '\(text(fields.0))'") }
                    number = number * 10 + Int(bytes[i] - 0x30)
                }
                guard abi.syscallNumbers.contains(number) else {
                    throw fail("syscall number \(number) is outside \(abi)'s range \(abi.syscallNumbers.lowerBound)-\(abi.syscallNumbers.upperBound - 1) (the audit bitmap)")
                }
                guard !fields.1.isEmpty, fields.1.allSatisfy({ isNameByte(bytes[$0]) }), !isDigit(bytes[fields.1.lowerBound]) else {
                    throw fail("bad syscall name '\(text(fields.1))'")
                }
                func version(_ r: Range<Int>) -> KernelVersion? {
                    var key = r.count
                    if r.count <= 7 { for i in r { key = key << 8 | Int(bytes[i]) } } else { key = -1 }
                    if key >= 0, let hit = versions.first(where: { $0.key == key }) { return hit.version }
                    let v = KernelVersion(text(r))
                    if key >= 0, let v { versions.append((key, v)) }
                    return v
                }
                guard let first = version(fields.2) else { throw fail("bad release '\(text(fields.2))'") }
                var last: KernelVersion? = nil
                if count == 4 && !fields.3.isEmpty {
                    guard let l = version(fields.3), first <= l else { throw fail("bad last release '\(text(fields.3))'") }
                    last = l
                }
                rows.append(SyscallRow(number: number, name: text(fields.1), first: first, last: last))
            }
            return rows
        }
    }

    /// `0x`-prefixed or bare hexadecimal, at most 32 bits.
    static func hexValue(_ s: String) -> UInt32? {
        var value: UInt32 = 0, digits = 0
        for (i, c) in s.utf8.enumerated() {
            if i == 1 && (c == UInt8(ascii: "x") || c == UInt8(ascii: "X")) && value == 0 && digits == 1 { digits = 0; continue }
            let d: UInt8
            switch c {
            case 0x30...0x39: d = c - 0x30
            case 0x61...0x66: d = c - 0x61 + 10
            case 0x41...0x46: d = c - 0x41 + 10
            default: return nil
            }
            guard value >> 28 == 0 else { return nil }
            value = value << 4 | UInt32(d)
            digits += 1
        }
        return digits > 0 ? value : nil
    }

    /// A syscall name as the tables spell them: letters, digits and `_`, not starting with a digit
    /// (a name of digits would read as a number in `-S`).
    static func isSyscallName(_ name: String) -> Bool {
        guard let first = name.utf8.first, !isDigit(first) else { return false }
        return name.utf8.allSatisfy(isNameByte)
    }

    static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    static func isNameByte(_ b: UInt8) -> Bool {
        (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || (b >= 0x30 && b <= 0x39) || b == 0x5F
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
        try forEachRecord(text) { line, f in
            guard f.count >= 8 else {
                throw TableFormatError(file: file, line: line, message: "expected 9 tab-separated fields, found \(f.count)")
            }
            guard let abi = ABI(rawValue: String(f[0])) else {
                throw TableFormatError(file: file, line: line, message: "unknown ABI '\(f[0])'")
            }
            guard let arch = hexValue(f[1]), let bits = Int(f[2]),
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
            var machines: [String] = []
            if f[3] != "-" {
                var current = ""
                for c in f[3] {
                    if c == "," { machines.append(current); current = "" } else { current.append(c) }
                }
                machines.append(current)
            }
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

    /// `libaudit-<version>.tsv`: abi, number, libaudit's name, in the table's order. A number
    /// may have several names (i386 219: madvise, madvise1); every name resolves.
    /// Parsed in place over the bytes, one String per line (the name): every lint, compile and
    /// lookup reads these tables, several releases' worth, before its first rule.
    /// `only`: the rows of that ABI, the others checked but not kept.
    static func libauditRows(_ text: String, file: String, only: ABI? = nil) throws -> [(abi: ABI, number: Int, name: String)] {
        var out: [(abi: ABI, number: Int, name: String)] = []
        out.reserveCapacity(text.utf8.count / 16)
        try forEachLibauditRow(text, file: file, only: only) { abi, number, name in
            out.append((abi, number, String(decoding: name, as: UTF8.self)))
        }
        return out
    }

    /// Calls `body` with each row's ABI, number and name bytes (of `only`'s rows when given),
    /// every line checked: what `libauditRows` reads, without making a String per row (a lookup
    /// of one name or number compares the bytes).
    static func forEachLibauditRow(_ text: String, file: String, only: ABI? = nil,
                                   _ body: (ABI, Int, UnsafeBufferPointer<UInt8>) -> Void) throws {
        var text = text
        let abis = ABI.allCases.map { (spelling: Array($0.rawValue.utf8), abi: $0) }
        try text.withUTF8 { bytes in
            try forEachDataLine(bytes) { lineNumber, start, end in
                var tabs = (0, 0), count = 0
                for i in start ..< end where bytes[i] == 0x09 {
                    count += 1
                    if count == 1 { tabs.0 = i } else if count == 2 { tabs.1 = i } else { break }
                }
                guard count == 2 else { throw TableFormatError(file: file, line: lineNumber, message: "expected abi, number and name") }
                let abiBytes = UnsafeBufferPointer(rebasing: bytes[start ..< tabs.0])
                guard let abi = abis.first(where: { $0.spelling.elementsEqual(abiBytes) })?.abi,
                      let number = decimal(UnsafeBufferPointer(rebasing: bytes[tabs.0 + 1 ..< tabs.1])) else {
                    throw TableFormatError(file: file, line: lineNumber, message: "expected abi, number and name")
                }
                if let only, abi != only { return }
                body(abi, number, UnsafeBufferPointer(rebasing: bytes[tabs.1 + 1 ..< end]))
            }
        }
    }

    /// Calls `body` with the number, name and line start of each row of `abi` in a libaudit file's
    /// bytes, in order, until it returns false. Lines of other ABIs are passed over by their first
    /// field: a lookup in one ABI reads a tenth of the file. With `nameCount`, so are rows whose
    /// name is not that many bytes long, by the byte before them, before anything else is read:
    /// what an exact lookup of one ASCII name in an ASCII file (the embedded ones) reads. (The
    /// whole file is checked when the database is made: the shipped files by tests, a `--tables`
    /// directory when it is read.) Throws for a malformed row of `abi` that is not passed over.
    static func forEachLibauditRow(of abi: ABI, in bytes: UnsafeBufferPointer<UInt8>, file: String, nameCount: Int? = nil,
                                   _ body: (_ number: Int, _ name: UnsafeBufferPointer<UInt8>, _ lineStart: Int) -> Bool) throws {
        guard let base = bytes.baseAddress else { return }
        var spelling = abi.rawValue
        try spelling.withUTF8 { abiBytes in
            let k = abiBytes.count
            var lineNumber = 0
            for line in ByteLines(bytes) {
                lineNumber += 1
                let (start, end) = (line.range.lowerBound, line.withoutCR(in: bytes).upperBound)
                if let nameCount, end - start < k + nameCount + 3 || base[end - nameCount - 1] != 0x09 { continue }
                guard end - start > k, base[start + k] == 0x09 else { continue }
                var i = 0
                while i < k && base[start + i] == abiBytes[i] { i += 1 }
                guard i == k else { continue }
                var tab = start + k + 1
                while tab < end && base[tab] != 0x09 { tab += 1 }
                var extra = tab + 1
                while extra < end && base[extra] != 0x09 { extra += 1 }
                guard tab < end, extra == end, let number = decimal(UnsafeBufferPointer(rebasing: bytes[start + k + 1 ..< tab])) else {
                    throw TableFormatError(file: file, line: lineNumber, message: "expected abi, number and name")
                }
                if !body(number, UnsafeBufferPointer(rebasing: bytes[tab + 1 ..< end]), start) { return }
            }
        }
    }

    /// `Int(String)` of the bytes: an optional sign, then one or more decimal digits; nil on
    /// anything else or on overflow.
    static func decimal(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var digits = bytes[...], negative = false
        if let sign = digits.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
            negative = sign == UInt8(ascii: "-")
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty else { return nil }
        var value = 0
        for b in digits {
            guard b >= 0x30 && b <= 0x39 else { return nil }
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (next, o2) = negative ? times.subtractingReportingOverflow(Int(b - 0x30)) : times.addingReportingOverflow(Int(b - 0x30))
            guard !o1 && !o2 else { return nil }
            value = next
        }
        return value
    }

    /// libaudit's name per number: the first of the table's names, the one ausyscall prints.
    static func libaudit(_ text: String, file: String) throws -> [ABI: [Int: String]] {
        var out: [ABI: [Int: String]] = [:]
        for r in try libauditRows(text, file: file) where out[r.abi]?[r.number] == nil {
            out[r.abi, default: [:]][r.number] = r.name
        }
        return out
    }

    /// `equivalents.tsv`: group name, comma-separated member names.
    static func groups(_ text: String, file: String) throws -> [(name: String, members: [String])] {
        var out: [(String, [String])] = []
        try forEachRecord(text) { line, f in
            guard f.count == 2, !f[1].isEmpty else {
                throw TableFormatError(file: file, line: line, message: "expected a group name and its members")
            }
            out.append((String(f[0]), f[1].split(separator: ",").map(String.init)))
        }
        return out
    }
}
