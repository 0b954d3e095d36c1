import AuditLint
@testable import AuditRules
import Foundation
import Syscalls
import XCTest

/// Every shipped loader release against the corpus's syscall names and arches: lint's verdict
/// (AUR007 error or not) on each (machine, arch, name) is the one read straight from that
/// release's data files (a reading of libaudit-<release>.tsv and loader-<release>.tsv written
/// here, independent of LoaderFacts); and the corpus compiled for each machine writes only arches
/// and names that release's auditctl takes.
final class LoaderCorpusTests: XCTestCase {
    /// The data files of one release, read the simple way.
    struct ReleaseData {
        var names: [String: Set<String>] = [:]          // abi -> lower-cased names
        var machineConstant: [String: String] = [:]     // uname name -> MACH_*
        var bits: [String: String] = [:]                // MACH_* -> 32/64/any
        var b32: [String: String] = [:]
        var table: [String: String] = [:]

        init(_ release: AuditVersion) throws {
            let db = SyscallDatabase.shipped
            for line in (db.fileText("libaudit-\(release).tsv") ?? "").split(separator: "\n") where !line.hasPrefix("#") {
                let f = line.split(separator: "\t").map(String.init)
                names[f[0], default: []].insert(f[2].lowercased())
            }
            for line in (db.fileText("loader-\(release).tsv") ?? "").split(separator: "\n", omittingEmptySubsequences: false) where !line.hasPrefix("#") && !line.isEmpty {
                let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
                guard f[3].isEmpty || ["WITH_ARM", "WITH_AARCH64", "WITH_RISCV", "WITH_IO_URING"].contains(f[3]) else { continue }
                switch f[0] {
                case "machine": machineConstant[f[1]] = f[2]
                case "bits": bits[f[1]] = f[2]
                case "b32": b32[f[1]] = f[2]
                case "table": table[f[1]] = f[2]
                default: break
                }
            }
        }

        /// The ABI name whose table a rule's names resolve in, or nil when auditctl refuses the arch.
        func abi(arch: String?, machine: Machine) -> String? {
            guard var c = machineConstant[arch.flatMap { $0 == "b64" || $0 == "b32" ? nil : $0 } ?? machine.rawValue] else { return nil }
            if arch == "b32", let to = b32[c] { c = to }
            guard let allowed = bits[c] else { return nil }
            if arch == "b64" && allowed == "32" || arch == "b32" && allowed == "64" { return nil }
            guard table[c] != nil else { return nil }
            let abis = ["MACH_86_64": "x86_64", "MACH_X86": "i386", "MACH_PPC": "ppc", "MACH_PPC64": "ppc64", "MACH_PPC64LE": "ppc64",
                        "MACH_S390": "s390", "MACH_S390X": "s390x", "MACH_ARM": "arm", "MACH_AARCH64": "aarch64", "MACH_RISCV64": "riscv64", "MACH_RISCV32": "riscv32"]
            return abis[c]
        }
    }

    /// (arch or nil, name) pairs of the corpus's -S lists.
    func corpusPairs() throws -> [(arch: String?, name: String)] {
        var seen = Set<String>(), out: [(String?, String)] = []
        for url in Corpus.allFiles() {
            let parsed = RuleParser.parse(text: RulesText(try Data(contentsOf: url)), file: url.lastPathComponent,
                                          options: ParseOptions(resolver: nil, hostMachine: .x86_64))
            for s in parsed.statements {
                guard case .rule(let r) = s.kind else { continue }
                let arch = r.fields.first { !$0.isComparison && $0.name.value == "arch" }?.rawValue.value.lowercasedASCII.utf8String
                guard arch == nil || arch == "b64" || arch == "b32" else { continue }
                for case .name(let written) in r.syscalls.map(\.value) {
                    let name = written.utf8String
                    guard seen.insert("\(arch ?? "")\u{0}\(name)").inserted else { continue }
                    out.append((arch, name))
                }
            }
        }
        return out
    }

    func testLintVerdictsFollowEachReleasesTables() throws {
        try XCTSkipUnless(Corpus.isAvailable, "../shared/corpus is not available")
        let pairs = try corpusPairs()
        XCTAssertGreaterThan(pairs.count, 150)
        let db = SyscallDatabase.shipped
        var checked = 0, refusedTotal = 0
        for release in AuditVersion.allCases {
            let data = try ReleaseData(release)
            for machine in [Machine.x86_64, .aarch64, .ppc64le, .s390x, .riscv64] {
                let text = pairs.map { "-a always,exit" + ($0.arch.map { " -F arch=\($0)" } ?? "") + " -S \($0.name)\n" }.joined()
                let file = RuleParser.parse(text: RulesText(text), file: "pairs", options: ParseOptions(resolver: nil, hostMachine: machine))
                let findings = Linter.lint(file, context: LintContext(targets: [machine], checkHost: false, hostMachine: machine, loaders: [release]))
                for (i, p) in pairs.enumerated() where db.isKnownOnAnyABI(p.name) {
                    let expectedError = data.abi(arch: p.arch, machine: machine).map { !(data.names[$0]?.contains(p.name.lowercased()) ?? false) } ?? true
                    let ours = findings.contains { $0.location.line == i + 1 && $0.code == "AUR007" && $0.severity == .error }
                    XCTAssertEqual(ours, expectedError, "audit \(release) on \(machine): \(p.arch ?? "-") \(p.name)")
                    checked += 1
                    if expectedError { refusedTotal += 1 }
                }
            }
        }
        print("loader verdicts: \(checked) (release, machine, arch, name) verdicts checked, \(refusedTotal) refusals")
    }

    /// The corpus compiled for each machine with each release writes only what it accepts.
    func testCompiledOutputUsesOnlyWhatTheLoaderAccepts() throws {
        guard FileManager.default.fileExists(atPath: CompilerCorpusTests.corpus) else { throw XCTSkip("no corpus") }
        var lines = 0
        for machine in [Machine.x86_64, .aarch64, .ppc64le, .s390x] {
            let file = try CompilerCorpusTests.corpusFile(for: machine)
            for release in AuditVersion.allCases {
                let data = try ReleaseData(release)
                var target = CompileTarget(machine: machine, kernel: KernelVersion(6, 1), auditVersion: release, watchKind: .path, resolver: nil)
                target.allowDrops = true
                let result = Compiler(target: target).compile(file)
                let text = RulesFileWriter(target: target, syscallStyle: .names).render(result).utf8String
                for line in text.split(separator: "\n") where line.hasPrefix("-a ") {
                    let words = line.split(separator: " ").map(String.init)
                    let arch = words.firstIndex(of: "-F").flatMap { i -> String? in
                        let f = words[i + 1]
                        return f.hasPrefix("arch=") ? String(f.dropFirst(5)) : nil
                    }
                    guard let si = words.firstIndex(of: "-S") else { continue }
                    guard let abi = data.abi(arch: arch, machine: machine) else {
                        XCTFail("audit \(release) refuses the arch of \(machine): \(line)")
                        continue
                    }
                    for name in words[si + 1].split(separator: ",") where Int(name) == nil && name != "all" {
                        XCTAssertTrue(data.names[abi]?.contains(name.lowercased()) ?? false, "audit \(release) on \(machine) lacks \(name): \(line)")
                    }
                    lines += 1
                }
            }
        }
        print("compiled corpus: \(lines) syscall rule lines checked against their loader's data")
    }
}
