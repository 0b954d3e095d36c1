@testable import AuditRules
import Foundation
import Syscalls
import XCTest

/// Rules kept in a shared arena (lint's rule sets) against rules kept whole: the same rule set,
/// the same answers, rule for rule.
final class RuleArenaTests: XCTestCase {
    private func rule(_ i: Int, arch: UInt32?) -> KernelRule {
        var fields: [KernelField] = []
        if let arch { fields.append(KernelField(id: FieldID.arch, op: i % 4 == 0 ? .notEqual : .equal, value: arch)) }
        fields.append(KernelField(id: FieldID.uid, op: .greaterOrEqual, value: UInt32(i % 13)))
        if i % 3 == 0 { fields.append(KernelField(id: FieldID.path, op: .equal, string: RulesText("/etc/some/long/path/\(i % 5)"))) }
        if i % 5 == 0 { fields.append(KernelField(id: FieldID.arch, op: .equal, value: 7)) }
        fields.append(KernelField(id: FieldID.filterkey, op: .equal, string: RulesText(i % 2 == 0 ? "k" : "key\u{1}\(i % 7)")))
        var r = KernelRule(list: i % 6 == 0 ? .exclude : .exit, action: i % 2 == 0 ? .always : .never, fields: fields,
                           provenance: Provenance(file: i % 9 == 0 ? "b.rules" : "a.rules", line: i / 2 + 1,
                                                  text: RulesText("-a always,exit line \(i / 2) with some words"), abi: i % 2 == 0 ? .x86_64 : nil))
        r.addSyscall(i % 300)
        return r
    }

    func testStoredRulesGiveBackWhatWasAdded() {
        let arches: [UInt32] = [0xC000_003E, 0xC000_00B7]
        for keepsText in [true, false] {
            let store = SharedRuleStore(keepsText: keepsText)
            // Two targets' sets in one store: the arch values differ, the rest is shared.
            var plain = [HeldRules(), HeldRules()]
            var stored = [HeldRules(storage: StoredRules(store: store)), HeldRules(storage: StoredRules(store: store))]
            for i in 0 ..< 2000 {
                let prepend = i % 250 == 0
                for t in 0 ..< 2 {
                    let r = rule(i, arch: i % 7 == 0 ? nil : arches[t])
                    let h = RuleHash.of(r)
                    XCTAssertEqual(stored[t].origin(of: r, hash: h)?.line, plain[t].origin(of: r, hash: h)?.line)
                    if plain[t].origin(of: r, hash: h) == nil {
                        plain[t].add([r], hashes: [h], prepend: prepend)
                        stored[t].add([r], hashes: [h], prepend: prepend)
                    }
                    if i % 11 == 0 {
                        let victim = rule(i / 3, arch: (i / 3) % 7 == 0 ? nil : arches[t])
                        let h = RuleHash.of(victim)
                        XCTAssertEqual(stored[t].remove(victim, hash: h), plain[t].remove(victim, hash: h), "remove \(i / 3)")
                    }
                }
            }
            for t in 0 ..< 2 {
                let expected = plain[t].ordered()
                let got = Array(KernelRuleList(stored[t]))
                XCTAssertEqual(got, expected)
                XCTAssertEqual(got.map { $0.fields }, expected.map { $0.fields }, "fields, the arch values among them")
                XCTAssertEqual(got.map { $0.provenance?.file }, expected.map { $0.provenance?.file })
                XCTAssertEqual(got.map { $0.provenance?.line }, expected.map { $0.provenance?.line })
                XCTAssertEqual(got.map { $0.provenance?.abi }, expected.map { $0.provenance?.abi })
                XCTAssertEqual(got.map { $0.provenance?.text }, expected.map { keepsText ? $0.provenance?.text : RulesText() })
            }
        }
    }

    /// The shape of a rule is taken from the one stored for its source when the fields are the
    /// same but for the first arch value: a target whose fields differ otherwise (another value,
    /// another second arch field, another key) must get its own back.
    func testTargetsOfOneSourceKeepTheirOwnFields() {
        let store = SharedRuleStore(keepsText: false)
        var stored = (0 ..< 3).map { _ in HeldRules(storage: StoredRules(store: store)) }
        var plain = (0 ..< 3).map { _ in HeldRules() }
        for i in 0 ..< 600 {
            for t in 0 ..< 3 {
                var fields = [KernelField(id: FieldID.arch, op: .equal, value: 0xC000_0000 | UInt32(t))]
                // The targets come one after the other for each source: target 1 differs from
                // target 0 in the first arch value (and every 5th rule in a value), target 2 from
                // target 1 in a second arch field (even rules) or the key (every 7th).
                fields.append(KernelField(id: FieldID.uid, op: .equal, value: UInt32(i) + (t >= 1 && i % 5 == 0 ? 1_000_000 : 0)))
                if i % 2 == 0 { fields.append(KernelField(id: FieldID.arch, op: .equal, value: t == 2 ? 3 : 4)) }
                fields.append(KernelField(id: FieldID.filterkey, op: .equal, string: RulesText(i % 7 == 0 && t == 2 ? "other" : "k\(i)")))
                var r = KernelRule(list: .exit, action: .always, fields: fields, provenance: Provenance(file: "a.rules", line: i + 1, text: ""))
                r.addSyscall(t)
                stored[t].add([r], hashes: [RuleHash.of(r)], prepend: false)
                plain[t].add([r], hashes: [RuleHash.of(r)], prepend: false)
            }
        }
        for t in 0 ..< 3 {
            let got = KernelRuleList(stored[t]), expected = KernelRuleList(plain[t].ordered())
            XCTAssertEqual(Array(got).map(\.fields), Array(expected).map(\.fields), "target \(t)")
            for i in got.indices {
                XCTAssertEqual(got.maskNumber(at: i) == got.maskNumber(at: 0), expected.maskNumber(at: i) == expected.maskNumber(at: 0))
                XCTAssertEqual(got.origin(at: i)?.line, expected.origin(at: i)?.line)
                XCTAssertEqual(got.withFirstKey(at: i) { $0.map { RulesText($0) } }, expected.withFirstKey(at: i) { $0.map { RulesText($0) } })
                for id in [FieldID.arch, FieldID.uid, FieldID.path, FieldID.filterkey] {
                    XCTAssertEqual(got.containsField(at: i) { $0 == id }, expected.containsField(at: i) { $0 == id })
                }
            }
        }
    }

