import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import Syscalls

/// `aurules tables loader`: the facts of one audit-userspace release, from its source tree.
struct TablesLoaderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loader",
        abstract: "Extract one audit-userspace release's loader facts into a tables directory.",
        discussion: """
        Reads lib/*_table.h, lib/machinetab.h, lib/lookup_table.c, lib/libaudit.c, the other \
        lib/*tab.h name tables and src/auditctl.c of an audit-userspace source tree and writes \
        libaudit-RELEASE.tsv (syscall names per ABI) and loader-RELEASE.tsv (machines, -F arch bits, \
        fields with their kinds, lists and operators, the exclude list's field set, filter lists, \
        actions, operators, io_uring operations, message types, errno and fs-type names, refusal \
        texts), each naming its source.

        Examples:
          git -C audit-userspace archive v3.1.2 lib src | tar -x -C /tmp/audit-3.1.2
          aurules tables loader --audit-tree /tmp/audit-3.1.2 --release 3.1.2 --into SyscallTables
          aurules tables embed SyscallTables Sources/Syscalls/EmbeddedTables.swift
        """
    )

    @Option(name: .customLong("audit-tree"), help: ArgumentHelp("audit-userspace source tree (holding lib/).", valueName: "DIR"))
    var tree: String

    @Option(help: "The release the tree is (2.8.5, 3.0.9, 4.2.1, ...).")
    var release: String

    @Option(help: "The tag the tree was taken from, for the provenance line (default: vRELEASE).")
    var tag: String?

    @Option(help: ArgumentHelp("Tables directory to write into.", valueName: "DIR"))
    var into: String

    func run() throws {
        guard release.split(separator: ".").allSatisfy({ Int($0) != nil }), !release.isEmpty else {
            throw ValidationError("bad release '\(release)': expected digits and dots")
        }
        do {
            let (libaudit, loader) = try LoaderSources.render(tree: tree, release: release, tag: tag ?? "v\(release)")
            try FileManager.default.createDirectory(atPath: into, withIntermediateDirectories: true)
            try OutputFile.write(libaudit, to: into + "/libaudit-\(release).tsv", newFileMode: 0o644)
            try OutputFile.write(loader, to: into + "/loader-\(release).tsv", newFileMode: 0o644)
        } catch {
            StandardError.print("aurules tables loader: \(error)")
            throw ExitCode.inputError
        }
    }
}

/// `aurules tables generate`: the kernel tables of SyscallTables/ from ../shared/syscall-data.
struct TablesGenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Regenerate the kernel tables (<abi>.tsv, abis.tsv, equivalents.tsv) from the syscall data set.",
        discussion: """
        Reads the kernel 6.1 headers, hrw/syscalls-table snapshots, the per-release tables of \
        mebeim/linux-syscalls and libseccomp's kernel-version columns (the layout of \
        ../shared/syscall-data, see its MANIFEST.txt) with the readers of `tables import`, and \
        writes each ABI's versioned table, abis.tsv and equivalents.tsv. The loader files come \
        from `tables loader`, the embedded copy from `tables embed`.

        Examples:
          aurules tables generate --data ../shared/syscall-data --into SyscallTables
          aurules tables generate --check
          aurules tables embed SyscallTables Sources/Syscalls/EmbeddedTables.swift
        """
    )

    @Option(help: ArgumentHelp("The syscall data set.", valueName: "DIR"))
    var data = "../shared/syscall-data"

    @Option(help: ArgumentHelp("Tables directory to write.", valueName: "DIR"))
    var into = "SyscallTables"

    @Flag(help: "Write nothing; exit 1 when a file in the tables directory differs from what would be written.")
    var check = false

    @Flag(help: "Also list the rows taken to predate an ABI's first release for want of any date.")
    var verbose = false

    func run() throws {
        let output: TableGenerator.Output
        do {
            output = try TableGenerator.generate(data: data)
        } catch {
            StandardError.print("aurules tables generate: \(error)")
            throw ExitCode.inputError
        }
        let stale = TableGenerator.stale(output, in: into)
        if check {
            if !stale.isEmpty {
                StandardError.print("aurules tables generate: out of date in \(into): \(stale.joined(separator: ", "))")
                throw ExitCode.findings
            }
        } else {
            do {
                try FileManager.default.createDirectory(atPath: into, withIntermediateDirectories: true)
                for name in stale {
                    try OutputFile.write(output.files[name]!, to: into + "/" + name, newFileMode: 0o644)
                }
            } catch {
                StandardError.print("aurules tables generate: \(into): \(describe(error))")
                throw ExitCode.inputError
            }
        }
        StandardOutput.print("\(output.files.count) files, \(stale.count) \(check ? "stale" : "written")")
        if verbose {
            for (abi, start, names) in output.inferred {
                StandardOutput.print("\(abi): \(names.count) rows undated before the per-release data, taken from \(start): \(names.joined(separator: ", "))")
            }
        }
    }
}

/// `aurules tables embed`: the Swift source that compiles a tables directory into the binary.
struct TablesEmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Write the Swift source embedding a tables directory (Sources/Syscalls/EmbeddedTables.swift).",
        discussion: """
        Examples:
          aurules tables embed SyscallTables Sources/Syscalls/EmbeddedTables.swift
          aurules tables embed --check SyscallTables Sources/Syscalls/EmbeddedTables.swift
        """
    )

    @Argument(help: ArgumentHelp("Tables directory.", valueName: "DIR"))
    var directory: String

    @Argument(help: ArgumentHelp("Swift file to write.", valueName: "FILE"))
    var output: String

    @Flag(help: "Write nothing; exit 1 when FILE differs from what would be written.")
    var check = false

    func run() throws {
        let text: String
        do {
            text = try EmbeddedTablesSource.render(directory: directory)
        } catch {
            StandardError.print("aurules tables embed: \(error)")
            throw ExitCode.inputError
        }
        if check {
            // Only a regular file is read (a FIFO would block the read): anything else differs.
            var info = stat()
            let regular = stat(output, &info) == 0 && info.st_mode & S_IFMT == S_IFREG
            let old = regular ? FileManager.default.contents(atPath: output).map { String(decoding: $0, as: UTF8.self) } : nil
            if old != text {
                StandardError.print("aurules tables embed: \(output) is not the embedding of \(directory)")
                throw ExitCode.findings
            }
            return
        }
        do {
            try OutputFile.write(text, to: output, newFileMode: 0o644)
        } catch {
            StandardError.print("aurules tables embed: \(output): \(describe(error))")
            throw ExitCode.inputError
        }
    }
}
