#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Syscalls

/// What parsing may depend on beyond the text itself.
public struct ParseOptions: Sendable {
    /// Resolves user and group names; nil keeps them as names (`--no-resolve`).
    public var resolver: (any UserResolver)?
    /// The machine auditctl would run on: `b64` is an error on 32-bit machines.
    public var hostMachine: Machine
    /// Says whether a syscall name exists on some ABI (any release, libaudit spellings included);
    /// nil accepts every name. By default the shipped syscall tables decide.
    public var isKnownSyscall: (@Sendable (String) -> Bool)?
    /// How a rules file that auditctl -R would refuse for its owner or mode is reported: an error
    /// for what loads rules (compile, check, apply), a warning for lint or with
    /// `--allow-unsafe-permissions`. Read by RuleInputs, not by the parser.
    public var unsafePermissions: Severity = .error
    /// The text is a saved `auditctl -l` listing, which prints the kernel's rules: a watch path is
    /// the kernel's (`-w /etc/selinux/` from `-F dir=/etc/selinux/` keeps its slash), not one
    /// auditctl would trim on input.
    public var isSavedListing = false
    /// The loader whose reading of a CR before LF the parse follows (CarriageReturnHandling);
    /// nil: no loader is involved (fmt), and the CR is dropped.
    public var loader: AuditVersion?
    /// The text reaches the loader through augenrules (a rules.d directory), not `auditctl -R`.
    public var throughAugenrules = false
    /// The target kernel release: libaudit asks the kernel's features (the exclude list's fields
    /// depend on EXCLUDE_EXTEND, and the fields, lists and operators of KernelAuditFacts). nil: a kernel that has them all.
    public var kernel: KernelVersion?
    /// `kernel` is this host's running kernel (no --kernel given). Its audit features are then not
    /// judged from the release number: distribution kernels backport them (RHEL 7's 3.10.0-351
    /// has exe), and auditctl asks the running kernel's feature bitmap, which only root can read.
    /// The running kernel itself decides when the rules load (apply, check report what it refuses).
    public var kernelIsRunning = false
    /// The release whose audit features the parser judges: nil (every feature) for a running kernel.
    var judgedKernel: KernelVersion? { kernelIsRunning ? nil : kernel }
    /// Further loader releases whose field, list and io_uring refusals are reported as well
    /// (lint of several --target releases); `loader` decides everything else.
    public var otherLoaders: [AuditVersion] = []

    /// What happens to a CR before LF. A saved listing's CR was printed from a key the kernel holds.
    public var carriageReturn: CarriageReturnHandling {
        if isSavedListing { return .kept }
        guard let loader else { return .removed }
        return throughAugenrules ? loader.augenrulesCarriageReturn : loader.auditctlCarriageReturn
    }

    public init(resolver: (any UserResolver)? = HostUserResolver(), hostMachine: Machine = HostFacts.current.machineOrDefault,
                isKnownSyscall: (@Sendable (String) -> Bool)? = { SyscallDatabase.shipped.isKnownOnAnyABI($0) }) {
        self.resolver = resolver
        self.hostMachine = hostMachine
        self.isKnownSyscall = isKnownSyscall
    }

    /// `isKnownSyscall` for a target: its own tables answer for nearly every name; only a name
    /// they lack costs a look at every ABI and release (the default's set of every name is
    /// expensive to build).
    public static func knownSyscall(database: SyscallDatabase, machine: Machine, kernel: KernelVersion) -> @Sendable (String) -> Bool {
        let abis = database.abis(for: machine, at: kernel)
        let tables = [abis.b64, abis.b32].compactMap { $0 }.compactMap { database.table($0, at: kernel) }
        return { name in tables.contains { $0.number(of: name) != nil } || database.isKnownOnAnyABI(name) }
    }
}

/// The rules-file parser: every line of the text is read as `auditctl -R` would read it, and every
/// problem of every line is reported (auditctl stops at the first).
public enum RuleParser {
    public static func parse(text: RulesText, file: String, options: ParseOptions) -> RuleFile {
        parse(text: text, firstLine: 1, file: file, options: options)
    }

