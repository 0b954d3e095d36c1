import Syscalls

/// One drift check: the rules files compiled for a target, compared with what the kernel holds,
/// read live or from a saved `auditctl -l` listing. The CLI gathers the inputs and prints;
/// everything between is here. Two steps, so that the files compile while the kernel is read.
public struct DriftCheck: Sendable {
    public let target: CompileTarget
    public let compiled: CompileResult
    /// The files' diagnostics (`diagnostics(_:_:)` of the parse and the compile).
    let fileDiagnostics: [Diagnostic]
    /// The files as read, in order (`RuleFile.fileOrder`).
    let fileOrder: [String]
    /// Rule statements written without `-F arch=` (ExpectedRules).
    let archless: Set<ExpectedRules.Location>

    /// Compiles the files (their errors are reported by `compare`, after the kernel's), with
    /// the loader's verdict on each line: the host loads them with auditctl of the target release.
    public init(source: RuleFile, target: CompileTarget) {
        self.target = target
        var compiled = Compiler(target: Self.judging(target)).compile(source)
        KernelRule.shareMasks(&compiled.rules)
        self.compiled = compiled
        fileDiagnostics = Self.diagnostics(source, compiled)
        fileOrder = source.fileOrder
        archless = ExpectedRules.archlessLocations(source)
    }

    /// The same for one rules file read a chunk of lines at a time, no syntax tree kept; nil
    /// when it cannot be opened or is not rules (`init(source:target:)` reports those).
    public init?(path: String, options: ParseOptions, target: CompileTarget) {
        let session = CompileSession(target: Self.judging(target))
        guard let read = ChunkedInput.compileNotingArch(path: path, options: options, into: session),
              !read.diagnostics.contains(where: { $0.code == DiagnosticLimit.notRulesCode }) else { return nil }
        self.target = target
        var compiled = session.finish()
        KernelRule.shareMasks(&compiled.rules)
        self.compiled = compiled
        fileDiagnostics = read.diagnostics.contains { $0.severity == .error } ? read.diagnostics : read.diagnostics + compiled.diagnostics
        fileOrder = [read.file]
        archless = ExpectedRules.locations(read.archless, file: read.file)
    }

    private static func judging(_ target: CompileTarget) -> CompileTarget {
        var judged = target
        judged.judgesLoader = true
        return judged
    }

    /// What the kernel holds.
    public enum Loaded: Sendable {
        /// Read from the running kernel: its rules as listed and its status.
        case kernel(rules: [KernelRule], status: AuditStatus)
        /// A saved `auditctl -l` output named `name`, and optionally its `auditctl -s`.
        case listing(text: RulesText, name: String, status: AuditStatus?)
    }