    /// Mask numbers: equal masks, equal numbers, in a list of whole rules and of stored ones.
    func testMaskNumbersTellMasksApart() {
        let store = SharedRuleStore()
        var stored = HeldRules(storage: StoredRules(store: store))
        var rules: [KernelRule] = []
        for i in 0 ..< 200 {
            var r = rule(i, arch: 0xC000_003E)
            r.mask = [UInt32](repeating: 0, count: KernelRule.maskWords)
            r.addSyscall(i % 5)
            if i % 3 == 0 { r.addSyscall(200 + i % 2) }
            rules.append(r)
            stored.add([r], hashes: [RuleHash.of(r)], prepend: false)
        }
        for list in [KernelRuleList(rules), KernelRuleList(stored)] {
            for i in list.indices {
                for j in list.indices where j % 17 == 0 {
                    XCTAssertEqual(list.maskNumber(at: i) == list.maskNumber(at: j), list[i].mask == list[j].mask, "\(i) \(j)")
                }
            }
        }
    }

    func testDeleteAllByKeyReadsStoredRules() {
        let store = SharedRuleStore()
        var stored = HeldRules(storage: StoredRules(store: store))
        var plain = HeldRules()
        for i in 0 ..< 300 {
            let r = rule(i, arch: 0xC000_003E)
            stored.add([r], hashes: [RuleHash.of(r)], prepend: false)
            plain.add([r], hashes: [RuleHash.of(r)], prepend: false)
        }
        for key in ["y\u{1}k", "key"] {
            stored.removeAll(deletedByKey: RulesText(key))
            plain.removeAll(deletedByKey: RulesText(key))
            XCTAssertEqual(Array(KernelRuleList(stored)), plain.ordered(), key)
        }
        XCTAssertEqual(Array(KernelRuleList(stored)), plain.ordered())
        stored.removeAll(deletedByKey: nil)
        XCTAssertTrue(KernelRuleList(stored).isEmpty)
    }
}

/// Lines read again for the findings lint quotes: as the parser read them, and none from a file
/// that changed since.
final class InputFileLinesTests: XCTestCase {
    func testLinesAreReadAgainOnlyFromTheSameFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("aurules-lines-\(getpid()).rules").path
        defer { unlink(path) }
        let text = (1 ... 5000).map { "-w /etc/f\($0) -p wa" + ($0 % 2 == 0 ? "\r" : "") }.joined(separator: "\n") + "\n"
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        let identity = try XCTUnwrap(InputFile.Identity(path: path))
        let hashes = Dictionary(uniqueKeysWithValues: [1, 2, 4096, 5000].map { ($0, InputFile.lineHash(RulesText("-w /etc/f\($0) -p wa"))) })
        let lines = try XCTUnwrap(InputFile.lines(hashes.merging([6000: 0]) { a, _ in a }, of: path, identity: identity))
        XCTAssertEqual(lines, [1: RulesText("-w /etc/f1 -p wa"), 2: RulesText("-w /etc/f2 -p wa"),
                               4096: RulesText("-w /etc/f4096 -p wa"), 5000: RulesText("-w /etc/f5000 -p wa")])
        try (text + "-e 1\n").write(toFile: path, atomically: false, encoding: .utf8)
        XCTAssertNil(InputFile.lines([1: hashes[1]!], of: path, identity: identity), "the file changed")
        XCTAssertNil(InputFile.Identity(path: "-"), "standard input is not read twice")
    }

    /// A rewrite of the same size whose times are put back: its change time may still tell
    /// (the identity is taken after it, as when the rewrite falls within one clock tick), the
    /// line's hash does.
    func testSameSizeRewriteWithRestoredTimesIsNotQuoted() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("aurules-rewrite-\(getpid()).rules").path
        defer { unlink(path) }
        try "-w /etc/aa -p wa\n-w /etc/bb -p wa\n".write(toFile: path, atomically: false, encoding: .utf8)
        var before = stat()
        XCTAssertEqual(stat(path, &before), 0)
        let hashes = [1: InputFile.lineHash("-w /etc/aa -p wa"), 2: InputFile.lineHash("-w /etc/bb -p wa")]
        try "-w /etc/aa -p wa\n-w /etc/zz -p wa\n".write(toFile: path, atomically: false, encoding: .utf8)
        var times = [before.st_atim, before.st_mtim]
        XCTAssertEqual(utimensat(AT_FDCWD, path, &times, 0), 0)
        let identity = try XCTUnwrap(InputFile.Identity(path: path))
        XCTAssertEqual(InputFile.lines(hashes, of: path, identity: identity), [1: RulesText("-w /etc/aa -p wa")])
    }
}
