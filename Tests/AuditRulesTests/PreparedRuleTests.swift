@testable import AuditRules
import Syscalls
import XCTest

/// Lowering with the clauses prepared once for several targets (lint's) against lowering each
/// clause on each target: the same rules, repeated rules, verdicts and diagnostics.
final class PreparedRuleTests: XCTestCase {
    private static let lines = """
        -D
        -a always,exit -F arch=b64 -S openat -F perm=wa -k a
        -a always,exit -F arch=b32 -S open -F perm=r -F auid>=1000 -k b -k c
        -a always,exit -S open,creat -F perm=x -k d
        -a always,exit -F arch=b64 -S all -F bogus=1 -k e
        -a always,exit -F arch=b64 -S execve -F uid=root -k f
        -a always,exit -F arch=b64 -S execve -F gid=wheel -F key=g
        -a always,exit -F arch=b64 -S execve -C uid!=euid -k h
        -a never,exit -F arch=x86_64 -S open -k i
        -a always,exit -F arch=aarch64 -S openat -k j
        -a always,exit -F arch=3221225534 -S 2 -k k
        -a always,exit -F arch!=b64 -S openat -k l
        -a always,exit -F auid>=1000 -F arch=b32 -S chmod -F exit=-EACCES
        -A always,exit -F arch=b64 -S openat -F perm=w -F path=/etc/x -k m
        -d always,exit -F arch=b64 -S openat -F perm=w -F path=/etc/x -k m
        -a always,exit -F arch=b64 -S openat -F perm=w -F path=/etc/x -k m
        -a always,exit -F dir=/var/log -F perm=wa -k n
        -a always,user -F uid=0
        -a always,exclude -F msgtype=CWD
        -a always,filesystem -F fstype=tmpfs -k o
        -a always,exit -F arch=b32 -S socketcall -F a0=1 -k p
        -a always,exit -S all -F success=0
        -a always,exit -F arch=b64 -F perm=wa -F arch=b32 -S open
        -w /etc/group -p wa -F auid>=1000 -k r
        -a always,exit -F arch=b64 -S openat -F exe=/usr/bin/z -F a1&0x3 -k t
        -D -k a
        -a always,exit -F arch=b64 -S openat,bogus_call -k u
        -a always,exit -F arch=b32 -S open,openat,creat,nosuch -k v
        -a always,io_uring -S openat -k w
        -a always,exit -F arch=b64 -S openat -F loginuid=1000 -F ppid=1 -F pers=0x1 -k x
        """

    func testPreparedClausesLowerAsEachTargetAlone() {
        // Enough statements for the parallel lowering, and every line again (repeated rules).
        let text = (0 ..< 24).map { Self.lines + "\n-a always,exit -S openat -F uid=\($0) -k n\($0)" }.joined(separator: "\n") + "\n"
        let file = RuleParser.parse(text: RulesText(text), file: "p.rules", options: ParseOptions(resolver: nil, hostMachine: .x86_64))
        XCTAssertGreaterThan(file.statements.count, 512)
        let prepared = PreparedRule.of(file.statements)
        for machine: Machine in [.x86_64, .aarch64, .ppc64le, .s390x, .i386] {
            for audit: AuditVersion in [.v3_0_9, .v4_2] {
                for archless: ArchlessRules in [.asLoaded, .perABI] {
                    var target = CompileTarget(machine: machine, kernel: KernelVersion(6, 1), auditVersion: audit, watchKind: .path, resolver: nil)
                    target.archless = archless
                    let alone = CompileSession(target: target), withPrepared = CompileSession(target: target)
                    // Whole, and in two chunks (a chunk below the parallel threshold).
                    alone.add(file.statements)
                    withPrepared.add(Array(file.statements[..<100]), prepared: Array(prepared[..<100]))
                    withPrepared.add(Array(file.statements[100...]), prepared: Array(prepared[100...]))
                    let a = alone.finish(), b = withPrepared.finish()
                    let name = "\(machine) \(audit) \(archless)"
                    XCTAssertEqual(a.rules, b.rules, name)
                    XCTAssertEqual(a.rules.map(\.fields), b.rules.map(\.fields), name)
                    XCTAssertEqual(a.rules.map { $0.provenance?.line }, b.rules.map { $0.provenance?.line }, name)
                    XCTAssertEqual(a.repeated.map(\.location), b.repeated.map(\.location), name)
                    XCTAssertEqual(a.loaderVerdicts.map(\.kind), b.loaderVerdicts.map(\.kind), name)
                    XCTAssertEqual(a.loaderVerdicts.map(\.location), b.loaderVerdicts.map(\.location), name)
                    XCTAssertEqual(a.diagnostics.map(\.message), b.diagnostics.map(\.message), name)
                    XCTAssertEqual(a.diagnostics.map(\.location), b.diagnostics.map(\.location), name)
                    XCTAssertFalse(a.rules.isEmpty, name)
                }
            }
        }
    }

