/// The rules a drift report finds missing, in report order. A check's report names each by its
/// number among its list's rules in the check's arena (`DriftRules`) and makes it whole only when
/// it is read: against an empty kernel every rule of the files is missing, and a whole rule is a
/// few hundred bytes where its number is four. When the files' lines are not kept, the line of
/// each rule read is read again from its file (`SourceQuotes`), a window of lines at a time, so
/// reading them in order reads each file about once.
public struct MissingRules: RandomAccessCollection, Sendable {
    /// The missing rules of one list: their numbers among `slots`, the list's rules.
    struct Segment: Sendable {
        var slots: [StoredRules.Slot]
        var numbers: [UInt32]
        /// How many missing rules come before this segment's.
        var start: Int
    }

    private var whole: [MissingRule] = []
    private var segments: [Segment] = []
    /// A copy of the arena's value, taken when the report is made (after both sides joined it).
    private var arena: RuleArena?
    /// Where the lines of rules whose text the arena does not keep are read again; nil: not read.
    var quotes: SourceQuotes?

    public init(_ rules: [MissingRule] = []) { whole = rules }

    public var startIndex: Int { 0 }
    public var endIndex: Int { segments.last.map { $0.start + $0.numbers.count } ?? whole.count }

    /// Rule `i`, its line quoted as the report shows it.
    public subscript(i: Int) -> MissingRule {
        var window = SourceQuotes.Reader()
        return rule(at: i, quoting: &window)
    }

    /// Every rule in order, each line quoted a window at a time.
    public func makeIterator() -> Iterator { Iterator(rules: self) }

    public struct Iterator: IteratorProtocol {
        let rules: MissingRules
        var position = 0
        var reader = SourceQuotes.Reader()

        init(rules: MissingRules) { self.rules = rules }

        public mutating func next() -> MissingRule? {
            guard position < rules.endIndex else { return nil }
            defer { position += 1 }
            return rules.rule(at: position, quoting: &reader)
        }
    }

    /// Rule `i` without its line read again (file and line stay): what the text report shows.
    func unquoted(_ i: Int) -> MissingRule {
        guard let arena else { return whole[i] }
        let (segment, number) = place(i)
        return MissingRule(rule: StoredRules.rule(segment.slots[number], arena), expectedPosition: number + 1)
    }

    private func rule(at i: Int, quoting reader: inout SourceQuotes.Reader) -> MissingRule {
        guard let arena else { return whole[i] }
        let (segment, number) = place(i)
        let slot = segment.slots[number]
        var rule = StoredRules.rule(slot, arena)
        if let quotes, rule.provenance != nil, slot.source != RuleArena.noSource,
           let text = quotes.text(of: rule.provenance!, hash: arena.textHash(ofSource: slot.source), reader: &reader) {
            rule.provenance!.text = text
        }
        return MissingRule(rule: rule, expectedPosition: number + 1)
    }

    /// The segment of missing rule `i` and its number there.
    private func place(_ i: Int) -> (Segment, Int) {
        var low = 0, high = segments.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if segments[mid].start <= i { low = mid } else { high = mid - 1 }
        }
        let s = segments[low]
        return (s, Int(s.numbers[i - s.start]))
    }

    /// Adds the rules `numbers` of `rules` (one list's, in the check's arena), in that order.
    mutating func append(_ numbers: [Int], of rules: DriftRules) {
        guard !numbers.isEmpty else { return }
        precondition(whole.isEmpty, "a report's missing rules are all references or all whole")
        arena = rules.store.arena
        segments.append(Segment(slots: rules.slots, numbers: numbers.map { UInt32($0) }, start: endIndex))
    }

    /// Whether the rules are references into an arena (made whole when read).
    var isStored: Bool { arena != nil }
}

extension MissingRules: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: MissingRule...) { self.init(elements) }
}
