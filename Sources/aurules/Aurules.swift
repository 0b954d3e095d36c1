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
        if let zeroth = CommandLine.arguments.first, Self.lastPathComponent(zeroth) == "ausyscall" {
            arguments.insert("syscall", at: 0)
        }
        // ausyscall's words are not options (`-5`, `--foo`, `ia64`): `aurules syscall` reads its
        // own command line, and the argument parser only prints its help.
        if arguments.first == "syscall", let status = SyscallArguments.run(Array(arguments.dropFirst())) {
            StandardOutput.flushOrExit()
            Glibc.exit(status)
        }
        // What `--version` prints, without building the argument parser's tree of every command.
        if arguments == ["--version"] {
            StandardOutput.print(ProductVersion.text, terminator: "")
            StandardOutput.flushOrExit()
            Glibc.exit(0)
        }
        let kernelRead = KernelRead.prefetch(for: arguments)
        let applyPrefetch = ApplyPrefetch.start(for: arguments)
        do {
            var command = try parseLeaf(arguments) ?? parseAsRoot(arguments)
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

extension Aurules {
    /// The last non-empty component of a slash-separated path ("" when there is none), as
    /// `path.split(separator: "/").last` without an array of components.
    static func lastPathComponent(_ path: String) -> Substring {
        var name = Substring(path)
        while name.hasSuffix("/") { name = name.dropLast() }
        if let slash = name.lastIndex(of: "/") { name = name[name.index(after: slash)...] }
        return name
    }

    /// The command line parsed by the one command it names, without the root's tree: the argument
    /// parser's work for the root and every sibling command (each command's options reflected,
    /// every type's conformances looked up) was half of a small lint or compile. nil when the
    /// line names no such command, asks for help, the version or a completion script, or that
    /// parse fails in any other way: the root's parse then answers as it always has, in its own
    /// words. A command's `validate` that reports its error itself and throws exit code 2 (check,
    /// apply) ends the run as it would have through the root, without reporting it twice.
    static func parseLeaf(_ arguments: [String]) throws -> ParsableCommand? {
        let rootOnly = ["-h", "--help", "-help", "help", "--version", "--generate-completion-script", "--experimental-dump-help"]
        guard !arguments.contains(where: { rootOnly.contains($0) || $0.hasPrefix("--generate-completion-script=") }) else { return nil }
        let leaf: ParsableCommand.Type
        switch arguments.first {
        case "lint": leaf = LintCommand.self
        case "compile": leaf = CompileCommand.self
        case "fmt": leaf = FmtCommand.self
        case "check": leaf = CheckCommand.self
        case "apply": leaf = ApplyCommand.self
        case "version": leaf = VersionCommand.self
        default: return nil
        }
        do {
            return try leaf.parseAsRoot(Array(arguments.dropFirst()))
        } catch {
            // Parse errors exit 64 (reported by the root's parse), help and the like 0.
            let code = leaf.exitCode(for: error)
            if code == ExitCode.inputError { throw code }
            return nil
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
