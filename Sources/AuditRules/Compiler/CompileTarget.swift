#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import Syscalls

/// How `-w PATH` becomes a kernel rule: auditctl stat()s the path when it loads the rule and
/// uses a recursive `dir` watch for directories, a `path` watch otherwise. Compiling for
/// another host cannot stat its files, so `path`/`dir` decide without looking.
public enum WatchKind: String, Sendable, CaseIterable {
    case auto, path, dir
}

/// The machine, kernel release and loader the rules are compiled for.
public struct CompileTarget: Sendable {
    public var machine: Machine
    public var kernel: KernelVersion
    /// The audit userspace that will load the output: its syscall spellings, and from 4.x the
    /// perm-to-syscalls expansion.
    public var auditVersion: AuditVersion
    public var watchKind: WatchKind
    public var database: SyscallDatabase
    /// nil: user and group names must already be numbers (`--no-resolve`).
    public var resolver: (any UserResolver)?

    public init(machine: Machine, kernel: KernelVersion, auditVersion: AuditVersion = .v3_0_9,
                watchKind: WatchKind = .auto, database: SyscallDatabase = .shipped,
                resolver: (any UserResolver)? = HostUserResolver()) {
        self.machine = machine
        self.kernel = kernel
        self.auditVersion = auditVersion
        self.watchKind = watchKind
        self.database = database
        self.resolver = resolver
    }

    /// The kernel is this host's running one (no --kernel given): its features are not judged
    /// from the release number (ParseOptions.kernelIsRunning).
    public var kernelIsRunning = false

    /// Arch-less syscall rules: one rule per ABI (what compile writes), or one rule as the loader
    /// loads the line on the machine (what lint judges).
    public var archless = ArchlessRules.perABI

    /// A statement that asks for events but produces no kernel rule is an error unless drops
    /// are allowed (`--allow-drops`): then a warning.
    public var allowDrops = false

    /// The ABIs `b64` and `b32` mean on this machine at this release (s390 compat is gone in
    /// 6.19), as far as the loader takes them (no release takes b32 on ppc64le).
    public var abis: (b64: ABI?, b32: ABI?) {
        let pair = database.abis(for: machine, at: kernel)
        let loader = auditVersion.loader
        func taken(_ bits: String, _ abi: ABI?) -> ABI? {
            guard let abi, case .success = loader.arch(bits, on: machine) else { return nil }
            return abi
        }
        return (taken("b64", pair.b64), taken("b32", pair.b32))
    }

    /// Why the loader cannot load rules for this target's machine (its libaudit does not know
    /// the machine: riscv64 before audit 4.1); nil when it can.
    public var loaderRefusal: String? {
        guard !auditVersion.loader.knows(machine) else { return nil }
        let first = AuditVersion.allCases.first { $0.loader.knows(machine) }
        return "audit \(auditVersion) cannot load rules for \(machine) (its libaudit does not know the machine"
            + (first.map { "; known from audit \($0)" } ?? "") + ")"
    }

    /// Why no command can answer for this target: the loader cannot load rules for the machine,
    /// or the kernel release is outside the tables. nil when the target is covered.
    public var unsupportedReason: String? {
        if let loaderRefusal { return loaderRefusal }
        guard let range = Self.coverage(of: machine, database: database), range.contains(kernel) else {
            let range = Self.coverage(of: machine, database: database)
            return "kernel \(kernel) is outside the tables for \(machine) (" + (range.map { "they cover \($0.lowerBound) to \($0.upperBound)" } ?? "no ABI of it") + ")"
        }
        return nil
    }

    /// The ABIs an arch-less syscall rule expands to, 64-bit first.
    public var expansionABIs: [ABI] {
        let pair = abis
        return [pair.b64, pair.b32].compactMap { $0 }
    }
}

/// A control setting (`-b`, `-f`, `-e`, ...) that survives into the output, with its source.
public struct CompiledSetting: Sendable {
    public var setting: Setting
    public var provenance: Provenance

    public init(setting: Setting, provenance: Provenance) {
        self.setting = setting
        self.provenance = provenance
    }
}

/// What a compilation produced.
public struct CompileResult: Sendable {
    /// The rules the kernel holds after loading, in load order (each filter list in kernel order),
    /// each with provenance. Masks and fields are in the kernel's stored form.
    public var rules: [KernelRule]
    /// In augenrules order: the last `-b`, the last `-f`, the others in source order, the last `-e`.
    public var settings: [CompiledSetting]
    /// A bare `-D` was given: the output starts by deleting every loaded rule.
    public var deleteAll: Bool
    /// `-D -k KEY` requests that still matter after compilation, in source order.
    public var deleteKeys: [Located<RulesText>]
    /// `-c` / `-i` lines of the input, in source order.
    public var loaderOptions: [LoaderOption]
    /// Diagnostics of the compilation itself (the RuleFile's own diagnostics are not repeated).
    public var diagnostics: [Diagnostic]
    /// Rules and watches skipped because the kernel already held the same rule, in source order.
    public var repeated: [RepeatedRule] = []
    /// `.asLoaded`: the loader's refusals and the names it takes that the kernel lacks, in source order.
    public var loaderVerdicts: [LoaderVerdict] = []

    public init(rules: [KernelRule] = [], settings: [CompiledSetting] = [], deleteAll: Bool = false,
                deleteKeys: [Located<RulesText>] = [], loaderOptions: [LoaderOption] = [], diagnostics: [Diagnostic] = []) {
        self.rules = rules
        self.settings = settings
        self.deleteAll = deleteAll
        self.deleteKeys = deleteKeys
        self.loaderOptions = loaderOptions
        self.diagnostics = diagnostics
    }

    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
}
