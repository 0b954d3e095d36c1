import ArgumentParser

// Placeholder until its issue lands; replaced by the owner of this command.
struct LintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "lint", abstract: "(not yet available)")
    func run() throws {
        StandardError.print("aurules lint: not yet available")
        throw ExitCode.inputError
    }
}
