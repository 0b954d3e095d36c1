import ArgumentParser
import AuditLint
import AuditRules
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import Syscalls

enum LintFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, sarif, github
}

struct LintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Report every error and questionable construct in audit rules files.",
        discussion: """
        Reads rules files, rules.d directories (merged as augenrules does) or - for standard input, \
        and reports every problem of every line, like a compiler: path:line:col, the line, and a \
        caret under the offending word. Errors are what auditctl or the kernel would refuse; \
        warnings are rules that load but do not do what they seem to (see `aurules lint --list-checks`). \
        Every finding has a stable code (AUR001); `--explain CODE` says why it matters.

        Suppressions are comment lines of their own (auditctl refuses a comment after a rule): \
        `# aurules: disable=CODE[,CODE]` above a rule, `# aurules: disable-file=CODE` anywhere in a file.

        Configuration: the nearest `.aurules` file in the input's directory or a parent holds \
        key=value lines: target, loader, fail-on, select, ignore, max-diagnostics. Options given \
        on the command line win.

        Exit status: 0 when nothing at or above --fail-on was found, 1 when something was, \
        2 when an input cannot be read or the command line is wrong.

        Examples:
          aurules lint /etc/audit/rules.d
          aurules lint --no-resolve --fail-on warning rules/*.rules
          aurules lint --format sarif /etc/audit/audit.rules > audit-rules.sarif
          aurules lint --format github rules.d        # annotations in a GitHub Actions job
          aurules lint --target x86_64 --target aarch64 fleet.rules
          aurules lint --select rule-set --ignore AUR011 rules.d
          aurules lint --statistics rules.d
          aurules lint --target x86_64:3.0.9 --target aarch64:4.1 fleet.rules
          aurules lint --explain AUR001
          cat my.rules | aurules lint --stdin-filename rules.d/50-my.rules -
        """)

    @Argument(help: "Rules files, rules.d directories, or - for standard input.", completion: .file())
    var paths: [String] = []

    @Option(help: "Output format: text, json, sarif or github.")
    var format: LintFormat = .text

    @Option(name: .customLong("fail-on"), help: "Lowest severity that makes the exit status 1: error, warning or note (default: error).")
    var failOn: Severity?

    @Flag(name: .customLong("no-host-checks"), help: "Skip checks that depend on this host (missing watch directories).")
    var noHostChecks = false

    @Option(name: .customLong("target"), help: ArgumentHelp("A machine the rules are meant for, optionally with the audit release that loads them there (repeatable; MACHINE, host or MACHINE:RELEASE; default: x86_64, aarch64, ppc64le, s390x, or --machine). Every machine is checked with every release named.", valueName: "MACHINE[:RELEASE]"),
            completion: .list(Machine.allCases.map(\.rawValue)))
    var targets: [String] = []

    /// --machine is one more target and the machine arch-less rules load on; --kernel and
    /// --audit-version narrow the checks to that release and loader.
    @OptionGroup var target: TargetOptions

    @Option(name: .customLong("select"), parsing: .singleValue,
            help: "Report only these codes: a code, a check name, a family (syntax, fields, syscalls, watches, rule-set, host) or a code prefix (AUR5); repeatable, comma-separated.",
            completion: .list(Linter.allChecks.map(\.code) + CheckFamily.allCases.map(\.rawValue)))
    var select: [String] = []

    @Option(name: .customLong("ignore"), parsing: .singleValue, help: "Do not report these codes (same forms as --select).",
            completion: .list(Linter.allChecks.map(\.code) + CheckFamily.allCases.map(\.rawValue)))
    var ignore: [String] = []

    @Option(name: .customLong("max-diagnostics"), help: ArgumentHelp("Diagnostics shown per file (default \(DiagnosticLimit.defaultPerFile), 0: all); one line then says how many more there were (the exit status still counts all).", valueName: "N"))
    var maxDiagnostics: Int?

    @Flag(help: "Print how many findings each code has instead of the findings.")
    var statistics = false

    @Option(help: "Colour in text output: auto (on a terminal, unless NO_COLOR is set), always or never.")
    var color: ColorChoice = .auto

    @Option(help: "Read this configuration file instead of looking for .aurules.", completion: .file())
    var config: String?

    @Flag(name: .customLong("no-config"), help: "Do not read any .aurules file.")
    var noConfig = false

    @Option(name: .customLong("stdin-filename"), help: "The name standard input is reported under (for editors and CI).", completion: .file())
    var stdinFilename: String?

    @Flag(name: .customLong("list-checks"), help: "List every code and exit (with --format json: as JSON).")
    var listChecks = false

    @Option(help: "Explain one code (AUR001 or its name): why it matters, with examples (with --format json: as JSON).",
            completion: .list(Linter.allChecks.map(\.code)))
    var explain: String?

    func validate() throws {
        if paths.isEmpty && !listChecks && explain == nil { throw ValidationError("give at least one file, directory, or - for standard input") }
        for t in targets {
            let (machine, release) = Self.split(t)
            if machine != "host" && Machine(uname: machine) == nil {
                throw ValidationError("unknown machine '\(machine)' (known: \(Machine.allCases.map(\.rawValue).joined(separator: ", ")), host)")
            }
            if let release, AuditVersion(loose: release) == nil {
                throw ValidationError("unknown audit release '\(release)' in --target \(t) (known: \(AuditVersion.knownList))")
            }
        }
        for s in (select + ignore).flatMap(Self.items) where !Linter.selectorIsKnown(s) {
            throw ValidationError("'\(s)' is not a check code, name, family or code prefix (see --list-checks)")
        }
        if let maxDiagnostics, maxDiagnostics < 0 { throw ValidationError("--max-diagnostics must be 0 or more") }
        if config != nil && noConfig { throw ValidationError("--config and --no-config cannot be combined") }
    }

    static func items(_ s: String) -> [String] { s.split(separator: ",").map(String.init) }

    func run() throws {
        if listChecks { return try printChecks() }
        if let explain { return try printExplanation(explain) }
        let settings = try loadConfig()
        let context = try lintContext(settings)
        let db = context.database
        // Names resolve as auditctl resolves them on this host: getpwnam, through NSS (sssd, LDAP,
        // systemd's synthesized users), not /etc/passwd alone.
        var options = ParseOptions(resolver: target.noResolve ? nil : SystemUserResolver(), hostMachine: context.hostMachine,
                                   isKnownSyscall: { db.isKnownOnAnyABI($0) })
        // What auditctl -R would refuse is reported; lint's exit status follows --fail-on.
        options.unsafePermissions = .warning
        // Lines are read as the loader reads them (a CR kept by auditctl is part of the last word).
        options.loader = context.loaders.first ?? context.auditVersion ?? (try? CompileTarget.auditVersion(nil))
        options.kernel = context.kernel
        options.otherLoaders = Array(context.loaders.dropFirst())
        let select = select.isEmpty ? settings.select : select.flatMap(Self.items)
        let ignore = settings.ignore + ignore.flatMap(Self.items)
        // Per file, as clang's -ferror-limit: each file's note says how many more it had.
        let limit = maxDiagnostics ?? settings.maxDiagnostics ?? DiagnosticLimit.defaultPerFile
        let report = lint(options: options, context: context, limit: limit, select: select, ignore: ignore)
        if statistics {
            try printStatistics(report.counts)
        } else {
            switch format {
            case .text:
                StandardOutput.print(DiagnosticRenderer.text(report.shown, color: color.enabled(forDescriptor: STDOUT_FILENO)), terminator: "")
                if report.isEmpty { StandardOutput.print(Self.cleanSummary(report)) }
            case .json: StandardOutput.print(DiagnosticRenderer.json(report.shown))
            case .sarif: StandardOutput.print(SarifReport.render(report.shown))
            case .github: StandardOutput.print(GitHubAnnotations.render(report.shown), terminator: "")
            }
        }
        for w in report.warnings { StandardError.print("aurules lint: warning: " + ControlCharacters.escaped(w)) }
        // The report above may be going to a file or a pipe: exit 2 is explained on stderr too.
        if !report.unreadable.isEmpty {
            for d in report.unreadable { StandardError.print("aurules lint: " + DiagnosticRenderer.text(d)) }
            throw ExitCode.inputError
        }
        if let worst = report.highestSeverity, worst >= (failOn ?? settings.failOn ?? .error) { throw ExitCode.findings }
    }

    /// Every input (file, pipe, FIFO, standard input, rules.d directory) is read and linted a
    /// chunk of lines at a time, one after another (no syntax tree is ever whole in memory); a
    /// file named twice makes the inputs read whole (`LintRun.lint(paths:...)`).
    private func lint(options: ParseOptions, context: LintContext, limit: Int, select: [String], ignore: [String]) -> LintReport {
        if paths.count == 1, RuleInputs.readsInChunks(paths[0]),
           let report = LintRun.lint(path: paths[0], standardInputName: stdinFilename, options: options, context: context,
                                     limit: limit, select: select, ignore: ignore) {
            return report
        }
        if let report = LintRun.lint(paths: paths, standardInputName: stdinFilename, options: options, context: context,
                                     limit: limit, select: select, ignore: ignore) {
            return report
        }
        let file = RuleInputs.load(paths: paths, options: options, standardInputName: stdinFilename)
        let run = LintRun(context: context, limit: limit)
        run.add(file)
        return run.finish(select: select, ignore: ignore)
    }

    /// The target options through the same resolution as compile and check; lint has several
    /// machines (--target, else the configuration's), so without --machine its kernel is checked
    /// against every ABI's range. The configuration's loader applies when --audit-version is not given.
    private func lintContext(_ settings: LintConfig) throws -> LintContext {
        do {
            let database = try CompileTarget.database(tables: target.tables)
            let machine = try target.machine.map { try CompileTarget.machine($0) }
            var context = LintContext(checkHost: !noHostChecks, database: database,
                                      kernel: try target.kernel.map { try CompileTarget.release($0, database: database, machine: machine) },
                                      auditVersion: try target.auditVersion.map { try CompileTarget.auditVersion($0) } ?? settings.loader)
            var machines: [Machine] = []
            var loaders: [AuditVersion] = context.auditVersion.map { [$0] } ?? []
            for m in targets.isEmpty ? settings.targets : [] { machines.append(m) }
            for t in targets {
                let (name, release) = Self.split(t)
                if let m = name == "host" ? HostFacts.current.machine : Machine(uname: name), !machines.contains(m) { machines.append(m) }
                if let v = release.flatMap(AuditVersion.init(loose:)), !loaders.contains(v) { loaders.append(v) }
            }
            if !loaders.isEmpty { context.loaders = loaders }
            if let machine {
                context.hostMachine = machine
                if !machines.contains(machine) { machines.append(machine) }
            }
            if !machines.isEmpty { context.targets = machines }
            return context
        } catch {
            throw TargetOptions.fail("lint", error)
        }
    }

    /// The line a clean text run prints, so a CI log shows the lint ran and on what.
    static func cleanSummary(_ report: LintReport) -> String {
        let files = report.statementFiles
        let rules = report.statementCount
        return "no problems found (\(rules) line\(rules == 1 ? "" : "s") with rules or settings in \(files) file\(files == 1 ? "" : "s"))"
    }

    /// `--config FILE`, else the nearest `.aurules` above the first input (the working directory
    /// for standard input), unless `--no-config`. A bad file is an input error: exit 2.
    func loadConfig() throws -> LintConfig {
        if noConfig { return LintConfig() }
        let start = paths.first.flatMap { $0 == "-" ? nil : $0 } ?? FileManager.default.currentDirectoryPath
        guard let path = config ?? LintConfig.find(from: start) else { return LintConfig() }
        guard let data = FileManager.default.contents(atPath: path) else {
            StandardError.print("aurules lint: cannot read configuration \(path): \(String(cString: strerror(errno)))")
            throw ExitCode.inputError
        }
        let (settings, problems) = LintConfig.parse(String(decoding: data, as: UTF8.self), path: path)
        guard problems.isEmpty else {
            for p in problems { StandardError.print(ControlCharacters.escaped(p.description)) }
            throw ExitCode.inputError
        }
        return settings
    }

    func printChecks() throws {
        switch format {
        case .json: StandardOutput.print(try Self.json(Linter.allChecks.map { CheckDocs.entry($0, examples: false) }))
        default:
            for c in Linter.allChecks { StandardOutput.print("\(c.code)  \(c.name) (\(c.family.rawValue)): \(c.summary)") }
        }
    }

    func printExplanation(_ name: String) throws {
        guard let c = Linter.check(named: name) else {
            StandardError.print("aurules lint: no check named \(ControlCharacters.escaped(name)) (see --list-checks)")
            throw ExitCode.inputError
        }
        // With --audit-version or --target MACHINE:RELEASE, the text speaks for those loaders only.
        var loaders: [AuditVersion] = []
        do {
            if let text = target.auditVersion { loaders.append(try CompileTarget.auditVersion(text)) }
        } catch {
            throw TargetOptions.fail("lint", error)
        }
        for t in targets {
            if let v = Self.split(t).1.flatMap(AuditVersion.init(loose:)), !loaders.contains(v) { loaders.append(v) }
        }
        let named = loaders.isEmpty ? nil : loaders
        switch format {
        case .json: StandardOutput.print(try Self.json(CheckDocs.entry(c, examples: true, loaders: named)))
        default: StandardOutput.print(CheckDocs.markdown(c, loaders: named), terminator: "")
        }
    }

    func printStatistics(_ counts: [String: Int]) throws {
        let rows = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        struct Row: Encodable { var code: String; var name: String; var count: Int }
        let table = rows.map { Row(code: $0.key, name: Linter.check(named: $0.key)?.name ?? "", count: $0.value) }
        if format == .json {
            StandardOutput.print(try Self.json(table))
        } else {
            let width = String(table.first?.count ?? 0).count
            for r in table { StandardOutput.print(String(repeating: " ", count: width - String(r.count).count) + "\(r.count)  \(r.code)  \(r.name)") }
        }
    }

    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

extension LintCommand {
    /// `aarch64:3.0.7` -> ("aarch64", "3.0.7"); `aarch64` -> ("aarch64", nil).
    static func split(_ spec: String) -> (machine: String, release: String?) {
        guard let colon = spec.firstIndex(of: ":") else { return (spec, nil) }
        return (String(spec[..<colon]), String(spec[spec.index(after: colon)...]))
    }
}

extension Severity: ExpressibleByArgument {}

/// `--color`: auto colours a terminal unless NO_COLOR is set to anything not empty (no-color.org).
enum ColorChoice: String, ExpressibleByArgument, CaseIterable {
    case auto, always, never

    func enabled(forDescriptor fd: Int32) -> Bool {
        switch self {
        case .always: return true
        case .never: return false
        case .auto:
            if let noColor = ProcessInfo.processInfo.environment["NO_COLOR"], !noColor.isEmpty { return false }
            if ProcessInfo.processInfo.environment["TERM"] == "dumb" { return false }
            return isatty(fd) == 1
        }
    }
}
