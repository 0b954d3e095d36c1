import ArgumentParser
import AuditRules
import Foundation
import Syscalls

struct CompileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compile",
        abstract: "Compile audit rules into explicit per-ABI rules for a machine and kernel release.",
        discussion: """
        Every syscall rule without -F arch= becomes one rule per ABI of the target machine \
        (-F arch=b64 and -F arch=b32), with syscall names resolved in that ABI's table at that \
        kernel release; names an ABI lacks are dropped from its rule with a warning naming the \
        equivalents there. Keys are merged, watches become path/dir rules, user names become \
        numbers. The output loads with `auditctl -R`; a `# file:line` comment before each group \
        of rules names the statement it came from.

        Errors are reported with their location; then nothing is written and the exit code is 2.

        Examples:
          aurules compile /etc/audit/rules.d --machine host -o /etc/audit/audit.rules
          aurules compile site.rules --machine aarch64 --kernel 6.1
          aurules compile site.rules --machine x86_64 --syscalls numbers --audit-version 4.2
          aurules compile site.rules --machine s390x --format json
        """
    )

    @Argument(help: "Rule files, rules.d directories, or - for standard input.")
    var paths: [String]

    @Option(help: "Target machine (x86_64, i386, aarch64, arm, ppc64le, ppc64, ppc, s390x, s390, riscv64) or host.")
    var machine: String = "host"

    @Option(help: "Target kernel release (X.Y). Default: the running kernel with --machine host, else the newest known.")
    var kernel: String?

    @Option(name: .customLong("audit-version"), help: "Audit userspace that will load the output (3.0.9 or 4.2; any 3.x or 4.x accepted). Default: this host's.")
    var auditVersion: String?

    @Option(name: .customLong("watch-kind"), help: "How -w paths become rules: auto (stat on this host), path, dir.")
    var watchKind: WatchKind = .auto

    @Option(name: .customLong("syscalls"), help: "Syscalls in the output as names (libaudit's), numbers, or auto (names the loader knows).")
    var syscallStyle: SyscallStyle = .auto

    @Option(help: "Syscall tables directory to use instead of the built-in tables.")
    var tables: String?

    @Flag(name: .customLong("no-resolve"), help: "Do not look up user and group names (they must then be numbers).")
    var noResolve = false

    @Flag(name: .customLong("allow-unsafe-permissions"),
          help: "Use rules files auditctl -R would refuse (not owned by root, world writable), with a warning instead of an error.")
    var allowUnsafePermissions = false

    @Option(name: [.short, .customLong("output")], help: "Write to FILE (atomically) instead of standard output.")
    var output: String?

    @OptionGroup var limit: DiagnosticLimitOption

    @Option(help: "Output format: text (auditctl -R file) or json (kernel rules with provenance).")
    var format: OutputFormat = .text

    enum OutputFormat: String, ExpressibleByArgument { case text, json }

    func run() throws {
        let target: CompileTarget
        do { target = try makeTarget() } catch let e as ValidationError {
            StandardError.print("aurules compile: \(e.message)")
            throw ExitCode.inputError
        }
        // Names are checked against the tables in use (--tables may know newer syscalls).
        var parseOptions = ParseOptions(resolver: target.resolver, hostMachine: target.machine,
                                        isKnownSyscall: ParseOptions.knownSyscall(database: target.database, machine: target.machine,
                                                                                  kernel: target.kernel))
        parseOptions.unsafePermissions = allowUnsafePermissions ? .warning : .error
        // The auditctl -R text needs no statement texts; JSON shows them.
        let session = CompileSession(target: target, keepsText: format == .json)
        let parseDiagnostics = load(into: session, options: parseOptions)
        for d in limit.apply(parseDiagnostics) { StandardError.print(DiagnosticRenderer.text(d)) }
        if parseDiagnostics.contains(where: { $0.severity == .error }) {
            StandardError.print("aurules compile: errors in the input; nothing written")
            throw ExitCode.inputError
        }
        let result = session.finish()
        KeptUntilExit.keep(result)
        for d in limit.apply(result.diagnostics) { StandardError.print(DiagnosticRenderer.text(d)) }
        if result.hasErrors {
            StandardError.print("aurules compile: errors in the input; nothing written")
            throw ExitCode.inputError
        }
        let produce: ((UnsafeRawBufferPointer) -> Void) throws -> Void = { emit in
            switch format {
            case .text: RulesFileWriter(target: target, syscallStyle: syscallStyle).render(result, into: emit)
            case .json:
                var json = try CompileJSON.render(result, target: target)
                json.withUTF8 { emit(UnsafeRawBufferPointer($0)) }
            }
        }
        if let output {
            do { try OutputFile.write(to: output, produce) } catch {
                StandardError.print("aurules compile: cannot write \(output): \(error.localizedDescription)")
                throw ExitCode.inputError
            }
        } else {
            try produce(StandardOutput.write)
        }
    }

    /// One regular file is parsed a chunk at a time (a 100,000-rule file never becomes one syntax
    /// tree); directories (augenrules merge), several paths and stdin go through RuleInputs.
    private func load(into session: CompileSession, options: ParseOptions) -> [Diagnostic] {
        var isDirectory: ObjCBool = false
        if paths.count == 1, paths[0] != "-", FileManager.default.fileExists(atPath: paths[0], isDirectory: &isDirectory),
           !isDirectory.boolValue, let diagnostics = ChunkedInput.compile(path: paths[0], options: options, into: session) {
            return diagnostics
        }
        let file = RuleInputs.load(paths: paths, options: options)
        session.add(file.statements)
        return file.diagnostics
    }

    private func makeTarget() throws -> CompileTarget {
        let database: SyscallDatabase
        if let tables {
            do { database = try SyscallDatabase(directory: tables) } catch {
                throw ValidationError("--tables \(tables): \(error)")
            }
        } else {
            database = .shipped
        }
        let host = HostSystem.uname()
        let isHost = machine == "host"
        guard let m = Machine(rawValue: isHost ? "" : machine) ?? Machine(uname: isHost ? host.machine : machine) else {
            throw ValidationError("unknown machine '\(isHost ? host.machine : machine)'; use one of \(Machine.allCases.map(\.rawValue).joined(separator: ", ")) or host")
        }
        var release: KernelVersion
        if let kernel {
            guard let k = KernelVersion(kernel) else { throw ValidationError("bad kernel release '\(kernel)' (expected X.Y)") }
            release = k
        } else if isHost, let k = KernelVersion(host.release) {
            release = k
        } else {
            release = database.newestRelease
        }
        if release > database.newestRelease {
            if kernel != nil {
                throw ValidationError("kernel \(release) is newer than the tables (newest: \(database.newestRelease)); import it with `aurules tables import`")
            }
            release = database.newestRelease
        }
        let version: AuditVersion
        if let auditVersion {
            guard let v = AuditVersion(loose: auditVersion) else {
                throw ValidationError("unknown --audit-version '\(auditVersion)' (3.x or 4.x: 3.0.9, 4.2, ...)")
            }
            version = v
        } else {
            version = HostSystem.libauditVersion() ?? .v3_0_9
        }
        // Names resolve through NSS (getpwnam), as auditctl resolves them: sssd, LDAP, nss-systemd users too.
        return CompileTarget(machine: m, kernel: release, auditVersion: version, watchKind: watchKind,
                             database: database, resolver: noResolve ? nil : SystemUserResolver())
    }
}

extension WatchKind: ExpressibleByArgument {}
extension SyscallStyle: ExpressibleByArgument {}
