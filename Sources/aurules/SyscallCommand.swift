import ArgumentParser

// Placeholder until its issue lands; replaced by the owner of this command.
struct SyscallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "syscall", abstract: "(not yet available)")
    func run() throws {
        StandardError.print("aurules syscall: not yet available")
        throw ExitCode.inputError
    }
}
