import ArgumentParser

// Placeholder until its issue lands; replaced by the owner of this command.
struct FmtCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "fmt", abstract: "(not yet available)")
    func run() throws {
        StandardError.print("aurules fmt: not yet available")
        throw ExitCode.inputError
    }
}
