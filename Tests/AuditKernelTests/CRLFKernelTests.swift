import AuditKernel
import AuditRules
import Foundation
import XCTest

/// A rules file with CR LF line endings, loaded by auditctl 3.0.9 (`-R` keeps each line's CR:
/// keys become `name\r`): aurules reads it as the loader does, so the live check and the check of
/// a saved listing are in sync, and every change made to the kernel afterwards is reported.
final class CRLFKernelTests: XCTestCase {
    static let rules = [
        "-w /etc/passwd -p wa -k aurules-test-crlf-w",
        "-a always,exit -F arch=b64 -S openat,unlink -F auid>=1000 -F auid!=unset -k aurules-test-crlf-a",
        "-a always,exit -F arch=b32 -S chmod -F key=aurules-test-crlf-b",
        "# a comment",
        "-a always,exit -F arch=b64 -S adjtimex -F success=1 -k aurules-test-crlf-c",
    ].map { $0 + "\r\n" }.joined()

    func testCRLFFileLoadedByAuditctlIsInSyncAndDriftIsReported() throws {
        let dir = NSTemporaryDirectory() + "aurules-crlf-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/crlf.rules", listing = dir + "/listing.txt"
        try Self.rules.write(toFile: file, atomically: true, encoding: .utf8)
        chmod(file, 0o600)
        try KernelSandbox.run { sandbox in
            // What auditctl 3.0.9 does with the CRs.
            for refused in ["-D\r\n", "\r\n", "-a always,exit -F arch=b64 -S open\r\n", "-w /etc/shadow -p wa\r\n"] {
                XCTAssertThrowsError(try sandbox.load(rules: refused), "auditctl -R accepted \(refused.debugDescription)")
            }
            XCTAssertEqual(try sandbox.connection.listRules().count, 0)
            try sandbox.load(rules: Self.rules)
            let baseline = try sandbox.connection.listRules()
            XCTAssertEqual(baseline.count, 4)
            let keys = try baseline.map { try WireCodec.decode($0) }.compactMap { rule in
                rule.fields.first { $0.id == 210 }?.string
            }
            XCTAssertEqual(keys, ["aurules-test-crlf-w\r", "aurules-test-crlf-a\r", "aurules-test-crlf-b\r", "aurules-test-crlf-c\r"])

            func both() throws -> [(exit: Int32, json: [String: Any], err: String)] {
                try sandbox.auditctl(["-l"]).write(toFile: listing, atomically: true, encoding: .utf8)
                return [try check([file]), try check([file, "--loaded", listing, "--machine", "x86_64", "--kernel", "6.18"])]
            }
            func counts(_ r: (exit: Int32, json: [String: Any], err: String)) -> [String: Int] { r.json["counts"] as? [String: Int] ?? [:] }

            for r in try both() {
                XCTAssertEqual(r.exit, 0, "\(r.json) \(r.err)")
                XCTAssertEqual(counts(r)["in_sync"], 4)
            }
            let injections: [(name: String, kind: String, apply: () throws -> Void)] = [
                ("rule deleted", "missing", { try sandbox.replaceRules(Array(baseline.dropFirst())) }),
                ("rule added with the key without its CR", "unexpected", {
                    try sandbox.replaceRules(baseline)
                    try sandbox.auditctl(["-a", "always,exit", "-F", "arch=b64", "-S", "adjtimex", "-F", "success=1", "-k", "aurules-test-crlf-c"])
                }),
                ("field changed", "changed", {
                    var rule = try WireCodec.decode(baseline[1])
                    let auid = try XCTUnwrap(rule.fields.firstIndex { $0.id == 9 && $0.op == .greaterOrEqual })
                    rule.fields[auid].value = 1001
                    var rules = baseline
                    rules[1] = WireCodec.encode(rule)
                    try sandbox.replaceRules(rules)
                }),
                ("rules swapped", "out_of_order", {
                    var rules = baseline
                    rules.swapAt(1, 2)
                    try sandbox.replaceRules(rules)
                }),
                ("key's CR dropped", "missing+unexpected", {
                    var rule = try WireCodec.decode(baseline[3])
                    let key = try XCTUnwrap(rule.fields.firstIndex { $0.id == 210 })
                    rule.fields[key].string = "aurules-test-crlf-c"
                    var rules = baseline
                    rules[3] = WireCodec.encode(rule)
                    try sandbox.replaceRules(rules)
                }),
            ]
            for injection in injections {
                try injection.apply()
                for r in try both() {
                    XCTAssertEqual(r.exit, 1, "\(injection.name): \(r.err)")
                    let c = counts(r)
                    let reported = ["missing", "unexpected", "changed", "out_of_order"].filter { (c[$0] ?? 0) > 0 }.joined(separator: "+")
                    XCTAssertEqual(reported, injection.kind, "\(injection.name): \(r.json)")
                }
            }
        }
    }

    private func check(_ arguments: [String]) throws -> (exit: Int32, json: [String: Any], err: String) {
        let (status, out, err) = try KernelSandbox.runProcess(try CheckKernelTests.aurulesPath(), ["check", "--format", "json"] + arguments)
        guard let json = try? JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any] else {
            throw SandboxError("aurules check \(arguments) printed no JSON (exit \(status)): \(err)\(out)")
        }
        return (status, json, err)
    }
}
