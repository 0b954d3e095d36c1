import CLibAudit
import Foundation
import XCTest
@testable import AuditRules

/// Our refusal messages against auditctl's own, for one value of every kind of refusal libaudit
/// makes: auditctl runs with the field on its command line and refuses before sending anything.
/// It runs in a KernelSandbox all the same (the rule set is restored byte for byte should auditctl
/// load a rule after all). Runs of spaces are compared as one (auditctl has a few doubled spaces
/// in its messages that we do not copy).
final class FieldAuditctlMessageTests: XCTestCase {
    func testMessagesMatchAuditctl() throws {
        let parser = FieldValueParser(resolver: HostUserResolver())
        var cases: [(FieldSpec, FilterList, FieldOperator, String, String)] = []
        var seen = Set<String>()
        for spec in FieldTable.all where spec.id != FieldID.key {
            for list in FieldLibauditSweepTests.lists {
                for op in FieldOperator.allCases {
                    for raw in FieldLibauditSweepTests.values {
                        guard case .rejected = FieldLibauditOracle.parse("\(spec.name)\(op.rawValue)\(raw)", list: list,
                                                                         syscallAdded: spec.id != FieldID.arch),
                              case .failure(let e) = parser.parse(spec, op: op, raw: RulesText(raw), list: list),
                              seen.insert(Self.template(e.message, spec, raw)).inserted else { continue }
                        cases.append((spec, list, op, raw, e.message))
                    }
                }
            }
        }
        let start = Date()
        var same = 0
        var different: [String] = []
        // Nothing should be loaded: the rules in place stay (clear: false), and are restored at the end.
        try KernelSandbox.run(clear: false) { _ in
            for (spec, list, op, raw, ours) in cases {
                var args = ["-a", "never,\(list.rawValue)"]
                if list == .exit && spec.id != FieldID.arch { args += ["-F", "arch=b64", "-S", "openat"] }
                args += ["-F", "\(spec.name)\(op.rawValue)\(raw)"]
                let (status, _, stderr) = try KernelSandbox.runProcess(KernelSandbox.auditctlPath!, args)
                if status == 0 {
                    XCTFail("auditctl \(args.joined(separator: " ")) was accepted")
                    continue
                }
                let message = stderr.split(separator: "\n").first.map(String.init) ?? ""
                if Self.squeezed(message) == Self.squeezed(ours) { same += 1 } else {
                    different.append("\(list.rawValue) \(spec.name)\(op.rawValue)\(raw): auditctl \"\(message)\", we \"\(ours)\"")
                }
            }
        }
        print("auditctl messages: \(same) of \(cases.count) refusal kinds worded as auditctl words them"
              + " (\(Int(Date().timeIntervalSince(start) * 1000)) ms with the lock)")
        for d in different { print("  " + d) }
        XCTAssertEqual(different.count, 0)
    }

    /// One case per wording: the message with the field's name and the value taken out.
    static func template(_ message: String, _ spec: FieldSpec, _ raw: String) -> String {
        message.replacingOccurrences(of: spec.name, with: "NAME").replacingOccurrences(of: raw, with: "VALUE")
    }

    static func squeezed(_ s: String) -> String {
        s.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }
}

/// The whole-rule refusals whose text comes from the loader data (src/auditctl.c): the io_uring
/// list auditctl 3.0.9 does not know, -S on lists without syscalls, and the -F refusals of the
/// exclude list, against what auditctl 3.0.9 prints for the same line.
final class LoaderMessageAuditctlTests: XCTestCase {
    func testLoaderMessagesMatchAuditctl309() throws {
        guard KernelSandbox.auditctlPath != nil else { throw XCTSkip("auditctl is not installed") }
        let lines: [[String]] = [
            ["-a", "always,io_uring", "-S", "openat"], ["-A", "always,io_uring", "-S", "openat"], ["-d", "never,io_uring"],
            ["-a", "always,task", "-S", "openat"], ["-a", "never,user", "-S", "openat"], ["-a", "always,exclude", "-S", "openat"],
            ["-a", "always,filesystem", "-S", "openat"], ["-a", "never,exclude", "-F", "sessionid=3"],
            ["-a", "never,exclude", "-F", "perm=r"], ["-a", "never,user", "-F", "ppid=1"], ["-a", "never,exit", "-F", "fstype=debugfs"],
            ["-a", "never,exit", "-F", "arch=b64", "-S", "openat", "-F", "inode<3"],
        ]
        var options = ParseOptions(resolver: nil, hostMachine: .x86_64)
        options.loader = .v3_0_9
        var same = 0
        try KernelSandbox.run(clear: false) { _ in
            for args in lines {
                let file = RuleParser.parse(text: RulesText(args.joined(separator: " ") + "\n"), file: "m.rules", options: options)
                guard let ours = file.diagnostics.first(where: { $0.severity == .error }) else {
                    XCTFail("we accept \(args)")
                    continue
                }
                let (status, _, stderr) = try KernelSandbox.runProcess(KernelSandbox.auditctlPath!, args)
                XCTAssertNotEqual(status, 0, "auditctl accepted \(args)")
                let theirs = stderr.split(separator: "\n").first.map(String.init) ?? ""
                if ours.message.contains("\"\(theirs)\"") { same += 1 } else {
                    XCTFail("\(args.joined(separator: " ")): auditctl \"\(theirs)\", we \"\(ours.message)\"")
                }
            }
        }
        print("loader messages: \(same) of \(lines.count) quote auditctl 3.0.9's own line")
    }
}
