import AuditLint
import AuditRules
import Foundation
import Syscalls
import XCTest

/// The fmt property: for every input lint accepts, `fmt(fmt(x)) == fmt(x)` byte for byte, and
/// compiling `fmt(x)` gives the kernel exactly the rules (wire bytes), settings and deletions that
/// compiling `x` gives. Checked on the shared corpus and on generated inputs full of what a
/// character-based reader gets wrong: combining marks after separators, CR inside and at the end
/// of lines, NUL-free bytes that are not UTF-8, and `\ ` / `\\` escapes.
final class FormatPropertyTests: XCTestCase {
    static let options = ParseOptions(resolver: nil, hostMachine: .x86_64)
    static let target = CompileTarget(machine: .x86_64, kernel: KernelVersion(6, 1), auditVersion: .v3_0_9, watchKind: .path,
                                      resolver: nil)
    static let lintContext = LintContext(targets: [.x86_64], checkHost: false, hostMachine: .x86_64)

    func testCorpusKeepsItsMeaningThroughFmt() throws {
        try XCTSkipUnless(Corpus.isAvailable, "../shared/corpus is not available: the corpus half of the fmt property is not checked")
        var accepted = 0, failures: [String] = []
        let files = Corpus.allFiles()
        XCTAssertGreaterThan(files.count, 100)
        for url in files {
            let bytes = [UInt8](try Data(contentsOf: url))
            guard let problems = Self.check(bytes, name: url.lastPathComponent) else { continue }
            accepted += 1
            failures += problems.map { "\(url.path): \($0)" }
        }
        print("fmt property on the corpus: \(accepted) of \(files.count) files accepted by lint, \(failures.count) failures")
        XCTAssertGreaterThan(accepted, 50)
        XCTAssertEqual(failures, [])
    }

    func testGeneratedInputsKeepTheirMeaningThroughFmt() {
        var generator = RulesTextGenerator(seed: 0x6175_7275_6c65_7321)
        var accepted = 0, failures: [String] = []
        let count = 1000
        for _ in 0 ..< count {
            let input = generator.file()
            guard let problems = Self.check(input, name: "generated.rules") else { continue }
            accepted += 1
            failures += problems.map { "\(Self.shown(input)): \($0)" }
            if failures.count > 20 { break }
        }
        print("fmt property on generated inputs: \(accepted) of \(count) accepted by lint, \(failures.count) failures")
        // The generator is meant to produce mostly acceptable files: a property checked on few is weak.
        XCTAssertGreaterThan(accepted, count / 4)
        XCTAssertEqual(failures, [])
    }

    /// The generator does produce what it is for (a test of the test).
    func testGeneratorCoversTheHardBytes() {
        var generator = RulesTextGenerator(seed: 7)
        let all = (0 ..< 300).flatMap { _ in generator.file() }
        for needle: [UInt8] in [[0xCC, 0x81], [0x0D, 0x20], [0x0D, 0x0A], [0x5C, 0x20], [0x5C, 0x5C], [0xFF], [0x5C, 0x20, 0xCC],
                                [0xC0, 0xAF], [0xE0, 0x80, 0xAF], [0xED, 0xA0, 0x80], [0xBF]] {
            XCTAssertNotNil(all.firstRange(of: needle), "no \(needle) in 300 generated files")
        }
        XCTAssertFalse(all.contains(0), "generated text has no NUL")
    }

    /// nil when lint refuses the input; else what breaks the property (empty when nothing).
    static func check(_ bytes: [UInt8], name: String) -> [String]? {
        let x = RuleParser.parse(text: RulesText(bytes), file: name, options: options)
        guard !Linter.lint(x, context: lintContext).contains(where: { $0.severity == .error }) else { return nil }
        var problems: [String] = []
        let once = RuleFormatter.format(x)
        let y = RuleParser.parse(text: once, file: name, options: options)
        let errors = Linter.lint(y, context: lintContext).filter { $0.severity == .error }
        if !errors.isEmpty {
            problems.append("lint refuses fmt(x) \(shown(Array(once))): \(errors.map(\.message))")
        }
        let twice = RuleFormatter.format(y)
        if !Array(twice).elementsEqual(once) {
            problems.append("fmt(fmt(x)) \(shown(Array(twice))) != fmt(x) \(shown(Array(once)))")
        }
        let before = KernelEffect(Compiler(target: target).compile(x)), after = KernelEffect(Compiler(target: target).compile(y))
        if before != after {
            problems.append("compile(fmt(x)) differs from compile(x): fmt(x) is \(shown(Array(once)))")
        }
        // The bytes reach the kernel as written: U+FFFD (EF BF BD) in a rule means a byte was decoded on the way.
        let replacement: [UInt8] = [0xEF, 0xBF, 0xBD]
        if bytes.firstRange(of: replacement) == nil, before.rules.contains(where: { $0.firstRange(of: replacement) != nil })
            || Array(once).firstRange(of: replacement) != nil {
            problems.append("U+FFFD in compile(x) or fmt(x) \(shown(Array(once))) that x does not have")
        }
        return problems
    }

    static func shown(_ bytes: [UInt8]) -> String {
        bytes.map { $0 >= 0x20 && $0 < 0x7F && $0 != 0x5C ? String(UnicodeScalar($0)) : String(format: "\\x%02x", $0) }.joined()
    }

    /// What loading a compiled result does to the kernel, without provenance.
    struct KernelEffect: Equatable {
        var rules: [[UInt8]], settings: [String], deleteAll: Bool, deleteKeys: [[UInt8]], loaderOptions: [String], errors: Int