    /// `text` is part of a file, from line `firstLine` on (a chunk of a large file).
    static func parse(text: RulesText, firstLine: Int, file: String, options: ParseOptions) -> RuleFile {
        text.withBytes { all in
            let pieces = Self.pieces(of: all, firstLine: firstLine)
            guard pieces.count > 1 else { return parse(bytes: all, firstLine: firstLine, file: file, options: options) }
            // Lines do not depend on each other: a large file is parsed in pieces on every core and
            // the pieces' results joined in order, which is what parsing it in one go gives.
            let parsed = parallelMap(pieces.count, reading: text) { base, i in
                let p = pieces[i]
                return parse(bytes: UnsafeBufferPointer(rebasing: base[p.range]), firstLine: p.firstLine, file: file, options: options)
            }
            var result = RuleFile(path: file)
            for piece in parsed { result.append(piece) }
            return result
        }
    }

    /// Below this a thread costs more than it saves (see Benchmarks/RESULTS.md).
    static let bytesPerPiece = 32 << 10

    /// Pieces of whole lines, one per core, with the line each starts at.
    static func pieces(of all: UnsafeBufferPointer<UInt8>, firstLine: Int = 1) -> [(range: Range<Int>, firstLine: Int)] {
        let count = min(Parallelism.threads, all.count / bytesPerPiece)
        guard count > 1 else { return [(0 ..< all.count, firstLine)] }
        var out: [(range: Range<Int>, firstLine: Int)] = []
        var start = 0, line = firstLine
        for k in 1 ..< count {
            var rest = ByteLines(all, from: max(start, all.count * k / count))
            guard let cut = rest.next(), cut.terminated else { break }
            out.append((start ..< cut.next, line))
            for _ in ByteLines(UnsafeBufferPointer(rebasing: all[start ..< cut.next])) { line += 1 }
            start = cut.next
        }
        if start < all.count { out.append((start ..< all.count, line)) }
        return out
    }

    static func parse(bytes: UnsafeBufferPointer<UInt8>, firstLine: Int, file path: String, options: ParseOptions) -> RuleFile {
        var result = RuleFile(path: path)
        // Every location retains the file name: each parse (a piece, a chunk) has a copy of its
        // own, as one string counted by every parsing thread made its count a contended cache line.
        let file = String(decoding: Array(path.utf8), as: UTF8.self)
        let valueParser = FieldValueParser(resolver: options.resolver, auditVersion: options.loader ?? .v3_0_9, kernel: options.judgedKernel)
        let shared = LineParser.Shared(valueParser: valueParser, knownSyscalls: KnownSyscallMemo(options.isKnownSyscall),
                                       otherLoaders: options.otherLoaders)
        var last: (number: Int, bytes: Int)?
        Lexer.forEachLine(in: bytes, firstLine: firstLine) { line, content in
            parseLine(line, content: content, file: file, options: options, shared: shared, into: &result)
            last = (line.number, content.count)
        }
        // By bytes: a file ending in CR LF ends with a newline too (as a string its last
        // character is CR LF, which is not "\n").
        if let last, bytes.last != UInt8(ascii: "\n") {
            result.unterminatedLastLines.append(SourceLocation(file: file, line: last.number, column: max(last.bytes, 1)))
        }
        return result
    }

