@testable import AuditRules
import Syscalls
import XCTest

/// `check --loaded` against what a saved `auditctl -l` listing can show (ListingLoss): a rule of
/// the files that lists as the listing's line is in sync; a real change is drift; the running
/// kernel is compared exactly. The listing lines here are auditctl 3.0.9's for those rules (the
/// kernel test ListingLossKernelTests takes them from auditctl itself).
final class ListingLossTests: XCTestCase {
    static let target = CompileTarget(machine: .x86_64, kernel: KernelVersion(6, 1), auditVersion: .v3_0_9, watchKind: .path, resolver: nil)

    private func check(_ rules: String, against listing: String) throws -> DriftOutcome {
        let source = RuleParser.parse(text: RulesText(rules), file: "t.rules", options: Self.target.parseOptions)
        XCTAssertEqual(source.diagnostics.filter { $0.severity == .error }.map(\.message), [])
        return try DriftCheck(source: source, target: Self.target).compare(with: .listing(text: RulesText(listing), name: "l", status: nil))
    }

    private func compiled(_ rules: String) -> [KernelRule] {
        Compiler(target: Self.target).compile(RuleParser.parse(text: RulesText(rules), file: "t.rules", options: Self.target.parseOptions)).rules
    }

    private func describe(_ r: DriftReport) -> String {
        "\(r.inSync) in sync, \(r.missing.count) missing, \(r.unexpectedCount) unexpected, \(r.changed.count) changed, \(r.movedCount) moved"
    }

    func testNeverWatchShapedRuleMatchesItsWatchLine() throws {
        let outcome = try check("-A exit,never -F path=/bin/sed -F perm=x\n-a never,exit -F dir=/usr/lib/nagios -F perm=x -k n\n",
                                against: "-w /bin/sed -p x\n-w /usr/lib/nagios -p x -k n\n")
        XCTAssertFalse(outcome.report.hasDrift, describe(outcome.report))
        XCTAssertEqual(outcome.report.inSync, 2)
        XCTAssertTrue(outcome.warnings.contains { $0.contains("2 rules of the files compared as far as the listing shows them") }, "\(outcome.warnings)")
        // The plan agrees with the report: nothing to do.
        XCTAssertEqual(outcome.planText, "# nothing to do: the kernel matches the files\n")
    }

    func testPathOnADirectoryListsAsTheDirWatch() throws {
        // The target reads `-w` as path; the file asks for dir= (and the other way round).
        let outcome = try check("-a always,exit -F dir=/etc/ssh -F perm=w -k s\n-a never,exit -F path=/etc -F perm=r\n",
                                against: "-w /etc/ssh -p w -k s\n-w /etc -p r\n")
        XCTAssertFalse(outcome.report.hasDrift, describe(outcome.report))
        XCTAssertEqual(outcome.report.inSync, 2)
    }

    func testArchListedFirstMatchesArchAfterOtherFields() throws {
        let outcome = try check("-a always,exit -F uid=4244 -F arch=b64 -S openat -k a\n",
                                against: "-a always,exit -F arch=b64 -S openat -F uid=4244 -F key=a\n")
        XCTAssertFalse(outcome.report.hasDrift, describe(outcome.report))
        XCTAssertEqual(outcome.report.inSync, 1)
    }

    func testPermBeforePathIsReadFromItsGluedLine() throws {
        XCTAssertEqual(SavedListing.loadableText(" -p wa-w /etc/my dir -k k\n").bytes, Array("-w /etc/my\\ dir -k k -p wa\n".utf8))
        let outcome = try check("-a never,exit -F perm=wa -F path=/etc/group -k k\n", against: " -p wa-w /etc/group -k k\n")
        XCTAssertFalse(outcome.report.hasDrift, describe(outcome.report))
        XCTAssertEqual(outcome.report.inSync, 1)
        XCTAssertNil(SavedListing.fieldFirstWatch(RulesText(" -p q-w /x")[...]))
        XCTAssertNil(SavedListing.fieldFirstWatch(RulesText("-w /x -p w")[...]))
    }

