@testable import AuditRules
import Syscalls
import XCTest

/// The whole corpus compiled for machines unlike this host: no rule may carry a syscall its ABI
/// lacks at the target release, and every dropped syscall is reported once, with the
/// equivalents that exist there.
final class CompilerCorpusTests: XCTestCase {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("../shared/corpus").standardized.path

    /// Every corpus rules file, parsed for `machine`, as one input (so "once" means once overall).
    static func corpusFile(for machine: Machine) throws -> RuleFile {
        let manifest = try String(contentsOfFile: "\(corpus)/MANIFEST.tsv", encoding: .utf8)
        var all = RuleFile(path: "corpus")
        for row in manifest.split(separator: "\n").dropFirst() {
            let path = String(row.split(separator: "\t", omittingEmptySubsequences: false)[0])
            let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: "\(corpus)/\(path)")), as: UTF8.self)
            let parsed = RuleParser.parse(text: RulesText(text), file: path, options: ParseOptions(resolver: nil, hostMachine: machine))
            // Each file alone would start from its own -D; here they share one rule set.
            all.statements += parsed.statements.filter { if case .deleteAll = $0.kind { return false } else { return true } }
        }
        return all
    }

    func testCorpusOnForeignMachines() throws {
        guard FileManager.default.fileExists(atPath: Self.corpus) else { throw XCTSkip("no corpus at \(Self.corpus)") }
        let db = SyscallDatabase.shipped
        for machine in [Machine.aarch64, .ppc64le, .s390x] {
            for kernel in [KernelVersion(6, 1), db.newestRelease] {
                try check(machine, kernel, db)
            }
        }
    }

    private func check(_ machine: Machine, _ kernel: KernelVersion, _ db: SyscallDatabase) throws {
        let file = try Self.corpusFile(for: machine)
        // --no-resolve: user names are host facts, not what this test is about.
        let target = CompileTarget(machine: machine, kernel: kernel, auditVersion: .v3_0_9, watchKind: .path, database: db, resolver: nil)
        let result = Compiler(target: target).compile(file)

        // Statements whose -S lists numbers: those are kept as written, known or not.
        var numbered = Set<String>()
        var expectedDrops = Set<String>()
        for stmt in file.statements {
            guard case .rule(let rule) = stmt.kind else { continue }
            if rule.syscalls.contains(where: { if case .number = $0.value { return true } else { return false } }) {
                numbered.insert("\(stmt.location.file):\(stmt.location.line)")
            }
            // The ABI of the last arch field (resolved for the target), else every ABI of the machine.
            var abis = target.expansionABIs
            for clause in rule.fields where clause.name.value == "arch" {
                guard case .arch(let selector) = clause.value else { continue }
                switch CompilationState(target: target).resolve(selector) {
                case .success(let arch): abis = arch.abi.map { [$0] } ?? []
                case .failure: abis = []  // no such ABI there: the rule is left out
                }
            }
            for case .name(let written) in rule.syscalls.map(\.value) {
                guard let name = written.asciiName else { continue }
                for abi in abis {
                    guard let table = db.table(abi, at: kernel) else { continue }
                    let viaLibaudit = AuditVersion.allCases.contains { v in
                        db.kernelName(libaudit: name, abi: abi, version: v).map(table.contains) ?? false
                    }
                    if !table.contains(name) && !viaLibaudit && db.isKnownOnAnyABI(name) { expectedDrops.insert("\(abi) \(name.lowercased())") }
                }
            }
        }
        var unknown: [String] = []
        for rule in result.rules {
            guard let p = rule.provenance, let abi = p.abi, !SyscallMask.isAll(rule.mask), !numbered.contains("\(p.file):\(p.line)") else { continue }
            let table = try XCTUnwrap(db.table(abi, at: kernel))
            for n in SyscallMaskNumbers.numbers(rule.mask) where n < 2032 && table.name(of: n) == nil {
                unknown.append("\(p.file):\(p.line) \(abi): \(n)")
            }
        }
        XCTAssertEqual(unknown, [], "\(machine) \(kernel): syscalls unknown to their ABI")

        var reported: [String: Int] = [:]
        for d in result.diagnostics where d.severity == .warning {
            guard let r = d.message.range(of: "syscall '"), let end = d.message[r.upperBound...].firstIndex(of: "'"),
                  let on = d.message.range(of: "does not exist on ") else { continue }
            let name = d.message[r.upperBound ..< end].lowercased()
            let abi = d.message[on.upperBound...].prefix { $0 != " " }
            reported["\(abi) \(name)", default: 0] += 1
            let abiValue = try XCTUnwrap(ABI(rawValue: String(abi)))
            for eq in db.equivalents(of: name, on: abiValue, at: kernel) {
                XCTAssertTrue(d.message.contains(eq), "\(d.message) should name \(eq)")
            }
        }
        XCTAssertEqual(reported.filter { $0.value > 1 }, [:], "\(machine) \(kernel): reported more than once")
        XCTAssertEqual(Set(reported.keys), expectedDrops, "\(machine) \(kernel): dropped syscalls reported")
        print("\(machine) \(kernel): \(result.rules.count) kernel rules, \(reported.count) dropped syscall(s): "
            + reported.keys.sorted().joined(separator: ", "))
    }
}

enum SyscallMaskNumbers {
    static func numbers(_ mask: [UInt32]) -> [Int] {
        (0 ..< 32 * mask.count).filter { mask[$0 / 32] & (1 << UInt32($0 % 32)) != 0 }
    }
}
