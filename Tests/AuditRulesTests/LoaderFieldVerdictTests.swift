@testable import AuditRules
import Foundation
import Syscalls
import XCTest

/// Every shipped loader release's `-F` verdicts, derived from its data file (the `fieldlists`,
/// `fieldops`, `fieldkind` and `exclude` rows read the simple way here, independent of
/// LoaderFacts), against what the parser says for that loader: an error exactly where the
/// release's libaudit (or the kernel) refuses, with the release's auditctl message.
final class LoaderFieldVerdictTests: XCTestCase {
    struct FieldData {
        var kinds: [String: String] = [:]
        var lists: [String: (key: String, names: Set<String>)] = [:]
        var ops: [String: (key: String, names: Set<String>)] = [:]
        var exclude: [String: Set<String>] = [:]
        var names: [String: Set<String>] = [:]

        init(_ release: AuditVersion) {
            let text = SyscallDatabase.shipped.fileText("loader-\(release).tsv") ?? ""
            for line in text.split(separator: "\n") where !line.hasPrefix("#") {
                let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
                guard f.count == 4, f[3].isEmpty || f[3] == "WITH_IO_URING" else { continue }
                let value = f[2].split(separator: " ", maxSplits: 1).map(String.init)
                let set = value.count > 1 ? Set(value[1].split(separator: ",").map(String.init)) : []
                switch f[0] {
                case "fieldkind": kinds[f[1]] = f[2]
                case "fieldlists": lists[f[1]] = (value[0], set)
                case "fieldops": ops[f[1]] = (value[0], set)
                case "exclude": exclude[f[1]] = set
                default: names[f[0], default: []].insert(f[1])
                }
            }
        }

        /// The release's refusal of `field OP` on `list`: the exclude set, the field's lists, its operators.
        func refuses(_ field: String, _ op: String, _ list: String, extend: Bool) -> Bool {
            if list == "exclude", let allowed = exclude[extend ? "extend" : "noextend"], !allowed.contains(field) { return true }
            if let l = lists[field], !l.names.contains(list) { return true }
            if let o = ops[field], !o.names.contains(op) { return true }
            return false
        }
    }

    /// A value every release reads for a field of `kind`.
    static func sample(_ spec: FieldSpec) -> String {
        switch spec.kind {
        case .uid, .gid, .signedNumber, .unsignedNumber, .argument, .sessionID, .inode: return "1"
        case .exit: return "-13"
        case .msgtype: return "1300"
        case .fileType: return "file"
        case .arch: return "b64"
        case .permission: return "r"
        case .string: return spec.id == FieldID.path || spec.id == FieldID.dir ? "/etc/x" : "/usr/bin/x"
        case .fsType: return "debugfs"
        }
    }

    static let codes: Set<String> = [DiagnosticCode.unknownField.rawValue, DiagnosticCode.fieldNotOnList.rawValue,
                                     DiagnosticCode.fieldOperator.rawValue]

    func parse(_ line: String, _ release: AuditVersion, kernel: KernelVersion? = nil) -> RuleFile {
        var options = ParseOptions(resolver: nil, hostMachine: .x86_64)
        options.loader = release
        options.kernel = kernel
        return RuleParser.parse(text: RulesText(line + "\n"), file: "v.rules", options: options)
    }

    /// What a kernel of `release` lacks for the clause (KernelAuditFacts), as the parser reports
    /// it under these codes: the field, the field off the exit list, `!=`; a field a missing list
    /// would refuse anyway is reported at the list (another code).
    static func kernelLacks(_ spec: FieldSpec, _ op: FieldOperator, _ list: FilterList, _ release: KernelVersion?) -> Bool {
        guard let release else { return false }
        if KernelAuditFacts.missing(.field, spec.name, at: release) != nil {
            return KernelAuditFacts.missing(.list, list.rawValue, at: release) == nil
        }
        if list != .exit, KernelAuditFacts.missing(.fieldOffExit, spec.name, at: release) != nil { return true }
        return op == .notEqual && KernelAuditFacts.missing(.fieldNotEqual, spec.name, at: release) != nil
    }

