/// ausyscall's command line and answers, as the loader release's tools/ausyscall reads and prints
/// them: the words in order (a leading digit is a number, then a machine, then --dump/--exact,
/// alpha and ia64, else a name), at most three words, and its messages and exit status 1 for
/// every refusal. The table it answers from is given: libaudit's (the drop-in) or the kernel's.
public enum Ausyscall {
    public static let usage = "usage: ausyscall [arch] name | number | --dump | --exact"

    /// The architecture a word selected.
    public enum Arch: Sendable, Equatable {
        /// A machine libaudit knows.
        case libaudit(LibauditMachine)
        /// An ABI name the release's libaudit does not know (x32, riscv64 before 4.x), accepted
        /// only when answering from the kernel's tables.
        case kernelOnly(ABI)
    }

    public struct Query: Sendable, Equatable {
        public var arch: Arch?
        public var name: String?
        /// nil stands for ausyscall's -1: no number (a word whose value truncates to -1 is none).
        public var number: Int32?
        public var exact = false
        public var dump = false
        /// Lines ausyscall prints on standard error while reading the words (ia64).
        public var notices: [String] = []
    }

    /// A refusal: the lines for standard error and the exit status (always 1, as ausyscall).
    public struct Refusal: Error, Sendable, Equatable {
        public var lines: [String]
        public var status: Int32 { 1 }
    }

    /// Reads the words as `version`'s ausyscall does. `host` is audit_detect_machine's answer
    /// (b32/b64 are relative to it); `kernelArches` also takes ABI names libaudit lacks.
    public static func parse(_ words: [String], version: AuditVersion, host: LibauditMachine?,
                             kernelArches: Bool = false) -> Result<Query, Refusal> {
        if words.count > 3 { return .failure(Refusal(lines: ["Too many arguments", usage])) }
        if words.isEmpty { return .failure(Refusal(lines: [usage])) }
        var q = Query()
        for word in words {
            let first = word.utf8.first ?? 0
            if first >= 0x30 && first <= 0x39 {
                if q.number != nil { return .failure(Refusal(lines: q.notices + ["Two syscall numbers not allowed", usage])) }
                let value = Int32(truncatingIfNeeded: strtol10(word))
                q.number = value == -1 ? nil : value
            } else if let arch = machine(word, version: version, host: host, kernelArches: kernelArches) {
                if q.arch != nil { return .failure(Refusal(lines: q.notices + ["Two machine types not allowed", usage])) }
                q.arch = arch
            } else if word == "--dump" {
                q.dump = true
            } else if word == "--exact" {
                q.exact = true
            } else if word == "alpha" {
                // 2.x: built without WITH_ALPHA; 3.0 on: alpha support removed.
                return .failure(Refusal(lines: q.notices + [version.major < 3 ? "Alpha processor support is not enabled" : "Alpha processor support is deprecated"]))
            } else if word == "ia64", version.major >= 3 {
                q.notices.append("IA64 processor support is deprecated")
            } else {
                if q.name != nil { return .failure(Refusal(lines: q.notices + ["Two syscall names not allowed", usage])) }
                q.name = word
            }
        }
        return .success(q)
    }

    static func machine(_ word: String, version: AuditVersion, host: LibauditMachine?, kernelArches: Bool) -> Arch? {
        if let m = LibauditMachine.determine(word, version: version, host: host) { return .libaudit(m) }
        if kernelArches, let abi = ABI(rawValue: word.asciiLowercased) { return .kernelOnly(abi) }
        return nil
    }

    /// strtol(word, NULL, 10) on a 64-bit long for a word starting with a digit: the leading
    /// digits, LONG_MAX when they overflow.
    static func strtol10(_ word: String) -> Int64 {
        var value: Int64 = 0
        for b in word.utf8 {
            guard b >= 0x30 && b <= 0x39 else { break }
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (plus, o2) = times.addingReportingOverflow(Int64(b - 0x30))
            if o1 || o2 { return Int64.max }
            value = plus
        }
        return value
    }

    /// The names one answer comes from: a table in number order, a name per number and an
    /// exact-name lookup. The whole table is made only when an answer reads it (--dump, a
    /// substring search): an exact name or a number is answered without it.
    public struct Table: Sendable {
        public var printedName: String
        public var numberOfName: @Sendable (String) -> Int?
        /// ausyscall's loops: --dump covers 0..<8192, the name search 0..<1400. The kernel's tables
        /// are an extension and shown whole (x32's numbers carry the 0x40000000 bit).
        public var ausyscallLimits: Bool
        private let makeEntries: @Sendable () -> [SyscallEntry]
        private let nameOfNumber: (@Sendable (Int) -> String?)?
        private let exactLookup: (@Sendable (String) -> (number: Int, name: String?)?)?

