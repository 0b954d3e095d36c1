import AuditKernel
import AuditRules
import Foundation
import Syscalls
import XCTest

/// Keys and paths that are not UTF-8, loaded by auditctl 3.0.9 (`-R`) into the real kernel: the
/// kernel keeps their bytes, and aurules' wire encoding, listing and drift check agree with the
/// kernel's copy byte for byte. Before rules text was bytes, aurules compiled U+FFFD (EF BF BD)
/// in place of each such byte, and `check` reported every such rule missing and unexpected.
final class InvalidUTF8KernelTests: XCTestCase {
    /// Overlong '/', a lone continuation byte, a surrogate, 0xFF/0xFE, a truncated sequence.
    static let rules: [UInt8] = Array("-w /tmp/aurules-test-w".utf8) + [0xFF, 0xFE] + Array(" -p wa -k aurules-test-k".utf8) + [0xFF, 0xFE]
        + Array("ey\n-a always,exit -F arch=b64 -S openat -F path=/tmp/aurules-test-p".utf8) + [0xE9, 0xC0, 0xAF]
        + Array(" -k aurules-test-".utf8) + [0x80, 0xED, 0xA0, 0x80] + Array("\n-a always,exit -F arch=b64 -S unlinkat -k aurules-test-".utf8)
        + [0xF0, 0x9F, 0x98] + Array(" -k second\n".utf8)

    func testKernelHoldsTheBytesAurulesCompiles() throws {
        if let reason = KernelSandbox.unavailableReason() {
            print("skipping kernel test: \(reason)")
            throw XCTSkip(reason)
        }
        let dir = NSTemporaryDirectory() + "aurules-test-utf8-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let rulesPath = dir + "/invalid.rules"
        XCTAssertTrue(FileManager.default.createFile(atPath: rulesPath, contents: Data(Self.rules), attributes: [.posixPermissions: 0o600]))

        let options = ParseOptions(resolver: nil, hostMachine: .x86_64)
        let source = RuleParser.parse(text: RulesText(Self.rules), file: rulesPath, options: options)
        XCTAssertEqual(source.diagnostics.filter { $0.severity == .error }.map(\.message), [])
        let db = SyscallDatabase.shipped
        let running = KernelVersion(HostFacts.current.release) ?? db.newestRelease
        let target = CompileTarget(machine: .x86_64, kernel: min(running, db.newestRelease), auditVersion: .v3_0_9,
                                   watchKind: .path, database: db, resolver: nil)
        let compiled = Compiler(target: target).compile(source)
        XCTAssertFalse(compiled.hasErrors, "\(compiled.diagnostics.map(\.message))")
        XCTAssertEqual(compiled.rules.count, 3)

        try KernelSandbox.run { sandbox in
            try sandbox.load(rules: RulesText(Self.rules))
            // The wire: what AUDIT_LIST_RULES returns is what aurules encodes, byte for byte.
            let raw = try sandbox.connection.listRules()
            XCTAssertEqual(raw, CompileDifferentialTests.kernelOrder(compiled.rules).map(WireCodec.encode))
            let held = try raw.map(WireCodec.decode)
            let keys = held.compactMap(\.filterKey).map(\.bytes)
            XCTAssertTrue(keys.contains(Array("aurules-test-k".utf8) + [0xFF, 0xFE] + Array("ey".utf8)), "\(keys)")
            XCTAssertTrue(keys.contains(Array("aurules-test-".utf8) + [0xF0, 0x9F, 0x98, 0x01] + Array("second".utf8)), "\(keys)")
            XCTAssertFalse(raw.contains { $0.firstRange(of: [0xEF, 0xBF, 0xBD]) != nil })

            // auditctl -l prints the kernel's bytes; the listing prints the same.
            let listing = try sandbox.listing()
            XCTAssertEqual(listing.map(\.bytes), Listing.lines(for: held, host: .x86_64).map(\.bytes))
            XCTAssertTrue(listing.contains { $0.bytes.firstRange(of: Array("-w /tmp/aurules-test-w".utf8) + [0xFF, 0xFE]) != nil })

            // The drift check, live and from the saved listing: in sync, with every rule matched.
            let check = DriftCheck(source: source, target: target)
            let live = try check.compare(with: .kernel(rules: held, status: try sandbox.connection.status())).report
            XCTAssertFalse(live.hasDrift, "\(live.missing.count) missing, \(live.unexpectedCount) unexpected")
            XCTAssertEqual(live.inSync, 3)
            let saved = RulesText(listing.flatMap { $0.bytes + [0x0A] })
            let fromListing = try check.compare(with: .listing(text: saved, name: "listing", status: nil)).report
            XCTAssertFalse(fromListing.hasDrift, "\(fromListing.missing.count) missing, \(fromListing.unexpectedCount) unexpected")
            XCTAssertEqual(fromListing.inSync, 3)

            // The CLI: `aurules check` of the file against the running kernel and the saved listing.
            let aurules = try CheckKernelTests.aurulesPath()
            let common = ["check", rulesPath, "--audit-version", "3.0.9", "--format", "json"]
            let (liveExit, liveOut, liveErr) = try KernelSandbox.runProcess(aurules, common)
            XCTAssertEqual(liveExit, 0, liveErr + liveOut)
            let listingPath = dir + "/listing"
            XCTAssertTrue(FileManager.default.createFile(atPath: listingPath, contents: Data(saved.bytes)))
            let (savedExit, savedOut, savedErr) = try KernelSandbox.runProcess(aurules, common + ["--loaded", listingPath, "--machine", "x86_64", "--kernel", "6.1"])
            XCTAssertEqual(savedExit, 0, savedErr + savedOut)

            // One byte of a key changed in the kernel: drift, shown escaped.
            var changed = held
            let k = changed.firstIndex { $0.filterKey?.bytes.first(where: { $0 >= 0x80 }) == 0xFF }!
            var fields = changed[k].fields
            let f = fields.lastIndex { $0.id == FieldID.key }!
            fields[f] = KernelField(id: FieldID.key, op: .equal, string: RulesText(Array("aurules-test-k".utf8) + [0xFF, 0xFD] + Array("ey".utf8)))
            changed[k].fields = fields
            try sandbox.replaceRules(changed.map(WireCodec.encode))
            let (driftExit, driftOut, _) = try KernelSandbox.runProcess(aurules, common)
            XCTAssertEqual(driftExit, 1, driftOut)
            XCTAssertTrue(driftOut.contains("aurules-test-k\\\\xff\\\\xfdey"), driftOut)
            XCTAssertFalse(driftOut.unicodeScalars.contains("\u{FFFD}"), driftOut)
        }
    }
}
