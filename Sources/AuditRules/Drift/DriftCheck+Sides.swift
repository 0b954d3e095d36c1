#if canImport(Glibc)
import Glibc
#endif
import Syscalls

extension DriftCheck {
    /// Where a saved listing's bytes come from.
    enum ListingSource {
        case text(RulesText)
        case descriptor(Int32)
    }

    /// The kernel rules a saved listing stands for, as the kernel held them, in the check's arena.
    func listedRules(_ source: ListingSource, name: String, warnings: inout [String]) throws(DriftCheckError) -> DriftRules {
        var options = target.parseOptions
        options.isSavedListing = true
        // A block at a time, a chunk of lines compiled at a time: neither the listing nor its
        // syntax tree is ever whole. No output quotes a listed rule's line (unexpected rules are
        // rendered): its text is not kept.
        let session = CompileSession(target: target, shared: rules.store, keepsText: false)
        var reader = SavedListingReader(machine: target.machine, database: target.database, auditVersion: target.auditVersion)
        var readError: String?
        let listing = ChunkedInput.compileNotingArch(file: name, options: options, into: session) { feed in
            switch source {
            case .text(let text): text.withBytes { reader.feed($0, feed) }
            case .descriptor(let fd): readError = Self.read(fd) { reader.feed($0, feed) }
            }
            reader.finish(feed)
        }
        let (listed, slots) = session.finishSlots()
        if let readError { throw DriftCheckError("cannot read the saved listing \(name): \(readError)") }
        // auditctl -l ends every line: a last line without its newline was cut short, and the
        // rest of it would be compared as a rule nobody wrote.
        if let last = reader.lastByte, last != 0x0A {
            throw DriftCheckError("the saved listing \(name) is damaged: its last line ends without a newline (truncated?); "
                                  + "save it again with `auditctl -l`")
        }
        // Equal lines are held rules of their own (ListingLoss), not repeats auditctl would refuse.
        let duplicate = DiagnosticCode.duplicateRule.rawValue
        let listingDiagnostics = listing.diagnostics.contains { $0.severity == .error } ? listing.diagnostics : listing.diagnostics + listed.diagnostics
        try Self.requireNoErrors(listingDiagnostics.filter { $0.code != duplicate }, in: "the saved listing", warnings: &warnings)
        let recovered = reader.recoveredLines
        if !recovered.isEmpty {
            let count = recovered.count
            warnings.append("\(name): \(count) arch-less syscall rule\(count == 1 ? "" : "s") (line "
                            + recovered.prefix(5).map(String.init).joined(separator: ", ") + (count > 5 ? ", ..." : "")
                            + ") read as auditctl 3.0.9 lists them, by the table of the last arch listed before; "
                            + "if another auditctl made the listing, give its --audit-version")
        }
        let doubtful = !target.auditVersion.isAudit4 ? [] : listing.archless.filter(\.namesSyscalls)
        if !doubtful.isEmpty {
            warnings.append("\(name): \(doubtful.count) arch-less syscall rule\(doubtful.count == 1 ? "" : "s"): their syscall "
                            + "names in a listing may come from another ABI's table, so this comparison is approximate")
        }
        // The kernel held each arch-less listed rule as one rule without arch.
        let held = Self.keepingEqualLines(DriftRules(store: rules.store, slots: slots), repeated: listed.repeated)
        return ExpectedRules.adapt(held, archless: ExpectedRules.locations(listing.archless, file: name), machine: target.machine,
                                   kernelRules: DriftRules(store: rules.store))
    }

