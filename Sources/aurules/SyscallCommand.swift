import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import AuditRules
import Syscalls

struct SyscallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "syscall",
        abstract: "Look up syscall names and numbers: an ausyscall drop-in, and per ABI and kernel release.",
        discussion: """
        Without the extension options, `aurules syscall` is ausyscall of the loader release \
        (--audit-version, default the host's libaudit, else the newest): the same words in any \
        order (a word starting with a digit is a number; b32, b64, a machine name or an AUDIT_ARCH \
        value in hex selects the table; --exact, --dump; anything else is a name, searched \
        case-insensitively as a substring), at most three of them, libaudit's names (pread, not \
        pread64), the same output and messages, and exit status 0 found, 1 anything else. A symlink \
        named ausyscall to aurules behaves as `aurules syscall`.

        Extensions (documented differences from ausyscall): --kernel X.Y answers from the kernel's \
        table at that release (syscalls newer than the loader's libaudit), in libaudit's spelling \
        where it has one; --kernel-names prints the kernel's names (pread64) from the kernel's \
        table; --hints explains a miss on standard error; --all, --history and --format json. These \
        option words, and --help, are options, not syscall names. Input errors of the extensions \
        (unreadable --tables, a release the tables do not cover) exit 2.

        Examples:
          aurules syscall x86_64 clone               clone 56, clone3 435
          aurules syscall b32 open --exact           5
          aurules syscall 17                         pread (libaudit's name)
          aurules syscall --kernel-names 17          pread64
          aurules syscall aarch64 --dump
          aurules syscall --kernel 6.6 fchmodat2 --exact   452 (libaudit 3.0.9 does not know it)
          aurules syscall --all open                 open on every ABI, equivalents where absent
          aurules syscall --history getdents64       when each ABI gained or lost it
          aurules syscall --format json s390x getdents64
        """
    )

    @Argument(help: "[ARCH] NAME|NUMBER, in any order, as ausyscall takes them.")
    var words: [String] = []

    @Flag(help: "Print only the number of exactly this name.")
    var exact = false

    @Flag(help: "Print the whole table.")
    var dump = false

    @Flag(help: "Answer from the kernel's table (at --kernel, default the newest) with the kernel's names (pread64 for libaudit's pread).")
    var kernelNames = false

    @Flag(help: "On a miss, explain it on standard error (other releases, equivalents, close names).")
    var hints = false

    @Option(name: .customLong("all"), help: ArgumentHelp("Show NAME on every ABI, with the equivalents where it is absent.", valueName: "NAME"))
    var allName: String?

    @Option(name: .customLong("history"), help: ArgumentHelp("Show the releases in which each ABI gained or lost NAME.", valueName: "NAME"))
    var historyName: String?

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    /// --machine is the machine b32, b64 and no architecture mean (default: this host's);
    /// --audit-version the loader whose libaudit answers; --kernel answers from the kernel's table.
    @OptionGroup var target: TargetOptions

    enum OutputFormat: String, ExpressibleByArgument { case text, json }

    /// Reached only through `aurules help`-style parsing: the command line is read by
    /// SyscallArguments (ausyscall's words are not options) before the argument parser runs.
    func run() throws {
        var arguments = words + (exact ? ["--exact"] : []) + (dump ? ["--dump"] : [])
        if let kernel = target.kernel { arguments += ["--kernel", kernel] }
        if let machine = target.machine { arguments += ["--machine", machine] }
        if let auditVersion = target.auditVersion { arguments += ["--audit-version", auditVersion] }
        if let tables = target.tables { arguments += ["--tables", tables] }
        if target.noResolve { arguments.append("--no-resolve") }
        if kernelNames { arguments.append("--kernel-names") }
        if hints { arguments.append("--hints") }
        if let allName { arguments += ["--all", allName] }
        if let historyName { arguments += ["--history", historyName] }
        arguments += ["--format", format.rawValue]
        let status = SyscallArguments.run(arguments) ?? 0
        if status != 0 { throw ExitCode(status) }
    }
}

/// `aurules syscall`'s command line, read as ausyscall reads its own: the extension options are
/// taken out, every other word is ausyscall's (so `-5`, `--foo` and `ia64` mean what they mean
/// to ausyscall, and usage errors exit 1 with its messages).
struct SyscallArguments {
    var words: [String] = []
    var kernel: String?
    var machine: String?
    var kernelNames = false
    var auditVersion: String?
    var hints = false
    var allName: String?
    var historyName: String?
    var json = false
    var tables: String?

    // An array: a Set's hashing and generic set-up cost a tenth of a lookup's start.
    static let valued = ["--kernel", "--machine", "--audit-version", "--all", "--history", "--format", "--tables"]

