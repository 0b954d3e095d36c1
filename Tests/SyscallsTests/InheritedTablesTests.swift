import XCTest
@testable import Syscalls

/// A `--tables` directory without libaudit or equivalence files takes the built-in ones, read
/// through the shipped database (parsed once per process); the answers must be the built-in ones.
final class InheritedTablesTests: XCTestCase {
    func testADirectoryWithoutLibauditFilesAnswersAsTheBuiltInTables() throws {
        let own = EmbeddedTables.files.filter { !$0.name.hasPrefix("libaudit-") && $0.name != "equivalents.tsv" }
        let db = try SyscallDatabase(directory: "/nonexistent/aurules-inherited", replacing: Dictionary(own.map { ($0.name, $0.text) }, uniquingKeysWith: { a, _ in a }))
        let shipped = SyscallDatabase.shipped
        XCTAssertEqual(db.groups.map(\.name), shipped.groups.map(\.name))
        XCTAssertEqual(db.groups.map(\.members), shipped.groups.map(\.members))
        var checked = 0
        for version in AuditVersion.allCases {
            XCTAssertEqual(db.libaudit(version), shipped.libaudit(version), "\(version)")
            for (abi, table) in shipped.libaudit(version) {
                for name in Set(table.values) {
                    XCTAssertEqual(db.kernelName(libaudit: name, abi: abi, version: version),
                                   shipped.kernelName(libaudit: name, abi: abi, version: version), "\(name) \(abi) \(version)")
                    checked += 1
                }
            }
        }
        XCTAssertGreaterThan(checked, 1000)
        XCTAssertEqual(db.equivalents(of: "open", on: .aarch64, at: db.newestRelease), shipped.equivalents(of: "open", on: .aarch64, at: shipped.newestRelease))
        XCTAssertFalse(db.equivalents(of: "open", on: .aarch64, at: db.newestRelease).isEmpty)
    }

    /// kernelName finds a number's rows by bisection: the same answer as a scan of every row.
    func testKernelNameAnswersAsAScanOfEveryRow() {
        let db = SyscallDatabase.shipped
        var renamed = 0
        for version in AuditVersion.allCases {
            for (abi, table) in db.libaudit(version) {
                for name in Set(table.values) {
                    let number = db.libauditNumber(of: name, abi: abi, version: version)
                    let scanned = number.flatMap { n in
                        db.rows(abi).filter { $0.number == n }.max { ($0.last ?? KernelVersion(999, 0)) < ($1.last ?? KernelVersion(999, 0)) }?.name
                    }
                    let found = db.kernelName(libaudit: name, abi: abi, version: version)
                    XCTAssertEqual(found, scanned, "\(name) \(abi) \(version)")
                    if let found, found != name.lowercased() { renamed += 1 }
                }
            }
        }
        XCTAssertGreaterThan(renamed, 10)
        XCTAssertEqual(db.kernelName(libaudit: "pread", abi: .x86_64, version: .v3_0_9), "pread64")
    }
}
