/// A unified diff (`diff -u` format, 3 lines of context) of two texts, line by line, for
/// `aurules fmt --diff`. Myers' O((N+M)D) algorithm: a formatter changes few lines of large files.
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

    /// The shortest edit script from a to b.
    static func edits(_ a: [Line], _ b: [Line]) -> [Edit] {
        let n = a.count, m = b.count, max = n + m
        var v = [Int](repeating: 0, count: 2 * max + 2)
        var trace: [[Int]] = []
        outer: for d in 0...max {
            trace.append(v)
            for k in stride(from: -d, through: d, by: 2) {
                var x: Int
                if k == -d || (k != d && v[max + k - 1] < v[max + k + 1]) { x = v[max + k + 1] } else { x = v[max + k - 1] + 1 }
                var y = x - k
                while x < n && y < m && a[x] == b[y] { x += 1; y += 1 }
                v[max + k] = x
                if x >= n && y >= m { break outer }
            }
        }
        // Walk back through the saved frontiers.
        var script: [Edit] = []
        var x = n, y = m
        for d in stride(from: trace.count - 1, through: 0, by: -1) {
            let v = trace[d], k = x - y
            let prevK = (k == -d || (k != d && v[max + k - 1] < v[max + k + 1])) ? k + 1 : k - 1
            let prevX = d == 0 ? 0 : v[max + prevK], prevY = prevX - prevK
            while x > prevX && y > prevY { script.append(.same); x -= 1; y -= 1 }
            if d > 0 { script.append(x == prevX ? .added : .removed) }
            x = prevX; y = prevY
        }
        return script.reversed()
    }
}