    /// field x list x operator for every release, on a kernel with and without exclude-extend
    /// (4.8: which lacks other facts too, see kernelLacks).
    func testEveryReleaseRefusesExactlyWhatItsDataRefuses() {
        var checked = 0, refused = 0
        for release in AuditVersion.allCases {
            let data = FieldData(release)
            var lists: [FilterList] = [.user, .task, .exit, .exclude, .filesystem]
            if data.names["list"]?.contains("io_uring") == true { lists.append(.io_uring) }
            for kernel in [nil, KernelVersion(4, 8)] as [KernelVersion?] {
                for spec in FieldTable.all where spec.id != FieldID.filterkey {
                    for list in lists {
                        for op in FieldOperator.allCases {
                            let line = "-a always,\(list.rawValue) -F \(spec.name)\(op.rawValue)\(Self.sample(spec))"
                            let errors = parse(line, release, kernel: kernel).diagnostics.filter { $0.severity == .error && Self.codes.contains($0.code ?? "") }
                            let known = data.kinds[spec.name] != nil
                            let expected = !known || data.refuses(spec.name, op.rawValue, list.rawValue, extend: kernel == nil)
                                || spec.kernelRefuses(on: list) || !spec.takes(op) || Self.kernelLacks(spec, op, list, kernel)
                            XCTAssertEqual(!errors.isEmpty, expected, "\(release) kernel \(kernel.map(\.description) ?? "new"): \(line): \(errors.map(\.message))")
                            checked += 1
                            if expected { refused += 1 }
                        }
                    }
                }
            }
        }
        print("loader field verdicts: \(checked) (release, kernel, field, list, operator) cases, \(refused) refused")
    }

    /// The facts that change between releases, as read from audit_rule_fieldpair_data at each tag.
    func testTheReleaseDifferencesAreTheSourcesOnes() {
        func errors(_ line: String, _ v: String, kernel: KernelVersion? = nil) -> [String] {
            parse(line, AuditVersion(rawValue: v)!, kernel: kernel).diagnostics.filter { $0.severity == .error }.map(\.message)
        }
        // exe on the exclude list: from 3.0 (2.8.5's set lacks it).
        XCTAssertTrue(errors("-a never,exclude -F exe=/usr/bin/x", "2.8.5").first?.contains("Only msgtype, *uid, *gid, pid, and subj* fields") == true)
        XCTAssertEqual(errors("-a never,exclude -F exe=/usr/bin/x", "3.0.9"), [])
        // sessionid (and every field not exit- or fs-only) on the exclude list: from 3.1 on a kernel with exclude-extend.
        XCTAssertFalse(errors("-a never,exclude -F sessionid=3", "3.0.9").isEmpty)
        XCTAssertEqual(errors("-a never,exclude -F sessionid=3", "3.1.2"), [])
        XCTAssertEqual(errors("-a never,exclude -F perm=r", "4.2.1"), [])
        XCTAssertFalse(errors("-a never,exclude -F perm=r", "3.0.9").isEmpty)
        // Without exclude-extend (before Linux 4.9): 3.0.9 takes only msgtype, 3.1+ its old set.
        XCTAssertFalse(errors("-a never,exclude -F uid=0", "3.0.9", kernel: KernelVersion(4, 8)).isEmpty)
        XCTAssertEqual(errors("-a never,exclude -F msgtype=1300", "3.0.9", kernel: KernelVersion(4, 8)), [])
        XCTAssertEqual(errors("-a never,exclude -F uid=0", "4.2.1", kernel: KernelVersion(4, 8)), [])
        XCTAssertFalse(errors("-a never,exclude -F sessionid=3", "4.2.1", kernel: KernelVersion(4, 8)).isEmpty)
        // exe takes != from 3.0; saddr_fam is a field from 3.0.
        XCTAssertTrue(errors("-a always,exit -F arch=b64 -S openat -F exe!=/bin/x -k x", "2.8.5").first?.contains("exe only takes = operator") == true)
        XCTAssertEqual(errors("-a always,exit -F arch=b64 -S openat -F exe!=/bin/x -k x", "3.0"), [])
        XCTAssertTrue(errors("-a always,exit -F arch=b64 -S connect -F saddr_fam=2 -k x", "2.8.5").first?.contains("-F unknown field: saddr_fam") == true)
        XCTAssertEqual(errors("-a always,exit -F arch=b64 -S connect -F saddr_fam=2 -k x", "3.0"), [])
        // perm adds the permission classes' syscalls from 4.0.
        XCTAssertEqual(AuditVersion.allCases.filter { PermissionSyscalls.applies(for: $0) }.map(\.rawValue), ["4.0.2", "4.1.4", "4.2.1"])
    }