    /// The targets sharing one store, as lint compiles them (each chunk lowered for every target
    /// in turn): each target's rules read back from the store are those it compiles alone, and
    /// the field kinds answered once per shape (`hasFields`) are those of the rule's own fields.
    func testSharedStoreGivesEachTargetItsOwnRules() {
        let text = (0 ..< 40).map { Self.lines + "\n-a always,exit -S openat -F uid=\($0) -k n\($0)\n-w /var/log/d\($0) -p wa" }
            .joined(separator: "\n") + "\n"
        let file = RuleParser.parse(text: RulesText(text), file: "p.rules", options: ParseOptions(resolver: nil, hostMachine: .x86_64))
        // A small chunk, one lowered in parallel (512 statements or more), and the rest.
        XCTAssertGreaterThan(file.statements.count, 1000)
        var targets: [CompileTarget] = []
        for audit: AuditVersion in [.v3_0_9, .v4_2] {
            for machine: Machine in [.x86_64, .aarch64, .ppc64le, .s390x, .i386] {
                var target = CompileTarget(machine: machine, kernel: KernelVersion(6, 1), auditVersion: audit, watchKind: .path, resolver: nil)
                target.archless = .asLoaded
                targets.append(target)
            }
        }
        let store = SharedRuleStore()
        let shared = targets.map { CompileSession(target: $0, shared: store) }
        for chunk in [0 ..< 100, 100 ..< 700, 700 ..< file.statements.count] {
            let statements = Array(file.statements[chunk])
            let prepared = PreparedRule.of(statements)
            for session in shared { session.add(statements, prepared: prepared) }
        }
        for (target, session) in zip(targets, shared) {
            let alone = Compiler(target: target).compile(file)
            let rules = session.finishStored().rules
            let name = "\(target.machine) \(target.auditVersion)"
            XCTAssertFalse(alone.rules.isEmpty, name)
            XCTAssertEqual(Array(rules), alone.rules, name)
            XCTAssertEqual(rules.map(\.fields), alone.rules.map(\.fields), name)
            XCTAssertEqual(rules.map { $0.provenance?.line }, alone.rules.map { $0.provenance?.line }, name)
            XCTAssertEqual(rules.map { $0.provenance?.abi }, alone.rules.map { $0.provenance?.abi }, name)
            for i in rules.indices {
                let ids = alone.rules[i].fields.map(\.id)
                let watch = ids.contains { $0 == FieldID.path || $0 == FieldID.dir || $0 == FieldID.inode }
                XCTAssertEqual(rules.hasFields(at: i, .watchField), watch, "\(name) rule \(i)")
                XCTAssertEqual(rules.hasFields(at: i, .dirField), ids.contains(FieldID.dir), "\(name) rule \(i)")
                XCTAssertEqual(rules.hasFields(at: i, .fieldButArchOrKey), ids.contains { $0 != FieldID.arch && $0 != FieldID.key }, "\(name) rule \(i)")
                XCTAssertEqual(rules.hasFields(at: i, .watchField), rules.containsField(at: i) { $0 == FieldID.path || $0 == FieldID.dir || $0 == FieldID.inode })
            }
            XCTAssertTrue(rules.indices.contains { rules.hasFields(at: $0, .dirField) }, name)
            XCTAssertTrue(rules.indices.contains { !rules.hasFields(at: $0, .fieldButArchOrKey) }, name)
        }
    }
}
