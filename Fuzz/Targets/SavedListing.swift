import AuditRules
import Foundation
import Syscalls

// The saved listing reader, as `check --loaded FILE` runs it: made loadable, arch-less syscall
// rules recovered, parsed, compiled, adapted, and compared with itself.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSavedListing(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = text(data, size)
    for target in compileTargets.prefix(2) {
        let options = ParseOptions(resolver: nil, hostMachine: target.machine,
                                   isKnownSyscall: ParseOptions.knownSyscall(database: target.database, machine: target.machine, kernel: target.kernel))
        let recovered = SavedListing.recoveringArchlessSyscalls(SavedListing.loadableText(input), machine: target.machine,
                                                               database: target.database, auditVersion: target.auditVersion)
        let listing = RuleParser.parse(text: recovered.text, file: "listing", options: options)
        let listed = Compiler(target: target).compile(listing)
        _ = ExpectedRules.untrustworthyListingLines(listing)
        let actual = ExpectedRules.adapt(listed.rules, source: listing, machine: target.machine, kernelRules: [])
        let report = DriftReport.compare(expected: actual, actual: actual, settings: [], status: nil)
        let formatter = DriftFormatter(machine: target.machine, kernel: target.kernel, auditVersion: target.auditVersion, database: target.database)
        _ = formatter.text(report, subject: "fuzz")
        for rule in actual { _ = formatter.line(rule) }
    }
    return 0
}
