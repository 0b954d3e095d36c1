import Foundation
import XCTest

/// `aurules check` keeps going past lines the loader refuses: each is an `unloadable` finding
/// (file:line and the reason), left out of the comparison, and everything else is compared.
final class CheckUnloadableTests: XCTestCase {
    private static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../../shared/corpus").standardized.path

    private func check(_ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
        try AurulesProcess.run(AurulesProcess.binary, ["check"] + arguments)
    }

    func testEveryFormatReportsUnloadableLinesAndComparesTheRest() throws {
        let rules = try LintCLI.temporaryFile("""
            -a never,exit -F arch=b64 -S adjtimex -F uid=aurules-no-such-user
            -a always,exit -F arch=b64 -S openat -k ok
            -a always,exit -F arch=b64 -S nosuchcall -k bad
            -a always,exit -F arch=b64 -S unlink -k gone

            """)
        // The kernel has line 2's rule and not line 4's: that drift is still reported.
        let listing = try LintCLI.temporaryFile("-a always,exit -F arch=b64 -S openat -F key=ok\n", name: "l.txt")
        let base = [rules, "--loaded", listing, "--machine", "x86_64"]

        let text = try check(base)
        XCTAssertEqual(text.status, 1, text.err)
        XCTAssertTrue(text.out.contains("x \(rules):1  not loadable (depends on this host): Unknown user: aurules-no-such-user"), text.out)
        XCTAssertTrue(text.out.contains("x \(rules):3  not loadable: unknown syscall 'nosuchcall'"), text.out)
        XCTAssertTrue(text.out.contains("+ \(rules):4  missing from the exit list"), text.out)
        XCTAssertTrue(text.out.contains("Drift: 1 in sync, 1 missing, 0 unexpected, 0 changed, 0 out of order, 0 settings, 2 unloadable lines."), text.out)

        let json = try check(base + ["--format", "json"])
        XCTAssertEqual(json.status, 1)
        let doc = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any])
        XCTAssertEqual((doc["counts"] as? [String: Any])?["unloadable"] as? Int, 2)
        let lines = try XCTUnwrap(doc["unloadable"] as? [[String: Any]])
        XCTAssertEqual(lines.compactMap { $0["line"] as? Int }, [1, 3])
        XCTAssertEqual(lines.compactMap { $0["file"] as? String }, [rules, rules])
        XCTAssertEqual(lines.last?["text"] as? String, "-a always,exit -F arch=b64 -S nosuchcall -k bad")

        let prometheus = try check(base + ["--format", "prometheus"])
        XCTAssertEqual(prometheus.status, 1)
        for line in ["aurules_check_success 1", "aurules_drift{kind=\"unloadable\"} 2", "aurules_drift{kind=\"missing\"} 1"] {
            XCTAssertTrue(prometheus.out.contains("\n\(line)\n"), prometheus.out)
        }

        let plan = try check(base + ["--plan"])
        XCTAssertEqual(plan.status, 1)
        let commands = plan.out.split(separator: "\n").map(String.init)
        XCTAssertTrue(commands.first?.hasPrefix("# \(rules):1 is not loadable (Unknown user") == true, plan.out)
        XCTAssertTrue(commands.contains("auditctl -a always,exit -F arch=b64 -S unlink -F key=gone"), plan.out)
        XCTAssertFalse(plan.out.contains("nosuchcall -F"), plan.out)
    }

    /// check and lint agree on what the loader refuses: auditctl 3.0.9 does not know i386's
    /// `kexec_load` (libaudit spells it `sys_kexec_load`), which compile translates; check
    /// models auditctl loading the file, so the line is unloadable with lint's reason.
    func testCheckAndLintAgreeOnALineCompileTranslates() throws {
        let rules = try LintCLI.temporaryFile("""
            -a exit,always -F arch=b32 -S kexec_load -k kexec
            -a always,exit -F arch=b64 -S openat -k ok

            """)
        let listing = try LintCLI.temporaryFile("-a always,exit -F arch=b64 -S openat -F key=ok\n", name: "l.txt")
        let reason = "auditctl refuses syscall 'kexec_load' (\"Syscall name unknown\") on x86_64 (i386) with audit 3.0.9"
        let target = ["--machine", "x86_64", "--kernel", "6.18", "--audit-version", "3.0.9"]

        let lint = try AurulesProcess.run(AurulesProcess.binary, ["lint", "--target", "x86_64:3.0.9", rules])
        XCTAssertTrue(lint.out.contains("\(rules):1:31: error: \(reason) [AUR007]"), lint.out + lint.err)

        let text = try check([rules, "--loaded", listing] + target)
        XCTAssertEqual(text.status, 1, text.err)
        XCTAssertTrue(text.out.contains("x \(rules):1  not loadable: \(reason); left out of the comparison"), text.out)
        XCTAssertFalse(text.out.contains("missing from"), text.out)
        XCTAssertTrue(text.out.contains("Drift: 1 in sync, 0 missing, 0 unexpected, 0 changed, 0 out of order, 0 settings, 1 unloadable line."), text.out)

        let plan = try check([rules, "--loaded", listing, "--plan"] + target)
        XCTAssertEqual(plan.out, "# \(rules):1 is not loadable (\(reason)): fix it in the file; it is left out of this plan\n", plan.err)
    }

    /// Every corpus file with a saved auditctl 3.0.9 listing is checked against it. Where aurules
    /// finds lines the loader refuses, the check still runs (exit 1, never 2) and the unloadable
    /// lines plus the missing ones are exactly the lines auditctl rejected (the missing ones are
    /// refused by this host's kernel, ENOENT, which no text can tell; a "Rule exists" line repeats
    /// a rule the kernel holds): nothing else drifts.
    func testCorpusFilesWithErrorsAreStillCompared() throws {
        let manifest = Self.corpus + "/MANIFEST.tsv"
        guard let text = try? String(contentsOfFile: manifest, encoding: .utf8) else {
            throw XCTSkip("the shared corpus is not at \(Self.corpus)")
        }
        var checked = 0, withUnloadable = 0, unloadableLines = 0
        for row in text.split(separator: "\n").dropFirst() {
            let f = row.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard f.count >= 14, !f[13].isEmpty, FileManager.default.fileExists(atPath: Self.corpus + "/" + f[13]) else { continue }
            // A line refused with "Rule exists" repeats a rule the kernel holds: no drift.
            let log = (try? String(contentsOfFile: Self.corpus + "/" + f[13].replacingOccurrences(of: ".auditctl-l.txt", with: ".load-log.txt"),
                                   encoding: .utf8)) ?? ""
            let held = Set(log.split(separator: "\n").compactMap { l -> Int? in
                guard l.hasPrefix("line "), l.hasSuffix("(Rule exists)"), l.contains(": -> ") else { return nil }
                return Int(l.dropFirst(5).prefix { $0 != ":" })
            })
            let rejected = Set(f[7].split(separator: ":").dropFirst().first.map {
                $0.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            } ?? []).subtracting(held)
            let r = try check([Self.corpus + "/" + f[0], "--loaded", Self.corpus + "/" + f[13], "--machine", "x86_64", "--kernel", "6.18",
                               "--audit-version", "3.0.9", "--format", "json"])
            XCTAssertNotEqual(r.status, 2, "\(f[0]): \(r.err)")
            checked += 1
            guard let doc = try? JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any],
                  let unloadable = doc["unloadable"] as? [[String: Any]], !unloadable.isEmpty else { continue }
            withUnloadable += 1
            unloadableLines += unloadable.count
            XCTAssertEqual(r.status, 1, f[0])
            let refused = Set(unloadable.compactMap { $0["line"] as? Int })
            let missing = Set(((doc["missing"] as? [[String: Any]]) ?? []).compactMap { ($0["source"] as? [String: Any])?["line"] as? Int })
            XCTAssertEqual(refused.union(missing), rejected, "\(f[0]): unloadable \(refused.sorted()), missing \(missing.sorted())")
            XCTAssertTrue(refused.isDisjoint(with: missing), f[0])
            let counts = doc["counts"] as? [String: Any]
            XCTAssertEqual(counts?["unexpected"] as? Int, 0, f[0])
            XCTAssertEqual(counts?["changed"] as? Int, 0, f[0])
        }
        XCTAssertGreaterThanOrEqual(withUnloadable, 17)
        print("check keeps going: \(checked) corpus files checked against their listings, \(withUnloadable) with \(unloadableLines) unloadable lines, all compared")
    }
}
