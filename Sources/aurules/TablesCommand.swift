import ArgumentParser
import AuditRules
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Syscalls

struct TablesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tables",
        abstract: "Inspect and extend the versioned syscall tables.",
        subcommands: [TablesImportCommand.self, TablesExportCommand.self, TablesGenerateCommand.self, TablesLoaderCommand.self,
                      TablesEmbedCommand.self]
    )
}

struct TablesImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Merge one ABI's syscall table at one kernel release into a tables directory.",
        discussion: """
        Reads the table from a kernel source tree (the arch's .tbl file; asm-generic/unistd.h for \
        aarch64/riscv64 before 6.11, scripts/syscall.tbl plus the arch's Makefile.syscalls after), \
        from installed uapi headers (the include directory holding asm/unistd_*.h), or from a plain \
        list of `name number` lines. Rows are extended, opened for new numbers or renames, and \
        closed when the release no longer has them. A missing directory is created.

        Examples:
          aurules tables export ~/tables
          aurules tables import --abi x86_64 --release 7.3 --kernel-tree ~/linux --into ~/tables
          aurules tables import --abi aarch64 --release 6.1 --headers /usr/aarch64-linux-gnu/include --into ~/tables
          aurules syscall --tables ~/tables --kernel 7.3 x86_64 newcall
        """
    )

    @Option(help: "ABI to import: \(ABI.allCases.map(\.rawValue).joined(separator: ", ")).")
    var abi: String

    @Option(help: "The kernel release the source is (X.Y or X.Y-rcN).")
    var release: String

    @Option(name: .customLong("kernel-tree"), help: ArgumentHelp("Kernel source tree.", valueName: "DIR"))
    var kernelTree: String?

    @Option(help: ArgumentHelp("Installed uapi include directory (holding asm/).", valueName: "DIR"))
    var headers: String?

    @Option(help: ArgumentHelp("File of `name number` lines ('-' for stdin).", valueName: "FILE"))
    var list: String?

    @Option(help: ArgumentHelp("Tables directory to merge into.", valueName: "DIR"))
    var into: String

    @Option(help: "Output format: text or json.")
    var format: SyscallCommand.OutputFormat = .text

    func run() throws {
        guard let abi = ABI(rawValue: abi.lowercased()) else {
            throw ValidationError("unknown ABI '\(self.abi)'; one of \(ABI.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let release = KernelVersion(release) else { throw ValidationError("bad release '\(self.release)'") }
        let sources = [kernelTree, headers, list].compactMap { $0 }
        guard sources.count == 1 else { throw ValidationError("give exactly one of --kernel-tree, --headers, --list") }
        let table: [Int: String]
        do {
            if let kernelTree {
                table = try KernelSources.fromKernelTree(kernelTree, abi: abi, release: release)
            } else if let headers {
                table = try KernelSources.fromHeaders(headers, abi: abi)
            } else {
                guard case .success(let bytes) = InputFile.read(list!) else { throw KernelSources.ImportError("cannot read \(list!)") }
                table = try KernelSources.fromList(String(decoding: bytes, as: UTF8.self),
                                                   file: list == "-" ? "<stdin>" : list!, abi: abi)
            }
        } catch {
            StandardError.print("aurules tables import: \(error)")
            throw ExitCode.inputError
        }
        guard !table.isEmpty else {
            StandardError.print("aurules tables import: no syscalls found for \(abi) in \(sources[0])")
            throw ExitCode.inputError
        }
        let (changes, count) = try merge(table, abi: abi, release: release)
        if format == .json {
            let object: [String: Any] = ["abi": abi.rawValue, "release": release.description, "syscalls": count,
                                         "changes": changes.map { ["kind": $0.kind.rawValue, "number": $0.number, "name": $0.name] }]
            StandardOutput.print(JSONText.render(object) ?? "{}")
        } else {
            let n = { (k: TableMerge.Change.Kind) in changes.filter { $0.kind == k }.count }
            StandardOutput.print("\(abi) at \(release): \(count) syscalls; \(n(.added)) added, \(n(.extended)) extended, \(n(.removed)) closed")
            for c in changes where c.kind != .extended { StandardOutput.print("  \(c)") }
        }
    }

    private func merge(_ table: [Int: String], abi: ABI, release: KernelVersion) throws -> ([TableMerge.Change], Int) {
        let fm = FileManager.default
        let abisPath = into + "/abis.tsv", rowsPath = into + "/\(abi.rawValue).tsv"
        var isDirectory = false
        if fm.fileExists(atPath: into, isDirectory: &isDirectory), !isDirectory {
            StandardError.print("aurules tables import: \(into): not a directory")
            throw ExitCode.inputError
        }
        do {
            var infos = try fm.fileExists(atPath: abisPath) ? TableText.abis(String(contentsOfFile: abisPath, encoding: .utf8), file: abisPath) : []
            let rows = try fm.fileExists(atPath: rowsPath) ? TableText.rows(String(contentsOfFile: rowsPath, encoding: .utf8), file: rowsPath, abi: abi) : []
            let existing = infos.first { $0.abi == abi }
            var merge = TableMerge(rows: rows)
            merge.merge(table, at: release, newest: rows.isEmpty ? nil : existing?.newest)
            var info = existing ?? SyscallDatabase.shipped.info(abi) ?? ABIInfo(
                abi: abi, auditArch: abi.auditArch, bits: abi.bits, machines: [], partner32: nil,
                first: release, last: nil, newest: release, source: "")
            if existing == nil { info.first = release; info.newest = release; info.last = nil; info.source = "aurules tables import" }
            info.first = min(info.first, release)
            info.newest = max(info.newest, release)
            infos.removeAll { $0.abi == abi }
            infos.append(info)
            infos.sort { ABI.allCases.firstIndex(of: $0.abi)! < ABI.allCases.firstIndex(of: $1.abi)! }
            let rowsText = TableText.render(merge.rows), abisText = TableText.render(infos)
            // Nothing is written that a later `--tables` would reject.
            _ = try SyscallDatabase(directory: into, replacing: [abi.rawValue + ".tsv": rowsText, "abis.tsv": abisText])
            try fm.createDirectory(atPath: into, withIntermediateDirectories: true)
            try OutputFile.write(rowsText, to: rowsPath)
            try OutputFile.write(abisText, to: abisPath)
            return (merge.changes, table.count)
        } catch {
            // A broken table names its file and line; anything else (a file where the directory
            // should be, an unreadable or unwritable file) its path and reason.
            StandardError.print("aurules tables import: " + (error is TableFormatError ? "\(error)" : "\(into): \(describe(error))"))
            throw ExitCode.inputError
        }
    }
}

struct TablesExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the built-in syscall tables to a directory, to extend them with `tables import`.",
        discussion: "Example:\n  aurules tables export ~/tables"
    )

    @Argument(help: ArgumentHelp("Directory to write (created when missing).", valueName: "DIR"))
    var directory: String

    @Option(help: "Output format: text or json.")
    var format: SyscallCommand.OutputFormat = .text

    func run() throws {
        let db = SyscallDatabase.shipped
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            for name in db.fileNames {
                try OutputFile.write(db.fileText(name) ?? "", to: directory + "/" + name)
            }
        } catch {
            StandardError.print("aurules tables export: \(directory): \(describe(error))")
            throw ExitCode.inputError
        }
        if format == .json {
            let object: [String: Any] = ["directory": directory, "files": db.fileNames]
            StandardOutput.print(JSONText.render(object) ?? "{}")
        } else {
            StandardOutput.print("wrote \(db.fileNames.count) files to \(directory)")
        }
    }
}