        public init(printedName: String, entries: [SyscallEntry], ausyscallLimits: Bool = true,
                    numberOfName: @escaping @Sendable (String) -> Int?) {
            self.init(printedName: printedName, ausyscallLimits: ausyscallLimits, entries: { entries }, nameOfNumber: nil,
                      exact: nil, numberOfName: numberOfName)
        }

        /// `nameOfNumber` gives the name of the first entry with a number, `exact` a name's
        /// number and that name (nil: both are read from the entries and `numberOfName`).
        init(printedName: String, ausyscallLimits: Bool, entries: @escaping @Sendable () -> [SyscallEntry],
             nameOfNumber: (@Sendable (Int) -> String?)?, exact: (@Sendable (String) -> (number: Int, name: String?)?)?,
             numberOfName: @escaping @Sendable (String) -> Int?) {
            self.printedName = printedName
            self.ausyscallLimits = ausyscallLimits
            self.makeEntries = entries
            self.nameOfNumber = nameOfNumber
            self.exactLookup = exact
            self.numberOfName = numberOfName
        }

        /// Every entry, in number order.
        public var entries: [SyscallEntry] { makeEntries() }

        func name(of number: Int32) -> String? {
            if let nameOfNumber { return nameOfNumber(Int(number)) }
            return entries.first { $0.number == Int(number) }?.name
        }

        /// The number of exactly `name`, and the name of the first entry with that number.
        func exact(_ name: String) -> (number: Int, name: String?)? {
            if let exactLookup { return exactLookup(name) }
            return numberOfName(name).map { ($0, self.name(of: Int32($0))) }
        }
    }

    public enum Answer: Sendable, Equatable {
        case dump(printedName: String, [SyscallEntry])
        case exact(name: String, number: Int)
        case matches(query: String, [SyscallEntry])
        case name(String, number: Int)
        case unknownName(String, printedName: String)
        case unknownNumber(Int32, printedName: String)
        case nothingAsked

        public var status: Int32 {
            switch self {
            case .dump, .exact, .matches, .name: return 0
            case .unknownName, .unknownNumber, .nothingAsked: return 1
            }
        }

        /// ausyscall's standard output.
        public var text: String {
            switch self {
            // Appended line by line: joined() looked its element type's witnesses up at run time.
            case .dump(let machine, let entries):
                var text = "Using \(machine) syscall table:\n"
                for e in entries { text += "\(e.number)\t\(e.name)\n" }
                return text
            case .exact(_, let number): return "\(number)\n"
            case .matches(_, let entries):
                // printf("%-18s %d\n").
                var text = ""
                for e in entries { text += e.name + String(repeating: " ", count: max(0, 18 - e.name.utf8.count)) + " \(e.number)\n" }
                return text
            case .name(let name, _): return name + "\n"
            case .unknownName, .unknownNumber, .nothingAsked: return ""
            }
        }

        /// ausyscall's one line on standard error, for the refusals.
        public var message: String? {
            switch self {
            case .unknownName(let name, let machine): return "Unknown syscall \(name) using \(machine) lookup table"
            case .unknownNumber(let number, let machine): return "Unknown syscall \(number) using \(machine) lookup table"
            case .nothingAsked: return "Error - either a syscall name or number must be given with an optional arch"
            default: return nil
            }
        }
    }

    /// The answer ausyscall gives from `table`: --dump first, then a name (exact or a
    /// case-insensitive substring search), then a number.
    public static func answer(_ q: Query, from table: Table) -> Answer {
        let dumped = table.ausyscallLimits ? 0..<8192 : Int.min..<Int.max
        let searched = table.ausyscallLimits ? 0..<1400 : Int.min..<Int.max
        if q.dump { return .dump(printedName: table.printedName, table.entries.filter { dumped.contains($0.number) }) }
        if let name = q.name {
            if q.exact {
                guard let hit = table.exact(name) else { return .unknownName(name, printedName: table.printedName) }
                return .exact(name: hit.name ?? name, number: hit.number)
            }
            let needle = Array(name.utf8)
            let hits = table.entries.filter { searched.contains($0.number) && containsIgnoringASCIICase($0.name, needle) }
            return hits.isEmpty ? .unknownName(name, printedName: table.printedName) : .matches(query: name, hits)
        }
        if let number = q.number {
            guard let name = table.name(of: number) else { return .unknownNumber(number, printedName: table.printedName) }
            return .name(name, number: Int(number))
        }
        return .nothingAsked
    }

