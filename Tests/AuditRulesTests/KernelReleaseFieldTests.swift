@testable import AuditRules
import Foundation
import Syscalls
import XCTest

/// What a target kernel release lacks (KernelAuditFacts) is an error with the loader's or the
/// kernel's message and the first release that has it; the release before each boundary
/// triggers, the boundary itself does not. AuditKernelTests/FieldKernelTests checks the facts
/// that hold on the running kernel against it.
final class KernelReleaseFieldTests: XCTestCase {
    func errors(_ text: String, kernel: KernelVersion?, loader: AuditVersion = .v3_0_9) -> [Diagnostic] {
        var options = ParseOptions(resolver: nil, hostMachine: .x86_64)
        options.loader = loader
        options.kernel = kernel
        return RuleParser.parse(text: RulesText(text + "\n"), file: "k.rules", options: options).diagnostics.filter { $0.severity == .error }
    }

    /// The minor release before `v` (the facts all start at a minor release above 0).
    func before(_ v: KernelVersion) -> KernelVersion { KernelVersion(v.major, v.minor - 1) }

    /// One rule per fact, refused before the fact's release and taken from it on, under the code
    /// and with the message the fact's kind has.
    func testEveryFactHasItsBoundary() throws {
        let probes: [(KernelAuditFacts.Fact.Kind, String, String, AuditVersion, DiagnosticCode, String)] = [
            (.field, "exe", "-a always,exit -F arch=b64 -S openat -F exe=/usr/bin/x -k k", .v3_0_9, .unknownField,
             "auditctl 3.0.9 refuses it (\"Field option not supported by kernel: exe\")"),
            (.field, "sessionid", "-a always,exit -F arch=b64 -S openat -F sessionid=1 -k k", .v3_0_9, .unknownField,
             "auditctl 3.0.9 refuses it (\"Field option not supported by kernel: sessionid\")"),
            (.field, "saddr_fam", "-a always,exit -F arch=b64 -S connect -F saddr_fam=2 -k k", .v3_0_9, .unknownField,
             "the kernel refuses the rule (Invalid argument)"),
            (.list, "filesystem", "-a never,filesystem -F fstype=debugfs -k k", .v3_0_9, .listAction,
             "auditctl 3.0.9 refuses a field on it"),
            (.list, "io_uring", "-a always,io_uring -S openat -k k", .v4_2, .listAction, "the kernel refuses the rule (Invalid argument)"),
            (.fieldOffExit, "exe", "-a never,user -F exe=/usr/bin/x", .v3_0_9, .fieldNotOnList,
             "cannot be used on the user list before Linux 4.19"),
            (.fieldNotEqual, "exe", "-a always,exit -F arch=b64 -S openat -F exe!=/usr/bin/x -k k", .v3_0_9, .fieldOperator,
             "takes '!=' from Linux 4.18 on"),
        ]
        var covered: [String] = []
        for (kind, name, rule, loader, code, said) in probes {
            let fact = try XCTUnwrap(KernelAuditFacts.fact(kind, name), "\(kind) \(name)")
            covered.append("\(kind) \(name)")
            let old = errors(rule, kernel: before(fact.first), loader: loader)
            XCTAssertEqual(old.map(\.code), [code.rawValue], "\(rule) at \(before(fact.first)): \(old.map(\.message))")
            let message = old.first?.message ?? ""
            XCTAssertTrue(message.contains(said), message)
            XCTAssertTrue(message.contains("Linux \(fact.first)"), "names the first release: \(message)")
            XCTAssertTrue(message.contains("kernel \(before(fact.first))"), "names the target: \(message)")
            XCTAssertEqual(errors(rule, kernel: fact.first, loader: loader).map(\.message), [], "\(rule) at \(fact.first)")
            XCTAssertEqual(errors(rule, kernel: nil, loader: loader).map(\.message), [], "\(rule) with no target kernel")
        }
        // Every fact a rule can meet has a probe (fstype arrives with the filesystem list).
        let ruleFacts = KernelAuditFacts.facts.filter { $0.kind != .feature && !($0.kind == .field && $0.name == "fstype") }
        XCTAssertEqual(Set(ruleFacts.map { "\($0.kind) \($0.name)" }), Set(covered))
    }