    /// `content` holds the bytes of `line.text`.
    static func parseLine(_ line: SourceLine, content: UnsafeBufferPointer<UInt8>, file: String, options: ParseOptions,
                          shared: LineParser.Shared, into result: inout RuleFile) {
        let location = SourceLocation(file: file, line: line.number, column: 1)
        var pre: [Diagnostic] = []
        if line.byteCount > Lexer.maxLineBytes {
            // auditctl reads such a line as several lines; parsing it as one would only add noise
            // (and cost: a binary file can be one huge line).
            let shown = RulesText(content.prefix(Lexer.maxLineBytes + 80))
            result.diagnostics.append(Diagnostic(.error, "line is \(line.byteCount) bytes long; auditctl reads at most \(Lexer.maxLineBytes) bytes per line and splits longer ones",
                                                 at: SourceLocation(file: file, line: line.number, column: Lexer.maxLineBytes + 1),
                                                 length: 1, sourceLine: shown, code: DiagnosticCode.lineLimit.rawValue))
            return
        }
        var bytes = content
        if let nul = content.firstIndex(of: 0) {
            pre.append(Diagnostic(.error, "NUL byte in line: auditctl ignores everything after it",
                                  at: SourceLocation(file: file, line: line.number, column: nul + 1),
                                  sourceLine: line.text, code: DiagnosticCode.lineLimit.rawValue))
            bytes = UnsafeBufferPointer(rebasing: content[..<nul])
        }
        if line.endsWithCR { result.carriageReturnLines.append(location) }
        // The loader may keep the CR: then it ends the line's last word (content stops before it;
        // the byte is there in the same buffer).
        let keepsCR = line.endsWithCR && options.carriageReturn == .kept && bytes.count == content.count
        if keepsCR, let base = content.baseAddress { bytes = UnsafeBufferPointer(start: base, count: content.count + 1) }
        let words = Lexer.tokens(in: bytes)
        if words.isEmpty || words[0].text.first == UInt8(ascii: "#") {
            result.diagnostics += pre
            let text = words.isEmpty ? RulesText() : RulesText(bytes)
            result.trivia.append(Located(text, at: location, length: line.text.count))
            if let first = words.first, let directive = Self.directive(first, words, at: location, line: text) {
                result.directives.append(directive)
            }
            return
        }
        var parser = LineParser(file: file, line: line, words: words, hostMachine: options.hostMachine, shared: shared,
                                trimsWatchSlashes: !options.isSavedListing, loader: options.loader, kernel: options.judgedKernel)
        parser.diagnostics = pre
        parser.run()
        if keepsCR, let last = words.last {
            // Say why a word that looks right is refused: its CR.
            for i in parser.diagnostics.indices where parser.diagnostics[i].severity == .error
                && parser.diagnostics[i].location.column >= last.column {
                parser.diagnostics[i].message += " (the line ends in CR LF; auditctl \(options.loader?.rawValue ?? "") keeps the CR in this word)"
            }
        }
        result.diagnostics += parser.diagnostics
        parser.moveResult(to: &result.statements)
    }
}

/// `ParseOptions.isKnownSyscall`'s answers during one parse: a rules file names the same few
/// syscalls again and again, and a fresh answer costs a case fold and a look-up in every table.
/// Syscall names are ASCII: a name with any other byte is unknown (asked as a Swift string, it
/// could equal an ASCII name under Unicode equivalence, which libaudit's byte compare does not).
final class KnownSyscallMemo {
    private let isKnownSyscall: (@Sendable (String) -> Bool)?
    /// Answers by the name's `quickSlot`, one per slot (a later name takes its slot): a file
    /// names a few syscalls over and over, and a file full of distinct garbage names cannot
    /// grow it.
    private var answers = [(name: RulesText, known: Bool)?](repeating: nil, count: KnownSyscallMemo.slots)
    private static let slots = 512

    init(_ isKnownSyscall: (@Sendable (String) -> Bool)?) {
        self.isKnownSyscall = isKnownSyscall
    }

    /// True when the options accept `name` (every name when they have no opinion).
    func isKnown(_ name: RulesText) -> Bool {
        guard let isKnownSyscall else { return true }
        let slot = name.quickSlot(Self.slots)
        if let answer = answers[slot], answer.name == name { return answer.known }
        let known = name.asciiName.map(isKnownSyscall) ?? false
        answers[slot] = (name, known)
        return known
    }
}

extension RuleParser {
    /// A `# aurules: ...` or `#aurules: ...` comment: the whole line as written, located at `aurules:`.
    static func directive(_ first: Token, _ words: [Token], at location: SourceLocation, line: RulesText) -> Located<RulesText>? {
        var head = first.text.dropFirst(), column = first.column + 1
        if head.isEmpty, words.count > 1 { head = words[1].text[...]; column = words[1].column }
        guard head.starts(with: "aurules:".utf8) else { return nil }
        return Located(line, at: SourceLocation(file: location.file, line: location.line, column: column),
                       length: line.count - column + 1)
    }
}
