import AuditKernel
import AuditRules
import Foundation
import Syscalls
import XCTest

/// What `auditctl -l` (3.0.9) cannot show, against the real thing: rules that list alike loaded
/// into the kernel, `auditctl -l` taken, and `check --loaded` of that listing against the same
/// file in sync, while real changes are still drift and the live check stays exact.
final class ListingLossKernelTests: XCTestCase {
    /// Every kind of loss (ListingLoss), and the two rules of the corpus's gdestuynder file's kind
    /// (there key-less; here keyed, as every rule a test loads: the key is listed either way).
    static func rules(_ dir: String) -> String {
        """
        -A exit,never -F path=\(dir)/f -F perm=x -k aurules-test-ll-f
        -A exit,never -F dir=\(dir)/d -F perm=x -k aurules-test-ll-nd
        -w \(dir)/f -p x -k aurules-test-ll-f
        -a always,exit -F path=\(dir)/d -F perm=w -k aurules-test-ll-pd
        -a never,exit -F perm=wa -F path=\(dir)/g -k aurules-test-ll-pf
        -a always,exit -F uid=4244 -F arch=b64 -S openat -k aurules-test-ll-arch
        -a always,exit -F arch=b64 -S unlinkat -k aurules-test-ll-plain
        -a never,exit -S all -F perm=wa -k aurules-test-ll-p

        """
    }

    func testListingLossAgainstAuditctl() throws {
        if let reason = KernelSandbox.unavailableReason() {
            print("skipping kernel test: \(reason)")
            throw XCTSkip(reason)
        }
        let dir = NSTemporaryDirectory() + "aurules-test-ll-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir + "/d", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for f in ["f", "g"] { XCTAssertTrue(FileManager.default.createFile(atPath: dir + "/" + f, contents: Data())) }
        let text = Self.rules(dir)
        let rulesPath = dir + "/ll.rules"
        XCTAssertTrue(FileManager.default.createFile(atPath: rulesPath, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]))

        let db = SyscallDatabase.shipped
        let running = KernelVersion(HostFacts.current.release) ?? db.newestRelease
        let target = CompileTarget(machine: .x86_64, kernel: min(running, db.newestRelease), auditVersion: .v3_0_9, database: db, resolver: nil)
        func drift(_ rules: String, _ loaded: DriftCheck.Loaded) throws -> DriftOutcome {
            let source = RuleParser.parse(text: RulesText(rules), file: rulesPath, options: target.parseOptions)
            XCTAssertEqual(source.diagnostics.filter { $0.severity == .error }.map(\.message), [])
            return try DriftCheck(source: source, target: target).compare(with: loaded)
        }
        func describe(_ r: DriftReport) -> String {
            "\(r.inSync) in sync, \(r.missing.count) missing, \(r.unexpectedCount) unexpected, \(r.changed.count) changed, \(r.movedCount) moved"
        }

