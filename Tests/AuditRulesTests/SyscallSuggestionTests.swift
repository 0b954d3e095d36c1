@testable import AuditRules
import Syscalls
import XCTest

/// The bounded "did you mean" search against the full scan it replaced (every sorted name,
/// `EditDistance.between`, the same limit): a file of many unknown names made SavedListing's
/// fuzz target time out in that scan.
final class SyscallSuggestionTests: XCTestCase {
    /// The full scan, as the parser did it before.
    private func fullScan(_ name: String) -> String? {
        let lower = name.lowercased()
        var best: (String, Int)?
        for candidate in SyscallDatabase.shipped.allNames.sorted() {
            let d = EditDistance.between(lower, candidate)
            if d <= max(1, min(2, candidate.count / 4)), d < (best?.1 ?? Int.max) { best = (candidate, d) }
        }
        return best?.0
    }

    /// Names 0-3 random edits away from known names, plus random and non-ASCII ones.
    private func probes(count: Int) -> [String] {
        var rng = SplitMix64(state: 11)
        let names = SyscallDatabase.shipped.allNames.sorted()
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz_0123456789ÉéßK\u{301}")
        var out = ["opne", "OPEN", "opem", "chmdo", "execve", "", "x", "io_submti", "delete_mokey=mod-bules", "iniM-tio_pgetevents_=modules"]
        while out.count < count {
            var chars = Array(names.randomElement(using: &rng)!)
            for _ in 0..<Int.random(in: 0...3, using: &rng) {
                let i = Int.random(in: 0...chars.count, using: &rng)
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: chars.insert(alphabet.randomElement(using: &rng)!, at: i)
                case 1: if i < chars.count { chars.remove(at: i) }
                case 2: if i < chars.count { chars[i] = alphabet.randomElement(using: &rng)! }
                default: if i + 1 < chars.count { chars.swapAt(i, i + 1) }
                }
            }
            out.append(String(chars))
            out.append(String((0..<Int.random(in: 1...12, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }))
        }
        return out
    }

    func testTheBoundedSearchAnswersAsTheFullScan() {
        var found = 0
        for name in probes(count: 200) {
            let expected = fullScan(name)
            XCTAssertEqual(SyscallSuggestion.closest(to: name), expected, "suggestion for '\(name)'")
            if expected != nil { found += 1 }
        }
        // The probes must exercise both answers.
        XCTAssertGreaterThan(found, 40)
        XCTAssertEqual(SyscallSuggestion.closest(to: "opne"), "open")
    }

    func testBoundedDistanceIsTheDistanceWithinTheLimit() {
        var rng = SplitMix64(state: 7)
        var scratch = BoundedEditDistance(capacity: 4)
        let alphabet = Array("abcab_")
        for _ in 0..<5000 {
            let a = String((0..<Int.random(in: 0...9, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
            let b = String((0..<Int.random(in: 0...9, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
            let limit = Int.random(in: 0...4, using: &rng)
            let d = EditDistance.between(a, b)
            XCTAssertEqual(scratch.distance(BoundedEditDistance.units(a), Array(b.utf8), limit: limit), d <= limit ? d : nil,
                           "'\(a)' '\(b)' limit \(limit)")
        }
    }

    /// The listing that timed out SavedListing (many misspelt names, some with NULs): every
    /// suggestion as the full scan gives it.
    func testTheFuzzedListingGetsTheFullScansSuggestions() {
        let listing = """
        -a always,exit -F arch=b32 -S iniM-tio_pgetevents_=modules
        -a always,exit -F arch=b64 -S delete_mokey=mod-bules
        -a alwa\0\0\0io_submit\0\0ys,exit -F arch=b64 -S finit_modulh=b32 -S finit_module -F key=modules
        -a always,exit -F arch=b64 -S init_module,delete_moduleif,nit_module,opne,chmdo -F key=modules

        """
        let parsed = RuleParser.parse(text: RulesText(listing), file: "listing", options: ParseOptions(resolver: nil, hostMachine: .x86_64))
        let unknown = parsed.diagnostics.filter { $0.message.hasPrefix("unknown syscall '") }
        XCTAssertGreaterThanOrEqual(unknown.count, 5)
        for d in unknown {
            let name = String(d.message.dropFirst("unknown syscall '".count).prefix { $0 != "'" })
            let expected = fullScan(name).map { " (did you mean '\($0)'?)" } ?? ""
            XCTAssertTrue(d.message.hasSuffix("name" + expected), d.message)
        }
        XCTAssertTrue(unknown.contains { $0.message.hasSuffix("(did you mean 'open'?)") })
    }
}
