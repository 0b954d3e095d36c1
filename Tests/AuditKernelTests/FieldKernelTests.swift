import AuditKernel
import AuditRules
import CLibAudit
import Foundation
import Syscalls
import XCTest

/// FieldValueParser's verdicts against the kernel's. libaudit's parser (what auditctl runs)
/// turns each field/list/operator/value into the value it would send; the kernel then says
/// whether it takes a rule with that one field. We must accept exactly what libaudit and the
/// kernel both accept (AuditRulesTests/FieldLibauditSweepTests covers libaudit's refusals).
final class FieldKernelTests: XCTestCase {
    static let values = ["0", "1", "1000", "-1", "unset", "4294967295", "root", "-EACCES", "EACCES", "CONFIG_CHANGE",
                         "file", "wa", "b64", "i686", "/etc/passwd", "/etc/", "etc", "debugfs", "45", "abc", "26"]
    static let lists: [FilterList] = [.user, .task, .exit, .exclude, .filesystem]

    func testParserAgreesWithTheKernel() throws {
        let parser = FieldValueParser(resolver: HostUserResolver())
        // One probe per field, list, operator and verdict of ours (with its message), and on the
        // exit list with `=` one per distinct value of the fields the kernel checks values of.
        var probes: [(String, FilterList, FieldOperator, String, KernelField, Result<FieldValue, FieldValueError>)] = []
        var seen = Set<String>()
        for spec in FieldTable.all {
            for list in Self.lists {
                for op in FieldOperator.allCases {
                    for raw in Self.values {
                        guard let field = Self.libaudit("\(spec.name)\(op.rawValue)\(raw)", list: list,
                                                        archField: spec.id == FieldID.arch) else { continue }
                        let ours = parser.parse(spec, op: op, raw: RulesText(raw), list: list)
                        let verdict: String
                        switch ours {
                        case .success: verdict = list == .exit && op == .equal && [.uid, .gid, .string].contains(spec.kind)
                            ? "ok \(field.value) \(message: field.string ?? "")" : "ok"
                        case .failure(let e): verdict = e.message
                        }
                        // The kernel treats <, >, <= and >= alike, and & and &= alike.
                        let opClass = [.lessThan, .greaterThan, .lessOrEqual, .greaterOrEqual].contains(op) ? "<>"
                            : op == .bitTest ? "&" : op.rawValue
                        if seen.insert("\(spec.id) \(list) \(opClass) \(verdict)").inserted {
                            probes.append((spec.name, list, op, raw, field, ours))
                        }
                    }
                }
            }
        }
        try KernelSandbox.run { sandbox in
            var disagreements: [String] = []
            var kernelAccepted = 0
            for (name, list, op, raw, field, ours) in probes {
                let rule = KernelRule(list: list, action: .never,
                                      mask: Array(repeating: list == .exit ? .max : 0, count: KernelRule.maskWords),
                                      fields: [field])
                let kernelTakes = (try? sandbox.connection.addRule(rule)) != nil
                if kernelTakes {
                    kernelAccepted += 1
                    try sandbox.connection.deleteRule(rule)
                }
                switch ours {
                case .success where !kernelTakes:
                    disagreements.append("\(list.rawValue): \(name)\(op.rawValue)\(raw): we accept, the kernel refuses")
                case .failure(let e) where kernelTakes:
                    disagreements.append("\(list.rawValue): \(name)\(op.rawValue)\(raw): the kernel accepts, we refuse: \(e.message)")
                default: break
                }
            }
            print("field kernel probes: \(probes.count), kernel took \(kernelAccepted), \(disagreements.count) disagreements")
            for d in disagreements { print("  " + d) }
            XCTAssertEqual(disagreements.count, 0)
        }
    }

