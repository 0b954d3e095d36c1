import Syscalls

/// One drift check: the rules files compiled for a target, compared with what the kernel holds,
/// read live or from a saved `auditctl -l` listing. The CLI gathers the inputs and prints;
/// everything between is here. Two steps, so that the files compile while the kernel is read.
/// Both sides' rules are kept in one arena (`DriftRules`).
public struct DriftCheck {
    public let target: CompileTarget
    /// The compilation's diagnostics, settings and findings; its rules are kept in `rules`.
    let result: CompileResult
    /// The compilation, its rules made whole (their line text empty when the files' lines are not kept).
    public var compiled: CompileResult {
        var whole = result
        whole.rules = rules.all
        return whole
    }
    /// The files' diagnostics (`diagnostics(_:_:)` of the parse and the compile).
    let fileDiagnostics: [Diagnostic]
    /// The files as read, in order (`RuleFile.fileOrder`).
    let fileOrder: [String]
    /// Rule statements written without `-F arch=` (ExpectedRules).
    let archless: Set<ExpectedRules.Location>
    /// The files' rules in kernel order, in the arena the other side's rules join.
    let rules: DriftRules
    /// The files compiled a chunk at a time, whose lines are not kept, as they were before they
    /// were read (by name): the lines of the rules reported are read again (`withSourceLines`),
    /// from each file that is still the file compiled.
    let rereads: [String: InputFile.Identity]
    /// The same for the inputs that cannot be read twice (standard input, pipes), by name: their
    /// copies, made as they were read.
    let spools: [String: InputSpool]

    /// Compiles the files (their errors are reported by `compare`, after the kernel's), with
    /// the loader's verdict on each line: the host loads them with auditctl of the target release.
    public init(source: RuleFile, target: CompileTarget) {
        self.target = target
        var compiled = Compiler(target: Self.judging(target)).compile(source)
        rules = DriftRules(compiled.rules, store: SharedRuleStore())
        fileDiagnostics = Self.diagnostics(source, compiled)
        compiled.rules = []
        result = compiled
        fileOrder = source.fileOrder
        archless = ExpectedRules.archlessLocations(source)
        rereads = [:]
        spools = [:]
    }

    /// The same for the files, directories, pipes and standard input `paths` read a chunk of
    /// lines at a time (`ChunkedInput.compile(inputs:)`, as `compile` reads them), no syntax tree
    /// kept; what cannot be read twice is copied as it is read (`InputSpool`), for the lines
    /// reported to be read again. An input that is not rules, or had to be read whole, is read
    /// whole again (from its copy). nil when `init(source:target:)` is needed: two inputs of one
    /// name of which one cannot be read twice (`check - -`), no temporary file for a copy.
    public init?(paths: [String], options: ParseOptions, target: CompileTarget) {
        // Decided before anything is read: a pipe cannot be read twice.
        let names = paths.map(InputFile.name)
        var spooled: [String: InputSpool] = [:]
        for (path, name) in zip(paths, names) where RuleInputs.kind(of: path) == .stream && InputFile.Identity(path: path) == nil {
            guard names.filter({ $0 == name }).count == 1, let spool = InputSpool(name: name) else { return nil }
            spooled[path] = spool
        }
        let store = SharedRuleStore(keepsText: false)
        let session = CompileSession(target: Self.judging(target), shared: store)
        let read = ChunkedInput.compile(inputs: paths, options: options, into: session, notesArchless: true, spools: spooled)
        if read.readWhole || read.diagnostics.contains(where: { $0.code == DiagnosticLimit.notRulesCode }) {
            guard !spooled.isEmpty else { return nil }
            // What was read already is read whole from its copy, when the copy is whole.
            let copies = spooled.compactMapValues { $0.contents() }
            if copies.count == spooled.count {
                self.init(source: RuleInputs.load(paths: paths, options: options, reading: { path in
                    copies[path].map { .success($0) } ?? InputFile.read(path)
                }), target: target)
                return
            }
        }
        self.init(read, paths: paths, target: target, session: session, store: store, spooled: spooled)
    }

