import Syscalls

extension SavedListing {
    /// auditctl 3.0.9 prints an arch-less rule's syscalls by the table of the last rule it
    /// listed before it that had an arch (an arch-less `-S openat` after a b32 rule lists as
    /// `-S remap_file_pages`: 257 in i386's table). Reading the names back through that same
    /// table gives the numbers the kernel holds; they are written as numbers, which the compiler
    /// keeps as they are. Returns the rewritten text and the lines rewritten. Rules listed before
    /// any arch were named by the host's own table, which the parser applies anyway.
    public static func recoveringArchlessSyscalls(_ text: String, machine: Machine, database: SyscallDatabase,
                                                  auditVersion: AuditVersion) -> (text: String, lines: [Int]) {
        guard auditVersion == .v3_0_9 else { return (text, []) }
        if let ranges = plainLines(text) {
            // Only the arch-less rules are rewritten; every other line is read by its bytes.
            var namingABI: ABI?
            var rewritten: [(line: Int, range: Range<String.Index>, text: String)] = []
            for (i, range) in ranges.enumerated() {
                let line = text.utf8[range]
                guard line.starts(with: "-a".utf8), line.count == 2 || line.dropFirst(2).first == 0x20 else { continue }
                if let arch = archValue(line) {
                    namingABI = abi(named: String(Substring(arch)), machine: machine) ?? namingABI
                    continue
                }
                guard let abi = namingABI,
                      let new = numberingSyscalls(String(text[range]), abi: abi, database: database, auditVersion: auditVersion) else { continue }
                rewritten.append((i + 1, range, new))
            }
            guard !rewritten.isEmpty else { return (text, []) }
            var out = ""
            var copied = text.startIndex
            for r in rewritten {
                out += text[copied ..< r.range.lowerBound]
                out += r.text
                copied = r.range.upperBound
            }
            out += text[copied...]
            return (out, rewritten.map(\.line))
        }
        var lines = byteLines(text)
        var namingABI: ABI?
        var rewritten: [Int] = []
        for i in lines.indices {
            let tokens = lines[i].split(separator: " ", omittingEmptySubsequences: false)
            guard tokens.first == "-a" else { continue }
            if let archToken = tokens.first(where: { $0.hasPrefix("arch=") }) {
                namingABI = abi(named: String(archToken.dropFirst("arch=".count)), machine: machine) ?? namingABI
                continue
            }
            guard let abi = namingABI, let new = numberingSyscalls(lines[i], abi: abi, database: database, auditVersion: auditVersion) else { continue }
            lines[i] = new
            rewritten.append(i + 1)
        }
        return (lines.joined(separator: "\n"), rewritten)
    }

    /// The line with its `-S` names read through `abi`'s libaudit table and written as
    /// numbers; nil when it has no `-S` list of names.
    private static func numberingSyscalls(_ line: String, abi: ABI, database: SyscallDatabase, auditVersion: AuditVersion) -> String? {
        var tokens = line.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        guard let s = tokens.firstIndex(of: "-S"), s + 1 < tokens.count, tokens[s + 1] != "all" else { return nil }
        let numbers = tokens[s + 1].split(separator: ",").map { name -> String in
            if Int(name) != nil { return String(name) }
            return database.libauditNumber(of: String(name), abi: abi, version: auditVersion).map(String.init) ?? String(name)
        }
        tokens[s + 1] = numbers.joined(separator: ",")
        return tokens.joined(separator: " ")
    }

    /// The value of the first word of a plain line that starts with `arch=`.
    private static func archValue(_ line: Substring.UTF8View) -> Substring.UTF8View? {
        var word = line.startIndex
        while true {
            let end = line[word...].firstIndex(of: 0x20) ?? line.endIndex
            if line[word ..< end].starts(with: "arch=".utf8) { return line[line.index(word, offsetBy: 5) ..< end] }
            guard end != line.endIndex else { return nil }
            word = line.index(after: end)
        }
    }

    /// `auditctl -l` prints every arch as b64 or b32 of the listing host.
    private static func abi(named name: String, machine: Machine) -> ABI? {
        switch name {
        case "b64": return machine.b64
        case "b32": return machine.b32
        default: return nil
        }
    }
}