    /// Reads `fd` to its end in 1 MiB blocks, each line capped as InputFile caps it; the read
    /// error, if any.
    static func read(_ fd: Int32, _ body: (UnsafeBufferPointer<UInt8>) -> Void) -> String? {
        let blockSize = 1 << 20
        var block = [UInt8](repeating: 0, count: blockSize)
        var cap = LineCap(), capped: [UInt8] = []
        while true {
            let count = block.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, blockSize) }
            if count < 0 && errno == EINTR { continue }
            if count < 0 { return String(cString: strerror(errno)).lowercased() }
            if count == 0 { return nil }
            capped.removeAll(keepingCapacity: true)
            block.withUnsafeBufferPointer { cap.append(UnsafeBufferPointer(rebasing: $0[..<count]), to: &capped) }
            capped.withUnsafeBufferPointer(body)
        }
    }

    /// The rules of a compiled listing with one copy for each line equal to an earlier one: the
    /// compiler, reading the listing as a rules file, skips such a line as auditctl would ("Rule
    /// exists"), but a listing's equal lines are distinct kernel rules that list alike (a never
    /// and an always watch of one path). Each copy takes its own line's place.
    static func keepingEqualLines(_ listed: DriftRules, repeated: [RepeatedRule]) -> DriftRules {
        guard !repeated.isEmpty else { return listed }
        if let merged = mergingEqualLines(listed, repeated: repeated) { return merged }
        var rules = listed
        var done = Set<Int>()
        for again in repeated where done.insert(again.location.line).inserted {
            var copies = DriftRules(store: rules.store)
            for i in rules.indices {
                guard let p = rules.location(i), p.file == again.firstFile, p.line == again.firstLine else { continue }
                copies.append(rules.moved(i, file: p.file, line: again.location.line, text: again.sourceLine))
            }
            let at = rules.indices.first { (rules.location($0)?.line ?? 0) > again.location.line } ?? rules.count
            rules.insert(copies, at: at)
        }
        return rules
    }

    /// `keepingEqualLines` in one pass, for a listing compiled in line order (every listing
    /// auditctl prints): each line's copies go after the rules of the lines up to it, as the
    /// insertions one at a time put them. A search of every rule and an insertion for each
    /// repeated line made a listing of many equal pairs quadratic (40,000 pairs: 27 s). nil
    /// otherwise (a listing with `-A`, or a copy's line that is another's original).
    private static func mergingEqualLines(_ listed: DriftRules, repeated: [RepeatedRule]) -> DriftRules? {
        let lines = listed.indices.map { listed.location($0)?.line ?? 0 }
        guard zip(lines, lines.dropFirst()).allSatisfy({ $0 <= $1 }) else { return nil }
        var done = Set<Int>()
        let distinct = repeated.filter { done.insert($0.location.line).inserted }
        guard !distinct.contains(where: { done.contains($0.firstLine) }) else { return nil }
        var held: [String: [Int: [Int]]] = [:]
        for i in listed.indices {
            guard let p = listed.location(i) else { continue }
            held[p.file, default: [:]][p.line, default: []].append(i)
        }
        let blocks = distinct.sorted { $0.location.line < $1.location.line }.map { again in
            var copies = DriftRules(store: listed.store)
            for i in held[again.firstFile]?[again.firstLine] ?? [] {
                let p = listed.location(i)!
                copies.append(listed.moved(i, file: p.file, line: again.location.line, text: again.sourceLine))
            }
            return (line: again.location.line, copies: copies)
        }
        var out = DriftRules(store: listed.store)
        var next = 0
        for i in listed.indices {
            while next < blocks.count && blocks[next].line < lines[i] {
                out.append(blocks[next].copies, blocks[next].copies.indices)
                next += 1
            }
            out.append(listed, i ..< i + 1)
        }
        for b in blocks[next...] { out.append(b.copies, b.copies.indices) }
        return out
    }

    /// The rules of the lines the loader takes. The compiler skips a line equal to an earlier one
    /// as a repeat; when that earlier line is unloadable, the loader never held its rule, so the
    /// first loadable repeat loads it: its rules are that line's, in its place, before the first
    /// rule of a later line (file order, then line order).
    func loadableRules(unloadable: [UnloadableLine]) -> DriftRules {
        let out = rules.excluding(unloadable)
        guard !unloadable.isEmpty, !result.repeated.isEmpty else { return out }
        typealias Key = UnloadableLine.LineKey
        let refused = UnloadableLine.lineKeys(unloadable)
        var rank: [String: Int] = [:]
        for f in fileOrder where rank[f] == nil { rank[f] = rank.count }
        func place(_ file: String, _ line: Int) -> Place { Place(rank: rank[file] ?? rank.count, line: line) }
        var taken = Set<Key>()
        let loaded = result.repeated.filter { again in
            let first = Key(file: again.firstFile, line: again.firstLine)
            return refused.contains(first) && !refused.contains(Key(file: again.location.file, line: again.location.line))
                && taken.insert(first).inserted
        }
        guard !loaded.isEmpty else { return out }
        // One pass over the rules for the lines wanted, not one for each repeat.
        var ofLine: [Key: [Int]] = [:]
        for i in rules.indices {
            guard let p = rules.location(i), taken.contains(Key(file: p.file, line: p.line)) else { continue }
            ofLine[Key(file: p.file, line: p.line), default: []].append(i)
        }
        // Inserting each repeat's rules before the first rule placed after it, one at a time, was
        // quadratic in the repeats. The same order in one merge: that first rule of `out` is where
        // the greatest place so far first passes the repeat's (`out` need not be in place order:
        // `-A` rules come first); the repeats that go before one rule go in place order, a repeat
        // after an earlier one of the same place.
        var greatest: [Place] = []
        greatest.reserveCapacity(out.count)
        var most = Place(rank: -1, line: -1)
        for i in out.indices {
            if let p = out.location(i) { most = max(most, place(p.file, p.line)) }
            greatest.append(most)
        }
        var blocks: [(before: Int, place: Place, order: Int, copies: DriftRules)] = []
        for (order, again) in loaded.enumerated() {
            let here = place(again.location.file, again.location.line)
            var copies = DriftRules(store: rules.store)
            for i in ofLine[Key(file: again.firstFile, line: again.firstLine)] ?? [] {
                copies.append(rules.moved(i, file: again.location.file, line: again.location.line, text: again.sourceLine))
            }
            blocks.append((Self.firstPassing(here, greatest), here, order, copies))
        }
        blocks.sort { ($0.before, $0.place, $0.order) < ($1.before, $1.place, $1.order) }
        var merged = DriftRules(store: rules.store)
        var next = 0
        for i in out.indices {
            while next < blocks.count && blocks[next].before == i {
                merged.append(blocks[next].copies, blocks[next].copies.indices)
                next += 1
            }
            merged.append(out, i ..< i + 1)
        }
        for b in blocks[next...] { merged.append(b.copies, b.copies.indices) }
        return merged
    }

    /// Where a rule comes from, in the files' order.
    struct Place: Comparable {
        var rank: Int, line: Int
        static func < (a: Place, b: Place) -> Bool { (a.rank, a.line) < (b.rank, b.line) }
    }

    /// The first index whose greatest place so far (`greatest`, never decreasing) is after
    /// `place`; `greatest.count` when there is none.
    static func firstPassing(_ place: Place, _ greatest: [Place]) -> Int {
        var low = 0, high = greatest.count
        while low < high {
            let mid = (low + high) / 2
            if greatest[mid] > place { high = mid } else { low = mid + 1 }
        }
        return low
    }

    /// The files' lines of the rules `report` shows, read again when the files' lines are not
    /// kept (each only when it is still the line compiled: `InputFile.lines`), from the file or
    /// from the copy of an input that cannot be read twice (whose warnings go to `warnings`).
    func withSourceLines(_ report: inout DriftReport, warnings: inout [String]) {
        guard !rereads.isEmpty || !spools.isEmpty, !rules.store.arena.keepsText else { return }
        var wanted: [String: Set<Int>] = [:]
        func note(_ p: Provenance?) {
            if let p, rereads[p.file] != nil || spools[p.file] != nil { wanted[p.file, default: []].insert(p.line) }
        }
        // The missing rules' lines are read when the report is read (`MissingRules`), from the
        // files and the copies alike, a window at a time: against an empty kernel every line is
        // wanted. A copy says now whether some of them are past what it kept.
        if !spools.isEmpty {
            var last: [String: Int] = [:]
            for i in report.missing.indices {
                guard let p = report.missing.unquoted(i).rule.provenance, spools[p.file] != nil else { continue }
                last[p.file] = max(last[p.file] ?? 0, p.line)
            }
            for (file, line) in last.sorted(by: { $0.key < $1.key }) {
                spools[file]!.noteWanted(through: line)
                warnings += spools[file]!.takeWarnings()
            }
        }
        for c in report.changed { note(c.expected.provenance) }
        for o in report.orderDrift {
            for m in o.moved {
                note(m.rule.provenance)
                note(m.expectedAfter?.provenance)
            }
        }
        if report.missing.isStored {
            report.missing.quotes = SourceQuotes(rereads: rereads, copies: spools.compactMapValues { $0.readOnlyCopy() })
        }
        guard !wanted.isEmpty else { return }
        var lines: [String: [Int: RulesText]] = [:]
        for (file, numbers) in wanted {
            let hashes = rules.store.lineHashes(of: file, lines: numbers)
            if let spool = spools[file] {
                lines[file] = spool.lines(hashes) ?? [:]
                warnings += spool.takeWarnings()
            } else {
                // A regular file's name is its path.
                lines[file] = InputFile.lines(hashes, of: file, identity: rereads[file]!) ?? [:]
            }
        }
        func fill(_ p: inout Provenance?) {
            guard let p0 = p, let text = lines[p0.file]?[p0.line] else { return }
            p!.text = text
        }
        for i in report.changed.indices { fill(&report.changed[i].expected.provenance) }
        for o in report.orderDrift.indices {
            for m in report.orderDrift[o].moved.indices {
                fill(&report.orderDrift[o].moved[m].rule.provenance)
                if report.orderDrift[o].moved[m].expectedAfter != nil { fill(&report.orderDrift[o].moved[m].expectedAfter!.provenance) }
            }
        }
    }
}
