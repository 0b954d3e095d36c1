import ArgumentParser
import AuditKernel
import AuditRules
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Syscalls

/// One `aurules check`: gathers the files, the target and the kernel's rules (or a saved
/// listing), lets `DriftCheck` compare them and renders the outcome.
struct CheckRun {
    let options: CheckCommand
    /// A read of the kernel started before the arguments were parsed, if any.
    let kernelRead: KernelRead?

    struct Result {
        var report: DriftReport
        /// Writes the report or the plan (whose commands carry the rules' bytes) to its argument,
        /// a piece of whole lines at a time, each piece made as it is written.
        var render: (_ emit: (UnsafeRawBufferPointer) -> Void) throws -> Void
        var warnings: [String]
    }

    func perform() throws -> Result {
        // The kernel's list takes longer than anything else here: ask for it before anything else.
        let kernelRead = options.loaded == nil ? (self.kernelRead ?? KernelRead()) : nil
        let target: CompileTarget
        do {
            target = try CompileTarget.resolve(options.target.request(watchKind: WatchKind(rawValue: options.watchKind) ?? .auto))
        } catch { throw CheckFailure(error.message) }
        let paths = options.paths.isEmpty ? CheckRun.defaultPaths() : options.paths
        var parseOptions = target.parseOptions
        parseOptions.unsafePermissions = options.allowUnsafePermissions ? .warning : .error
        // Files, rules.d directories, pipes and standard input are compiled a chunk of lines at
        // a time (as `compile` does); `check - -` is read whole (DriftCheck).
        let check = DriftCheck(paths: paths, options: parseOptions, target: target)
            ?? DriftCheck(source: RuleInputs.load(paths: paths, options: parseOptions), target: target)

        // The kernel's answer first: without access, that is what the operator needs to hear about.
        let loaded: DriftCheck.Loaded
        if let name = options.loaded {
            // Read a block at a time while it is compiled: a saved listing can be hundreds of MB.
            let descriptor: Int32
            switch InputFile.open(name) {
            case .success(let fd): descriptor = fd
            case .failure(let f): throw CheckFailure("cannot read the saved listing \(name): \(f.reason)")
            }
            var status: AuditStatus?
            if let statusPath = options.status {
                let statusText = try CheckRun.readText(statusPath, what: "the saved status")
                // `auditctl -s` output: names and numbers, not rules text.
                do { status = try AuditStatus(auditctlStatus: String(decoding: statusText.bytes, as: UTF8.self)) } catch { throw CheckFailure("\(statusPath): \(error)") }
            }
            loaded = .listingFile(descriptor: descriptor, name: name, status: status)
        } else if let kernelRead {
            let (rules, status) = try kernelRead.waitForCheck()
            loaded = .kernel(rules: rules, status: status)
        } else {
            throw CheckFailure("no kernel to read")
        }
        let outcome: DriftOutcome
        do { outcome = try check.compare(with: loaded) } catch {
            for d in options.limit.apply(error.diagnostics) { StandardError.print(DiagnosticRenderer.text(d)) }
            throw CheckFailure(error.message)
        }
        KeptUntilExit.keep((check, outcome))

        let subject = "\(paths.joined(separator: " ")) (\(target.machine), kernel \(target.kernel)) against \(outcome.against)"
        let render: (_ emit: (UnsafeRawBufferPointer) -> Void) throws -> Void
        if options.plan {
            render = { emit in outcome.writePlan { emit(UnsafeRawBufferPointer($0)) } }
        } else {
            switch options.format {
            case .text: render = { emit in outcome.formatter.text(outcome.report, subject: subject) { CheckRun.write($0, emit) } }
            case .json:
                render = { emit in
                    do { try outcome.formatter.json(outcome.report, subject: subject, warnings: outcome.warnings) { CheckRun.write($0, emit) } } catch {
                        throw CheckFailure("cannot write the report as JSON: \(error)")
                    }
                }
            case .prometheus:
                let metrics = DriftFormatter.prometheus(outcome.report, timestamp: Date().timeIntervalSince1970)
                render = { emit in CheckRun.write(metrics, emit) }
            }
        }
        return Result(report: outcome.report, render: render, warnings: outcome.warnings)
    }

    static func write(_ piece: String, _ emit: (UnsafeRawBufferPointer) -> Void) {
        var piece = piece
        piece.withUTF8 { emit(UnsafeRawBufferPointer($0)) }
    }

    /// A file, a pipe or `-` for standard input (`ssh web1 auditctl -l | aurules check --loaded -`).
    /// A device (/dev/zero would be read forever) or a directory is refused.
    static func readText(_ path: String, what: String) throws -> RulesText {
        switch InputFile.read(path) {
        case .success(let bytes): return RulesText(bytes)
        case .failure(let f): throw CheckFailure("cannot read \(what) \(path): \(f.reason)")
        }
    }

    static func defaultPaths() -> [String] {
        var isDirectory = false
        if FileManager.default.fileExists(atPath: "/etc/audit/rules.d", isDirectory: &isDirectory), isDirectory {
            return ["/etc/audit/rules.d"]
        }
        return ["/etc/audit/audit.rules"]
    }
}
