@testable import AuditRules
import Foundation
import Syscalls

// The saved listing reader, as `check --loaded FILE` runs it: made loadable, arch-less syscall
// rules recovered, parsed, compiled, adapted, and compared with itself; no crash. The block
// reader `check --loaded` uses (`SavedListingReader`), fed the listing in pieces of 1 to 64 bytes,
// must give the whole-text reading's loadable text and recovered lines.
// Input: `RulesInput` (Support.swift): byte 0 picks the machine, one per execution (0 x86_64
// newest with auditctl 3.0.9, 1 aarch64 5.4 with 4.2); byte 1 stretches the text (a PATH_MAX
// path, 512 listed rules); the rest is the listing.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSavedListing(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let input = RulesInput(data, size, configurations: 2) else { return 0 }
    StretchStats.measure(input.stretch) { check(input) }
    return 0
}

func check(_ input: RulesInput) {
    let target = compileTargets[input.configuration]
    let options = ParseOptions(resolver: nil, hostMachine: target.machine,
                               isKnownSyscall: ParseOptions.knownSyscall(database: target.database, machine: target.machine, kernel: target.kernel))
    let recovered = SavedListing.recoveringArchlessSyscalls(SavedListing.loadableText(input.text), machine: target.machine,
                                                           database: target.database, auditVersion: target.auditVersion)
    checkBlockReader(input, target: target, whole: recovered)
    let listing = RuleParser.parse(text: recovered.text, file: "listing", options: options)
    let listed = Compiler(target: target).compile(listing)
    _ = ExpectedRules.untrustworthyListingLines(listing)
    let actual = ExpectedRules.adapt(listed.rules, source: listing, machine: target.machine, kernelRules: [])
    let report = DriftReport.compare(expected: actual, actual: actual, settings: [], status: nil)
    let formatter = DriftFormatter(machine: target.machine, kernel: target.kernel, auditVersion: target.auditVersion, database: target.database)
    _ = formatter.text(report, subject: "fuzz")
    for rule in actual { _ = formatter.line(rule) }
}

/// The block reader against the whole-text reading: the same bytes, the same recovered lines,
/// whatever the block boundaries (cut at sizes drawn from the text's own hash).
func checkBlockReader(_ input: RulesInput, target: CompileTarget, whole: (text: RulesText, lines: [Int])) {
    var reader = SavedListingReader(machine: target.machine, database: target.database, auditVersion: target.auditVersion)
    var out: [UInt8] = []
    let emit: (UnsafeRawBufferPointer) -> Void = { out.append(contentsOf: $0) }
    var digest = FNV1a()
    input.text.withBytes { digest.mix(bytes: $0) }
    var state = digest.value | 1
    input.text.withBytes { bytes in
        var from = 0
        while from < bytes.count {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            let size = min(Int(state % 64) + 1, bytes.count - from)
            reader.feed(UnsafeBufferPointer(rebasing: bytes[from ..< from + size]), emit)
            from += size
        }
    }
    reader.finish(emit)
    let wholeBytes = whole.text.withBytes { Array($0) }
    if out != wholeBytes || reader.recoveredLines != whole.lines {
        fatalError("SavedListingReader differs from the whole-text reading: \(out.count) bytes, lines \(reader.recoveredLines), against \(wholeBytes.count) bytes, lines \(whole.lines)")
    }
}
