import ArgumentParser
import AuditRules

/// `--max-diagnostics N` for every command that prints diagnostics.
struct DiagnosticLimitOption: ParsableArguments {
    @Option(name: .customLong("max-diagnostics"),
            help: ArgumentHelp("Diagnostics shown per file (0: all); one line then says how many more there were.", valueName: "N"))
    var maxDiagnostics: Int = DiagnosticLimit.defaultPerFile

    func validate() throws {
        if maxDiagnostics < 0 { throw ValidationError("--max-diagnostics must be 0 (no limit) or more") }
    }

    func apply(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
        DiagnosticLimit.apply(diagnostics, perFile: maxDiagnostics)
    }
}