    /// auditctl 3.0.9's `is_watch` asks only for a perm field: a rule on every syscall with a perm
    /// and no path lists as ` -p wa -k k`, with no action (auditctl on a 6.x kernel does so:
    /// ListingLossKernelTests).
    func testPermWithoutPathIsReadFromItsLine() throws {
        XCTAssertEqual(SavedListing.loadableText(" -p wa -k my key\n -p r\n").bytes,
                       Array("-a always,exit -S all -F perm=wa -k my\\ key\n-a always,exit -S all -F perm=r\n".utf8))
        let files = "-a never,exit -S all -F perm=wa -k k\n-a always,exit -S all -F perm=r\n"
        let line = { (r: KernelRule) in String(decoding: Listing.line(for: r, host: .x86_64).bytes, as: UTF8.self) }
        XCTAssertEqual(compiled(files).map(line), [" -p wa -k k", " -p r"])
        let listing = " -p wa -k k\n -p r\n"
        let outcome = try check(files, against: listing)
        XCTAssertFalse(outcome.report.hasDrift, describe(outcome.report))
        XCTAssertEqual(outcome.report.inSync, 2)
        XCTAssertTrue(outcome.warnings.contains { $0.contains("1 rule of the files compared as far as the listing shows it") }, "\(outcome.warnings)")
        // What the line shows is compared: perms, key, a rule too many.
        XCTAssertEqual(try check(files.replacingOccurrences(of: "perm=wa", with: "perm=w"), against: listing).report.inSync, 1)
        XCTAssertEqual(try check(files.replacingOccurrences(of: "-k k", with: "-k j"), against: listing).report.missing.count, 1)
        XCTAssertEqual(try check(files, against: listing + " -p x\n").report.unexpectedCount, 1)
        XCTAssertEqual(ListingLoss.of(compiled(files)[0]), [.action, .watchFieldKind, .watchFieldOrder])
    }

    /// A watch-shaped rule with its key before its path (no auditctl loads one: it moves keys
    /// last) lists as ` -k k-w PATH -p PERMS`, read back with the key last.
    func testKeyBeforePathIsReadFromItsGluedLine() throws {
        XCTAssertEqual(SavedListing.loadableText(" -k k-w /etc/my dir -p wa\n").bytes, Array("-w /etc/my\\ dir -p wa -k k\n".utf8))
        XCTAssertEqual(SavedListing.loadableText(" -k a -p w -k b-w /x\n").bytes, Array("-w /x -k a -p w -k b\n".utf8))
        XCTAssertNil(SavedListing.fieldFirstWatch(RulesText(" -k k")[...]), "no perm and no path: not a watch line")
        XCTAssertNil(SavedListing.fieldFirstWatch(RulesText(" -F uid=0")[...]))
        var keyFirst = compiled("-w /etc/group -p wa -k k\n")[0]
        keyFirst.fields = keyFirst.fields.filter { $0.id == FieldID.key } + keyFirst.fields.filter { $0.id != FieldID.key }
        XCTAssertEqual(Listing.line(for: keyFirst, host: .x86_64).bytes, Array(" -k k-w /etc/group -p wa".utf8))
        let outcome = try check("-a never,exit -F path=/etc/group -F perm=wa -k k\n", against: " -k k-w /etc/group -p wa\n")
        XCTAssertFalse(outcome.report.hasDrift, describe(outcome.report))
        XCTAssertEqual(keyFirst.asListed, compiled("-w /etc/group -p wa -k k\n")[0].asListed)
    }

