import Foundation
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

    /// Why no command can answer for this target: the loader cannot load rules for the machine,
    /// or the kernel release is outside the tables. nil when the target is covered.
    public var unsupportedReason: String? {
        let loader = auditVersion.loader
        if !loader.knows(machine) {
            let first = AuditVersion.allCases.first { $0.loader.knows(machine) }
            return "audit \(auditVersion) cannot load rules for \(machine) (its libaudit does not know the machine"
                + (first.map { "; known from audit \($0)" } ?? "") + ")"
        }
        guard let abi = machine.b64 ?? machine.b32, let info = database.info(abi) else {
            return "the tables have no ABI for machine \(machine)"
        }
        if kernel < info.first || kernel > database.newestRelease {
            return "kernel \(kernel) is outside the tables for \(machine) (\(abi): \(info.first) to \(info.last ?? database.newestRelease))"
        }
        return nil
    }

    /// The ABIs an arch-less syscall rule expands to, 64-bit first.
    public var expansionABIs: [ABI] {
        let pair = abis
        return [pair.b64, pair.b32].compactMap { $0 }
    }
}

/// Facts about the machine this process runs on, for `--machine host`.
public enum HostSystem {
    /// `uname -m` and `uname -r`.
    public static func uname() -> (machine: String, release: String) {
        var u = utsname()
        Foundation.uname(&u)
        func field<T>(_ value: T) -> String {
            withUnsafeBytes(of: value) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
        }
        return (field(u.machine), field(u.release))
    }

    /// The installed libaudit's release (its data: see `AuditVersion(loose:)`), from the dpkg
    /// database; nil when it cannot be told or is older than every shipped release.
    /// A byte search, not a split into lines: the file is ~600 kB and this runs on every compile
    /// and every periodic check.
    public static func libauditVersion(dpkgStatus: String = "/var/lib/dpkg/status") -> AuditVersion? {
        guard let data = FileManager.default.contents(atPath: dpkgStatus) else { return nil }
        return data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> AuditVersion? in
            guard let base = raw.baseAddress else { return nil }
            /// Offset of the first `needle` at or after `from`, by memchr and memcmp (Data.range(of:)
            /// took ~1.5 ms here).
            func find(_ needle: String, from: Int) -> Int? {
                let n = Array(needle.utf8)
                var at = from
                while at + n.count <= raw.count {
                    guard let hit = memchr(base + at, Int32(n[0]), raw.count - n.count + 1 - at) else { return nil }
                    at = UnsafeRawPointer(hit) - base
                    if memcmp(base + at, n, n.count) == 0 { return at }
                    at += 1
                }
                return nil
            }
            let stanza = "Package: libaudit1\n"
            let packageEnd: Int
            if raw.starts(with: stanza.utf8) {
                packageEnd = stanza.utf8.count
            } else if let at = find("\n" + stanza, from: 0) {
                packageEnd = at + 1 + stanza.utf8.count
            } else {
                return nil
            }
            guard let version = find("\nVersion: ", from: packageEnd - 1) else { return nil }
            // The next stanza must not have started before the Version line.
            if let next = find("\n\n", from: packageEnd - 1), next < version { return nil }
            var start = version + "\nVersion: ".utf8.count
            var end = start
            while end < raw.count && raw[end] != 0x0A { end += 1 }
            if let colon = (start ..< end).first(where: { raw[$0] == UInt8(ascii: ":") }) { start = colon + 1 }
            var versionEnd = start
            while versionEnd < end && (raw[versionEnd] == UInt8(ascii: ".") || (raw[versionEnd] >= 0x30 && raw[versionEnd] <= 0x39)) { versionEnd += 1 }
            return AuditVersion(loose: String(decoding: UnsafeRawBufferPointer(rebasing: raw[start ..< versionEnd]), as: UTF8.self))
        }
    }

    /// The default loader: the installed libaudit's release, else the newest one aurules knows.
    public static let installedOrNewestLoader: AuditVersion = libauditVersion() ?? .newest

    /// Whether `path` is a directory on this host (auditctl's stat() for `-w`).
    public static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        guard stat(path, &st) == 0 else { return false }
        return (st.st_mode & S_IFMT) == S_IFDIR
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
    public var deleteKeys: [Located<String>]
    /// `-c` / `-i` lines of the input, in source order.
    public var loaderOptions: [LoaderOption]
    /// Diagnostics of the compilation itself (the RuleFile's own diagnostics are not repeated).
    public var diagnostics: [Diagnostic]

    public init(rules: [KernelRule] = [], settings: [CompiledSetting] = [], deleteAll: Bool = false,
                deleteKeys: [Located<String>] = [], loaderOptions: [LoaderOption] = [], diagnostics: [Diagnostic] = []) {
        self.rules = rules
        self.settings = settings
        self.deleteAll = deleteAll
        self.deleteKeys = deleteKeys
        self.loaderOptions = loaderOptions
        self.diagnostics = diagnostics
    }

    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
}
