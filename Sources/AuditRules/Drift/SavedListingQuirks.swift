import Syscalls

extension SavedListing {
    /// auditctl 3.0.9 prints an arch-less rule's syscalls by the table of the last rule it
    /// listed before it that had an arch (an arch-less `-S openat` after a b32 rule lists as
    /// `-S remap_file_pages`: 257 in i386's table). Reading the names back through that same
    /// table gives the numbers the kernel holds; they are written as numbers, which the compiler
    /// keeps as they are. Returns the rewritten text and the lines rewritten. Rules listed before
    /// any arch were named by the host's own table, which the parser applies anyway.
    public static func recoveringArchlessSyscalls(_ text: RulesText, machine: Machine, database: SyscallDatabase,
                                                  auditVersion: AuditVersion) -> (text: RulesText, lines: [Int]) {
        guard !auditVersion.isAudit4 else { return (text, []) }
        let utf8 = text
        // Only the arch-less rules are rewritten; every other line is read by its bytes.
        var namingABI: ABI?
        var rewritten: [(line: Int, range: Range<Int>, bytes: [UInt8])] = []
        for (i, range) in lineRanges(text).enumerated() {
            guard let new = recoveringArchlessSyscalls(line: utf8[range], namingABI: &namingABI, machine: machine, database: database,
                                                       auditVersion: auditVersion) else { continue }
            rewritten.append((i + 1, range, new))
        }
        guard !rewritten.isEmpty else { return (text, []) }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count + 16 * rewritten.count)
        var copied = utf8.startIndex
        for r in rewritten {
            out += utf8[copied ..< r.range.lowerBound]
            out += r.bytes
            copied = r.range.upperBound
        }
        out += utf8[copied...]
        return (RulesText(out), rewritten.map(\.line))
    }

    /// One line of `recoveringArchlessSyscalls(_:...)` (audit 4 left aside by the caller), in
    /// listing order: `namingABI` is the ABI of the last arch listed before it. The line
    /// rewritten, or nil.
    static func recoveringArchlessSyscalls(line: Slice<RulesText>, namingABI: inout ABI?, machine: Machine,
                                           database: SyscallDatabase, auditVersion: AuditVersion) -> [UInt8]? {
        guard line.starts(with: "-a".utf8), line.count == 2 || line.dropFirst(2).first == 0x20 else { return nil }
        if let arch = archValue(line) {
            namingABI = abi(named: RulesText(arch), machine: machine) ?? namingABI
            return nil
        }
        guard let abi = namingABI else { return nil }
        return numberingSyscalls(line, abi: abi, database: database, auditVersion: auditVersion)
    }

    /// The line with its `-S` names read through `abi`'s libaudit table and written as
    /// numbers; nil when it has no `-S` list of names. Words are cut at space bytes.
    private static func numberingSyscalls(_ line: Slice<RulesText>, abi: ABI, database: SyscallDatabase,
                                          auditVersion: AuditVersion) -> [UInt8]? {
        var words = line.split(separator: 0x20, omittingEmptySubsequences: false).map { Array($0) }
        guard let s = words.firstIndex(where: { $0.elementsEqual("-S".utf8) }), s + 1 < words.count,
              !words[s + 1].elementsEqual("all".utf8) else { return nil }
        let numbers = words[s + 1].split(separator: UInt8(ascii: ",")).map { item -> [UInt8] in
            // Names are ASCII; any other word is left for the parser to judge.
            guard let name = RulesText(item).asciiName, Int(name) == nil else { return Array(item) }
            return database.libauditNumber(of: name, abi: abi, version: auditVersion).map { Array(String($0).utf8) } ?? Array(item)
        }
        words[s + 1] = Array(numbers.joined(separator: [UInt8(ascii: ",")]))
        return Array(words.joined(separator: [0x20]))
    }

    /// The value of the first word of a line that starts with `arch=`.
    private static func archValue(_ line: Slice<RulesText>) -> Slice<RulesText>? {
        var word = line.startIndex
        while true {
            let end = line[word...].firstIndex(of: 0x20) ?? line.endIndex
            if line[word ..< end].starts(with: "arch=".utf8) { return line[line.index(word, offsetBy: 5) ..< end] }
            guard end != line.endIndex else { return nil }
            word = line.index(after: end)
        }
    }

    /// `auditctl -l` prints every arch as b64 or b32 of the listing host.
    private static func abi(named name: RulesText, machine: Machine) -> ABI? {
        switch name {
        case "b64": return machine.b64
        case "b32": return machine.b32
        default: return nil
        }
    }
}