    /// From audit 3.1 libaudit lets every field that is not exit- or filesystem-only onto the
    /// exclude list (and perm) when the kernel has exclude-extend (its data says so): the kernel
    /// must take each of those that we accept there.
    func testAudit4ExcludeFieldsAreTakenByTheKernel() throws {
        let parser = FieldValueParser(resolver: HostUserResolver(), auditVersion: .v4_2)
        XCTAssertNil(AuditVersion.v4_2.loader.excludeFields(kernelHasExtend: true), "4.2 checks no exclude field set on an extend kernel")
        let samples: [FieldValueKind: String] = [.uid: "0", .gid: "0", .signedNumber: "1", .unsignedNumber: "2",
                                                 .argument: "1", .arch: "b64", .permission: "r", .sessionID: "1",
                                                 .msgtype: "1300"]
        var probes: [(String, KernelField)] = []
        for spec in FieldTable.all where AuditVersion.v4_2.loader.fieldRefusal(spec.name, spelled: spec.name, op: "=", list: "exclude", kernelHasExcludeExtend: true) == nil
            && !spec.kernelRefuses(on: .exclude) {
            let raw = spec.id == FieldID.exe ? "/usr/bin/true" : samples[spec.kind] ?? "aurules"
            guard case .success(let v) = parser.parse(spec, op: .equal, raw: RulesText(raw), list: .exclude) else {
                XCTFail("\(spec.name)=\(raw) refused on the exclude list for audit 4.2")
                continue
            }
            let field: KernelField
            switch v {
            case .number(let n): field = KernelField(id: spec.id, op: .equal, value: n)
            case .permissions(let p): field = KernelField(id: spec.id, op: .equal, value: p.rawValue)
            case .string(let t): field = KernelField(id: spec.id, op: .equal, string: t)
            case .arch: field = KernelField(id: spec.id, op: .equal, value: 0xc000_003e)
            default: XCTFail("unexpected \(v)"); continue
            }
            probes.append(("\(spec.name)=\(raw)", field))
        }
        XCTAssertGreaterThanOrEqual(probes.count, 30)
        try KernelSandbox.run { sandbox in
            for (label, field) in probes {
                let rule = KernelRule(list: .exclude, action: .never, fields: [field])
                do {
                    try sandbox.connection.addRule(rule)
                    try sandbox.connection.deleteRule(rule)
                } catch {
                    XCTFail("the kernel refuses -a never,exclude -F \(label): \(error)")
                }
            }
            print("audit 4.2 exclude fields: \(probes.count) taken by the kernel")
        }
    }

    /// A valid value of `spec` as the kernel holds it (paths that exist, where the kernel needs them).
    static func sample(_ spec: FieldSpec) -> KernelField {
        switch spec.kind {
        case .string:
            let s = spec.id == FieldID.path ? "/etc/passwd" : spec.id == FieldID.dir ? "/etc" : spec.id == FieldID.exe ? "/usr/bin/true" : "aurules-test"
            return KernelField(id: spec.id, op: .equal, string: RulesText(s))
        case .arch: return KernelField(id: spec.id, op: .equal, value: 0xc000_003e)
        case .permission: return KernelField(id: spec.id, op: .equal, value: 4)
        case .fsType: return KernelField(id: spec.id, op: .equal, value: 0x6462_6720)
        case .fileType: return KernelField(id: spec.id, op: .equal, value: 0o100000)
        case .msgtype: return KernelField(id: spec.id, op: .equal, value: 1300)
        case .exit: return KernelField(id: spec.id, op: .equal, value: UInt32(bitPattern: -13))
        case .uid, .gid: return KernelField(id: spec.id, op: .equal, value: 0)
        default: return KernelField(id: spec.id, op: .equal, value: 1)
        }
    }

    /// Whether the running kernel takes a rule on `list` with `fields` (added and deleted again).
    static func kernelTakes(_ sandbox: KernelSandbox, _ list: FilterList, _ fields: [KernelField]) -> Bool {
        let mask = Array(repeating: list == .exit || list == .io_uring ? UInt32.max : 0, count: KernelRule.maskWords)
        let rule = KernelRule(list: list, action: .never, mask: mask, fields: fields)
        guard (try? sandbox.connection.addRule(rule)) != nil else { return false }
        XCTAssertNoThrow(try sandbox.connection.deleteRule(rule))
        return true
    }