    /// A chunked compile of `paths` finished.
    private init(_ read: ChunkedInput.Inputs, paths: [String], target: CompileTarget, session: CompileSession,
                 store: SharedRuleStore, spooled: [String: InputSpool]) {
        self.target = target
        let (compiled, slots) = session.finishSlots()
        result = compiled
        rules = DriftRules(store: store, slots: slots)
        fileDiagnostics = Self.diagnostics(read.diagnostics, compiled)
        fileOrder = RuleFile.fileOrder(path: paths.joined(separator: " "), filesRead: read.filesRead,
                                       named: read.diagnostics.map(\.location.file))
        archless = ExpectedRules.locations(read.files)
        var rereads: [String: InputFile.Identity] = [:]
        for file in read.files where rereads[file.file] == nil { rereads[file.file] = file.identity }
        self.rereads = rereads
        var spools: [String: InputSpool] = [:]
        for (path, spool) in spooled { spools[InputFile.name(path)] = spool }
        self.spools = spools
    }

    private static func judging(_ target: CompileTarget) -> CompileTarget {
        var judged = target
        judged.judgesLoader = true
        return judged
    }

    /// What the kernel holds.
    public enum Loaded {
        /// Read from the running kernel: its rules as listed and its status.
        case kernel(rules: [KernelRule], status: AuditStatus)
        /// A saved `auditctl -l` output named `name`, and optionally its `auditctl -s`.
        case listing(text: RulesText, name: String, status: AuditStatus?)
        /// The same read from `descriptor` (a file, a pipe, standard input; open for reading, not
        /// closed here) a block at a time: the listing is never whole in memory.
        case listingFile(descriptor: Int32, name: String, status: AuditStatus?)
    }

    /// The files compare with `loaded`. Lines of the files the loader refuses are `unloadable`
    /// findings, left out of the comparison (also a line the compiler would translate, as i386
    /// `kexec_load`: auditctl of the target release refuses it as written, as lint says); a
    /// kernel rule such a line compiles to (loaded by `aurules apply`) is not unexpected. A saved
    /// listing with errors throws (it is no evidence of what the kernel holds).
    public func compare(with loaded: Loaded) throws(DriftCheckError) -> DriftOutcome {
        var warnings: [String] = []
        var actual: DriftRules, status: AuditStatus?, against: String
        var listingName: String?
        switch loaded {
        case .kernel(let rules, let kernelStatus):
            (actual, status, against) = (DriftRules(rules, store: self.rules.store), kernelStatus, "the running kernel")
        case .listing(let text, let name, let listingStatus):
            actual = try listedRules(.text(text), name: name, warnings: &warnings)
            (status, against, listingName) = (listingStatus, "the saved listing \(name)", name)
        case .listingFile(let descriptor, let name, let listingStatus):
            actual = try listedRules(.descriptor(descriptor), name: name, warnings: &warnings)
            (status, against, listingName) = (listingStatus, "the saved listing \(name)", name)
        }
        // Lines the loader refuses are findings of their own; everything else is compared.
        let unloadable = UnloadableLine.collect(fileDiagnostics, refusals: result.loaderVerdicts, target: target,
                                                  fileOrder: fileOrder)
        Self.countWarnings(fileDiagnostics, in: "the rules files", warnings: &warnings)
        let loadable = loadableRules(unloadable: unloadable)
        // A rule only an unloadable line makes (loaded by aurules apply) is not unexpected; one a
        // loadable line makes too is compared as that line's.
        let heldAnyway = actual.removeHeld(rules.from(unloadable).removingOnce(loadable))
        if heldAnyway > 0 {
            warnings.append("\(heldAnyway) kernel rule\(heldAnyway == 1 ? "" : "s") of unloadable lines held anyway (loaded in the "
                            + "compiler's spelling, as by aurules apply): not counted as unexpected")
        }
        let expected = ExpectedRules.adapt(loadable, archless: archless, machine: target.machine, kernelRules: actual)
        if let name = listingName {
            // A listing line can stand for rules it cannot tell apart (ListingLoss); the kernel's
            // own rules are compared exactly.
            let resolved = ListingLoss.resolve(&actual, by: expected)
            if resolved > 0 {
                let n = resolved
                warnings.append("\(name): \(n) rule\(n == 1 ? "" : "s") of the files compared as far as the listing shows "
                                + "\(n == 1 ? "it" : "them") (a `-w` line hides always or never and path or dir; arch is listed "
                                + "first) and counted in sync; checking the running kernel compares them exactly")
            }
        }
        let settings = UnloadableLine.excluding(unloadable, from: result.settings.map { DesiredSetting(setting: $0.setting, provenance: $0.provenance) })
        var report = DriftReport.compare(expected: expected, actual: actual, settings: settings, status: status)
        report.unloadable = unloadable
        withSourceLines(&report, warnings: &warnings)
        return DriftOutcome(report: report, expectedRules: expected, actualRules: actual, warnings: warnings, against: against, target: target)
    }

