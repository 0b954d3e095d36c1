import AuditKernel
import AuditRules
import Foundation
import Syscalls
import XCTest

/// The compiler against the kernel: every corpus rule auditctl 3.0.9 accepted on this host,
/// compiled for x86_64 and loaded with `auditctl -R`, must load without an error, and the
/// kernel must then hold exactly our rules: our listing lines equal `auditctl -l` and our
/// WireCodec bytes equal the AUDIT_LIST_RULES replies, rule for rule.
final class CompileDifferentialTests: XCTestCase {
    /// Rules loaded at a time: the whole (deduplicated) corpus is a few thousand rules; smaller
    /// batches keep a failure's blast radius small at the price of a few more auditctl runs.
    static let batchSize = 1500

    func testCorpusCompiledForX86_64MatchesTheKernel() throws {
        guard FileManager.default.fileExists(atPath: CompileCorpusFile.root) else {
            throw XCTSkip("no corpus at \(CompileCorpusFile.root)")
        }
        if let reason = KernelSandbox.unavailableReason() {
            print("skipping kernel test: \(reason)")
            throw XCTSkip(reason)
        }
        let db = SyscallDatabase.shipped
        let running = KernelVersion(HostFacts.current.release) ?? db.newestRelease
        let target = CompileTarget(machine: .x86_64, kernel: min(running, db.newestRelease), auditVersion: .v3_0_9,
                                   watchKind: .auto, database: db, resolver: HostUserResolver())
        var misses: [String] = []
        var statements = 0
        var batches: [[KernelRule]] = [[]]
        var seen = Set<KernelRule>()
        for file in try CompileCorpusFile.all() {
            let options = ParseOptions(resolver: HostUserResolver(), hostMachine: .x86_64)
            let parsed = RuleParser.parse(text: RulesText(file.acceptedText), file: file.path, options: options)
            for d in parsed.diagnostics where d.severity == .error {
                misses.append("\(d.location): parser rejects a line auditctl accepted: \(d.message)")
            }
            statements += parsed.statements.filter {
                if case .rule = $0.kind { return true }
                if case .watch = $0.kind { return true }
                return false
            }.count
            let result = Compiler(target: target).compile(parsed)
            for d in result.diagnostics where d.severity == .error {
                misses.append("\(d.location): compile error on a line auditctl accepted: \(d.message)")
            }
            for rule in result.rules where seen.insert(rule).inserted {
                if batches[batches.count - 1].count >= Self.batchSize { batches.append([]) }
                batches[batches.count - 1].append(rule)
            }
        }
        let compiled = seen.count
        var wireMatches = 0, listingMatches = 0, loadErrors = 0
        let shim = Self.syslogShim()
        try KernelSandbox.run { sandbox in
            for batch in batches where !batch.isEmpty {
                let ours = Self.kernelOrder(batch)
                let text = "-c\n" + RulesFileWriter(target: target, includeControls: false).render(CompileResult(rules: batch))
                precondition(!text.split(separator: 0x0A).contains { $0.starts(with: "-e".utf8) }, "never load -e")
                let errors = try Self.load(text, shim: shim)
                loadErrors += errors.count
                misses += errors
                let raw = try sandbox.connection.listRules()
                let listing = try sandbox.listing()
                XCTAssertEqual(raw.count, listing.count, "AUDIT_LIST_RULES and auditctl -l disagree on the count")
                let ourLines = Listing.lines(for: ours, host: .x86_64, auditVersion: .v3_0_9)
                let result = Self.compare(ours: ours, ourLines: ourLines, kernel: raw, listing: listing)
                wireMatches += result.wire
                listingMatches += result.listing
                misses += result.misses
                try sandbox.clearRules()
            }
        }
        print("compile differential: \(statements) accepted corpus statements -> \(compiled) distinct kernel rules (x86_64, kernel \(target.kernel))")
        print("  loaded with \(loadErrors) auditctl errors; wire bytes equal: \(wireMatches)/\(compiled) (\(Self.percent(wireMatches, compiled))); "
            + "auditctl -l lines equal: \(listingMatches)/\(compiled) (\(Self.percent(listingMatches, compiled)))")
        for m in misses { print("  MISS \(m)") }
        XCTAssertTrue(misses.isEmpty, "\(misses.count) misses (listed above)")
        XCTAssertEqual(wireMatches, compiled)
        XCTAssertEqual(listingMatches, compiled)
    }

    static func percent(_ a: Int, _ b: Int) -> String {
        b == 0 ? "n/a" : String(format: "%.2f%%", 100 * Double(a) / Double(b))
    }

    /// AUDIT_LIST_RULES returns the lists in kernel number order, each in its own order.
    static func kernelOrder(_ rules: [KernelRule]) -> [KernelRule] {
        rules.enumerated().sorted { ($0.element.list.kernelValue, $0.offset) < ($1.element.list.kernelValue, $1.offset) }.map(\.element)
    }

    struct Comparison { var wire = 0, listing = 0, misses: [String] = [] }

