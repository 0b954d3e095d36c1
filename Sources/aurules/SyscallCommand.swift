import ArgumentParser
import AuditRules
import Foundation
import Syscalls

struct SyscallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "syscall",
        abstract: "Look up syscall names and numbers per ABI and kernel release (an ausyscall drop-in).",
        discussion: """
        Arguments are read as ausyscall reads them, in any order: a word starting with a digit is a \
        syscall number, an architecture spelling (b32, b64, x86_64, i686, aarch64, armv7l, ppc64le, \
        s390x, riscv64, ... or an AUDIT_ARCH value such as 0xc000003e) selects the table, anything \
        else is a name. Without an architecture the host's 64-bit ABI is used. A name is a \
        case-insensitive substring search printing `name number` lines; --exact prints only the \
        number. Names are the kernel's (pread64); libaudit's spellings (pread) are accepted too.

        Exit codes: 0 found, 1 unknown name or number, 2 usage error.

        Examples:
          aurules syscall x86_64 clone               clone 56, clone3 435
          aurules syscall b32 open --exact            5
          aurules syscall 56                          clone
          aurules syscall aarch64 --dump
          aurules syscall --kernel 6.1 fchmodat2      not yet: arrived in 6.6
          aurules syscall --all open                  open on every ABI, equivalents where absent
          aurules syscall --history getdents64        when each ABI gained or lost it
          aurules syscall --format json s390x getdents64
        """
    )

    @Argument(help: "[ARCH] NAME|NUMBER, in any order.")
    var words: [String] = []

    @Flag(help: "Print only the number of exactly this name.")
    var exact = false

    @Flag(help: "Print the whole table.")
    var dump = false

    @Option(name: .customLong("all"), help: ArgumentHelp("Show NAME on every ABI, with the equivalents where it is absent.", valueName: "NAME"))
    var allName: String?

    @Option(name: .customLong("history"), help: ArgumentHelp("Show the releases in which each ABI gained or lost NAME.", valueName: "NAME"))
    var historyName: String?

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    /// --machine is the machine b32, b64 and no architecture mean (default: this host's).
    @OptionGroup var target: TargetOptions

    enum OutputFormat: String, ExpressibleByArgument { case text, json }

    func validate() throws {
        if target.noResolve { throw ValidationError("--no-resolve does not apply to syscall lookups") }
        if target.auditVersion != nil { throw ValidationError("--audit-version does not apply to syscall lookups (libaudit's spellings of every release are accepted)") }
    }

    func run() throws {
        let database = try target.database(command: "syscall")
        let machine: Machine, release: KernelVersion
        do {
            machine = try CompileTarget.machine(target.machine ?? "host")
            // Without --machine every ABI of the tables may be asked for: the range is theirs.
            release = try target.kernel.map { try CompileTarget.release($0, database: database, machine: target.machine == nil ? nil : machine) }
                ?? database.newestRelease
        } catch {
            throw TargetOptions.fail("syscall", error)
        }
        try SyscallRequest(words: words, exact: exact, dump: dump, release: release, machine: machine, allName: allName,
                           historyName: historyName, json: format == .json, database: database).execute()
    }

    /// `aurules syscall` is timed against ausyscall as a whole process, and the argument parser's
    /// reflection is most of a plain lookup's start-up: plain `[ARCH] NAME|NUMBER [--exact|--dump]`
    /// runs skip it. Anything else (or a usage error) returns nil and goes through the parser.
    static func fastPath(_ arguments: [String]) -> Int32? {
        guard arguments.first == "syscall" else { return nil }
        var words: [String] = [], exact = false, dump = false
        for a in arguments.dropFirst() {
            switch a {
            case "--exact" where !exact: exact = true
            case "--dump" where !dump: dump = true
            default:
                if a.hasPrefix("-") || words.count == 2 { return nil }
                words.append(a)
            }
        }
        do {
            let machine = HostFacts.current.machineOrDefault
            _ = try Query(words: words, dump: dump, machine: machine)
            try SyscallRequest(words: words, exact: exact, dump: dump, release: SyscallDatabase.shipped.newestRelease, machine: machine,
                               allName: nil, historyName: nil, json: false, database: .shipped).execute()
            return 0
        } catch let code as ExitCode {
            return code.rawValue
        } catch {
            return nil
        }
    }
}

/// One `aurules syscall` invocation, parsed.
struct SyscallRequest {
    var words: [String]
    var exact: Bool
    var dump: Bool
    var release: KernelVersion
    /// The machine b32, b64 and no architecture mean.
    var machine: Machine
    var allName: String?
    var historyName: String?
    var json: Bool
    var database: SyscallDatabase

