import XCTest
@testable import Syscalls

/// The merge groups rows by number to stay linear (issue 11: 1M list rows did not finish in 30 s).
/// It must still do exactly what the straightforward scan over all rows did: random imports at
/// random releases, in and out of order, compared with that scan kept here as the reference.
final class TableMergeReferenceTests: XCTestCase {
    /// The former merge, a scan over every row per number: quadratic, and obviously right.
    struct ReferenceMerge {
        var rows: [SyscallRow]
        var changes: [TableMerge.Change] = []

        mutating func merge(_ table: [Int: String], at release: KernelVersion, newest: KernelVersion?) {
            let isNewest = newest.map { release >= $0 } ?? true
            var kept: [SyscallRow] = []
            for r in rows {
                guard r.isPresent(at: release), table[r.number] != r.name else { kept.append(r); continue }
                changes.append(.init(kind: .removed, number: r.number, name: r.name))
                if r.first < release { kept.append(SyscallRow(number: r.number, name: r.name, first: r.first, last: release.previous)) }
                if !isNewest, r.last.map({ $0 > release }) ?? true {
                    kept.append(SyscallRow(number: r.number, name: r.name, first: release.next, last: r.last))
                }
            }
            rows = kept
            for (number, name) in table.sorted(by: { $0.key < $1.key }) {
                if rows.contains(where: { $0.number == number && $0.name == name && $0.isPresent(at: release) }) { continue }
                if let i = rows.firstIndex(where: { $0.number == number && $0.name == name && $0.last == release.previous }) {
                    rows[i].last = isNewest ? nil : release
                    if !isNewest, let j = rows.firstIndex(where: { $0.number == number && $0.name == name && $0.first == release.next }) {
                        rows[i].last = rows[j].last
                        rows.remove(at: j)
                    }
                    changes.append(.init(kind: .extended, number: number, name: name))
                } else if let i = rows.firstIndex(where: { $0.number == number && $0.name == name && $0.first == release.next }) {
                    rows[i].first = release
                    changes.append(.init(kind: .extended, number: number, name: name))
                } else if isNewest, let i = rows.firstIndex(where: { r in
                    guard r.number == number, r.name == name, let last = r.last, last < release else { return false }
                    return !rows.contains { o in o.number == number && o.name != name && o.first > last }
                }) {
                    rows[i].last = nil
                    changes.append(.init(kind: .extended, number: number, name: name))
                } else {
                    rows.append(SyscallRow(number: number, name: name, first: release, last: isNewest ? nil : release))
                    changes.append(.init(kind: .added, number: number, name: name))
                }
            }
            rows.sort { ($0.number, $0.first, $0.name) < ($1.number, $1.first, $1.name) }
        }
    }

    func testMergeAgreesWithTheReferenceOnRandomImportSequences() {
        var seed: UInt64 = 20_261_202
        let firstSeed = seed
        func next(_ n: Int) -> Int {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int((seed >> 33) % UInt64(n))
        }
        let releases = (0...19).map { KernelVersion(4, $0) } + (0...8).map { KernelVersion(5, $0) }
        let names = ["a", "b", "c", "d", "e"]
        for run in 0..<2_000 {
            var merge = TableMerge(rows: [])
            var reference = ReferenceMerge(rows: [])
            var newest: KernelVersion?
            for _ in 0..<(1 + next(6)) {
                var table: [Int: String] = [:]
                for _ in 0..<next(10) { table[next(8)] = names[next(names.count)] }
                let release = releases[next(releases.count)]
                merge.merge(table, at: release, newest: newest)
                reference.merge(table, at: release, newest: newest)
                newest = newest.map { max($0, release) } ?? release
                XCTAssertEqual(merge.rows, reference.rows, "run \(run), seed \(firstSeed)")
                XCTAssertEqual(merge.changes, reference.changes, "run \(run), seed \(firstSeed)")
                if merge.rows != reference.rows { return }
            }
        }
    }
}
