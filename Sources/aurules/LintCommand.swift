import ArgumentParser
import AuditLint
import AuditRules
import Foundation
import Syscalls

enum LintFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, sarif
}

struct LintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Report every error and questionable construct in audit rules files.",
        discussion: """
        Reads rules files, rules.d directories (merged as augenrules does) or - for standard input, \
        and reports every problem of every line, like a compiler: path:line:col, the line, and a \
        caret under the offending word. Errors are what auditctl or the kernel would refuse; \
        warnings are rules that load but do not do what they seem to (see `aurules lint --list-checks`).

        Exit status: 0 when nothing at or above --fail-on was found, 1 when something was, \
        2 when an input cannot be read or the command line is wrong.

        Examples:
          aurules lint /etc/audit/rules.d
          aurules lint --no-resolve --fail-on warning rules/*.rules
          aurules lint --format sarif /etc/audit/audit.rules > audit-rules.sarif
          aurules lint --target x86_64 --target aarch64 fleet.rules
          aurules lint --target x86_64:3.0.9 --target aarch64:4.1 fleet.rules
          aurules lint --explain AUR001
          cat my.rules | aurules lint -
        """)

    @Argument(help: "Rules files, rules.d directories, or - for standard input.")
    var paths: [String] = []

    @Option(help: "Output format: text, json or sarif.")
    var format: LintFormat = .text

    @Option(name: .customLong("fail-on"), help: "Lowest severity that makes the exit status 1: error, warning or note.")
    var failOn: Severity = .error

    @Flag(name: .customLong("no-host-checks"), help: "Skip checks that depend on this host (missing watch directories).")
    var noHostChecks = false

    @Option(name: .customLong("target"), help: ArgumentHelp("A machine the rules are meant for, optionally with the audit release that loads them there (repeatable; MACHINE, host or MACHINE:RELEASE; default: x86_64, aarch64, ppc64le, s390x, or --machine). Every machine is checked with every release named.", valueName: "MACHINE[:RELEASE]"))
    var targets: [String] = []

    /// --machine is one more target and the machine arch-less rules load on; --kernel and
    /// --audit-version narrow the checks to that release and loader.
    @OptionGroup var target: TargetOptions

    @Flag(name: .customLong("list-checks"), help: "List the lint checks and exit.")
    var listChecks = false

    @Option(help: "Explain one check (AUR001 or its name): why it matters, with examples.")
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
    }

    func run() throws {
        if listChecks {
            for c in Linter.checks { StandardOutput.print("\(c.code)  \(c.name): \(c.summary)") }
            return
        }
        if let explain {
            guard let c = Linter.checks.first(where: { $0.code.caseInsensitiveCompare(explain) == .orderedSame || $0.name == explain }) else {
                StandardError.print("aurules lint: no check named \(explain) (see --list-checks)")
                throw ExitCode.inputError
            }
            StandardOutput.print("\(c.code) \(c.name): \(c.summary)\n\n\(c.rationale)\n")
            for e in c.examples {
                StandardOutput.print(e.triggers ? "Reported:" : "Not reported:")
                StandardOutput.print(String(e.text.dropLast(e.text.hasSuffix("\n") ? 1 : 0)).replacingOccurrences(of: "\r", with: "\\r").split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n"))
            }
            return
        }
        let context = try lintContext()
        let db = context.database
        // Names resolve as auditctl resolves them on this host: getpwnam, through NSS (sssd, LDAP,
        // systemd's synthesized users), not /etc/passwd alone.
        var options = ParseOptions(resolver: target.noResolve ? nil : SystemUserResolver(), hostMachine: context.hostMachine,
                                   isKnownSyscall: { db.isKnownOnAnyABI($0) })
        // Lines are read as the loader reads them (a CR kept by auditctl is part of the last word).
        options.loader = context.auditVersion ?? (try? CompileTarget.auditVersion(nil))
        let file = RuleInputs.load(paths: paths, options: options)
        let diagnostics = Linter.lint(file, context: context)
        switch format {
        case .text: StandardOutput.print(DiagnosticRenderer.text(diagnostics), terminator: "")
        case .json: StandardOutput.print(DiagnosticRenderer.json(diagnostics))
        case .sarif: StandardOutput.print(SarifReport.render(diagnostics, checks: Linter.checks))
        }
        // The report above may be going to a file or a pipe: exit 2 is explained on stderr too.
        let unreadable = diagnostics.filter { $0.code == RuleInputs.unreadableCode }
        if !unreadable.isEmpty {
            for d in unreadable { StandardError.print("aurules lint: " + DiagnosticRenderer.text(d)) }
            throw ExitCode.inputError
        }
        if diagnostics.contains(where: { $0.severity >= failOn }) { throw ExitCode.findings }
    }

    /// The target options through the same resolution as compile and check; lint has several
    /// machines (--target), so without --machine its kernel is checked against every ABI's range.
    private func lintContext() throws -> LintContext {
        do {
            let database = try CompileTarget.database(tables: target.tables)
            let machine = try target.machine.map { try CompileTarget.machine($0) }
            var context = LintContext(checkHost: !noHostChecks, database: database,
                                      kernel: try target.kernel.map { try CompileTarget.release($0, database: database, machine: machine) },
                                      auditVersion: try target.auditVersion.map { try CompileTarget.auditVersion($0) })
            var machines: [Machine] = []
            var loaders: [AuditVersion] = context.auditVersion.map { [$0] } ?? []
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
}

extension LintCommand {
    /// `aarch64:3.0.7` -> ("aarch64", "3.0.7"); `aarch64` -> ("aarch64", nil).
    static func split(_ spec: String) -> (machine: String, release: String?) {
        guard let colon = spec.firstIndex(of: ":") else { return (spec, nil) }
        return (String(spec[..<colon]), String(spec[spec.index(after: colon)...]))
    }
}

extension Severity: ExpressibleByArgument {}