    /// The compiler reports again some values the parser refused (an unknown user): after parse
    /// errors only the parser's diagnostics count, as `aurules compile` prints them.
    public static func diagnostics(_ parsed: RuleFile, _ compiled: CompileResult) -> [Diagnostic] {
        diagnostics(parsed.diagnostics, compiled)
    }

    /// The same for the parser's diagnostics of inputs compiled a chunk at a time.
    static func diagnostics(_ parsed: [Diagnostic], _ compiled: CompileResult) -> [Diagnostic] {
        parsed.contains { $0.severity == .error } ? parsed : parsed + compiled.diagnostics
    }

    static func requireNoErrors(_ diagnostics: [Diagnostic], in what: String, warnings: inout [String]) throws(DriftCheckError) {
        let errors = diagnostics.filter { $0.severity == .error }
        guard errors.isEmpty else {
            throw DriftCheckError("\(errors.count) error\(errors.count == 1 ? "" : "s") in \(what); fix them first (aurules lint shows every problem)",
                                  diagnostics: errors)
        }
        countWarnings(diagnostics, in: what, warnings: &warnings)
    }

    static func countWarnings(_ diagnostics: [Diagnostic], in what: String, warnings: inout [String]) {
        let count = diagnostics.filter { $0.severity == .warning }.count
        if count > 0 { warnings.append("\(count) warning\(count == 1 ? "" : "s") in \(what) (aurules lint shows them)") }
    }
}

/// A check that could not be made; `diagnostics` are the errors that prevented it.
public struct DriftCheckError: Error, Sendable {
    public var message: String
    public var diagnostics: [Diagnostic]
    public init(_ message: String, diagnostics: [Diagnostic] = []) {
        self.message = message
        self.diagnostics = diagnostics
    }
}

/// The result of a drift check, with the two rule sets it compared.
public struct DriftOutcome {
    public var report: DriftReport
    /// The files' rules as compared (`expected`), and the kernel's (`actual`), in the check's arena.
    let expectedRules: DriftRules
    let actualRules: DriftRules
    /// Things the reader should know about the comparison (warnings in the files, guessed ABIs).
    public var warnings: [String]
    /// "the running kernel", "the saved listing NAME".
    public var against: String
    public var target: CompileTarget

    /// The files' rules as compared, whole (their line text empty when the files' lines are not kept).
    public var expected: [KernelRule] { expectedRules.all }
    /// The kernel's rules as compared, whole.
    public var actual: [KernelRule] { actualRules.all }

    public var formatter: DriftFormatter {
        DriftFormatter(machine: target.machine, kernel: target.kernel, auditVersion: target.auditVersion, database: target.database)
    }

    /// The auditctl commands that would make the kernel match the files, one a line.
    public var planText: RulesText {
        var out: [UInt8] = []
        writePlan { out.append(contentsOf: $0) }
        return RulesText(out)
    }

    /// `planText` handed to `emit` about 64 KiB of whole lines at a time, each command made as
    /// it is written: against an empty kernel the plan adds every rule of the files.
    public func writePlan(into emit: (UnsafeBufferPointer<UInt8>) -> Void) {
        let nothing: RulesText = "# nothing to do: the kernel matches the files\n"
        // No drift (every rule paired in order, no setting to change): the plan is empty, known
        // without making both sides whole.
        if !report.hasDrift && !report.immutable { return nothing.withBytes(emit) }
        let writer = RulesFileWriter(target: target)
        var out: [UInt8] = []
        var written = false
        ReconcilePlan.forEachCommand(expected: expectedRules, actual: actualRules, report: report, render: writer.line(for:)) { c in
            c.withBytes { out.append(contentsOf: $0) }
            out.append(0x0A)
            if out.count >= 1 << 16 {
                out.withUnsafeBufferPointer(emit)
                out.removeAll(keepingCapacity: true)
                written = true
            }
        }
        if out.isEmpty && !written { return nothing.withBytes(emit) }
        out.withUnsafeBufferPointer(emit)
    }
}