        init(_ r: CompileResult) {
            rules = r.rules.map(WireCodec.encode)
            settings = r.settings.map { "\($0.setting)" }
            deleteAll = r.deleteAll
            deleteKeys = r.deleteKeys.map { Array($0.value) }
            loaderOptions = r.loaderOptions.map(\.rawValue)
            errors = r.diagnostics.filter { $0.severity == .error }.count
        }
    }
}

/// A seeded, deterministic generator of rules files: the same seed gives the same files on
/// every machine and run.
struct RulesTextGenerator {
    var random: SplitMix64

    init(seed: UInt64) { random = SplitMix64(state: seed) }

    mutating func below(_ n: Int) -> Int { Int(random.next() % UInt64(n)) }
    mutating func chance(_ percent: Int) -> Bool { below(100) < percent }
    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }

    /// Pieces of a value word: what a byte reader and a character reader see differently.
    static let pieces: [[UInt8]] = [
        Array("a".utf8), Array("z9".utf8), Array("key".utf8), Array("x_y".utf8), Array(".".utf8), Array("=".utf8),
        Array("\u{301}".utf8), Array("\u{308}".utf8), Array("é".utf8), Array("日".utf8), Array("e\u{301}".utf8),
        [0x5C, 0x20], [0x5C, 0x5C], [0x5C, 0x20, 0xCC, 0x81], [0x5C], [0x0D], [0x09], [0xFF], [0x80], [0xC3], [0xF0, 0x9F],
        [0x01], [0x7F], Array("#".utf8), Array("-".utf8),
        // Bytes that are no UTF-8: overlong forms of '/' and NUL, a lone continuation byte, a
        // surrogate, bytes UTF-8 never uses.
        [0xC0, 0xAF], [0xE0, 0x80, 0xAF], [0xC0, 0x80], [0xBF], [0xED, 0xA0, 0x80], [0xFE], [0xF8, 0x88, 0x80, 0x80, 0x80],
    ]

    mutating func value(_ maxPieces: Int = 5) -> [UInt8] {
        var out: [UInt8] = []
        for _ in 0 ... below(maxPieces) { out += pick(Self.pieces) }
        return out
    }

    mutating func path() -> [UInt8] {
        var out: [UInt8] = [0x2F]
        for i in 0 ... below(3) {
            if i > 0 { out.append(0x2F) }
            out += value(3)
        }
        if chance(20) { out.append(0x2F) }
        return out
    }

    mutating func key() -> [UInt8] { chance(10) ? Array("-k".utf8) : value() }

    mutating func words(_ ws: [[UInt8]]) -> [UInt8] {
        var out: [UInt8] = Array(repeating: 0x20, count: chance(15) ? below(3) : 0)
        for (i, w) in ws.enumerated() {
            if i > 0 { out += Array(repeating: 0x20, count: 1 + (chance(20) ? below(3) : 0)) }
            out += w
        }
        return out
    }

    mutating func line() -> [UInt8] {
        let b = { (s: String) in Array(s.utf8) }
        switch below(10) {
        case 0, 1:
            var options: [[[UInt8]]] = [[b("-k"), key()]]
            if chance(70) { options.append([b("-p"), b(pick(["wa", "r", "rwxa", "x", "WA"]))]) }
            if chance(30) { options.append([b("-F"), b("auid!=unset")]) }
            if chance(30) { options.append([b("-k"), key()]) }
            var ws = [b(chance(90) ? "-w" : "-W"), path()]
            for o in options.shuffled(using: &random) { ws += o }
            return words(ws)
        case 2, 3, 4:
            var ws = [b("-a"), b(pick(["always,exit", "exit,always", "never,exit"])), b("-F"), b(pick(["arch=b64", "arch=b32"])),
                      b("-S"), b(pick(["open", "openat,OPEN", "execve", "all", "2", "unlink,rename"]))]
            for _ in 0 ..< below(4) {
                switch below(9) {
                case 0: ws += [b("-F"), b("obj_user!=") + value()]
                case 1: ws += [b("-F"), b("path=") + path()]
                case 2: ws += [b("-F"), b("dir=") + path()]
                case 3: ws += [b("-F"), b("exe=") + path()]
                case 4: ws += [b("-F"), b("key=") + value()]
                case 5: ws += [b("-F"), b("auid>=1000")]
                case 6: ws += [b("-F"), b("a0&=8")]
                case 7: ws += [b("-C"), b("auid!=uid")]
                default: ws += [b("-F"), b("subj_type=") + value()]
                }
            }
            if chance(80) { ws += [b("-k"), key()] }
            if chance(15) { ws += [b("-p"), b("wa")] }
            return words(ws)
        case 5:
            return words([b("-a"), b(pick(["always,task", "never,user", "always,exclude"])),
                          b("-F"), b(pick(["uid=0", "msgtype=CWD", "auid>=1000"])), b("-p"), b(pick(["wa", "r"])), b("-k"), key()])
        case 6:
            return (chance(50) ? b("#") : b("  # ")) + value(8)
        case 7:
            return chance(50) ? [] : words([b(pick(["-D", "-b", "-f", "-r"])), b(pick(["1", "8192", "0x20"]))])
        case 8:
            return words([b("-D"), b("-k"), key()])
        default:
            return words((0 ... below(4)).map { _ in value() })
        }
    }

    mutating func file() -> [UInt8] {
        var out: [UInt8] = []
        let lines = 1 + below(6)
        for i in 0 ..< lines {
            out += line()
            if i < lines - 1 || chance(80) { out += chance(15) ? [0x0D, 0x0A] : [0x0A] }
        }
        return out
    }
}
