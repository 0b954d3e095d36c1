import ArgumentParser

// Placeholder until its issue lands; replaced by the owner of this command.
struct CompileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "compile", abstract: "(not yet available)")
    func run() throws {
        StandardError.print("aurules compile: not yet available")
        throw ExitCode.inputError
    }
}
