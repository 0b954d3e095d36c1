import ArgumentParser
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
          aurules compile site.rules --machine ppc64le --kernel 4.18 --audit-version 3.0.7 --allow-drops
        """
    )

    @Argument(help: "Rule files, rules.d directories, or - for standard input.", completion: .file())
    var paths: [String]

    @OptionGroup var target: TargetOptions

    @Option(name: .customLong("watch-kind"), help: "How -w paths become rules: auto (stat on this host), path, dir.")
    var watchKind: WatchKind = .auto

    @Option(name: .customLong("syscalls"), help: "Syscalls in the output as names (libaudit's), numbers, or auto (names the loader knows).")
    var syscallStyle: SyscallStyle = .auto

    @Flag(name: .customLong("allow-unsafe-permissions"),
          help: "Use rules files auditctl -R would refuse (not owned by root, world writable), with a warning instead of an error.")
    var allowUnsafePermissions = false

    @Flag(name: .customLong("allow-drops"), help: "Accept statements that produce no kernel rule for the target (a warning instead of an error).")
    var allowDrops = false

    @Option(name: [.short, .customLong("output")], help: "Write to FILE (atomically) instead of standard output; - for standard output.", completion: .file())
    var output: String?

    @OptionGroup var limit: DiagnosticLimitOption

    @Option(help: "Output format: text (auditctl -R file) or json (kernel rules with provenance).")
    var format: OutputFormat = .text

    enum OutputFormat: String, ExpressibleByArgument { case text, json }

    func run() throws {
        var target = try self.target.resolve(command: "compile", watchKind: watchKind)
        target.allowDrops = allowDrops
        // Names are checked against the tables in use (--tables may know newer syscalls).
        var parseOptions = target.parseOptions
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
        if let output = OutputFile.path(output) {
            do { try OutputFile.write(to: output, produce) } catch {
                StandardError.print("aurules compile: cannot write \(output): \(describe(error))")
                throw ExitCode.inputError
            }
        } else {
            try produce(StandardOutput.write)
        }
    }

    /// Every input is parsed a chunk of lines at a time, one after another (a 100,000-rule file
    /// never becomes one syntax tree); a rules.d directory file by file, in augenrules' order.
    private func load(into session: CompileSession, options: ParseOptions) -> [Diagnostic] {
        ChunkedInput.compile(inputs: paths, options: options, into: session).diagnostics
    }
}

extension WatchKind: ExpressibleByArgument {}
extension SyscallStyle: ExpressibleByArgument {}