    /// The built-in table (`FieldSpec.lists`, what auditctl 3.0.9 and the kernel take together)
    /// is the 3.0.9 data joined with the kernel's own refusals.
    func testBuiltInListsAre309DataAndKernel() {
        let facts = AuditVersion.v3_0_9.loader
        for spec in FieldTable.all where spec.id != FieldID.filterkey {
            for list in [FilterList.user, .task, .exit, .exclude, .filesystem] {
                let ours = facts.fieldRefusal(spec.name, spelled: spec.name, op: "=", list: list.rawValue, kernelHasExcludeExtend: true) == nil
                    && !spec.kernelRefuses(on: list)
                XCTAssertEqual(ours, spec.isAllowed(on: list), "\(spec.name) on \(list)")
            }
        }
    }

    /// How each release's libaudit reads each field is the kind the value parser reads it as;
    /// its errno, operator, action and list names are the ones the parser knows.
    func testKindsAndNameTablesOfEveryReleaseAreTheParsers() {
        let kindOf: [String: Set<FieldValueKind>] = [
            "uid": [.uid], "gid": [.gid], "errno": [.exit], "msgtype": [.msgtype], "string": [.string], "arch": [.arch],
            "perm": [.permission], "perm+syscalls": [.permission], "filetype": [.fileType], "fstype": [.fsType],
            "sessionid": [.sessionID], "unchecked": [.unsignedNumber], "signed": [.argument], "number": [.signedNumber, .inode],
        ]
        for release in AuditVersion.allCases {
            let data = FieldData(release)
            for spec in FieldTable.all {
                guard let kind = data.kinds[spec.name] else {
                    XCTAssertEqual(spec.name, "saddr_fam", "\(release) lacks \(spec.name)")
                    XCTAssertEqual(release.rawValue, "2.8.5")
                    continue
                }
                XCTAssertTrue(kindOf[kind]?.contains(spec.kind) == true, "\(release) \(spec.name): \(kind) vs \(spec.kind)")
            }
            XCTAssertEqual(data.names["op"], Set(FieldOperator.allCases.map(\.rawValue)), "\(release)")
            XCTAssertEqual(data.names["action"], ["always", "never", "possible"], "\(release)")
            XCTAssertTrue(data.names["list", default: []].isSubset(of: Set(FilterList.allCases.map(\.rawValue))), "\(release)")
            XCTAssertEqual(data.names["list"]?.contains("io_uring"), release >= AuditVersion(rawValue: "3.1.2")!, "\(release)")
            XCTAssertEqual(Set(data.names["errno", default: []].map { $0.uppercased() }), Set(ErrnoTable.allNames), "\(release)")
        }
    }

    /// Lint of several releases (--target MACHINE:RELEASE): a refusal by any of them is an error
    /// naming that release with its own auditctl text.
    func testSeveralLoadersEachRefusal() {
        var options = ParseOptions(resolver: nil, hostMachine: .x86_64)
        options.loader = .v4_2
        options.otherLoaders = [AuditVersion(rawValue: "2.8.5")!, .v3_0_9]
        let file = RuleParser.parse(text: "-a never,exclude -F exe=/usr/bin/x\n-a always,io_uring -S openat -k u\n-a never,exclude -F sessionid=1\n",
                                    file: "m.rules", options: options)
        let errors = file.diagnostics.filter { $0.severity == .error }
        XCTAssertEqual(errors.map(\.location.line), [1, 2, 3])
        XCTAssertTrue(errors[0].message.hasPrefix("field 'exe' cannot be used on the exclude list: audit 2.8.5 takes only"), errors[0].message)
        XCTAssertFalse(errors[0].message.contains("audit 3.0.9"), errors[0].message)
        XCTAssertTrue(errors[1].message.contains("audit 2.8.5 has no io_uring list") && errors[1].message.contains("audit 3.0.9 has no io_uring list"), errors[1].message)
        XCTAssertTrue(errors[2].message.contains("audit 2.8.5 takes only") && errors[2].message.contains("audit 3.0.9 takes only"), errors[2].message)
        XCTAssertFalse(errors[2].message.contains("audit 4.2.1"), errors[2].message)
        // 4.2 alone takes all three.
        options.otherLoaders = []
        XCTAssertEqual(RuleParser.parse(text: "-a never,exclude -F exe=/usr/bin/x\n-a always,io_uring -S openat -k u\n-a never,exclude -F sessionid=1\n",
                                        file: "m.rules", options: options).diagnostics.filter { $0.severity == .error }.map(\.message), [])
    }
}