    /// KernelAuditFacts' list rules that hold in every release, against this kernel: each pair
    /// they refuse is refused, and each pair they name as allowed is taken (not circular: the
    /// kernel answers). The release-dependent facts this kernel has are taken, and it reports
    /// every feature bit the facts give its release.
    func testKernelAuditFactsHoldOnThisKernel() throws {
        let running = try XCTUnwrap(KernelVersion(HostFacts.current.release))
        let lists = FilterList.allCases
        try KernelSandbox.run { sandbox in
            let bitmap = try sandbox.connection.status().featureBitmap
            let expected = KernelAuditFacts.featureBitmap(at: running)
            XCTAssertEqual(bitmap & expected, expected, "kernel \(running) reports \(String(bitmap, radix: 16)), the facts say \(String(expected, radix: 16))")
            var refusedChecked = 0
            for spec in FieldTable.all {
                for list in lists where KernelAuditFacts.refuses(field: spec.name, on: list.rawValue) {
                    XCTAssertFalse(Self.kernelTakes(sandbox, list, [Self.sample(spec)]), "the kernel takes \(spec.name) on \(list.rawValue)")
                    refusedChecked += 1
                }
            }
            for (field, only) in KernelAuditFacts.fieldOnlyOn {
                let spec = try XCTUnwrap(FieldTable.spec(named: field))
                for list in only {
                    XCTAssertTrue(Self.kernelTakes(sandbox, try XCTUnwrap(FilterList(rawValue: list)), [Self.sample(spec)]), "\(field) on \(list)")
                }
            }
            for (list, only) in KernelAuditFacts.listTakesOnly {
                let fields = try only.map { try XCTUnwrap(FieldTable.spec(named: $0)) }.map(Self.sample)
                XCTAssertTrue(Self.kernelTakes(sandbox, try XCTUnwrap(FilterList(rawValue: list)), fields), "\(only) on \(list)")
            }
            for (_, refused) in KernelAuditFacts.listRefuses {
                for field in refused {
                    XCTAssertTrue(Self.kernelTakes(sandbox, .exit, [Self.sample(try XCTUnwrap(FieldTable.spec(named: field)))]), "\(field) on exit")
                }
            }
            // The facts that start at a release: this kernel has each it is new enough for.
            for f in KernelAuditFacts.facts where f.first <= running {
                let exe = try XCTUnwrap(FieldTable.spec(named: "exe"))
                switch f.kind {
                case .field:
                    let spec = try XCTUnwrap(FieldTable.spec(named: f.name))
                    let list: FilterList = f.name == "fstype" ? .filesystem : .exit
                    XCTAssertTrue(Self.kernelTakes(sandbox, list, [Self.sample(spec)]), "field \(f.name) (Linux \(f.first))")
                case .list:
                    let list = try XCTUnwrap(FilterList(rawValue: f.name))
                    let key = KernelField(id: FieldID.filterkey, op: .equal, string: "aurules-test")
                    let fields = list == .filesystem ? [Self.sample(try XCTUnwrap(FieldTable.spec(named: "fstype"))), key] : [key]
                    XCTAssertTrue(Self.kernelTakes(sandbox, list, fields), "list \(f.name) (Linux \(f.first))")
                case .fieldOffExit:
                    for list in [FilterList.user, .task, .exclude] {
                        XCTAssertTrue(Self.kernelTakes(sandbox, list, [Self.sample(exe)]), "exe on \(list.rawValue) (Linux \(f.first))")
                    }
                case .fieldNotEqual:
                    var field = Self.sample(exe)
                    field.op = .notEqual
                    XCTAssertTrue(Self.kernelTakes(sandbox, .exit, [field]), "exe!= (Linux \(f.first))")
                case .feature:
                    break
                }
            }
            print("kernel audit facts on \(running): \(refusedChecked) refused pairs, feature bitmap \(String(bitmap, radix: 16))")
        }
    }

