/// The release of aurules and of the data built into it: what `aurules --version` prints and what
/// SARIF, JSON outputs and compiled files record, so a report says which tables judged the rules.
public enum ProductVersion {
    /// The aurules release (scripts/package-deb names the package after it).
    public static let aurules = "0.1.0"

    /// The built-in syscall tables: kernel releases covered, ABIs, and a digest of their text
    /// (two builds with different table rows differ here even when the releases are the same).
    public static var tables: String {
        let infos = SyscallDatabase.shipped.abiInfos
        let first = infos.map(\.first).min().map(\.description) ?? "?"
        let newest = infos.map(\.newest).max().map(\.description) ?? "?"
        return "kernel \(first) to \(newest), \(infos.count) ABIs, data \(tablesDigest)"
    }

    /// The audit-userspace releases whose libaudit name tables and loader rules are built in.
    public static var loaders: [String] { AuditVersion.allCases.map(\.rawValue) }

    /// FNV-1a (64 bit) of every embedded table file, names included, as 16 hex digits: every
    /// compiled file's header and `--version` name it. Computed when the tables were embedded
    /// (`EmbeddedTablesSource.digest`): hashing their megabyte took most of `aurules --version`.
    public static var tablesDigest: String { EmbeddedTables.digest }

    /// The three lines of `aurules --version`.
    public static var text: String {
        "aurules \(aurules)\nsyscall tables: \(tables)\nloader data: audit-userspace \(loaderList)\n"
    }

    /// One line for the header of compiled files.
    public static var oneLine: String {
        "aurules \(aurules) (tables \(tablesDigest); loader data \(loaderList))"
    }

    /// `loaders` joined by ", ", in a loop: `joined(separator:)` made the runtime look up a
    /// protocol conformance through every one in the binary, on the path of `aurules --version`.
    private static var loaderList: String {
        var list = ""
        for release in loaders { list += list.isEmpty ? release : ", " + release }
        return list
    }
}

extension ProductVersion {
    /// The `aurules` object of JSON outputs.
    public struct Info: Codable, Hashable, Sendable {
        public var version: String
        public var tables: String
        public var loaders: [String]
    }

    public static var json: Info { Info(version: aurules, tables: tables, loaders: loaders) }
}
