import ArgumentParser
import AuditRules
import Syscalls

/// The target options of every command that resolves syscalls or names (lint, compile, check,
/// syscall): `@OptionGroup var target: TargetOptions`. `CompileTarget.resolve` gives them meaning.
struct TargetOptions: ParsableArguments {
    @Option(help: "Target machine (x86_64, i386, aarch64, arm, ppc64le, ppc64, ppc, s390x, s390, riscv64) or host (default).",
            completion: .list(["host"] + Machine.allCases.map(\.rawValue)))
    var machine: String?

    @Option(help: ArgumentHelp("Target kernel release, inside the tables' range. Default: the running kernel with --machine host, else the newest the tables know.", valueName: "X.Y"))
    var kernel: String?

    @Option(name: .customLong("audit-version"), help: ArgumentHelp("Audit release whose auditctl loads the rules (\(AuditVersion.knownList); a prefix such as 4.1 names its newest, a release in between takes the data of the one before). Default: this host's libaudit, else the newest.", valueName: "RELEASE"),
            completion: .list(AuditVersion.allCases.map(\.rawValue)))
    var auditVersion: String?

    @Option(help: ArgumentHelp("Syscall tables directory (format of SyscallTables/) instead of the built-in tables.", valueName: "DIR"), completion: .directory)
    var tables: String?

    @Flag(name: .customLong("no-resolve"), help: "Do not look up user and group names on this host (they must then be numbers).")
    var noResolve = false

    func request(watchKind: WatchKind = .auto) -> TargetRequest {
        TargetRequest(machine: machine, kernel: kernel, auditVersion: auditVersion, tables: tables,
                      resolvesNames: !noResolve, watchKind: watchKind)
    }

    /// The target, or the resolution's message on standard error and exit 2.
    func resolve(command: String, watchKind: WatchKind = .auto) throws -> CompileTarget {
        do { return try CompileTarget.resolve(request(watchKind: watchKind)) } catch {
            throw Self.fail(command, error)
        }
    }

    /// `--tables`, or the built-in tables; exit 2 when the directory is unusable.
    func database(command: String) throws -> SyscallDatabase {
        do { return try CompileTarget.database(tables: tables) } catch { throw Self.fail(command, error) }
    }

    static func fail(_ command: String, _ error: any Error) -> ExitCode {
        StandardError.print("aurules \(command): \((error as? TargetError)?.message ?? "\(error)")")
        return ExitCode.inputError
    }
}