        try KernelSandbox.run { sandbox in
            try sandbox.load(rules: text)
            let held = try sandbox.connection.rules()
            let listing = try sandbox.listing()
            // The kernel holds what aurules compiles (the wire), and auditctl lists it as Listing does.
            let compiled = Compiler(target: target).compile(RuleParser.parse(text: RulesText(text), file: rulesPath, options: target.parseOptions))
            XCTAssertFalse(compiled.hasErrors, "\(compiled.diagnostics.map(\.message))")
            XCTAssertEqual(held, CompileDifferentialTests.kernelOrder(compiled.rules))
            XCTAssertEqual(listing.map(\.bytes), Listing.lines(for: held, host: .x86_64).map(\.bytes))
            // The losses themselves: never and always alike, dir and path alike, perm first glued,
            // arch first, a perm without a path listed with no `-w` and no action.
            let lines = listing.map { String(decoding: $0.bytes, as: UTF8.self) }
            XCTAssertEqual(lines, [
                "-w \(dir)/d -p x -k aurules-test-ll-nd",
                "-w \(dir)/f -p x -k aurules-test-ll-f",
                "-w \(dir)/f -p x -k aurules-test-ll-f",
                "-w \(dir)/d -p w -k aurules-test-ll-pd",
                " -p wa-w \(dir)/g -k aurules-test-ll-pf",
                "-a always,exit -F arch=b64 -S openat -F uid=4244 -F key=aurules-test-ll-arch",
                "-a always,exit -F arch=b64 -S unlinkat -F key=aurules-test-ll-plain",
                " -p wa -k aurules-test-ll-p",
            ])
            let saved = RulesText(listing.flatMap { $0.bytes + [0x0A] })

            // In sync from the listing, and live.
            let fromListing = try drift(text, .listing(text: saved, name: "listing", status: nil))
            XCTAssertFalse(fromListing.report.hasDrift, describe(fromListing.report))
            XCTAssertEqual(fromListing.report.inSync, 8)
            XCTAssertTrue(fromListing.warnings.contains { $0.contains("6 rules of the files compared as far as the listing shows them") },
                          "\(fromListing.warnings)")
            let status = try sandbox.connection.status()
            let live = try drift(text, .kernel(rules: held, status: status))
            XCTAssertFalse(live.report.hasDrift, describe(live.report))
            XCTAssertEqual(live.report.inSync, 8)

            // Live stays exact: the files' never rules as always rules are drift there.
            let allAlways = text.replacingOccurrences(of: "exit,never", with: "exit,always").replacingOccurrences(of: "never,exit", with: "always,exit")
            let liveChanged = try drift(allAlways, .kernel(rules: held, status: status)).report
            XCTAssertEqual(liveChanged.inSync, 4, describe(liveChanged))
            XCTAssertTrue(liveChanged.hasDrift)

            // Real changes are drift from the listing too.
            for (what, changed) in [("perm", text.replacingOccurrences(of: "perm=wa", with: "perm=w")),
                                    ("path", text.replacingOccurrences(of: "/g ", with: "/h ")),
                                    ("key", text.replacingOccurrences(of: "aurules-test-ll-pd", with: "aurules-test-ll-other")),
                                    ("a missing rule", text.replacingOccurrences(of: "-w \(dir)/f -p x -k aurules-test-ll-f\n", with: "")),
                                    ("the perm of the perm-only rule", text.replacingOccurrences(of: "perm=wa -k aurules-test-ll-p", with: "perm=w -k aurules-test-ll-p")),
                                    ("the perm-only rule missing", text.replacingOccurrences(of: "-a never,exit -S all -F perm=wa -k aurules-test-ll-p\n", with: "")),
                                    ("an extra rule", text + "-w \(dir)/f -p x -k aurules-test-ll-extra\n"),
                                    ("uid", text.replacingOccurrences(of: "uid=4244", with: "uid=4245"))] {
                let report = try drift(changed, .listing(text: saved, name: "listing", status: nil)).report
                XCTAssertTrue(report.hasDrift, "\(what): \(describe(report))")
            }

            // The CLI: exit 0 in sync, 1 for a real change.
            let aurules = try CheckKernelTests.aurulesPath()
            let listingPath = dir + "/listing"
            XCTAssertTrue(FileManager.default.createFile(atPath: listingPath, contents: Data(saved.bytes)))
            let common = ["check", "--loaded", listingPath, "--machine", "x86_64", "--kernel", "6.1", "--audit-version", "3.0.9"]
            let (ok, okOut, okErr) = try KernelSandbox.runProcess(aurules, common + [rulesPath])
            XCTAssertEqual(ok, 0, okErr + okOut)
            let changedPath = dir + "/changed.rules"
            XCTAssertTrue(FileManager.default.createFile(atPath: changedPath, contents: Data(text.replacingOccurrences(of: "perm=x", with: "perm=r").utf8),
                                                         attributes: [.posixPermissions: 0o600]))
            let (drifted, out, err) = try KernelSandbox.runProcess(aurules, common + [changedPath])
            XCTAssertEqual(drifted, 1, err + out)

            // A key before the path: auditctl moves keys last (`-F key=k -F path=... -F perm=w`
            // is held key last), so the rule is loaded as a kernel rule; auditctl prints it with
            // `-w` glued to the key, and `check --loaded` reads it as the files' watch.
            let keyed = "-w \(dir)/g -p r -k aurules-test-ll-kf\n"
            var keyFirst = try XCTUnwrap(Compiler(target: target).compile(RuleParser.parse(text: RulesText(keyed), file: rulesPath,
                                                                                          options: target.parseOptions)).rules.first)
            keyFirst.provenance = nil
            keyFirst.fields = keyFirst.fields.filter { $0.id == FieldID.key } + keyFirst.fields.filter { $0.id != FieldID.key }
            try sandbox.connection.addRule(keyFirst)
            let keyFirstHeld = try sandbox.connection.rules()
            XCTAssertEqual(keyFirstHeld.last, keyFirst)
            let keyListing = try sandbox.listing()
            XCTAssertEqual(keyListing.last.map { String(decoding: $0.bytes, as: UTF8.self) }, " -k aurules-test-ll-kf-w \(dir)/g -p r")
            let savedKeyFirst = RulesText(keyListing.flatMap { $0.bytes + [0x0A] })
            let keyFromListing = try drift(text + keyed, .listing(text: savedKeyFirst, name: "listing", status: nil)).report
            XCTAssertFalse(keyFromListing.hasDrift, describe(keyFromListing))
            XCTAssertEqual(keyFromListing.inSync, 9)
            // Live, the key's place is seen.
            let keyLive = try drift(text + keyed, .kernel(rules: keyFirstHeld, status: status)).report
            XCTAssertTrue(keyLive.hasDrift, describe(keyLive))
            XCTAssertEqual(keyLive.inSync, 8, describe(keyLive))
        }
    }
}

