import ArgumentParser

extension ExitCode {
    /// Findings (lint), drift (check) or an unknown name (syscall).
    static let findings = ExitCode(1)
    /// Unreadable input, invalid rules, bad usage.
    static let inputError = ExitCode(2)
}
