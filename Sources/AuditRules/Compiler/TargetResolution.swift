import Syscalls

/// A target as the command line states it (`TargetOptions` in the CLI): every field is the user's
/// text, nil when not given. `CompileTarget.resolve` turns it into a target, for every command.
public struct TargetRequest: Sendable {
    /// A machine name, `host`, or nil for this host.
    public var machine: String?
    /// X.Y (X.Y-rcN); nil: the running kernel for this host's machine, else the newest in the tables.
    public var kernel: String?
    /// The loader's audit userspace release; nil: this host's.
    public var auditVersion: String?
    /// A syscall tables directory instead of the built-in tables.
    public var tables: String?
    /// false: user and group names must already be numbers (`--no-resolve`).
    public var resolvesNames: Bool
    public var watchKind: WatchKind

    public init(machine: String? = nil, kernel: String? = nil, auditVersion: String? = nil, tables: String? = nil,
                resolvesNames: Bool = true, watchKind: WatchKind = .auto) {
        self.machine = machine
        self.kernel = kernel
        self.auditVersion = auditVersion
        self.tables = tables
        self.resolvesNames = resolvesNames
        self.watchKind = watchKind
    }

    /// Whether the target is this host (no machine named, or `host`).
    public var isHost: Bool { machine == nil || machine == "host" }
}

/// A target that cannot be resolved; the message names the option and, for a release outside the
/// tables, the range they cover. Commands print it and exit 2.
public struct TargetError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension CompileTarget {
    /// The one target resolution of lint, compile, check and syscall. Defaults: this host's
    /// machine; its running kernel when the machine is this host's (the newest release the tables
    /// know when it runs a newer one: it has at least their syscalls), else the newest release;
    /// this host's libaudit, else the newest loader release. A release given with --kernel must lie inside the tables.
    public static func resolve(_ request: TargetRequest, host: HostFacts = .current) throws(TargetError) -> CompileTarget {
        let database = try Self.database(tables: request.tables)
        let machine = try Self.machine(request.machine, host: host)
        let kernel: KernelVersion
        if let text = request.kernel {
            kernel = try Self.release(text, database: database, machine: machine)
        } else if request.isHost, let running = host.kernel {
            kernel = min(running, database.newestRelease)
        } else {
            kernel = database.newestRelease
        }
        if request.kernel == nil, Self.coverage(of: machine, database: database).map({ !$0.contains(kernel) }) ?? true {
            throw TargetError(Self.outside(kernel, machine: machine, database: database))
        }
        let auditVersion = try Self.auditVersion(request.auditVersion, host: host)
        // Names resolve through NSS (getpwnam), as auditctl resolves them: sssd, LDAP, nss-systemd users too.
        var target = CompileTarget(machine: machine, kernel: kernel, auditVersion: auditVersion, watchKind: request.watchKind,
                                   database: database, resolver: request.resolvesNames ? SystemUserResolver() : nil)
        target.kernelIsRunning = request.kernel == nil && request.isHost && host.kernel != nil
        // A loader that cannot load anything for the machine: no output could be right.
        if let refusal = target.loaderRefusal { throw TargetError(refusal) }
        return target
    }

    /// `--tables DIR`, or the built-in tables.
    public static func database(tables: String?) throws(TargetError) -> SyscallDatabase {
        guard let tables else { return .shipped }
        do { return try SyscallDatabase(directory: tables) } catch { throw TargetError("--tables \(tables): \(error)") }
    }

    /// `--machine NAME`; nil or `host` is this host's machine.
    public static func machine(_ text: String?, host: HostFacts = .current) throws(TargetError) -> Machine {
        let known = Machine.allCases.map(\.rawValue).joined(separator: ", ")
        guard let text, text != "host" else {
            guard let m = host.machine else { throw TargetError("this host's machine '\(host.machineName)' is not one aurules knows; give --machine (\(known))") }
            return m
        }
        guard let m = Machine(uname: text) else { throw TargetError("unknown machine '\(text)'; use one of \(known) or host") }
        return m
    }

    /// `--audit-version TEXT`, or this host's libaudit (the newest release aurules knows when it
    /// cannot be told). The one place that reads the option's text.
    public static func auditVersion(_ text: String?, host: HostFacts = .current) throws(TargetError) -> AuditVersion {
        guard let text else { return host.libauditVersion ?? .newest }
        guard let version = AuditVersion(loose: text) else {
            throw TargetError("unknown --audit-version '\(text)' (known: \(AuditVersion.knownList); a prefix such as 4.1 names its newest)")
        }
        return version
    }

    /// `--kernel TEXT` for `machine` (nil: any ABI of the tables, for syscall lookups). A release
    /// outside the tables is an error naming the range they cover: the tables cannot say which
    /// syscalls it has, and answering for another release would present a guess as a fact.
    public static func release(_ text: String, database: SyscallDatabase, machine: Machine?) throws(TargetError) -> KernelVersion {
        guard let kernel = KernelVersion(text) else { throw TargetError("bad kernel release '\(text)' (expected X.Y or X.Y-rcN)") }
        let range = machine.map { coverage(of: $0, database: database) } ?? coverage(of: database.abiInfos.map(\.abi), database: database)
        guard let range, range.contains(kernel) else { throw TargetError(outside(kernel, machine: machine, database: database)) }
        return kernel
    }

    /// The releases at which the tables have some ABI of `machine`, up to the newest they know.
    public static func coverage(of machine: Machine, database: SyscallDatabase) -> ClosedRange<KernelVersion>? {
        coverage(of: [machine.b64, machine.b32].compactMap { $0 }, database: database)
    }

    static func coverage(of abis: [ABI], database: SyscallDatabase) -> ClosedRange<KernelVersion>? {
        let infos = abis.compactMap { database.info($0) }
        guard let first = infos.map(\.first).min() else { return nil }
        let newest = database.newestRelease
        let last = infos.map { $0.last.map { min($0, newest) } ?? newest }.max() ?? newest
        return first <= last ? first ... last : nil
    }

    private static func outside(_ kernel: KernelVersion, machine: Machine?, database: SyscallDatabase) -> String {
        let range = machine.map { coverage(of: $0, database: database) } ?? coverage(of: database.abiInfos.map(\.abi), database: database)
        let covered = range.map { "they cover \($0.lowerBound) to \($0.upperBound)" } ?? "they have no ABI of it"
        return "kernel \(kernel) is outside the syscall tables\(machine.map { " for \($0)" } ?? "") (\(covered)); "
            + "import that release with `aurules tables import` and use --tables"
    }
}

extension CompileTarget {
    /// How rules for this target are parsed: its machine and resolver, names checked against its tables.
    public var parseOptions: ParseOptions {
        var options = ParseOptions(resolver: resolver, hostMachine: machine,
                                   isKnownSyscall: ParseOptions.knownSyscall(database: database, machine: machine, kernel: kernel))
        options.loader = auditVersion
        options.kernel = kernel
        options.kernelIsRunning = kernelIsRunning
        return options
    }
}