    /// Pairs our rules with the kernel's in order; a rule of ours the kernel lacks and a kernel
    /// rule we lack at the same point are one rule encoded differently.
    static func compare(ours: [KernelRule], ourLines: [RulesText], kernel: [[UInt8]], listing: [RulesText]) -> Comparison {
        var c = Comparison()
        let encoded = ours.map(WireCodec.encode)
        let kernelSet = Set(kernel), oursSet = Set(encoded)
        func origin(_ r: KernelRule) -> String {
            r.provenance.map { "\($0.file):\($0.line) [\($0.abi?.rawValue ?? "-")] \(message: $0.text)" } ?? "?"
        }
        func line(_ lines: [RulesText], _ i: Int) -> RulesText { i < lines.count ? lines[i] : "<none>" }
        var i = 0, j = 0
        while i < ours.count || j < kernel.count {
            if i < ours.count, j < kernel.count, encoded[i] == kernel[j] {
                c.wire += 1
                if line(ourLines, i) == line(listing, j) {
                    c.listing += 1
                } else {
                    c.misses.append("listing differs for \(origin(ours[i])): ours `\(message: line(ourLines, i))`, auditctl -l `\(message: line(listing, j))`")
                }
                i += 1
                j += 1
            } else if i < ours.count, !kernelSet.contains(encoded[i]), j < kernel.count, !oursSet.contains(kernel[j]) {
                c.misses.append("wire bytes differ for \(origin(ours[i])): ours `\(message: line(ourLines, i))`, kernel `\(message: line(listing, j))`"
                    + describeDifference(ours[i], kernel[j]))
                i += 1
                j += 1
            } else if i < ours.count, !kernelSet.contains(encoded[i]) {
                c.misses.append("not in the kernel after loading: \(origin(ours[i])): `\(message: line(ourLines, i))`")
                i += 1
            } else if j < kernel.count, !oursSet.contains(kernel[j]) {
                c.misses.append("kernel holds a rule we did not compile: `\(message: line(listing, j))`")
                j += 1
            } else {
                c.misses.append("order differs at \(origin(ours[min(i, ours.count - 1)])): kernel has `\(message: line(listing, j))`")
                i += 1
                j += 1
            }
        }
        return c
    }

    static func describeDifference(_ ours: KernelRule, _ kernelBytes: [UInt8]) -> String {
        guard let k = try? WireCodec.decode(kernelBytes) else { return " (kernel rule does not decode)" }
        var parts: [String] = []
        if ours.list != k.list || ours.action != k.action { parts.append("list/action \(ours.list),\(ours.action) vs \(k.list),\(k.action)") }
        if ours.mask != k.mask {
            let diff = (0 ..< KernelRule.maskWords).filter { ours.mask[$0] != k.mask[$0] }
            parts.append("mask words \(diff.map { "\($0): \(String(ours.mask[$0], radix: 16)) vs \(String(k.mask[$0], radix: 16))" }.joined(separator: ", "))")
        }
        if ours.fields != k.fields { parts.append("fields \(ours.fields) vs \(k.fields)") }
        return parts.isEmpty ? " (equal after decoding: encoding differs)" : " (" + parts.joined(separator: "; ") + ")"
    }

    /// auditctl -R reports errors through syslog; the shared shim sends them to stderr.
    static func syslogShim() -> String? {
        let source = URL(fileURLWithPath: CompileCorpusFile.root).appendingPathComponent("../tools/syslog2stderr.c").standardized.path
        let out = NSTemporaryDirectory() + "aurules-s2e-\(getuid()).so"
        if FileManager.default.fileExists(atPath: out) { return out }
        guard let (status, _, _) = try? KernelSandbox.runProcess("/usr/bin/cc", ["-shared", "-fPIC", "-o", out, source]), status == 0 else {
            print("note: cannot build the syslog shim; auditctl errors will show only as missing rules")
            return nil
        }
        return out
    }

    /// `auditctl -R` of `text`; every message it prints is an error (a clean load prints nothing).
    static func load(_ text: RulesText, shim: String?) throws -> [String] {
        let path = NSTemporaryDirectory() + "aurules-test-compile-\(getpid()).rules"
        guard FileManager.default.createFile(atPath: path, contents: Data(text.bytes), attributes: [.posixPermissions: 0o600]) else {
            throw SandboxError("cannot write \(path)")
        }
        defer { unlink(path) }
        let (status, out, err) = try KernelSandbox.runProcess(KernelSandbox.auditctlPath!, ["-R", path],
                                                         environment: shim.map { ["LD_PRELOAD": $0, "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"] })
        let lines = text.utf8String.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let messages = (err + out).split(separator: "\n").map(String.init)
        var errors: [String] = []
        var pending: [String] = []
        for m in messages {
            if let r = m.range(of: "There was an error in line "), let n = Int(m[r.upperBound...].prefix(while: { $0.isNumber })) {
                let source = lines[..<min(n, lines.count)].last { $0.hasPrefix("# ") } ?? "?"
                let rule = n - 1 < lines.count ? lines[n - 1] : "?"
                errors.append("auditctl -R error (\(source.dropFirst(2))): `\(rule)`: \(pending.joined(separator: "; "))")
                pending = []
            } else {
                pending.append(m.replacingOccurrences(of: "SYSLOG: ", with: ""))
            }
        }
        if !pending.isEmpty { errors.append("auditctl -R said: \(pending.joined(separator: "; "))") }
        if status != 0 && errors.isEmpty { errors.append("auditctl -R exited \(status)") }
        return errors
    }
}
