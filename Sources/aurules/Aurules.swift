import ArgumentParser
import AuditKernel
#if canImport(CMalloc)
import CMalloc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import Syscalls

@main
struct Aurules: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aurules",
        abstract: "Parse, compile, lint, check and apply Linux audit rules.",
        discussion: """
        aurules reads audit rules written for auditctl (files or rules.d directories), turns them \
        into explicit per-ABI kernel rules for a stated machine and kernel release, and compares \
        them with the rules loaded in the kernel.

        Exit codes: 0 ok, 1 findings or drift, 2 usage or input error.
        """,
        version: String(ProductVersion.text.dropLast()),
        subcommands: [
            LintCommand.self, FmtCommand.self, SyscallCommand.self, TablesCommand.self,
            CompileCommand.self, CheckCommand.self, ApplyCommand.self, VersionCommand.self,
        ]
    )

    /// ArgumentParser exits 64 on bad usage; aurules' contract is 2 for usage and input errors.
    static func main() {
        // Rules are made on the parsing threads and live until exit; glibc gives each thread an
        // arena of its own (up to 8 per core), each keeping its own free memory: two arenas keep
        // a large compile's peak lower at the same speed (Benchmarks/RESULTS.md).
        #if canImport(CMalloc) && os(Linux)
        _ = mallopt(M_ARENA_MAX, 2)
        // Heaps grow 4 MiB at a time rather than page by page (an mprotect each: a thousand of
        // them for a 100,000-rule compile).
        _ = mallopt(M_TOP_PAD, 4 << 20)
        #endif
        var arguments = Array(CommandLine.arguments.dropFirst())
        // Installed as (or linked to by) `ausyscall`, aurules is `aurules syscall`.
        if let zeroth = CommandLine.arguments.first, zeroth.split(separator: "/").last == "ausyscall" {
            arguments.insert("syscall", at: 0)
        }
        // ausyscall's words are not options (`-5`, `--foo`, `ia64`): `aurules syscall` reads its
        // own command line, and the argument parser only prints its help.
        if arguments.first == "syscall", let status = SyscallArguments.run(Array(arguments.dropFirst())) {
            StandardOutput.flushOrExit()
            Glibc.exit(status)
        }
        let kernelRead = KernelRead.prefetch(for: arguments)
        let applyPrefetch = ApplyPrefetch.start(for: arguments)
        do {
            var command = try parseAsRoot(arguments)
            if let check = command as? CheckCommand {
                try check.run(kernelRead: kernelRead)
            } else if let apply = command as? ApplyCommand {
                try apply.run(prefetch: applyPrefetch)
            } else {
                try command.run()
            }
            StandardOutput.flushOrExit()
        } catch {
            if exitCode(for: error) == .validationFailure {
                StandardError.print(fullMessage(for: error))
                Glibc.exit(ExitCode.inputError.rawValue)
            }
            StandardOutput.flushOrExit()
            exit(withError: error)
        }
    }
}

/// Results kept alive until the process exits: freeing 100,000 rules (or thousands of syntax
/// trees) one allocation at a time costs more than the exit that follows, as clang's -disable-free.
enum KeptUntilExit {
    private final class Kept {
        let value: Any
        init(_ value: Any) { self.value = value }
    }

    /// Retained once more than anything releases it: never freed.
    static func keep(_ value: Any) { _ = Unmanaged.passRetained(Kept(value)) }
}