    /// The files compare with `loaded`. Lines of the files the loader refuses are `unloadable`
    /// findings, left out of the comparison (also a line the compiler would translate, as i386
    /// `kexec_load`: auditctl of the target release refuses it as written, as lint says); a
    /// kernel rule such a line compiles to (loaded by `aurules apply`) is not unexpected. A saved
    /// listing with errors throws (it is no evidence of what the kernel holds).
    public func compare(with loaded: Loaded) throws(DriftCheckError) -> DriftOutcome {
        var warnings: [String] = []
        var actual: [KernelRule], status: AuditStatus?, against: String
        switch loaded {
        case .kernel(let rules, let kernelStatus):
            (actual, status, against) = (rules, kernelStatus, "the running kernel")
        case .listing(let text, let name, let listingStatus):
            actual = try listedRules(text, name: name, warnings: &warnings)
            Self.share(&actual, with: compiled.rules)
            (status, against) = (listingStatus, "the saved listing \(name)")
        }
        // Lines the loader refuses are findings of their own; everything else is compared.
        let unloadable = UnloadableLine.collect(fileDiagnostics, refusals: compiled.loaderVerdicts, target: target,
                                                  fileOrder: fileOrder)
        Self.countWarnings(fileDiagnostics, in: "the rules files", warnings: &warnings)
        let loadable = Self.loadableRules(compiled, unloadable: unloadable, fileOrder: fileOrder)
        // A rule only an unloadable line makes (loaded by aurules apply) is not unexpected; one a
        // loadable line makes too is compared as that line's.
        let heldAnyway = Self.removeHeld(Self.removingOnce(loadable, from: UnloadableLine.from(unloadable, in: compiled.rules)),
                                         from: &actual)
        if heldAnyway > 0 {
            warnings.append("\(heldAnyway) kernel rule\(heldAnyway == 1 ? "" : "s") of unloadable lines held anyway (loaded in the "
                            + "compiler's spelling, as by aurules apply): not counted as unexpected")
        }
        let expected = ExpectedRules.adapt(loadable, archless: archless, machine: target.machine, kernelRules: actual)
        if case .listing(_, let name, _) = loaded {
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
        let settings = UnloadableLine.excluding(unloadable, from: compiled.settings.map { DesiredSetting(setting: $0.setting, provenance: $0.provenance) })
        var report = DriftReport.compare(expected: expected, actual: actual, settings: settings, status: status)
        report.unloadable = unloadable
        return DriftOutcome(report: report, expected: expected, actual: actual, warnings: warnings, against: against, target: target)
    }

    /// The kernel rules a saved listing stands for, as the kernel held them.
    private func listedRules(_ text: RulesText, name: String, warnings: inout [String]) throws(DriftCheckError) -> [KernelRule] {
        // auditctl -l ends every line: a last line without its newline was cut short, and the
        // rest of it would be compared as a rule nobody wrote.
        if let last = text.last, last != 0x0A {
            throw DriftCheckError("the saved listing \(name) is damaged: its last line ends without a newline (truncated?); "
                                  + "save it again with `auditctl -l`")
        }
        let recovered = SavedListing.recoveringArchlessSyscalls(SavedListing.loadableText(text), machine: target.machine,
                                                               database: target.database, auditVersion: target.auditVersion)
        var options = target.parseOptions
        options.isSavedListing = true
        // A chunk of lines at a time: the listing's syntax tree is never whole.
        // No output quotes a listed rule's line (unexpected rules are rendered): its text is not kept.
        let session = CompileSession(target: target, keepsText: false)
        let listing = ChunkedInput.compileNotingArch(text: recovered.text, file: name, options: options, into: session)
        var listed = session.finish()
        KernelRule.shareMasks(&listed.rules)
        // Equal lines are held rules of their own (ListingLoss), not repeats auditctl would refuse.
        let duplicate = DiagnosticCode.duplicateRule.rawValue
        let listingDiagnostics = listing.diagnostics.contains { $0.severity == .error } ? listing.diagnostics : listing.diagnostics + listed.diagnostics
        try Self.requireNoErrors(listingDiagnostics.filter { $0.code != duplicate }, in: "the saved listing", warnings: &warnings)
        if !recovered.lines.isEmpty {
            let count = recovered.lines.count
            warnings.append("\(name): \(count) arch-less syscall rule\(count == 1 ? "" : "s") (line "
                            + recovered.lines.prefix(5).map(String.init).joined(separator: ", ") + (count > 5 ? ", ..." : "")
                            + ") read as auditctl 3.0.9 lists them, by the table of the last arch listed before; "
                            + "if another auditctl made the listing, give its --audit-version")
        }
        let doubtful = !target.auditVersion.isAudit4 ? [] : listing.archless.filter(\.namesSyscalls)
        if !doubtful.isEmpty {
            warnings.append("\(name): \(doubtful.count) arch-less syscall rule\(doubtful.count == 1 ? "" : "s"): their syscall "
                            + "names in a listing may come from another ABI's table, so this comparison is approximate")
        }
        // The kernel held each arch-less listed rule as one rule without arch.
        return ExpectedRules.adapt(Self.keepingEqualLines(listed), archless: ExpectedRules.locations(listing.archless, file: name),
                                   machine: target.machine, kernelRules: [])
    }

    /// A listed rule equal to the files' rule in its place (in sync, nearly every one) takes
    /// that rule's mask and fields: one copy of them for both sides.
    static func share(_ listed: inout [KernelRule], with files: [KernelRule]) {
        for j in 0 ..< min(listed.count, files.count) where listed[j] == files[j] {
            listed[j].mask = files[j].mask
            listed[j].fields = files[j].fields
        }
    }

    /// The rules of the lines the loader takes. The compiler skips a line equal to an earlier one
    /// as a repeat; when that earlier line is unloadable, the loader never held its rule, so the
    /// first loadable repeat loads it: its rules are that line's, in its place.
    static func loadableRules(_ compiled: CompileResult, unloadable: [UnloadableLine], fileOrder: @autoclosure () -> [String]) -> [KernelRule] {
        var rules = UnloadableLine.excluding(unloadable, from: compiled.rules)
        guard !unloadable.isEmpty, !compiled.repeated.isEmpty else { return rules }
        let refused = Set(unloadable.map { "\($0.line):\($0.file)" })
        var rank: [String: Int] = [:]
        for f in fileOrder() where rank[f] == nil { rank[f] = rank.count }
        func place(_ file: String, _ line: Int) -> (Int, Int) { (rank[file] ?? rank.count, line) }
        var taken = Set<String>()
        for again in compiled.repeated {
            let first = "\(again.firstLine):\(again.firstFile)"
            guard refused.contains(first), !refused.contains("\(again.location.line):\(again.location.file)"),
                  taken.insert(first).inserted else { continue }
            let copies = compiled.rules.filter { $0.provenance?.file == again.firstFile && $0.provenance?.line == again.firstLine }.map { rule in
                var copy = rule
                copy.provenance?.file = again.location.file
                copy.provenance?.line = again.location.line
                copy.provenance?.text = again.sourceLine
                return copy
            }
            let here = place(again.location.file, again.location.line)
            let at = rules.firstIndex { r in r.provenance.map { place($0.file, $0.line) > here } ?? false } ?? rules.count
            rules.insert(contentsOf: copies, at: at)
        }
        return rules
    }

    /// `rules` without one rule equal to each of `others`.
    static func removingOnce(_ others: [KernelRule], from rules: [KernelRule]) -> [KernelRule] {
        // Nearly always nothing to remove from: no table of `others` then.
        guard !rules.isEmpty else { return rules }
        var count: [KernelRule: Int] = [:]
        for r in others { count[r, default: 0] += 1 }
        return rules.filter { r in
            guard let n = count[r], n > 0 else { return true }
            count[r] = n - 1
            return false
        }
    }

    /// Removes from `actual` one held rule equal to each of `rules`; how many were held.
    static func removeHeld(_ rules: [KernelRule], from actual: inout [KernelRule]) -> Int {
        guard !rules.isEmpty else { return 0 }
        var wanted: [KernelRule: Int] = [:]
        for r in rules { wanted[r, default: 0] += 1 }
        var removed = 0
        actual.removeAll { r in
            guard let n = wanted[r], n > 0 else { return false }
            wanted[r] = n - 1
            removed += 1
            return true
        }
        return removed
    }

    /// The rules of a compiled listing with one copy for each line equal to an earlier one: the
    /// compiler, reading the listing as a rules file, skips such a line as auditctl would ("Rule
    /// exists"), but a listing's equal lines are distinct kernel rules that list alike (a never
    /// and an always watch of one path). Each copy takes its own line's place.
    static func keepingEqualLines(_ listed: CompileResult) -> [KernelRule] {
        guard !listed.repeated.isEmpty else { return listed.rules }
        var rules = listed.rules
        var done = Set<Int>()
        for again in listed.repeated where done.insert(again.location.line).inserted {
            let copies = rules.filter { $0.provenance?.file == again.firstFile && $0.provenance?.line == again.firstLine }.map { rule in
                var copy = rule
                copy.provenance?.line = again.location.line
                copy.provenance?.text = again.sourceLine
                return copy
            }
            let at = rules.firstIndex { ($0.provenance?.line ?? 0) > again.location.line } ?? rules.count
            rules.insert(contentsOf: copies, at: at)
        }
        return rules
    }

    /// The compiler reports again some values the parser refused (an unknown user): after parse
    /// errors only the parser's diagnostics count, as `aurules compile` prints them.
    public static func diagnostics(_ parsed: RuleFile, _ compiled: CompileResult) -> [Diagnostic] {
        parsed.diagnostics.contains { $0.severity == .error } ? parsed.diagnostics : parsed.diagnostics + compiled.diagnostics
    }

    private static func requireNoErrors(_ diagnostics: [Diagnostic], in what: String, warnings: inout [String]) throws(DriftCheckError) {
        let errors = diagnostics.filter { $0.severity == .error }
        guard errors.isEmpty else {
            throw DriftCheckError("\(errors.count) error\(errors.count == 1 ? "" : "s") in \(what); fix them first (aurules lint shows every problem)",
                                  diagnostics: errors)
        }
        countWarnings(diagnostics, in: what, warnings: &warnings)
    }

    private static func countWarnings(_ diagnostics: [Diagnostic], in what: String, warnings: inout [String]) {
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
public struct DriftOutcome: Sendable {
    public var report: DriftReport
    public var expected: [KernelRule]
    public var actual: [KernelRule]
    /// Things the reader should know about the comparison (warnings in the files, guessed ABIs).
    public var warnings: [String]
    /// "the running kernel", "the saved listing NAME".
    public var against: String
    public var target: CompileTarget

    public var formatter: DriftFormatter {
        DriftFormatter(machine: target.machine, kernel: target.kernel, auditVersion: target.auditVersion, database: target.database)
    }

    /// The auditctl commands that would make the kernel match the files, one a line.
    public var planText: RulesText {
        let writer = RulesFileWriter(target: target)
        let commands = ReconcilePlan.commands(expected: expected, actual: actual, report: report, render: writer.line(for:))
        if commands.isEmpty { return "# nothing to do: the kernel matches the files\n" }
        var out: [UInt8] = []
        for c in commands {
            out += c.bytes
            out.append(0x0A)
        }
        return RulesText(out)
    }
}
