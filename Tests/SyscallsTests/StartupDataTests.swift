import Foundation
import XCTest
@testable import Syscalls

/// What start-up no longer derives at run time must be what it derived: the embedded digest and
/// name list (made by `tables embed`), the libaudit lookups that scan one ABI's rows, and the
/// machine-only loader facts of ausyscall's path.
final class StartupDataTests: XCTestCase {
    /// EmbeddedTables.swift, the digest and the name list included, is what `tables embed` makes
    /// of SyscallTables/ (as `aurules tables embed --check`).
    func testEmbeddedSourceIsTheEmbeddingOfTheTablesDirectory() throws {
        let committed = try XCTUnwrap(Paths.read(Paths.root + "/Sources/Syscalls/EmbeddedTables.swift"))
        let rendered = try EmbeddedTablesSource.render(directory: Paths.tables)
        XCTAssertTrue(committed == rendered, "EmbeddedTables.swift is stale: run aurules tables embed SyscallTables Sources/Syscalls/EmbeddedTables.swift")
    }

    /// The digest is FNV-1a over names and texts: a byte changed in any file, or a file renamed, changes it.
    func testDigestCoversEveryFileAndName() {
        let files = EmbeddedTables.files
        XCTAssertEqual(EmbeddedTablesSource.digest(files: files), EmbeddedTables.digest)
        XCTAssertEqual(ProductVersion.tablesDigest, EmbeddedTables.digest)
        var changed = files
        changed[3].text += "\n"
        XCTAssertNotEqual(EmbeddedTablesSource.digest(files: changed), EmbeddedTables.digest)
        var renamed = files
        renamed[3].name += "x"
        XCTAssertNotEqual(EmbeddedTablesSource.digest(files: renamed), EmbeddedTables.digest)
        // Byte-wise FNV-1a 64 of "a\0b", computed by hand from the published constants.
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in [UInt8(ascii: "a"), 0, UInt8(ascii: "b")] { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        XCTAssertEqual(EmbeddedTablesSource.digest(files: [("a", "b")]), String(format: "%016llx", h))
    }

    /// The embedded name list is the set the tables give when collected at run time, and the
    /// shipped database answers membership from it as a set would.
    func testEmbeddedNamesAreTheCollectedNames() {
        let collected = SyscallDatabase(files: EmbeddedTables.files, origin: "test").allNames
        let embedded = SortedNameList(text: EmbeddedTables.names)
        XCTAssertEqual(Set(embedded.all), collected)
        XCTAssertEqual(embedded.all.count, collected.count, "a name listed twice")
        XCTAssertEqual(SyscallDatabase.shipped.allNames, collected)
        XCTAssertTrue(collected.contains("pread"), "libaudit spellings are names")
        XCTAssertTrue(collected.contains("pread64"))
        var probes = Array(collected)
        for name in collected {
            probes += [name.uppercased(), String(name.dropLast()), name + "x", name + "_", "a" + name, name + "\n", "\n" + name]
        }
        probes += ["", "\n", "zzzzzz", "0", "_", "~", "é", "open\nclose"]
        for probe in probes {
            XCTAssertEqual(SyscallDatabase.shipped.isKnownOnAnyABI(probe), collected.contains(probe.asciiLowercased), probe.debugDescription)
        }
    }

    /// The embedded aliases are what `kernelName(libaudit:abi:version:)` gives for every libaudit
    /// name of every release (any case), and names no alias for any other name.
    func testEmbeddedAliasesAreWhatKernelNameGives() {
        let computing = SyscallDatabase(files: EmbeddedTables.files, origin: "computing")
        var probes = Set(["", "nosuch", "é", "open", "OPEN", "pread64", "newfstatat", "_llseek"])
        for version in AuditVersion.allCases {
            let file = "libaudit-\(version.rawValue).tsv"
            for row in (try? TableText.libauditRows(computing.fileText(file) ?? "", file: file)) ?? [] {
                probes.formUnion([row.name, row.name.uppercased()])
            }
        }
        var aliased = 0
        func key(_ a: (abi: ABI, version: AuditVersion, kernelName: String)) -> String { "\(a.abi) \(a.version) \(a.kernelName)" }
        for name in probes {
            let embedded = SyscallDatabase.shipped.libauditAliases(of: name)
            XCTAssertEqual(embedded.map(key).sorted(), computing.libauditAliases(of: name).map(key).sorted(), name)
            XCTAssertEqual(embedded.map(\.version), embedded.map(\.version).sorted(), "\(name): release order")
            aliased += embedded.count
        }
        XCTAssertEqual(aliased, 2 * SortedNameList(text: EmbeddedTables.aliases).all.count, "every alias line is some spelling's, in either case")
        XCTAssertEqual(SyscallDatabase.shipped.kernelNames(for: "PREAD", abi: .x86_64), ["pread", "pread64"])
        XCTAssertEqual(SyscallDatabase.shipped.equivalents(of: "open", on: .aarch64, at: KernelVersion(6, 1)), ["openat", "openat2"])
    }

    func testSortedNameListBisection() {
        for lines in [[String](), ["a"], ["a", "b"], ["a", "ab", "abc", "b", "ba", "c"], (0 ..< 100).map { String(format: "n%03d", $0) }] {
            let list = SortedNameList(text: lines.joined(separator: "\n"))
            for line in lines { XCTAssertTrue(list.contains(line), "\(line) in \(lines)") }
            for probe in ["", "0", "aa", "abd", "bb", "d", "n1000", "n0", "n05", "n099x"] where !lines.contains(probe) {
                XCTAssertFalse(list.contains(probe), "\(probe) in \(lines)")
            }
            for prefix in ["", "a", "ab", "b", "n0", "n05", "n1", "z"] {
                XCTAssertEqual(list.lines(startingWith: prefix), lines.filter { $0.hasPrefix(prefix) }, "\(prefix) in \(lines)")
            }
        }
    }

    /// ausyscall's exact-name and number lookups scan one ABI's rows; they answer what the
    /// per-ABI tables the compiler builds answer (every seventh name and number of every ABI of
    /// every release, in two cases, and missing ones: a scan per question is slow in a debug
    /// build), and those answer what the whole-file table (`libaudit`) does. i386 219 has two
    /// names (madvise, madvise1): either finds 219, whose name is madvise.
    func testLibauditScansAnswerAsTheTables() throws {
        let tables = SyscallDatabase.shipped
        for version in AuditVersion.allCases {
            let scanning = SyscallDatabase(files: EmbeddedTables.files, origin: "scans")
            let file = "libaudit-\(version.rawValue).tsv"
            let rows = try TableText.libauditRows(try XCTUnwrap(scanning.fileText(file)), file: file)
            let whole = scanning.libaudit(version)
            for abi in ABI.allCases {
                let own = rows.filter { $0.abi == abi }
                for n in Set(own.map(\.number)).union([-1, 0, 1099]) {
                    XCTAssertEqual(tables.libauditName(of: n, abi: abi, version: version), whole[abi]?[n], "\(version) \(abi) \(n)")
                }
                XCTAssertEqual(scanning.libauditRows(version, abi: abi).map { "\($0.number) \($0.name)" }, own.map { "\($0.number) \($0.name)" })
                for (i, row) in own.enumerated() where i % 7 == 0 {
                    XCTAssertEqual(scanning.libauditFirstName(of: row.number, abi: abi, version: version),
                                   tables.libauditName(of: row.number, abi: abi, version: version), "\(version) \(abi) \(row.number)")
                }
                let names = own.enumerated().filter { $0.offset % 7 == 0 }.flatMap { [$0.element.name, $0.element.name.uppercased()] }
                for name in names + ["", "nosuch", "é", "madvise1"] {
                    let exact = scanning.libauditExact(name, abi: abi, version: version)
                    let number = tables.libauditNumber(of: name, abi: abi, version: version)
                    XCTAssertEqual(exact?.number, number, "\(version) \(abi) \(name)")
                    XCTAssertEqual(exact?.name, number.flatMap { tables.libauditName(of: $0, abi: abi, version: version) }, "\(version) \(abi) \(name)")
                }
                XCTAssertNil(scanning.libauditFirstName(of: 1099, abi: abi, version: version))
            }
        }
    }

    func testSecondNameOfANumber() {
        let db = SyscallDatabase(files: EmbeddedTables.files, origin: "test")
        XCTAssertEqual(db.libauditExact("MADVISE1", abi: .i386, version: .v3_0_9)?.number, 219)
        XCTAssertEqual(db.libauditExact("madvise1", abi: .i386, version: .v3_0_9)?.name, "madvise")
        XCTAssertEqual(db.libauditFirstName(of: 219, abi: .i386, version: .v3_0_9), "madvise")
    }

    /// A libaudit table that cannot be read answers nothing, whichever way it is asked.
    func testUnreadableLibauditTableAnswersNothing() {
        let file = "libaudit-\(AuditVersion.v3_0_9.rawValue).tsv"
        let files = EmbeddedTables.files.map { $0.name == file ? ($0.name, $0.text + "x86_64\tbad\n") : $0 }
        let db = SyscallDatabase(files: files, origin: "broken")
        XCTAssertNil(db.libauditFirstName(of: 56, abi: .x86_64, version: .v3_0_9))
        XCTAssertNil(db.libauditExact("clone", abi: .x86_64, version: .v3_0_9))
        XCTAssertTrue(db.libauditRows(.v3_0_9, abi: .x86_64).isEmpty)
        XCTAssertNil(db.libauditName(of: 56, abi: .x86_64, version: .v3_0_9))
        XCTAssertNil(db.libauditNumber(of: "clone", abi: .x86_64, version: .v3_0_9))
        XCTAssertEqual(SyscallDatabase.shipped.libauditNumber(of: "CLONE", abi: .x86_64, version: .v3_0_9), 56)
    }

    /// The machine-only facts answer audit_detect_machine and audit_determine_machine as the whole facts do.
    func testMachineFactsAnswerAsTheWholeFacts() {
        let hex = ABI.allCases.map { "0x" + String($0.auditArch, radix: 16) } + ABI.allCases.map { String($0.auditArch, radix: 16).uppercased() }
        let words = Machine.allCases.map(\.rawValue) + LibauditMachine.allCases.map(\.rawValue)
            + ["b32", "b64", "B64", "i686", "armv7l", "armeb", "arm64", "riscv32", "ppc64le", "uring", "io_uring", "nosuch", "", "0", "-1"] + hex
        for version in AuditVersion.allCases {
            let whole = version.loader, machines = LoaderFacts.shippedMachines(version)
            for word in words {
                XCTAssertEqual(machines.detectMachine(uname: word), whole.detectMachine(uname: word), "\(version) \(word)")
                XCTAssertEqual(machines.constant(named: word), whole.constant(named: word), "\(version) \(word)")
                for host in [nil] + LibauditMachine.allCases.map(\.constant) {
                    XCTAssertEqual(machines.determineMachine(word, hostConstant: host), whole.determineMachine(word, hostConstant: host),
                                   "\(version) \(word) on \(host ?? "nil")")
                }
            }
        }
    }
}
