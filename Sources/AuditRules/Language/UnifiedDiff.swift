/// A unified diff (`diff -u` format, 3 lines of context) of two texts, line by line, for
/// `aurules fmt --diff`. Myers' O((N+M)D) algorithm: a formatter changes few lines of large files;
/// past `maxEdits` the changed region is one hunk, so that memory stays bounded.
/// Lines are compared and printed by their bytes, so that the diff applies to the file.
public enum UnifiedDiff {
    enum Edit: Equatable { case same, removed, added }

    /// Empty when the texts are equal.
    public static func render(old: RulesText, new: RulesText, oldName: String, newName: String, context: Int = 3) -> RulesText {
        let a = lines(old), b = lines(new)
        guard a != b else { return "" }
        let script = edits(a, b)
        var out: [UInt8] = []
        out.write("--- \(oldName)\n+++ \(newName)\n")
        func line(_ mark: String, _ l: Line) {
            out.write(mark)
            out.write(l.text)
            out.write(l.terminated ? "\n" : "\n\\ No newline at end of file\n")
        }
        // Positions of each edit in a and b.
        var ops: [(Edit, Int, Int)] = []
        var i = 0, j = 0
        for e in script {
            ops.append((e, i, j))
            switch e {
            case .same: i += 1; j += 1
            case .removed: i += 1
            case .added: j += 1
            }
        }
        var k = 0
        while k < ops.count {
            guard let firstChange = ops[k...].firstIndex(where: { $0.0 != .same }) else { break }
            var start = max(firstChange - context, k == 0 ? 0 : k)
            if start < 0 { start = 0 }
            // Extend the hunk while changes are closer than 2 * context lines apart.
            var end = firstChange
            var runOfSame = 0
            var m = firstChange
            while m < ops.count {
                if ops[m].0 == .same {
                    runOfSame += 1
                    if runOfSame > 2 * context { break }
                } else {
                    runOfSame = 0
                    end = m
                }
                m += 1
            }
            let stop = min(end + context + 1, ops.count)
            let hunk = ops[start..<stop]
            let oldStart = hunk.first!.1, newStart = hunk.first!.2
            let oldCount = hunk.filter { $0.0 != .added }.count, newCount = hunk.filter { $0.0 != .removed }.count
            out.write("@@ -\(range(oldStart, oldCount)) +\(range(newStart, newCount)) @@\n")
            for (e, x, y) in hunk {
                switch e {
                case .same: line(" ", a[x])
                case .removed: line("-", a[x])
                case .added: line("+", b[y])
                }
            }
            k = stop
        }
        return RulesText(out)
    }

    static func range(_ start: Int, _ count: Int) -> String {
        // diff -u: a 1-based start; an empty range starts at the line before it.
        let first = count == 0 ? start : start + 1
        return count == 1 ? "\(first)" : "\(first),\(count)"
    }

    struct Line: Equatable {
        var text: RulesText
        var terminated: Bool
    }

    static func lines(_ s: RulesText) -> [Line] {
        var out = s.split(separator: 0x0A, omittingEmptySubsequences: false).map { Line(text: RulesText($0), terminated: true) }
        if out.last?.text.isEmpty == true { out.removeLast() } else if !out.isEmpty { out[out.count - 1].terminated = false }
        return out
    }

    /// Edits past which the diff is not searched for (its memory grows with their square): the
    /// lines between the first and the last that differ become one removal and one addition.
    public static let maxEdits = 4_096

    /// The shortest edit script from a to b, or, past `limit` edits, one that keeps the lines
    /// a and b share at their start and end and replaces everything between. (Myers' search
    /// takes the common start first, as here; the common end only the fallback takes, as the
    /// search may align it otherwise at equal cost.)
    static func edits(_ a: [Line], _ b: [Line], limit: Int = maxEdits) -> [Edit] {
        var prefix = 0
        while prefix < a.count && prefix < b.count && a[prefix] == b[prefix] { prefix += 1 }
        if let middle = myers(a[prefix...], b[prefix...], limit: limit) { return Array(repeating: .same, count: prefix) + middle }
        var suffix = 0
        while suffix < a.count - prefix && suffix < b.count - prefix && a[a.count - 1 - suffix] == b[b.count - 1 - suffix] { suffix += 1 }
        return Array(repeating: .same, count: prefix) + Array(repeating: .removed, count: a.count - prefix - suffix)
            + Array(repeating: .added, count: b.count - prefix - suffix) + Array(repeating: .same, count: suffix)
    }

    /// Myers' search, keeping of each round only the diagonals it reached (-d...d): memory
    /// grows with the square of the edits, not with the lines; nil past `limit` edits.
    static func myers(_ a: ArraySlice<Line>, _ b: ArraySlice<Line>, limit: Int) -> [Edit]? {
        let n = a.count, m = b.count, a0 = a.startIndex, b0 = b.startIndex
        let max = n + m
        if max == 0 { return [] }
        // v[k] for k in -d...d lives at trace[d][k + d]; the round being searched reads the last one.
        var trace: [[Int32]] = []
        var found = false
        outer: for d in 0 ... Swift.min(max, limit) {
            var v = [Int32](repeating: 0, count: 2 * d + 1)
            let previous = trace.last
            func before(_ k: Int) -> Int { Int(previous![k + d - 1]) }
            for k in stride(from: -d, through: d, by: 2) {
                var x: Int
                if d == 0 { x = 0 }
                else if k == -d || (k != d && before(k - 1) < before(k + 1)) { x = before(k + 1) } else { x = before(k - 1) + 1 }
                var y = x - k
                while x < n && y < m && a[a0 + x] == b[b0 + y] { x += 1; y += 1 }
                v[k + d] = Int32(x)
                if x >= n && y >= m {
                    trace.append(v)
                    found = true
                    break outer
                }
            }
            trace.append(v)
        }
        guard found else { return nil }
        // Walk back through the saved frontiers.
        var script: [Edit] = []
        var x = n, y = m
        for d in stride(from: trace.count - 1, through: 0, by: -1) {
            let k = x - y
            guard d > 0 else {
                while x > 0 && y > 0 { script.append(.same); x -= 1; y -= 1 }
                break
            }
            let v = trace[d - 1]
            func at(_ k: Int) -> Int { Int(v[k + d - 1]) }
            let prevK = (k == -d || (k != d && at(k - 1) < at(k + 1))) ? k + 1 : k - 1
            let prevX = at(prevK), prevY = prevX - prevK
            while x > prevX && y > prevY { script.append(.same); x -= 1; y -= 1 }
            script.append(x == prevX ? .added : .removed)
            x = prevX; y = prevY
        }
        return script.reversed()
    }
}
