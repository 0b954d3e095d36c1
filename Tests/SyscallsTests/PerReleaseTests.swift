import Foundation
import XCTest
@testable import Syscalls

/// For every ABI and release in the per-release data, the table at that release equals the data
/// apart from the differences PerReleaseDifferences documents, and each documented one occurs.
final class PerReleaseTests: XCTestCase {
    // Per-release data directories per ABI (native builds and compat builds).
    let dirs: [(ABI, String)] = [(.x86_64, "x86_64"), (.i386, "i386"), (.i386, "i386-compat"), (.x32, "x32"),
        (.ppc, "ppc"), (.ppc, "ppc-compat"), (.ppc64, "ppc64"), (.s390, "s390-compat"), (.s390x, "s390x"),
        (.aarch64, "aarch64"), (.arm, "arm"), (.arm, "arm-compat"), (.riscv64, "riscv64")]

    func explains(_ rename: PerReleaseDifferences.Rename, number: Int, function f: String, table t: String) -> Bool {
        switch rename {
        case let .exact(function, table): return f == function && t == table
        case .uid16: return f == t + "16" && PerReleaseDifferences.uid16Names.contains(t)
        case .uid32: return t == f + "32" && PerReleaseDifferences.uid16Names.contains(f)
        case .time64: return (403...423).contains(number) && (t == f + "64" || t == f + "_time64")
        }
    }

    func testEveryReleaseMatchesTheDataApartFromDocumentedDifferences() throws {
        let base = Paths.shared + "/mebeim-linux-syscalls"
        guard FileManager.default.fileExists(atPath: base) else { throw XCTSkip("../shared/syscall-data is not available") }
        let db = SyscallDatabase.shipped
        var usedRenames = Set<Int>(), usedOmissions = Set<Int>()
        var unexplained: [String] = []
        var comparisons = 0, identical = 0
        for (abi, dir) in dirs {
            let files = try FileManager.default.contentsOfDirectory(atPath: base + "/" + dir).filter { $0.hasSuffix(".tsv") }
            XCTAssertGreaterThan(files.count, 20, dir)
            for file in files.sorted() {
                let release = try XCTUnwrap(KernelVersion(String(file.dropLast(4))))
                let data = try XCTUnwrap(Paths.numberNamePairs(base + "/\(dir)/\(file)")).filter { nr, _ in
                    // arm's private calls (0x0f0001..) and ppc64's 0x1ebe fast path are outside the table.
                    !((abi == .arm && nr >= 0x0f_0000) || (abi == .ppc64 && nr == 0x1ebe))
                }
                let table = try XCTUnwrap(db.table(abi, at: release), "\(abi) at \(release)")
                comparisons += 1
                var clean = true
                for (nr, function) in data {
                    guard let name = table.name(of: nr) else {
                        unexplained.append("\(dir) \(release): data has \(nr) \(function), table has nothing"); continue
                    }
                    if name == function { continue }
                    clean = false
                    if let i = PerReleaseDifferences.renames.firstIndex(where: { explains($0.0, number: nr, function: function, table: name) }) {
                        usedRenames.insert(i)
                    } else {
                        unexplained.append("\(dir) \(release): \(nr) is \(name) in the table, \(function) in the data")
                    }
                }
                for e in table.entries where data[e.number] == nil {
                    clean = false
                    if let i = PerReleaseDifferences.omissions.firstIndex(where: { $0.name == e.name && ($0.dirs?.contains(dir) ?? true) }) {
                        usedOmissions.insert(i)
                    } else {
                        unexplained.append("\(dir) \(release): table has \(e.number) \(e.name), the data omits it")
                    }
                }
                if clean { identical += 1 }
            }
        }
        print("per-release data: \(comparisons) (ABI, release) tables compared, \(identical) identical, the rest differ only as documented")
        XCTAssertEqual(unexplained, [], "undocumented differences")
        for (i, r) in PerReleaseDifferences.renames.enumerated() where !usedRenames.contains(i) {
            XCTFail("documented rename never occurs: \(r.0)")
        }
        for (i, o) in PerReleaseDifferences.omissions.enumerated() where !usedOmissions.contains(i) {
            XCTFail("documented omission never occurs: \(o.name) \(o.dirs.map { $0.sorted() } ?? [])")
        }
    }
}