    /// nil when help was asked for (the argument parser prints it); else the exit status.
    static func run(_ arguments: [String]) -> Int32? {
        var a = SyscallArguments()
        var i = 0
        while i < arguments.count {
            let word = arguments[i]
            i += 1
            if word == "--help" || word == "-h" { return nil }
            var key = word, inline: String?
            if word.hasPrefix("--"), let eq = word.firstIndex(of: "="), valued.contains(String(word[..<eq])) {
                key = String(word[..<eq])
                inline = String(word[word.index(after: eq)...])
            }
            if valued.contains(key) {
                guard let value = inline ?? (i < arguments.count ? arguments[i] : nil) else {
                    return usage("\(key) needs a value")
                }
                if inline == nil { i += 1 }
                switch key {
                case "--kernel": a.kernel = value
                case "--machine": a.machine = value
                case "--audit-version": a.auditVersion = value
                case "--all": a.allName = value
                case "--history": a.historyName = value
                case "--tables": a.tables = value
                default:
                    guard value == "text" || value == "json" else { return usage("--format must be text or json") }
                    a.json = value == "json"
                }
            } else if word == "--no-resolve" {
                return usage("--no-resolve does not apply to syscall lookups")
            } else if word == "--kernel-names" {
                a.kernelNames = true
            } else if word == "--hints" {
                a.hints = true
            } else {
                a.words.append(word)
            }
        }
        do {
            return try a.execute()
        } catch let code as ExitCode {
            return code.rawValue
        } catch {
            StandardError.print("aurules syscall: \(error)")
            return ExitCode.inputError.rawValue
        }
    }

    /// ausyscall's own words are refused as ausyscall refuses them (exit 1); aurules' options as
    /// every aurules command refuses them (exit 2).
    static func usage(_ message: String) -> Int32 {
        StandardError.print("aurules syscall: \(message)")
        return ExitCode.inputError.rawValue
    }

    func execute() throws -> Int32 {
        let host = HostFacts.current
        let database: SyscallDatabase, version: AuditVersion, machineName: String, givenRelease: KernelVersion?
        do {
            database = try CompileTarget.database(tables: tables)
            version = try CompileTarget.auditVersion(auditVersion, host: host)
            // b32, b64 and no architecture mean this machine (libaudit's audit_detect_machine).
            let named = try machine.map { try CompileTarget.machine($0, host: host) }
            machineName = named?.rawValue ?? host.machineName
            // Without --machine every ABI of the tables may be asked for: the range is theirs.
            givenRelease = try kernel.map { try CompileTarget.release($0, database: database, machine: named) }
        } catch {
            throw TargetOptions.fail("syscall", error)
        }
        // The tables' newest release, read only when asked for: a libaudit lookup never is.
        var release: KernelVersion { givenRelease ?? database.newestRelease }
        let out = SyscallOutput(json: json, hints: hints)
        let lookup = SyscallLookup(database: database)
        let kernelMode = kernel != nil || kernelNames
        if let name = allName {
            return out.all(lookup.acrossABIs(name, at: release), name: name, kernel: release)
        }
        if let name = historyName {
            return out.history(database.history(of: name), name: name, suggestions: lookup.suggestions(for: name, in: nil),
                               coverage: { database.info($0)?.first })
        }
        let hostMachine = LibauditMachine.detect(uname: machineName, version: version)
        let query: Ausyscall.Query
        switch Ausyscall.parse(words, version: version, host: hostMachine, kernelArches: kernelMode) {
        case .failure(let refusal):
            StandardError.print(refusal.lines.joined(separator: "\n"))
            return refusal.status
        case .success(let q):
            query = q
        }
        if !query.notices.isEmpty { StandardError.print(query.notices.joined(separator: "\n")) }
        guard let arch = query.arch ?? hostMachine.map(Ausyscall.Arch.libaudit) else {
            StandardError.print("Unable to detect machine type")
            return 1
        }
        let table: Ausyscall.Table
        let source: SyscallOutput.Source
        switch (arch, kernelMode) {
        case (.libaudit(let machine), false):
            table = .libaudit(machine, version: version, database: database)
            source = .libaudit(machine.abi, version)
        case (.libaudit, true), (.kernelOnly, true):
            let (abi, printed): (ABI, String)
            switch arch {
            case .libaudit(let m): (abi, printed) = (m.abi, m.printedName)
            case .kernelOnly(let a): (abi, printed) = (a, a.rawValue)
            }
            guard let kernelTable = database.table(abi, at: release) else {
                let info = database.info(abi)
                let span = info.map { "\($0.first)" + ($0.last.map { " to \($0)" } ?? " onwards") } ?? "no release"
                StandardError.print("aurules syscall: the \(abi) ABI is not covered at \(release) (tables cover \(span))")
                throw ExitCode.inputError
            }
            table = .kernel(kernelTable, printedName: printed, spelling: kernelNames ? nil : version, database: database)
            source = .kernel(abi, release)
        case (.kernelOnly, false):
            preconditionFailure("kernel-only arches are read only with --kernel or --kernel-names")
        }
        let answer = Ausyscall.answer(query, from: table)
        out.print(answer, source: source, lookup: lookup)
        return answer.status
    }
}
