@testable import AuditRules
import XCTest

/// `-D -k` over the held rules: still a substring match of the key field (checked against
/// `KernelRule.isDeleted(byKey:)` rule by rule), and no longer a look at every held key per line.
final class DeleteKeyIndexTests: XCTestCase {
    private func rule(_ i: Int, key: String?) -> KernelRule {
        var fields = [KernelField(id: FieldID.uid, op: .equal, value: UInt32(i))]
        if let key { fields.append(KernelField(id: FieldID.filterkey, op: .equal, string: RulesText(key))) }
        return KernelRule(list: .exit, action: .always, fields: fields, provenance: Provenance(file: "f", line: i, text: ""))
    }

    func testMatchesLikeTheRuleByRuleCheck() {
        let keys: [String?] = [nil, "", "k1", "k10", "network", "a\u{01}net", "x\u{0}net", "k1e", "netnet", "n", "identity"]
        let wanted = ["net", "k1", "k10", "e", "1\u{01}", "a\u{01}n", "\u{01}", "zz", "n", "k1", "t\u{01}", "ne"]
        var held = HeldRules()
        var reference: [KernelRule] = []
        var n = 0
        for round in 0 ..< 4 {
            for (j, key) in keys.enumerated() {
                let r = rule(n, key: key)
                n += 1
                // Some rules prepended (`-A`): they list before every appended rule, newest first.
                let prepend = j % 5 == 2
                held.add([r], hashes: [RuleHash.of(r)], prepend: prepend)
                if prepend { reference.insert(r, at: 0) } else { reference.append(r) }
                // Deletions by identity too, so that some groups empty without `-D -k`.
                if j % 4 == 3, let victim = reference.first(where: { $0.fields.count == 2 }) {
                    XCTAssertTrue(held.remove(victim, hash: RuleHash.of(victim)))
                    reference.removeAll { $0 == victim }
                }
            }
            for w in wanted[(round * 3) ..< (round * 3 + 3)] {
                let text = RulesText(w)
                held.removeAll(deletedByKey: text)
                reference.removeAll { $0.isDeleted(byKey: text) }
                XCTAssertEqual(held.ordered().map { $0.provenance!.line }, reference.map { $0.provenance!.line }, "after -D -k \(w.debugDescription)")
            }
        }
    }

    /// 3,000 distinct keys and 3,000 `-D -k` lines that match none (or one): each line looks at
    /// the few keys sharing its rarest byte pair, not at all 3,000.
    func testDeletionsLookAtFewKeys() {
        var held = HeldRules()
        let n = 3000
        for i in 0 ..< n {
            let r = rule(i, key: "key\(i)")
            held.add([r], hashes: [RuleHash.of(r)], prepend: false)
        }
        for i in 0 ..< n { held.removeAll(deletedByKey: RulesText("miss\(i)")) }
        for i in stride(from: n - 1, through: 1000, by: -1) { held.removeAll(deletedByKey: RulesText("key\(i)")) }
        XCTAssertEqual(held.ordered().count, 1000)
        // A scan of every held key would be about 3,000 * 3,000 + 2,000 * 2,000 visits.
        XCTAssertLessThan(held.keyIndex?.visits ?? .max, 2_000_000)
    }
}
