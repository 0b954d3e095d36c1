/// Lines kept as one text, sorted by bytes (`EmbeddedTables.names`, `EmbeddedTables.aliases`):
/// found by bisection over the bytes, without building a set or a dictionary at start-up.
struct SortedNameList: Sendable {
    let text: String

    /// Whether a line of the text is exactly `name`'s bytes.
    func contains(_ name: String) -> Bool {
        var found = false
        forEachLine(from: name) { line in
            found = line.elementsEqual(name.utf8)
            return false
        }
        return found
    }

    /// The lines that start with `prefix`, in order.
    func lines(startingWith prefix: String) -> [String] {
        var out: [String] = []
        forEachLine(from: prefix) { line in
            guard line.starts(with: prefix.utf8) else { return false }
            out.append(String(decoding: line, as: UTF8.self))
            return true
        }
        return out
    }

    /// Calls `body` with each line from the first that does not sort before `key`, until it
    /// returns false.
    private func forEachLine(from key: String, _ body: (UnsafeBufferPointer<UInt8>) -> Bool) {
        var text = text, key = key
        text.withUTF8 { bytes in
            key.withUTF8 { key in
                var at = Self.lowerBound(key, in: bytes)
                while at < bytes.count {
                    var end = at
                    while end < bytes.count && bytes[end] != 0x0A { end += 1 }
                    if !body(UnsafeBufferPointer(rebasing: bytes[at ..< end])) { return }
                    at = end + 1
                }
            }
        }
    }

    /// The start of the first line that does not sort before `key` (the end when none), by
    /// bisection: `low` and `high` stay at line starts (or the end).
    static func lowerBound(_ key: UnsafeBufferPointer<UInt8>, in bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var low = 0, high = bytes.count
        while low < high {
            var start = low + (high - low) / 2
            while start > low && bytes[start - 1] != 0x0A { start -= 1 }
            var end = start
            while end < high && bytes[end] != 0x0A { end += 1 }
            if compare(UnsafeBufferPointer(rebasing: bytes[start ..< end]), key) < 0 {
                low = min(end + 1, high)
            } else {
                high = start
            }
        }
        return low
    }

    /// memcmp order, a prefix first: negative when `a` sorts before `b`.
    private static func compare(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Int {
        for i in 0 ..< min(a.count, b.count) where a[i] != b[i] { return Int(a[i]) - Int(b[i]) }
        return a.count - b.count
    }

    /// Every line.
    var all: [String] { text.split(separator: "\n").map(String.init) }
}
