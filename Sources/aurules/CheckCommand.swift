import ArgumentParser

// Placeholder until its issue lands; replaced by the owner of this command.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "check", abstract: "(not yet available)")
    func run() throws {
        StandardError.print("aurules check: not yet available")
        throw ExitCode.inputError
    }
}