    /// fstype and the filesystem list arrive together: one error, at the list.
    func testFilesystemListIsReportedOnce() {
        let found = errors("-a never,filesystem -F fstype=debugfs -F key=k", kernel: KernelVersion(3, 10))
        XCTAssertEqual(found.map(\.code), [DiagnosticCode.listAction.rawValue], "\(found.map(\.message))")
        XCTAssertEqual(found.first?.location.column, 10)
    }

    /// exe on the exit list with = needs only the field (4.3): no list or operator error at 4.3.
    func testExeOnTheExitListAt43() {
        XCTAssertEqual(errors("-a always,exit -F arch=b64 -S execve -F exe=/usr/bin/x -k k", kernel: KernelVersion(4, 3)).map(\.message), [])
        // At 3.10 (RHEL 7's mainline release) the field itself is refused, once.
        let old = errors("-a never,user -F exe!=/usr/bin/x", kernel: KernelVersion(3, 10))
        XCTAssertEqual(old.map(\.code), [DiagnosticCode.unknownField.rawValue], "\(old.map(\.message))")
    }

    /// libaudit's exclude check follows EXCLUDE_EXTEND, which the kernel reports from 4.9.
    func testExcludeExtendFrom49() {
        XCTAssertEqual(FieldTable.excludeExtendKernel, KernelVersion(4, 9))
        XCTAssertFalse(errors("-a never,exclude -F uid=0", kernel: KernelVersion(4, 8)).isEmpty)
        XCTAssertEqual(errors("-a never,exclude -F uid=0", kernel: KernelVersion(4, 9)).map(\.message), [])
        // exe on the exclude list: libaudit 3.0.9 takes it with exclude-extend, the kernel from 4.19.
        XCTAssertEqual(errors("-a never,exclude -F exe=/usr/bin/x", kernel: KernelVersion(4, 18)).map(\.code), [DiagnosticCode.fieldNotOnList.rawValue])
        XCTAssertEqual(errors("-a never,exclude -F exe=/usr/bin/x", kernel: KernelVersion(4, 19)).map(\.message), [])
    }

    /// The feature bitmap a mainline release reports: the bits of the facts up to it.
    func testFeatureBitmapByRelease() {
        XCTAssertEqual(KernelAuditFacts.featureBitmap(at: KernelVersion(3, 10)), 0)
        XCTAssertEqual(KernelAuditFacts.featureBitmap(at: KernelVersion(4, 3)), 0x07)
        XCTAssertEqual(KernelAuditFacts.featureBitmap(at: KernelVersion(4, 9)), 0x0F)
        XCTAssertEqual(KernelAuditFacts.featureBitmap(at: KernelVersion(4, 14)), 0x3F)
        XCTAssertEqual(KernelAuditFacts.featureBitmap(at: KernelVersion(4, 15)), 0x7F)
        XCTAssertEqual(KernelAuditFacts.featureBitmap(at: nil), 0x7F)
        // Every fact says where it comes from.
        for f in KernelAuditFacts.facts {
            XCTAssertFalse(f.commit.isEmpty || f.source.isEmpty, f.name)
        }
    }

    /// auditctl adds the keys last through audit_rule_fieldpair_data with the rule's list: 3.0.9's
    /// exclude field set (with exclude-extend) has no key, so a key on the exclude list is refused
    /// (checked with auditctl 3.0.9 by hand and by FieldKernelTests' load); 3.1 lets every field
    /// through on such a kernel, and refuses it without one.
    func testKeyOnTheExcludeList() {
        let rule = "-a never,exclude -F exe=/usr/bin/x -k k"
        let old = errors(rule, kernel: nil, loader: .v3_0_9)
        XCTAssertEqual(old.map(\.code), [DiagnosticCode.fieldNotOnList.rawValue], "\(old.map(\.message))")
        XCTAssertEqual(old.first?.location.column, 39)
        XCTAssertTrue(old.first?.message.contains("Only msgtype, *uid, *gid, pid, and subj* fields can be used with exclude filter") == true)
        XCTAssertEqual(errors(rule, kernel: nil, loader: .v4_2).map(\.message), [])
        XCTAssertEqual(errors("-a never,exclude -F msgtype=1300 -F key=k", kernel: KernelVersion(4, 8), loader: .v4_2).map(\.code),
                       [DiagnosticCode.keyPlacement.rawValue, DiagnosticCode.fieldNotOnList.rawValue])
        XCTAssertEqual(errors("-w /etc/hosts -p wa -k k", kernel: nil, loader: .v3_0_9).map(\.message), [], "a watch's list is exit")
    }
}
