import ArgumentParser

// Placeholder until its issue lands; replaced by the owner of this command.
struct TablesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tables", abstract: "(not yet available)")
    func run() throws {
        StandardError.print("aurules tables: not yet available")
        throw ExitCode.inputError
    }
}
