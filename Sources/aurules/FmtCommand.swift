import ArgumentParser
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

struct FmtCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fmt",
        abstract: "Print audit rules in their canonical, loadable form.",
        discussion: """
        One statement per line, single spaces, ACTION,LIST order, each rule's -S merged into one \
        comma list, keys last as -k, `\\ ` escapes kept, comments kept, runs of blank lines \
        collapsed. The output loads into the kernel exactly like the input, and formatting it again \
        changes nothing. A directory is formatted as augenrules would merge it.

        Inputs with errors are not formatted: their diagnostics go to standard error (exit 2).

        Examples:
          aurules fmt /etc/audit/rules.d/30-stig.rules
          aurules fmt -o /etc/audit/rules.d/30-stig.rules /etc/audit/rules.d/30-stig.rules
          aurules fmt --check rules/*.rules     # lists the files that would change; exit 1 if any
          aurules fmt --diff rules.d | patch -p0   # a unified diff of what fmt would change
        """)

    @Argument(help: "Rules files, rules.d directories, or - for standard input.", completion: .file())
    var paths: [String]

    @Option(name: .shortAndLong, help: "Write the result to this file (atomically) instead of standard output; - for standard output.", completion: .file())
    var output: String?

    @Option(help: "Output format: text or json.")
    var format: FmtFormat = .text

    @OptionGroup var limit: DiagnosticLimitOption

    @Flag(help: "List the files that would change, one per line, and nothing else; exit 1 when there is one.")
    var check = false

    @Flag(help: "Print a unified diff of each file that would change; exit 1 when there is one.")
    var diff = false

    func validate() throws {
        if check && diff { throw ValidationError("--check and --diff cannot be combined") }
        if (check || diff) && output != nil { throw ValidationError("--check and --diff write nothing: -o does not apply") }
    }

    func run() throws {
        var options = ParseOptions(resolver: nil)
        // fmt rewrites text and loads nothing: a file's owner is lint's and compile's concern.
        options.unsafePermissions = .warning
        // --check and --diff compare standard input's own text with its canonical form: it is
        // read here, once, a chunk at a time.
        let stdin = (check || diff) && paths.contains("-") ? try Self.checkStandardInput(options: options, keepsTexts: diff) : nil
        // Each input is formatted on its own, in the order given: `fmt A B` is fmt A then fmt B
        // (one input read twice is printed twice, not interleaved line by line).
        // --check and --diff keep only the diagnostics: each file is formatted again below.
        var texts: [RulesText] = [], diagnostics: [Diagnostic] = []
        for path in stdin == nil ? paths : paths.filter({ $0 != "-" }) {
            let formatted = Self.formatted(path, options: options)
            diagnostics += formatted.diagnostics
            if !(check || diff) { texts.append(formatted.text) }
        }
        let errors = (diagnostics + (stdin?.diagnostics ?? [])).filter { $0.severity == .error }
        if !errors.isEmpty {
            let shown = limit.apply(errors)
            StandardError.print(DiagnosticRenderer.text(shown).trimming(where: \.isLineBreak))
            if format == .json { StandardOutput.print(DiagnosticRenderer.json(shown)) }
            throw ExitCode.inputError
        }
        if check || diff {
            var changed = false
            func report(_ name: String, _ old: RulesText, _ new: RulesText) {
                changed = true
                if check {
                    StandardOutput.print(ControlCharacters.escaped(name))
                } else {
                    let shown = ControlCharacters.escaped(name)
                    StandardOutput.write(UnifiedDiff.render(old: old, new: new, oldName: shown, newName: shown))
                }
            }
            // A directory is checked file by file: each of its *.rules files must be canonical.
            var files: [String] = []
            for path in paths where path != "-" {
                var isDirectory = false
                if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory {
                    let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
                    files += names.filter { $0.hasSuffix(".rules") }.sorted().map { appendingPathComponent(path, $0) }
                } else {
                    files.append(path)
                }
            }
            for path in files {
                // What cannot be read is not reported (its error was, above).
                if case .success(let c) = Self.compareWithCanonical(path, options: ParseOptions(resolver: nil), keepsTexts: diff), c.changed {
                    report(path, c.old, c.new)
                }
            }
            if let stdin, stdin.changed { report("-", stdin.old, stdin.new) }
            if changed { throw ExitCode.findings }
            return
        }
        // Each input's text in turn: the inputs are never joined into one more copy.
        let produce: ((UnsafeRawBufferPointer) -> Void) throws -> Void
        switch format {
        case .text: produce = { emit in for t in texts { t.withBytes { emit(UnsafeRawBufferPointer($0)) } } }
        case .json:
            var joined: [UInt8] = []
            for t in texts { t.withBytes { joined.append(contentsOf: $0) } }
            texts = []
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let rendered = RulesText(ControlCharacters.inertJSON(try encoder.encode(["formatted": RulesText(joined)])) + "\n")
            produce = { emit in rendered.withBytes { emit(UnsafeRawBufferPointer($0)) } }
        }
        if let output = OutputFile.path(output) {
            do { try OutputFile.write(to: output, produce) } catch {
                StandardError.print("aurules fmt: cannot write \(output): \(describe(error))")
                throw ExitCode.inputError
            }
        } else {
            try produce(StandardOutput.write)
        }
    }
}

extension FmtCommand {
    /// One input formatted, with its diagnostics: a file, pipe or standard input a chunk of lines
    /// at a time (its syntax tree is never whole in memory), a directory file by file as
    /// augenrules merges it.
    static func formatted(_ path: String, options: ParseOptions) -> (text: RulesText, diagnostics: [Diagnostic]) {
        switch RuleInputs.kind(of: path) {
        case .stream: if let streamed = RuleFormatter.format(path: path, options: options) { return streamed }
        case .directory: return RuleFormatter.format(directory: DirectoryMerge(path: path, options: options))
        case .missing: break
        }
        let file = RuleInputs.load(paths: [path], options: options)
        return (RuleFormatter.format(file), file.diagnostics)
    }
}

enum FmtFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}
