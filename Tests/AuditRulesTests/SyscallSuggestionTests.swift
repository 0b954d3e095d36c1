@testable import AuditRules
import Syscalls
import XCTest

/// The bounded "did you mean" searches against the full scans they replaced (every name, the
/// full edit distance, the same limit): a file of many unknown names made SavedListing's fuzz
/// target time out in the syscall scan, and the field scan was a tenth of ParserLowering's time.
final class SyscallSuggestionTests: XCTestCase {
    /// The full optimal-string-alignment distance over characters, as the parser computed it
    /// before: the reference the bounded one is compared with.
    private func fullDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var beforePrevious = previous
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    current[j] = min(current[j], beforePrevious[j - 2] + 1)
                }
            }
            beforePrevious = previous
            previous = current
        }
        return previous[b.count]
    }

    /// The full scan, as the parser did it before.
    private func fullScan(_ name: String) -> String? {
        let lower = name.lowercased()
        var best: (String, Int)?
        for candidate in SyscallDatabase.shipped.allNames.sorted() {
            let d = fullDistance(lower, candidate)
            if d <= max(1, min(2, candidate.count / 4)), d < (best?.1 ?? Int.max) { best = (candidate, d) }
        }
        return best?.0
    }

    /// Syscall names 0-3 random edits away from known names, plus random and non-ASCII ones.
    private func probes(count: Int) -> [String] {
        var rng = SplitMix64(state: 11)
        return Self.mutated(SyscallDatabase.shipped.allNames.sorted(), count: count, randomLength: 12, rng: &rng,
                            fixed: ["opne", "OPEN", "opem", "chmdo", "execve", "", "x", "io_submti", "delete_mokey=mod-bules", "iniM-tio_pgetevents_=modules"])
    }

    /// `fixed`, then pairs of a name of `names` 0-3 random edits away and a random word of up to
    /// `randomLength` letters (non-ASCII included), until there are `count`.
    static func mutated(_ names: [String], count: Int, randomLength: Int, rng: inout SplitMix64, fixed: [String]) -> [String] {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz_0123456789ÉéßK\u{301}")
        var out = fixed
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
            out.append(String((0..<Int.random(in: 1...randomLength, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }))
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
            let d = fullDistance(a, b)
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

    /// The field scan as the parser did it before: every name and alias in table order, the first
    /// strictly closest within a third of its length (at least 1).
    private func fullFieldScan(_ name: String) -> String? {
        let lower = name.lowercased()
        var best: (String, Int)?
        for spec in FieldTable.all {
            for candidate in [spec.name] + spec.aliases {
                let d = fullDistance(lower, candidate)
                if d <= max(1, candidate.count / 3), d < (best?.1 ?? Int.max) { best = (candidate, d) }
            }
        }
        return best?.0
    }

    func testTheBoundedFieldSearchAnswersAsTheFullScan() {
        var rng = SplitMix64(state: 5)
        let probes = Self.mutated(FieldTable.all.flatMap { [$0.name] + $0.aliases }, count: 400, randomLength: 14, rng: &rng,
                                  fixed: ["auidd", "UID", "arhc", "exi", "sucess", "", "x", "obj_uid2", "filetyp", "a0a1a2a3"])
        var found = 0
        for name in probes {
            let expected = fullFieldScan(name)
            XCTAssertEqual(FieldSuggestion.closest(to: name), expected, "suggestion for '\(name)'")
            if expected != nil { found += 1 }
        }
        XCTAssertGreaterThan(found, 100)
        // Through the parser, as lint prints it.
        let parsed = RuleParser.parse(text: RulesText("-a always,exit -F arch=b64 -S open -F auidd=1 -C uid!=euidd\n"), file: "f",
                                      options: ParseOptions(resolver: nil, hostMachine: .x86_64))
        XCTAssertEqual(parsed.diagnostics.map(\.message).filter { $0.contains("did you mean") },
                       ["unknown field 'auidd' (did you mean 'auid'?)", "unknown field 'euidd' (did you mean 'euid'?)"])
    }
}
