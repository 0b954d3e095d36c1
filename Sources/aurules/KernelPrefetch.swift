import AuditKernel
import AuditRules

extension KernelRead {
    /// `aurules check` without `--loaded` reads the kernel whatever its other options say, and the
    /// kernel's list of 2,000 rules takes about as long as swift-argument-parser takes to parse the
    /// command line: the read starts first. A read nobody waits for (bad options, --help) costs
    /// nothing but its threads; its errors are only reported to `wait`.
    static func prefetch(for arguments: [String]) -> KernelRead? {
        guard arguments.first == "check", !arguments.contains(where: { a in
            a.hasPrefix("--loaded") || a == "-h" || a == "--help" || a == "--"
        }) else { return nil }
        return KernelRead()
    }

    /// `wait()` with the failure in the words `aurules check` reports.
    func waitForCheck() throws -> ([KernelRule], AuditStatus) {
        do {
            return try wait()
        } catch let error as AuditKernelError {
            throw CheckFailure(error.description)
        } catch {
            throw CheckFailure("cannot read the kernel's audit rules: \(error)")
        }
    }
}