    /// What the listing does show is still compared: perm, path, key, a rule too few or too many.
    func testRealChangesAreStillDrift() throws {
        let listing = "-w /bin/sed -p x\n-w /etc/ssh -p w -k s\n-a always,exit -F arch=b64 -S openat -F uid=4244 -F key=a\n"
        let files = "-a never,exit -F path=/bin/sed -F perm=x\n-a never,exit -F dir=/etc/ssh -F perm=w -k s\n-a always,exit -F uid=4244 -F arch=b64 -S openat -k a\n"
        XCTAssertFalse(try check(files, against: listing).report.hasDrift)

        let perm = try check(files.replacingOccurrences(of: "perm=x", with: "perm=r"), against: listing).report
        XCTAssertTrue(perm.hasDrift)
        XCTAssertEqual(perm.inSync, 2, describe(perm))
        let path = try check(files.replacingOccurrences(of: "/bin/sed", with: "/bin/sh"), against: listing).report
        XCTAssertEqual(path.missing.count, 1, describe(path))
        XCTAssertEqual(path.unexpectedCount, 1)
        let key = try check(files.replacingOccurrences(of: "-k s", with: "-k t"), against: listing).report
        XCTAssertEqual(key.missing.count, 1, describe(key))
        XCTAssertEqual(key.unexpected.first?.key, "s")
        let uid = try check(files.replacingOccurrences(of: "uid=4244", with: "uid=4245"), against: listing).report
        XCTAssertEqual(uid.changed.count, 1, describe(uid))
        let fewer = try check(files.split(separator: "\n").dropFirst().joined(separator: "\n") + "\n", against: listing).report
        XCTAssertEqual(fewer.unexpectedCount, 1, describe(fewer))
        XCTAssertEqual(fewer.inSync, 2)
        let more = try check(files + "-w /bin/sed -p x\n", against: listing).report
        XCTAssertEqual(more.missing.count, 1, describe(more))
        XCTAssertEqual(more.inSync, 3)
    }

    /// Two lines alike stand for two rules: the files' never and always rules of one path both
    /// match, and a third is missing.
    func testEqualLinesPairOneToOne() throws {
        let listing = "-w /bin/sed -p x\n-w /bin/sed -p x\n"
        let both = try check("-a never,exit -F path=/bin/sed -F perm=x\n-w /bin/sed -p x\n", against: listing).report
        XCTAssertFalse(both.hasDrift, describe(both))
        XCTAssertEqual(both.inSync, 2)
        let three = try check("-a never,exit -F path=/bin/sed -F perm=x\n-w /bin/sed -p x\n-a never,exit -F path=/bin/sed -F perm=x -F key=k\n",
                              against: listing + "-w /bin/sed -p x -k k\n").report
        XCTAssertFalse(three.hasDrift, describe(three))
        let missing = try check("-a never,exit -F path=/bin/sed -F perm=x\n-w /bin/sed -p x\n", against: "-w /bin/sed -p x\n").report
        XCTAssertEqual(missing.inSync, 1, describe(missing))
        XCTAssertEqual(missing.missing.count, 1)
    }

    /// Each repeated line is a rule of its own in its line's place, however many lines repeat
    /// and in whatever order: the listing side is its lines in order.
    func testRepeatedLinesKeepTheirPlaces() throws {
        let listing = "-w /a -p x\n-w /b -p x\n-w /a -p x\n-w /c -p x\n-w /b -p x\n-w /a -p x\n-w /d -p x\n-w /c -p x\n"
        let outcome = try check("-w /a -p x\n", against: listing)
        XCTAssertEqual(outcome.actual.map { $0.provenance?.line }, (1 ... 8).map { $0 })
        XCTAssertEqual(outcome.actual.map { $0.fields.first { $0.id == FieldID.path }?.string }, ["/a", "/b", "/a", "/c", "/b", "/a", "/d", "/c"])
        XCTAssertEqual(outcome.report.unexpectedCount, 7, describe(outcome.report))
    }

    /// Many pairs of equal lines (merged in one pass): every copy keeps its listing line.
    /// Its speed is measured in Benchmarks, not here.
    func testManyRepeatedLinesKeepTheirPlaces() throws {
        let pairs = 2_000
        var listing = ""
        for i in 0 ..< pairs { listing += "-w /etc/p\(i) -p wa -k x\n-w /etc/p\(i) -p wa -k x\n" }
        let outcome = try check("-w /etc/p0 -p wa -k x\n", against: listing)
        XCTAssertEqual(outcome.actual.count, 2 * pairs)
        XCTAssertEqual(outcome.actual.prefix(4).map { $0.provenance?.line }, [1, 2, 3, 4])
        XCTAssertEqual(outcome.actual.suffix(2).map { $0.provenance?.line }, [2 * pairs - 1, 2 * pairs])
    }

