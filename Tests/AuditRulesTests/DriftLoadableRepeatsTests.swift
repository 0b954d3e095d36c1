@testable import AuditRules
import Foundation
import Syscalls
import XCTest

/// `check`'s rules of the loadable lines (`DriftCheck.loadableRules`): the rules of a loadable
/// repeat of an unloadable line take that repeat's place. They were inserted one repeat at a
/// time, each after a search of every rule (quadratic: 20,000 such repeats took 65 s); they are
/// merged in one pass now, in the order the insertions gave.
final class DriftLoadableRepeatsTests: XCTestCase {
    static let target = DriftLoaderRefusalTests.target

    private func parse(_ text: String, file: String) -> RuleFile {
        RuleParser.parse(text: RulesText(text), file: file, options: Self.target.parseOptions)
    }

    /// The lines `check` leaves out of the comparison.
    private func unloadable(_ check: DriftCheck) -> [UnloadableLine] {
        UnloadableLine.collect(check.fileDiagnostics, refusals: check.result.loaderVerdicts, target: check.target, fileOrder: check.fileOrder)
    }

    /// The insertions one repeat at a time, as `loadableRules` made them before.
    private func insertingOneAtATime(_ check: DriftCheck, unloadable: [UnloadableLine]) -> DriftRules {
        let rules = check.rules
        var out = rules.excluding(unloadable)
        guard !unloadable.isEmpty, !check.result.repeated.isEmpty else { return out }
        let refused = Set(unloadable.map { "\($0.line):\($0.file)" })
        var rank: [String: Int] = [:]
        for f in check.fileOrder where rank[f] == nil { rank[f] = rank.count }
        func place(_ file: String, _ line: Int) -> (Int, Int) { (rank[file] ?? rank.count, line) }
        var taken = Set<String>()
        for again in check.result.repeated {
            let first = "\(again.firstLine):\(again.firstFile)"
            guard refused.contains(first), !refused.contains("\(again.location.line):\(again.location.file)"),
                  taken.insert(first).inserted else { continue }
            var copies = DriftRules(store: rules.store)
            for i in rules.indices {
                guard let p = rules.location(i), p.file == again.firstFile, p.line == again.firstLine else { continue }
                copies.append(rules.moved(i, file: again.location.file, line: again.location.line, text: again.sourceLine))
            }
            let here = place(again.location.file, again.location.line)
            let at = out.indices.first { i in out.location(i).map { place($0.file, $0.line) > here } ?? false } ?? out.count
            out.insert(copies, at: at)
        }
        return out
    }

    /// Rules from files of lines drawn at random: unloadable lines, loadable repeats of them (some
    /// in a later file, some twice), `-A` rules (first in the kernel's order: the rules are not
    /// in line order), arch-less and watch rules, a `-D`. The one pass gives the insertions' rules.
    func testTheMergeIsTheInsertionsOneAtATime() throws {
        var generator = SplitMix64(state: 11)
        var repeatsSeen = 0
        for round in 0 ..< 40 {
            var source = RuleFile(path: "a.rules b.rules c.rules")
            for file in ["a.rules", "b.rules", "c.rules"] {
                var text = ""
                for _ in 0 ..< Int.random(in: 4 ... 30, using: &generator) {
                    let k = Int.random(in: 0 ..< 6, using: &generator)
                    switch Int.random(in: 0 ..< 9, using: &generator) {
                    case 0, 1: text += "-a exit,always -F arch=b32 -S kexec_load -k k\(k)\n"
                    case 2, 3: text += "-a always,exit -F arch=b32 -S 283 -k k\(k)\n"
                    case 4: text += "-A always,exit -F arch=b64 -S openat -k p\(k)\n"
                    case 5: text += "-a always,exit -S unlinkat -k u\(k)\n"
                    case 6: text += "-w /etc/w\(k) -p wa\n"
                    case 7: text += "-A exit,always -F arch=b32 -S kexec_load -k k\(k)\n"
                    default: text += round % 5 == 0 && k == 0 ? "-D\n" : "-a always,exit -F arch=b64 -S rename -k r\(k)\n"
                    }
                }
                source.append(parse(text, file: file))
            }
            let check = DriftCheck(source: source, target: Self.target)
            let lines = unloadable(check)
            let merged = check.loadableRules(unloadable: lines), inserted = insertingOneAtATime(check, unloadable: lines)
            XCTAssertEqual(merged.all, inserted.all, "round \(round)")
            repeatsSeen += merged.count - check.rules.excluding(lines).count
        }
        XCTAssertGreaterThan(repeatsSeen, 40, "too few loadable repeats of unloadable lines to test anything")
    }

    /// Many pairs of an unloadable line and its loadable repeat: each repeat's rule in its place,
    /// in sync with a kernel that holds them all.
    func testManyLoadableRepeatsKeepTheirPlaces() throws {
        let pairs = 5_000
        var text = ""
        for i in 0 ..< pairs { text += "-a exit,always -F arch=b32 -S kexec_load -k k\(i)\n-a always,exit -F arch=b32 -S 283 -k k\(i)\n" }
        let check = DriftCheck(source: parse(text, file: "t.rules"), target: Self.target)
        let held = check.compiled.rules.map { r -> KernelRule in var r = r; r.provenance = nil; return r }
        XCTAssertEqual(held.count, pairs)
        let outcome = try check.compare(with: .kernel(rules: held, status: AuditStatus()))
        XCTAssertEqual(outcome.expected.map { $0.provenance?.line }, (0 ..< pairs).map { 2 * $0 + 2 })
        XCTAssertEqual(outcome.report.inSync, pairs)
        XCTAssertEqual(outcome.report.unloadable.count, pairs)
        XCTAssertEqual(outcome.report.missing.count + outcome.report.unexpectedCount + outcome.report.changed.count, 0)
    }
}
