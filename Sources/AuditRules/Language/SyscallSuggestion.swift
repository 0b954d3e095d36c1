import Syscalls

/// The "did you mean" search for an unknown syscall name. A hostile file can hold thousands of
/// unknown names, so one search costs what the name costs, not what the tables cost: only names
/// whose length is within the distance limit are compared, and each comparison stops as soon as
/// the distance must exceed the limit. It answers what a full scan of the sorted names with
/// `EditDistance.between` answers: the first closest name in sorted order.
enum SyscallSuggestion {
    /// Every kernel and libaudit name of the shipped tables (lower-cased, all ASCII), sorted and
    /// grouped by length in bytes: built once per process.
    private static let namesByLength: [[[UInt8]]] = {
        let names = SyscallDatabase.shipped.allNames.sorted().map { Array($0.utf8) }
        var groups = Array(repeating: [[UInt8]](), count: (names.map(\.count).max() ?? 0) + 1)
        for name in names { groups[name.count].append(name) }
        return groups
    }()

    /// The closest known name to `name` (compared lower-cased) within the limit the parser has
    /// always used (1 edit for names under 8 characters, else 2), or nil.
    static func closest(to name: String) -> String? {
        let query = BoundedEditDistance.units(name.lowercased())
        var scratch = BoundedEditDistance(capacity: namesByLength.count)
        var best: (name: [UInt8], distance: Int)?
        for length in max(0, query.count - 2)...(query.count + 2) where length < namesByLength.count {
            let limit = max(1, min(2, length / 4))
            guard abs(length - query.count) <= limit else { continue }
            for candidate in namesByLength[length] {
                guard let d = scratch.distance(query, candidate, limit: min(limit, best?.distance ?? limit)) else { continue }
                if let b = best, d > b.distance || (d == b.distance && !candidate.lexicographicallyPrecedes(b.name)) { continue }
                best = (candidate, d)
            }
        }
        return best.map { String(decoding: $0.name, as: UTF8.self) }
    }
}

/// The optimal-string-alignment distance (`EditDistance.between`: insertions, deletions,
/// substitutions and swaps of neighbours), computed only in the band the limit allows and given
/// up when every way on exceeds it. The arrays are reused from one comparison to the next.
struct BoundedEditDistance {
    private var beforePrevious: [Int], previous: [Int], current: [Int]

    init(capacity: Int) {
        beforePrevious = Array(repeating: 0, count: capacity + 1)
        previous = beforePrevious
        current = beforePrevious
    }

    /// A string's characters as code units for comparing with an ASCII name: an ASCII character
    /// is its byte, any other character 0xFF, which no ASCII name holds (so it matches nothing,
    /// as that character would not).
    static func units(_ text: String) -> [UInt8] {
        text.map { c in c.utf8.count == 1 ? c.utf8.first! : 0xFF }
    }

    /// The distance of `a` and `b` when it is at most `limit`, else nil.
    mutating func distance(_ a: [UInt8], _ b: [UInt8], limit: Int) -> Int? {
        let m = a.count, n = b.count
        guard abs(m - n) <= limit else { return nil }
        if m == 0 || n == 0 { return max(m, n) }
        if n + 1 > current.count { self = BoundedEditDistance(capacity: n) }
        let over = limit + 1
        for j in 0...n { previous[j] = j <= limit ? j : over }
        var previousMinimum = 0
        for i in 1...m {
            let low = max(1, i - limit), high = min(n, i + limit)
            // Cells outside the band are prefixes whose lengths differ by more than the limit.
            current[0] = i <= limit ? i : over
            if low > 1 { current[low - 1] = over }
            var minimum = current[0]
            if low <= high {
                for j in low...high {
                    var d = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                    if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { d = min(d, beforePrevious[j - 2] + 1) }
                    current[j] = min(d, over)
                    minimum = min(minimum, current[j])
                }
            }
            if high < n { current[high + 1] = over }
            // A later row only grows from this row, or from the previous one by a swap (+1).
            if minimum > limit && previousMinimum + 1 > limit { return nil }
            previousMinimum = minimum
            swap(&beforePrevious, &previous)
            swap(&previous, &current)
        }
        return previous[n] <= limit ? previous[n] : nil
    }
}
