import ArgumentParser
import AuditRules
#if canImport(Glibc)
import Glibc
#endif

extension FmtCommand {
    /// An input as `fmt --check` and `fmt --diff` see it: whether its canonical form differs,
    /// and for --diff both texts.
    struct CanonicalComparison {
        var diagnostics: [Diagnostic]
        var changed: Bool
        var old: RulesText = ""
        var new: RulesText = ""
    }

    /// Reads and formats the input `path` (`-`: standard input) a chunk of lines at a time.
    /// --check compares each chunk with its canonical form as it comes and keeps neither; --diff
    /// keeps both texts (the diff needs them). nil, with why, when it cannot be read.
    static func compareWithCanonical(_ path: String, options: ParseOptions, keepsTexts: Bool) -> Result<CanonicalComparison, Unreadable> {
        var comparison = PrefixComparison()
        var old: [UInt8] = [], new: [UInt8] = []
        let streamed = RuleFormatter.format(path: path, options: options) { original, formatted in
            if keepsTexts {
                original.withBytes { old.append(contentsOf: $0) }
                new += formatted
            } else {
                original.withBytes { comparison.feed(original: $0, formatted: formatted) }
            }
        }
        guard let streamed, streamed.readError == nil else {
            if let error = streamed?.readError { return .failure(Unreadable(reason: error)) }
            if case .failure(let f) = InputFile.open(path) { return .failure(Unreadable(reason: f.reason)) }
            return .failure(Unreadable(reason: "cannot be opened"))
        }
        // A file that is not rules formats to nothing (`RuleFormatter.format(path:options:)`).
        if keepsTexts {
            let old = RulesText(old), new = streamed.notRules ? "" : RulesText(new)
            return .success(CanonicalComparison(diagnostics: streamed.diagnostics, changed: old != new, old: old, new: new))
        }
        let changed = streamed.notRules ? comparison.sawInput : comparison.differs
        return .success(CanonicalComparison(diagnostics: streamed.diagnostics, changed: changed))
    }

    struct Unreadable: Error { var reason: String }

    /// Standard input, read once: what cannot be read is exit 2, as it always was.
    static func checkStandardInput(options: ParseOptions, keepsTexts: Bool) throws -> CanonicalComparison {
        switch compareWithCanonical("-", options: options, keepsTexts: keepsTexts) {
        case .success(let c): return c
        case .failure(let f):
            StandardError.print("aurules fmt: cannot read standard input: \(f.reason)")
            throw ExitCode.inputError
        }
    }
}

/// Whether two byte streams fed side by side differ, holding only the part one has and the
/// other has not reached yet (a formatted chunk ends where its input chunk ends, bar a blank
/// line held back): memory does not grow with the input.
struct PrefixComparison {
    private var original: [UInt8] = []
    private var formatted: [UInt8] = []
    private var mismatch = false
    /// Whether the original had any byte.
    private(set) var sawInput = false

    var differs: Bool { mismatch || !original.isEmpty || !formatted.isEmpty }

    mutating func feed(original more: UnsafeBufferPointer<UInt8>, formatted moreFormatted: [UInt8]) {
        if !more.isEmpty { sawInput = true }
        guard !mismatch else { return }
        original.append(contentsOf: more)
        formatted += moreFormatted
        let common = min(original.count, formatted.count)
        let same = original.withUnsafeBufferPointer { a in formatted.withUnsafeBufferPointer { b in common == 0 || memcmp(a.baseAddress!, b.baseAddress!, common) == 0 } }
        if !same {
            mismatch = true
            original = []
            formatted = []
            return
        }
        original.removeFirst(common)
        formatted.removeFirst(common)
    }
}