    func execute() throws {
        let db = database
        let lookup = SyscallLookup(database: db)
        let out = SyscallOutput(json: json)
        if let name = allName {
            return try out.all(lookup.acrossABIs(name, at: release), name: name, kernel: release)
        }
        if let name = historyName {
            return try out.history(db.history(of: name), name: name, suggestions: lookup.suggestions(for: name, in: nil),
                                   coverage: { db.info($0)?.first })
        }
        let query = try Query(words: words, dump: dump, machine: machine)
        let arch = query.arch ?? ArchName(abi: machine.b64 ?? machine.b32 ?? .x86_64, machine: machine)
        // Found by scanning the text (see SyscallDatabase.rows(_:named:number:)); everything else
        // (libaudit spellings, substring search, messages) needs the whole table.
        if db.info(arch.abi)?.covers(release) == true, !dump {
            if exact, let name = query.name, let row = db.rows(arch.abi, named: name).first(where: { $0.isPresent(at: release) }) {
                return out.exact(SyscallEntry(number: row.number, name: row.name), abi: arch.abi, kernel: release)
            }
            if query.name == nil, let number = query.number,
               let row = db.rows(arch.abi, number: number).first(where: { $0.isPresent(at: release) }) {
                return out.number(number, name: row.name, abi: arch.abi, kernel: release)
            }
        }
        guard let table = db.table(arch.abi, at: release) else {
            let info = db.info(arch.abi)
            let span = info.map { "\($0.first)" + ($0.last.map { " to \($0)" } ?? " onwards") } ?? "no release"
            StandardError.print("aurules syscall: the \(arch.abi) ABI is not covered at \(release) (tables cover \(span))")
            throw ExitCode.inputError
        }
        if dump { return out.dump(table, machineName: arch.libauditMachineName) }
        if let name = query.name {
            if exact {
                guard let hit = lookup.exact(name, in: table) else {
                    out.unknown(name, table: table, machineName: arch.libauditMachineName, absence: lookup.absence(of: name, in: table))
                    throw ExitCode.findings
                }
                return out.exact(hit, abi: table.abi, kernel: table.kernel)
            }
            let hits = lookup.substring(name, in: table)
            guard !hits.isEmpty else {
                out.unknown(name, table: table, machineName: arch.libauditMachineName, absence: lookup.absence(of: name, in: table))
                throw ExitCode.findings
            }
            return out.matches(hits, query: name, table: table)
        }
        if let number = query.number {
            guard let name = table.name(of: number) else {
                out.unknownNumber(number, table: table, machineName: arch.libauditMachineName,
                                  rows: db.rows(arch.abi).filter { $0.number == number })
                throw ExitCode.findings
            }
            return out.number(number, name: name, abi: table.abi, kernel: table.kernel)
        }
        StandardError.print("aurules syscall: either a syscall name or number must be given with an optional arch (see --help)")
        throw ExitCode.inputError
    }
}

/// The positional words, classified the way ausyscall classifies them.
struct Query {
    var arch: ArchName?
    var name: String?
    var number: Int?

    init(words: [String], dump: Bool, machine: Machine) throws {
        for word in words {
            let digit = word.utf8.first.map { $0 >= 0x30 && $0 <= 0x39 } ?? false
            let hex = word.utf8.count > 2 && (word.utf8.starts(with: "0x".utf8) || word.utf8.starts(with: "0X".utf8))
            if hex || !digit, let a = ArchName(word, host: machine) {
                guard arch == nil else { throw Self.usage("two architectures given") }
                arch = a
            } else if hex {
                // ausyscall reads an unknown AUDIT_ARCH value as syscall number 0 (strtol stops at
                // the x): a typo must not answer for another syscall with exit 0.
                throw Self.usage("unknown architecture '\(word)': not an AUDIT_ARCH value of a known ABI")
            } else if digit {
                guard number == nil else { throw Self.usage("two syscall numbers given") }
                // ausyscall reads the leading decimal digits (strtol): "1x" is 1.
                var n = 0
                for b in word.utf8 {
                    guard b >= 0x30 && b <= 0x39 else { break }
                    n = n > (Int.max - 9) / 10 ? Int.max : n * 10 + Int(b - 0x30)
                }
                number = n
            } else {
                guard name == nil else { throw Self.usage("two syscall names given ('\(name!)' and '\(word)'); is one a misspelt architecture?") }
                name = word
            }
        }
    }

    static func usage(_ message: String) -> ValidationError {
        ValidationError(message)
    }
}
