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
        // --check compares standard input's own text with its canonical form: read it here, once.
        var stdinText: RulesText?
        if (check || diff) && paths.contains("-") {
            switch InputFile.read("-") {
            case .success(let bytes): stdinText = RulesText(bytes)
            case .failure(let f):
                StandardError.print("aurules fmt: cannot read standard input: \(f.reason)")
                throw ExitCode.inputError
            }
        }
        var options = ParseOptions(resolver: nil)
        // fmt rewrites text and loads nothing: a file's owner is lint's and compile's concern.
        options.unsafePermissions = .warning
        // Each input is formatted on its own, in the order given: `fmt A B` is fmt A then fmt B
        // (one input read twice is printed twice, not interleaved line by line).
        let files = (stdinText == nil ? paths : paths.filter { $0 != "-" }).map { Self.formatted($0, options: options) }
        let stdinFile = stdinText.map { RuleParser.parse(text: $0, file: "<stdin>", options: options) }
        let errors = (files.flatMap(\.diagnostics) + (stdinFile?.diagnostics ?? [])).filter { $0.severity == .error }
        if !errors.isEmpty {
            let shown = limit.apply(errors)
            StandardError.print(DiagnosticRenderer.text(shown).trimming(where: \.isLineBreak))
            if format == .json { StandardOutput.print(DiagnosticRenderer.json(shown)) }
            throw ExitCode.inputError
        }
        let text: RulesText
        if files.count == 1 {
            text = files[0].text
        } else {
            var joined: [UInt8] = []
            for f in files { f.text.withBytes { joined.append(contentsOf: $0) } }
            text = RulesText(joined)
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
                let new = Self.formatted(path, options: ParseOptions(resolver: nil)).text
                if case .success(let data) = InputFile.read(path) {
                    let old = RulesText(data)
                    if old != new { report(path, old, new) }
                }
            }
            if let stdinText, let stdinFile, stdinText != RuleFormatter.format(stdinFile) {
                report("-", stdinText, RuleFormatter.format(stdinFile))
            }
            if changed { throw ExitCode.findings }
            return
        }
        let rendered: RulesText
        switch format {
        case .text: rendered = text
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            rendered = RulesText(ControlCharacters.inertJSON(try encoder.encode(["formatted": text])) + "\n")
        }
        if let output = OutputFile.path(output) {
            do { try OutputFile.write(rendered, to: output) } catch {
                StandardError.print("aurules fmt: cannot write \(output): \(describe(error))")
                throw ExitCode.inputError
            }
        } else {
            StandardOutput.write(rendered)
        }
    }
}

extension FmtCommand {
    /// One input formatted, with its diagnostics: a file, pipe or standard input a chunk of lines
    /// at a time (its syntax tree is never whole in memory), a directory whole.
    static func formatted(_ path: String, options: ParseOptions) -> (text: RulesText, diagnostics: [Diagnostic]) {
        if RuleInputs.readsInChunks(path), let streamed = RuleFormatter.format(path: path, options: options) {
            return streamed
        }
        let file = RuleInputs.load(paths: [path], options: options)
        return (RuleFormatter.format(file), file.diagnostics)
    }
}

enum FmtFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}
