import AuditRules
import Foundation
import Syscalls
import XCTest

/// Every corpus file auditctl 3.0.9 loaded without an error, checked against auditctl's own
/// listing of the kernel after that load (`loaded/*.auditctl-l.txt`, x86_64, kernel 6.18):
/// the check must find them in sync, arch-less syscall rules included (auditctl 3.0.9 names
/// their syscalls by the previous arch's table; the check reads them back that way). In sync
/// must also mean every listed rule was compared (MANIFEST's rules_loaded_auditctl_l).
final class DriftCorpusTests: XCTestCase {
    private static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../../shared/corpus").standardized.path

    func testCorpusListingsAreInSyncWithTheirFiles() throws {
        guard let manifest = try? String(contentsOfFile: DriftCorpusTests.corpus + "/MANIFEST.tsv", encoding: .utf8) else {
            throw XCTSkip("the shared corpus is not at \(DriftCorpusTests.corpus)")
        }
        let rows = manifest.split(separator: "\n").dropFirst().map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        let target = CompileTarget(machine: .x86_64, kernel: KernelVersion(6, 18), auditVersion: .v3_0_9, watchKind: .auto)
        let options = ParseOptions(resolver: HostUserResolver(), hostMachine: .x86_64)
        var inSync = 0, recoveredFiles = 0, checked = 0
        var disagreements: [String] = []
        for row in rows where row.count > 13 && row[7] == "0" && row[9] == "rules" {
            let rulesPath = DriftCorpusTests.corpus + "/" + row[0]
            guard let listingData = FileManager.default.contents(atPath: DriftCorpusTests.corpus + "/" + row[13]) else { continue }
            let listingText = RulesText(listingData)
            checked += 1
            let source = RuleInputs.load(paths: [rulesPath], options: options)
            let compiled = Compiler(target: target).compile(source)
            let recovered = SavedListing.recoveringArchlessSyscalls(SavedListing.loadableText(listingText), machine: .x86_64,
                                                                   database: .shipped, auditVersion: .v3_0_9)
            let listing = RuleParser.parse(text: recovered.text, file: row[13], options: options)
            let listed = Compiler(target: target).compile(listing)
            let errors = (source.diagnostics + compiled.diagnostics + listing.diagnostics + listed.diagnostics).filter { $0.severity == .error }
            if let e = errors.first {
                disagreements.append("\(row[0]): \(errors.count) errors, first \(e.location): \(e.message)")
                continue
            }
            let actual = ExpectedRules.adapt(listed.rules, source: listing, machine: .x86_64, kernelRules: [])
            let expected = ExpectedRules.adapt(compiled.rules, source: source, machine: .x86_64, kernelRules: actual)
            let report = DriftReport.compare(expected: expected, actual: actual)
            if !recovered.lines.isEmpty { recoveredFiles += 1 }
            if !report.hasDrift && report.inSync != Int(row[11]) {
                disagreements.append("\(row[0]): \(report.inSync) rules in sync, auditctl listed \(row[11])")
            } else if !report.hasDrift {
                inSync += 1
            } else {
                disagreements.append("\(row[0]): \(describe(report))")
            }
        }
        print("drift corpus: \(inSync)/\(checked) error-free corpus files in sync with auditctl's listing "
              + "(\(recoveredFiles) with arch-less syscall rules listed by the previous rule's table, read back that way)")
        for d in disagreements { print("  disagreement: \(d)") }
        XCTAssertGreaterThan(checked, 20)
        XCTAssertEqual(disagreements, [])
    }

    private func describe(_ r: DriftReport) -> String {
        var parts: [String] = []
        if let m = r.missing.first { parts.append("\(r.missing.count) missing, first line \(m.rule.provenance?.line ?? 0)") }
        if let u = r.unexpected.first { parts.append("\(r.unexpectedCount) unexpected, first key \(message: u.key ?? "-")") }
        if let c = r.changed.first { parts.append("\(r.changed.count) changed, first line \(c.expected.provenance?.line ?? 0)") }
        if !r.orderDrift.isEmpty { parts.append("\(r.movedCount) out of order") }
        return parts.joined(separator: "; ")
    }
}
