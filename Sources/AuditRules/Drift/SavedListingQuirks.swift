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
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var namingABI: ABI?
        var rewritten: [Int] = []
        for i in lines.indices {
            var tokens = lines[i].split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            guard tokens.first == "-a" else { continue }
            if let archToken = tokens.first(where: { $0.hasPrefix("arch=") }) {
                namingABI = abi(named: String(archToken.dropFirst("arch=".count)), machine: machine) ?? namingABI
                continue
            }
            guard let abi = namingABI, let s = tokens.firstIndex(of: "-S"), s + 1 < tokens.count, tokens[s + 1] != "all" else { continue }
            let numbers = tokens[s + 1].split(separator: ",").map { name -> String in
                if Int(name) != nil { return String(name) }
                return database.libauditNumber(of: String(name), abi: abi, version: auditVersion).map(String.init) ?? String(name)
            }
            tokens[s + 1] = numbers.joined(separator: ",")
            lines[i] = tokens.joined(separator: " ")
            rewritten.append(i + 1)
        }
        return (lines.joined(separator: "\n"), rewritten)
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