    /// The rules taken as the files' keep their listing positions: order drift is still seen.
    func testOrderIsStillCompared() throws {
        let files = "-a never,exit -F path=/bin/sed -F perm=x\n-a always,exit -F uid=1 -F arch=b64 -S openat -k a\n-w /etc/hosts -p wa\n"
        let inOrder = try check(files, against: "-w /bin/sed -p x\n-a always,exit -F arch=b64 -S openat -F uid=1 -F key=a\n-w /etc/hosts -p wa\n").report
        XCTAssertFalse(inOrder.hasDrift, describe(inOrder))
        let moved = try check(files, against: "-a always,exit -F arch=b64 -S openat -F uid=1 -F key=a\n-w /etc/hosts -p wa\n-w /bin/sed -p x\n").report
        XCTAssertEqual(moved.inSync, 3, describe(moved))
        XCTAssertEqual(moved.orderDrift.first?.moved.map(\.rule.action), [.never])
        XCTAssertEqual(moved.orderDrift.first?.listHasNeverRules, true)
    }

    /// The running kernel says everything: a never rule where the files have always is drift.
    func testKernelComparisonStaysExact() throws {
        let files = "-a never,exit -F path=/bin/sed -F perm=x\n-a always,exit -F uid=1 -F arch=b64 -S openat -k a\n"
        let source = RuleParser.parse(text: RulesText(files), file: "t.rules", options: Self.target.parseOptions)
        let check = DriftCheck(source: source, target: Self.target)
        var held = check.compiled.rules
        held[0].action = .always
        held[1].fields = held[1].fields.filter { $0.id == FieldID.arch } + held[1].fields.filter { $0.id != FieldID.arch }
        let status = AuditStatus(enabled: 0)
        let live = try check.compare(with: .kernel(rules: held, status: status))
        XCTAssertEqual(live.report.inSync, 0, describe(live.report))
        XCTAssertTrue(live.warnings.allSatisfy { !$0.contains("as far as the listing shows") })
        // The same rules as auditctl lists them are in sync.
        let text = Listing.lines(for: held, host: .x86_64).map { String(decoding: $0.bytes, as: UTF8.self) + "\n" }.joined()
        XCTAssertFalse(try check.compare(with: .listing(text: RulesText(text), name: "l", status: nil)).report.hasDrift)
    }

    /// `asListed` is the listing's equivalence: two rules have equal views exactly when auditctl
    /// prints them as one line (Listing, checked against auditctl by ListingKernelTests).
    func testAsListedEqualsWhatTheListingPrintsAlike() {
        let variants = """
        -a never,exit -F path=/bin/sed -F perm=x
        -a always,exit -F path=/bin/sed -F perm=x
        -a never,exit -F dir=/bin/sed -F perm=x
        -a always,exit -F perm=x -F path=/bin/sed
        -a never,exit -F path=/bin/sed -F perm=w
        -a always,exit -F path=/bin/sed -F perm=x -k k
        -a always,exit -F arch=b64 -S all -F path=/bin/sed -F perm=x
        -a always,exit -F path=/bin/sed -F perm=x -F uid=0
        -a always,exit -F path=/bin/sed
        -a never,exit -F path=/bin/sed
        -a always,exit -F uid=0 -F arch=b64 -S openat
        -a always,exit -F arch=b64 -S openat -F uid=0
        -a never,exit -F arch=b64 -S openat -F uid=0
        -a always,exit -F uid=0 -F arch=b32 -S openat
        -a always,exit -F uid=0 -F arch=b64 -S openat -F gid=0
        -a always,exit -F arch=b64 -S openat -F uid=0 -k k
        """
        let rules = compiled(variants)
        XCTAssertEqual(rules.count, 16)
        // The perm-first rule is printed with -w glued on; SavedListing reads it as path first.
        let line = { (r: KernelRule) in Listing.line(for: r, host: .x86_64).bytes }
        XCTAssertEqual(line(rules[3]), Array(" -p x-w /bin/sed".utf8))
        for (i, a) in rules.enumerated() {
            for (j, b) in rules.enumerated() where j > i {
                let sameLine = line(a) == line(b) || Set([i, j]) == [0, 3] || Set([i, j]) == [1, 3] || Set([i, j]) == [2, 3]
                XCTAssertEqual(a.asListed == b.asListed, sameLine, "rules \(i) and \(j)")
            }
        }
        XCTAssertEqual(ListingLoss.of(rules[0]), [.action, .watchFieldKind, .watchFieldOrder])
        XCTAssertEqual(ListingLoss.of(rules[7]), [])
        XCTAssertEqual(ListingLoss.of(rules[10]), .archPosition)
    }
}
