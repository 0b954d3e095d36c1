import ArgumentParser
import AuditKernel
import AuditRules
import Foundation
import Syscalls

/// One `aurules check`: compile the files, read the kernel (or a saved listing), compare.
struct CheckRun {
    let options: CheckCommand

    struct Result {
        var report: DriftReport
        var rendered: String
        var warnings: [String]
    }

    func perform() throws -> Result {
        // The kernel's list takes longer than anything else here: ask for it before anything else.
        let kernelRead = options.loaded == nil ? (KernelRead.takePrefetched() ?? KernelRead.start()) : nil
        let compileTarget: CompileTarget
        do {
            compileTarget = try CompileTarget.resolve(options.target.request(watchKind: WatchKind(rawValue: options.watchKind) ?? .auto))
        } catch { throw CheckFailure(error.message) }
        let (machine, kernel, auditVersion, database) = (compileTarget.machine, compileTarget.kernel,
                                                         compileTarget.auditVersion, compileTarget.database)
        let parseOptions = compileTarget.parseOptions
        var warnings: [String] = []

        let paths = options.paths.isEmpty ? CheckRun.defaultPaths() : options.paths
        let source = RuleInputs.load(paths: paths, options: parseOptions)
        let compiled = Compiler(target: compileTarget).compile(source)

        // The kernel's answer first: without access, that is what the operator needs to hear about.
        let actual: [KernelRule]
        let status: AuditStatus?
        let against: String
        if let loaded = options.loaded {
            let text = try CheckRun.readText(loaded, what: "the saved listing")
            // auditctl -l ends every line: a last line without its newline was cut short, and the
            // rest of it would be compared as a rule nobody wrote.
            if let last = text.utf8.last, last != 0x0A {
                throw CheckFailure("the saved listing \(loaded) is damaged: its last line ends without a newline (truncated?); "
                                   + "save it again with `auditctl -l`")
            }
            let recovered = SavedListing.recoveringArchlessSyscalls(SavedListing.loadableText(text), machine: machine,
                                                                   database: database, auditVersion: auditVersion)
            let listing = RuleParser.parse(text: recovered.text, file: loaded, options: parseOptions)
            let listed = Compiler(target: compileTarget).compile(listing)
            try requireNoErrors(CheckRun.diagnostics(listing, listed), in: "the saved listing", warnings: &warnings)
            if !recovered.lines.isEmpty {
                warnings.append("\(loaded): \(recovered.lines.count) arch-less syscall rule\(recovered.lines.count == 1 ? "" : "s") (line "
                                + recovered.lines.prefix(5).map(String.init).joined(separator: ", ") + (recovered.lines.count > 5 ? ", ..." : "")
                                + ") read as auditctl 3.0.9 lists them, by the table of the last arch listed before; "
                                + "if another auditctl made the listing, give its --audit-version")
            }
            let doubtful = !auditVersion.isAudit4 ? [] : ExpectedRules.untrustworthyListingLines(listing)
            if !doubtful.isEmpty {
                warnings.append("\(loaded): \(doubtful.count) arch-less syscall rule\(doubtful.count == 1 ? "" : "s"): their syscall "
                                + "names in a listing may come from another ABI's table, so this comparison is approximate")
            }
            // The kernel held each arch-less listed rule as one rule without arch.
            actual = ExpectedRules.adapt(listed.rules, source: listing, machine: machine, kernelRules: [])
            if let statusPath = options.status {
                let statusText = try CheckRun.readText(statusPath, what: "the saved status")
                do { status = try AuditStatus(auditctlStatus: statusText) } catch { throw CheckFailure("\(statusPath): \(error)") }
            } else {
                status = nil
            }
            against = "the saved listing \(loaded)"
        } else if let kernelRead {
            (actual, status) = try kernelRead.wait()
            against = "the running kernel"
        } else {
            throw CheckFailure("no kernel to read")
        }
        try requireNoErrors(CheckRun.diagnostics(source, compiled), in: "the rules files", warnings: &warnings)

        let expected = ExpectedRules.adapt(compiled.rules, source: source, machine: machine, kernelRules: actual)
        let settings = compiled.settings.map { DesiredSetting(setting: $0.setting, provenance: $0.provenance) }
        let report = DriftReport.compare(expected: expected, actual: actual, settings: settings, status: status)
        let formatter = DriftFormatter(machine: machine, kernel: kernel, auditVersion: auditVersion, database: database)
        let subject = "\(paths.joined(separator: " ")) (\(machine), kernel \(kernel)) against \(against)"

        let rendered: String
        if options.plan {
            let writer = RulesFileWriter(target: compileTarget)
            let commands = ReconcilePlan.commands(expected: expected, actual: actual, report: report, render: writer.line(for:))
            rendered = commands.isEmpty ? "# nothing to do: the kernel matches the files\n" : commands.joined(separator: "\n") + "\n"
        } else {
            switch options.format {
            case .text: rendered = formatter.text(report, subject: subject)
            case .json: rendered = formatter.json(report, subject: subject, warnings: warnings)
            case .prometheus: rendered = DriftFormatter.prometheus(report, timestamp: Date().timeIntervalSince1970)
            }
        }
        KeptUntilExit.keep((source, compiled, actual, expected))
        return Result(report: report, rendered: rendered, warnings: warnings)
    }

    /// A file, a pipe or `-` for standard input (`ssh web1 auditctl -l | aurules check --loaded -`).
    /// A device (/dev/zero would be read forever) or a directory is refused.
    static func readText(_ path: String, what: String) throws -> String {
        switch InputFile.read(path) {
        case .success(let bytes): return String(decoding: bytes, as: UTF8.self)
        case .failure(let f): throw CheckFailure("cannot read \(what) \(path): \(f.reason)")
        }
    }

    static func defaultPaths() -> [String] {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: "/etc/audit/rules.d", isDirectory: &isDirectory), isDirectory.boolValue {
            return ["/etc/audit/rules.d"]
        }
        return ["/etc/audit/audit.rules"]
    }

    /// The compiler reports again some values the parser refused (an unknown user): after parse
    /// errors only the parser's diagnostics count, as `aurules compile` prints them.
    static func diagnostics(_ parsed: RuleFile, _ compiled: CompileResult) -> [Diagnostic] {
        parsed.diagnostics.contains { $0.severity == .error } ? parsed.diagnostics : parsed.diagnostics + compiled.diagnostics
    }

    /// A check against rules that do not compile would report drift that is not there.
    private func requireNoErrors(_ diagnostics: [Diagnostic], in what: String, warnings: inout [String]) throws {
        let errors = diagnostics.filter { $0.severity == .error }
        guard errors.isEmpty else {
            for d in errors { StandardError.print(DiagnosticRenderer.text(d)) }
            throw CheckFailure("\(errors.count) error\(errors.count == 1 ? "" : "s") in \(what); fix them first (aurules lint shows every problem)")
        }
        let count = diagnostics.filter { $0.severity == .warning }.count
        if count > 0 { warnings.append("\(count) warning\(count == 1 ? "" : "s") in \(what) (aurules lint shows them)") }
    }
}