    /// strcasestr in the C locale.
    static func containsIgnoringASCIICase(_ haystack: String, _ needle: [UInt8]) -> Bool {
        if needle.isEmpty { return true }
        @inline(__always) func fold(_ b: UInt8) -> UInt8 { b >= 0x41 && b <= 0x5a ? b | 0x20 : b }
        func search(_ h: UnsafeBufferPointer<UInt8>) -> Bool {
            guard h.count >= needle.count else { return false }
            outer: for start in 0...(h.count - needle.count) {
                for k in 0..<needle.count where fold(h[start + k]) != fold(needle[k]) { continue outer }
                return true
            }
            return false
        }
        // The name's bytes in place: an array of them per name was half of a substring search.
        return haystack.utf8.withContiguousStorageIfAvailable(search) ?? Array(haystack.utf8).withUnsafeBufferPointer(search)
    }
}

extension Ausyscall.Table {
    /// libaudit's own table for `machine` in `version`: what that release's ausyscall answers.
    /// A name or a number is looked up in one pass over this ABI's rows of the libaudit file, as
    /// `libauditNumber` (the lowest number of a name) and `libauditName` (the first name of a
    /// number) read them; only --dump and the substring search make the whole table.
    public static func libaudit(_ machine: LibauditMachine, version: AuditVersion, database: SyscallDatabase) -> Ausyscall.Table {
        let abi = machine.abi
        return Ausyscall.Table(printedName: machine.printedName, ausyscallLimits: true, entries: {
            // The first name of each number, in number order. The files list each ABI's rows by
            // number: sorted (stably) only when not. No dictionary: an [Int: String] had Int's
            // Hashable conformance looked up among every conformance, a third of a substring search.
            var rows = database.libauditRows(version, abi: abi).map { SyscallEntry(number: $0.number, name: $0.name) }
            var ordered = true
            for i in rows.indices.dropFirst() where rows[i - 1].number > rows[i].number {
                ordered = false
                break
            }
            if !ordered {
                rows = rows.enumerated().sorted { ($0.element.number, $0.offset) < ($1.element.number, $1.offset) }.map { $0.element }
            }
            var entries: [SyscallEntry] = []
            entries.reserveCapacity(rows.count)
            for r in rows where entries.last?.number != r.number { entries.append(r) }
            return entries
        }, nameOfNumber: { number in
            database.libauditFirstName(of: number, abi: abi, version: version)
        }, exact: { name in
            // libaudit folds ASCII case only; its names are ASCII, so nothing else can match.
            guard name.utf8.allSatisfy({ $0 < 0x80 }) else { return nil }
            return database.libauditExact(name, abi: abi, version: version)
        }, numberOfName: { name in
            guard name.utf8.allSatisfy({ $0 < 0x80 }) else { return nil }
            return database.libauditExact(name, abi: abi, version: version)?.number
        })
    }
}

extension Ausyscall.Table {
    /// The kernel's table (an extension: `--kernel`, `--kernel-names`). Names are printed as
    /// `spelling`'s libaudit spells the same syscall (pread for pread64), or as the kernel
    /// names them when `spelling` is nil or that libaudit lacks the syscall. Exact lookups take
    /// either spelling.
    public static func kernel(_ table: SyscallTable, printedName: String, spelling: AuditVersion?,
                              database: SyscallDatabase) -> Ausyscall.Table {
        let entries = table.entries.map { e -> SyscallEntry in
            guard let version = spelling, let own = database.libauditName(of: e.number, abi: table.abi, version: version),
                  own != e.name, database.kernelName(libaudit: own, abi: table.abi, version: version) == e.name
            else { return e }
            return SyscallEntry(number: e.number, name: own)
        }
        let lookup = SyscallLookup(database: database)
        return Ausyscall.Table(printedName: printedName, entries: entries, ausyscallLimits: false) { name in
            guard name.utf8.allSatisfy({ $0 < 0x80 }) else { return nil }
            return lookup.exact(name, in: table)?.number
        }
    }
}
