import ArgumentParser
import AuditKernel
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

enum CheckFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, prometheus
}

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Compare the audit rules loaded in the kernel with the rules on disk.",
        discussion: """
        Compiles the rules files for this host (its machine and running kernel), reads the rules \
        and status the kernel holds (through libaudit; needs root or CAP_AUDIT_CONTROL), and compares \
        them semantically, list by list, in order: rules in sync; missing (+, on disk but not loaded, \
        with file:line); unexpected (-, loaded but in no file, grouped by key so rules added by \
        auditbeat, osquery or a hand-typed auditctl can be attributed); changed (~, same list, action, \
        ABI and key, other syscalls or fields); out of order (>, which matters for never rules); \
        settings (!, -b -f -e -r --backlog_wait_time --loginuid-immutable against the kernel's status). \
        An arch-less syscall rule matches both auditctl's single rule and aurules compile's per-ABI rules.

        --loaded FILE checks a saved `auditctl -l` listing instead of the running kernel (with \
        --machine and --kernel of the host it came from, and --status FILE for its `auditctl -s`). \
        auditctl 3.0.9 names an arch-less rule's syscalls by the table of the last arch it listed \
        before; the check reads them back the same way and says so (with --audit-version 4 such \
        rules make the comparison approximate, and it says that instead). A listing cannot show \
        everything: a rule of only path or dir, perm and key on every syscall lists as `-w PATH -p \
        PERMS` whether it is always or never, path or dir, perm first or not, and arch is listed \
        first wherever the rule has it. A rule of the files that lists as a listing's line counts \
        as in sync (a warning says how many); a check of the running kernel compares exactly.

        Exit status: 0 in sync, 1 drift, 2 error (unreadable or invalid rules, no access to the kernel).

        Examples:
          sudo aurules check
          sudo aurules check /etc/audit/rules.d --format json
          sudo aurules check --plan      # auditctl commands that would reconcile
          sudo aurules check --format prometheus -o /var/lib/node-exporter/aurules.prom
          aurules check rules.d --loaded web1-l.txt --status web1-s.txt \\
              --machine aarch64 --kernel 6.1
        """)

    @Argument(help: "Rules files or rules.d directories (default: /etc/audit/rules.d when it exists, else /etc/audit/audit.rules).", completion: .file())
    var paths: [String] = []

    @Option(help: "A saved `auditctl -l` listing (- for standard input) to compare with, instead of the running kernel.", completion: .file())
    var loaded: String?

    @Option(help: "With --loaded: a saved `auditctl -s` output, to compare the settings too.", completion: .file())
    var status: String?

    /// With --loaded, --machine and --kernel name the listing's host; --audit-version is the
    /// checked host's audit userspace.
    @OptionGroup var target: TargetOptions

    @Option(name: .customLong("watch-kind"), help: "How -w paths become rules: auto (stat on this host), path or dir.")
    var watchKind: String = "auto"

    @Option(help: "Output format: text, json or prometheus (node_exporter textfile collector).")
    var format: CheckFormat = .text

    @Flag(help: "Print the auditctl commands that would make the kernel match the files (nothing is run).")
    var plan = false

    @Flag(name: .customLong("allow-unsafe-permissions"),
          help: "Use rules files auditctl -R would refuse (not owned by root, world writable), with a warning instead of an error.")
    var allowUnsafePermissions = false

    @OptionGroup var limit: DiagnosticLimitOption

    @Option(name: [.short, .long], help: "Write the output to FILE atomically instead of standard output; - for standard output.", completion: .file())
    var output: String?

    @Option(help: "Colour in text output: auto (on a terminal, unless NO_COLOR is set), always or never.")
    var color: ColorChoice = .auto

    /// Usage errors exit 2 like every other aurules error (ArgumentParser's own code would be 64).
    func validate() throws {
        var problem: String?
        if loaded == nil {
            if target.machine != nil || target.kernel != nil { problem = "--machine and --kernel describe a saved listing's host: use them with --loaded" }
            if status != nil { problem = "--status goes with --loaded" }
        }
        if WatchKind(rawValue: watchKind) == nil { problem = "--watch-kind must be auto, path or dir" }
        if let problem {
            StandardError.print("aurules check: \(problem)")
            throw ExitCode.inputError
        }
    }

    func run() throws { try run(kernelRead: nil) }

    /// `kernelRead`: the read `Aurules.main` started before parsing the arguments.
    func run(kernelRead: KernelRead?) throws {
        let started = Date()
        do {
            let result = try CheckRun(options: self, kernelRead: kernelRead).perform()
            for warning in result.warnings { StandardError.print("warning: \(warning)") }
            let painted = format == .text && !plan && OutputFile.path(output) == nil && color.enabled(forDescriptor: STDOUT_FILENO)
            // A text report is escaped text: only the plan carries rules' bytes, and it is not painted.
            // Its pieces are whole lines, painted one piece at a time.
            try emit { write in
                try result.render { piece in
                    guard painted else { return write(piece) }
                    var text = Self.paint(RulesText(piece.assumingMemoryBound(to: UInt8.self)).description)
                    text.withUTF8 { write(UnsafeRawBufferPointer($0)) }
                }
            }
            if result.report.hasDrift { throw ExitCode.findings }
        } catch let failure as CheckFailure {
            StandardError.print("aurules check: \(failure.message)")
            if format == .prometheus, OutputFile.path(output) != nil {
                try? emit(RulesText(DriftFormatter.prometheus(nil, timestamp: started.timeIntervalSince1970)))
            }
            // A script reading JSON gets a document that says the check failed, not an empty output.
            if format == .json, !plan,
               let json = JSONText.render(["error": failure.message]) {
                try? emit(RulesText(ControlCharacters.inertJSON(Data(json.utf8)) + "\n"))
            }
            throw ExitCode.inputError
        }
    }

    /// Drift text in colour: missing rules green (+), unexpected red (-), changed yellow (~),
    /// out of order cyan (>), "In sync" green. The text is already escaped; only whole lines are wrapped.
    static func paint(_ text: String) -> String {
        let paint = DiagnosticRenderer.Paint(enabled: true)
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            switch line.first {
            case "+": return paint.green(String(line))
            case "-": return paint.red(String(line))
            case "~": return paint.yellow(String(line))
            case ">": return paint.cyan(String(line))
            default: return line.hasPrefix("In sync:") ? paint.green(String(line)) : String(line)
            }
        }.joined(separator: "\n")
    }

    private func emit(_ text: RulesText) throws {
        try emit { write in text.withBytes { write(UnsafeRawBufferPointer($0)) } }
    }

    /// What `produce` writes, to standard output as it comes (each write checked), or to the
    /// `-o` file, renamed into place once it is all written.
    private func emit(_ produce: (_ write: (UnsafeRawBufferPointer) -> Void) throws -> Void) throws {
        if let output = OutputFile.path(output) {
            // A report, not a secret: node_exporter's textfile collector runs as its own user.
            do { try OutputFile.write(to: output, newFileMode: 0o644) { write in try withoutActuallyEscaping(write) { try produce($0) } } } catch let failure as CheckFailure {
                throw failure
            } catch { throw CheckFailure("cannot write \(output): \(error)") }
        } else {
            try produce { StandardOutput.write($0) }
        }
    }
}

struct CheckFailure: Error {
    var message: String
    init(_ message: String) { self.message = message }
}