    /// What aurules calls loadable for this kernel and the installed auditctl loads: every rule
    /// that needs a release-dependent fact, parsed and compiled for the running release, loaded
    /// with `auditctl -R` with no error.
    func testRulesLoadableOnThisKernelLoad() throws {
        guard HostFacts.current.machine == .x86_64 else { throw XCTSkip("the rules are x86_64's") }
        let db = SyscallDatabase.shipped
        let running = try XCTUnwrap(KernelVersion(HostFacts.current.release))
        let text = """
            -a always,exit -F arch=b64 -S openat -F exe=/usr/bin/true -k aurules-test-k1
            -a always,exit -F arch=b64 -S openat -F exe!=/usr/bin/true -k aurules-test-k2
            -a never,user -F exe=/usr/bin/true -k aurules-test-k3
            -a never,exclude -F exe=/usr/bin/true
            -a always,exit -F arch=b64 -S openat -F sessionid=1 -k aurules-test-k5
            -a always,exit -F arch=b64 -S connect -F saddr_fam=2 -k aurules-test-k6
            -a never,filesystem -F fstype=debugfs -k aurules-test-k7
            -a never,exclude -F uid=0 -F msgtype=1300

            """
        var options = ParseOptions(resolver: HostUserResolver(), hostMachine: .x86_64)
        options.loader = .v3_0_9
        options.kernel = running
        let file = RuleParser.parse(text: RulesText(text), file: "k.rules", options: options)
        XCTAssertEqual(file.diagnostics.filter { $0.severity == .error }.map(\.message), [])
        let target = CompileTarget(machine: .x86_64, kernel: min(running, db.newestRelease), auditVersion: .v3_0_9,
                                   watchKind: .path, database: db, resolver: HostUserResolver())
        let result = Compiler(target: target).compile(file)
        XCTAssertFalse(result.hasErrors, "\(result.diagnostics.map(\.message))")
        let rendered = RulesFileWriter(target: target, includeControls: false).render(result)
        try KernelSandbox.run { sandbox in
            try sandbox.load(rules: rendered)
            XCTAssertEqual(try sandbox.listing().count, result.rules.count)
        }
    }

    /// The field libaudit's audit_rule_fieldpair_data makes of `pair`, or nil when it refuses.
    static func libaudit(_ pair: String, list: FilterList, archField: Bool) -> KernelField? {
        if let p = dlsym(nil, "_audit_syscalladded") { p.assumingMemoryBound(to: Int32.self).pointee = archField ? 0 : 1 }
        var rule: UnsafeMutablePointer<audit_rule_data>? = audit_rule_create_data()
        defer { free(rule) }
        let copy = strdup(pair)!
        defer { free(copy) }
        let saved = dup(2), null = open("/dev/null", O_WRONLY)
        dup2(null, 2)
        let rc = audit_rule_fieldpair_data(&rule, copy, Int32(list.kernelValue))
        dup2(saved, 2)
        close(null)
        close(saved)
        guard rc == 0, let r = rule else { return nil }
        let id = withUnsafeBytes(of: &r.pointee.fields) { $0.load(as: UInt32.self) }
        let value = withUnsafeBytes(of: &r.pointee.values) { $0.load(as: UInt32.self) }
        let opBits = withUnsafeBytes(of: &r.pointee.fieldflags) { $0.load(as: UInt32.self) }
        guard let op = FieldOperator(kernelValue: opBits) else { return nil }
        if r.pointee.buflen > 0 {
            let base = UnsafeRawPointer(r).advanced(by: MemoryLayout<audit_rule_data>.size)
            return KernelField(id: id, op: op, string: RulesText(UnsafeRawBufferPointer(start: base, count: Int(value))))
        }
        return KernelField(id: id, op: op, value: value)
    }
}
