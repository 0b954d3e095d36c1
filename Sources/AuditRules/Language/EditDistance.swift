// Edit distance, for "did you mean" (`SyscallSuggestion`, `FieldSuggestion`): its one home,
// bounded because a hostile file can ask for a suggestion on every line.

/// The optimal-string-alignment distance (insertions, deletions, substitutions and swaps of
/// neighbours, each one edit), computed only in the band the limit allows and given
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
