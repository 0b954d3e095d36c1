import AuditKernel
import AuditRules
import Foundation

/// The kernel's rules and status, read on another thread.
final class KernelRead: @unchecked Sendable {
    private let done = DispatchGroup()
    // Written once by the reading thread before `done` is left; read only after waiting on it.
    private var outcome: Swift.Result<([KernelRule], AuditStatus), Error> = .failure(CheckFailure("kernel read did not run"))

    private let statusDone = DispatchGroup()
    // Written by the status thread before `statusDone` is left.
    private var statusOutcome: Swift.Result<AuditStatus, Error> = .failure(CheckFailure("status read did not run"))

    /// The rules and the status on two sockets at once: the kernel answers a status request from
    /// a thread it starts for the purpose, which can take milliseconds to be scheduled.
    static func start() -> KernelRead {
        let read = KernelRead()
        DispatchQueue.global().async(group: read.done) {
            read.outcome = Swift.Result {
                let rules = try AuditConnection().rules()
                read.statusDone.wait()
                return (rules, try read.statusOutcome.get())
            }
        }
        DispatchQueue.global().async(group: read.statusDone) {
            read.statusOutcome = Swift.Result { try AuditConnection().status() }
        }
        return read
    }

    /// Started by `prefetch` before the arguments were parsed.
    nonisolated(unsafe) private static var prefetched: KernelRead?

    /// `aurules check` without `--loaded` reads the kernel whatever its other options say, and the
    /// kernel's list of 2,000 rules takes about as long as swift-argument-parser takes to parse the
    /// command line (~8 ms of reflection): the read starts first. A read nobody waits for (bad
    /// options, --help) costs nothing but its thread; its errors are only reported to `wait`.
    static func prefetch(for arguments: [String]) {
        guard arguments.first == "check", !arguments.contains(where: { a in
            a.hasPrefix("--loaded") || a == "-h" || a == "--help" || a == "--"
        }) else { return }
        prefetched = start()
    }

    static func takePrefetched() -> KernelRead? {
        defer { prefetched = nil }
        return prefetched
    }

    func wait() throws -> ([KernelRule], AuditStatus?) {
        done.wait()
        switch outcome {
        case .success(let value): return value
        case .failure(let error as AuditKernelError): throw CheckFailure(error.description)
        case .failure(let error as CheckFailure): throw error
        case .failure(let error): throw CheckFailure("cannot read the kernel's audit rules: \(error)")
        }
    }
}
