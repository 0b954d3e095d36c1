/// Merges one ABI's table at one release into versioned rows: extends intervals, opens rows for new
/// numbers and renames, closes rows the release no longer has. Releases between two known ones are
/// assumed to equal the older (a change is dated at the release it is observed in).
public struct TableMerge: Sendable {
    public struct Change: Hashable, Sendable, CustomStringConvertible {
        public enum Kind: String, Sendable { case added, removed, extended }
        public var kind: Kind
        public var number: Int
        public var name: String
        public var description: String { "\(kind.rawValue) \(number) \(name)" }
    }

    public private(set) var rows: [SyscallRow]
    public private(set) var changes: [Change] = []

    public init(rows: [SyscallRow]) {
        self.rows = rows
    }

    /// `table` is the complete table of the ABI at `release`; `newest` is the newest release the
    /// rows knew before (nil for an empty table).
    public mutating func merge(_ table: [Int: String], at release: KernelVersion, newest: KernelVersion?) {
        let isNewest = newest.map { release >= $0 } ?? true
        // Every step below looks at the rows of one number only: grouping them keeps the merge
        // linear in rows plus table (a scan of all rows per number made 1M-row lists quadratic).
        var byNumber: [Int: [SyscallRow]] = [:]
        for r in rows {
            // Rows the release lacks: close (or split, when importing a release in the middle).
            guard r.isPresent(at: release), table[r.number] != r.name else { byNumber[r.number, default: []].append(r); continue }
            changes.append(Change(kind: .removed, number: r.number, name: r.name))
            if r.first < release { byNumber[r.number, default: []].append(SyscallRow(number: r.number, name: r.name, first: r.first, last: release.previous)) }
            if !isNewest, r.last.map({ $0 > release }) ?? true {
                byNumber[r.number, default: []].append(SyscallRow(number: r.number, name: r.name, first: release.next, last: r.last))
            }
        }
        for (number, name) in table.sorted(by: { $0.key < $1.key }) {
            var group = byNumber[number] ?? []
            defer { byNumber[number] = group }
            if group.contains(where: { $0.name == name && $0.isPresent(at: release) }) { continue }
            // The row just before or just after this release extends to cover it.
            if let i = group.firstIndex(where: { $0.name == name && $0.last == release.previous }) {
                group[i].last = isNewest ? nil : release
                if !isNewest, let j = group.firstIndex(where: { $0.name == name && $0.first == release.next }) {
                    group[i].last = group[j].last
                    group.remove(at: j)
                }
                changes.append(Change(kind: .extended, number: number, name: name))
            } else if let i = group.firstIndex(where: { $0.name == name && $0.first == release.next }) {
                group[i].first = release
                changes.append(Change(kind: .extended, number: number, name: name))
            } else if isNewest, let i = group.firstIndex(where: { r in
                guard r.name == name, let last = r.last, last < release else { return false }
                return !group.contains { o in o.name != name && o.first > last }
            }) {
                // Present again at a newer release with nothing else at that number in between:
                // the gap was missing data, not a removal.
                group[i].last = nil
                changes.append(Change(kind: .extended, number: number, name: name))
            } else {
                let last: KernelVersion? = isNewest ? nil : release
                group.append(SyscallRow(number: number, name: name, first: release, last: last))
                changes.append(Change(kind: .added, number: number, name: name))
            }
        }
        rows = byNumber.values.flatMap { $0 }
        rows.sort { ($0.number, $0.first, $0.name) < ($1.number, $1.first, $1.name) }
    }
}

extension KernelVersion {
    // The last minor of each major series: successor and predecessor cross series boundaries.
    private static let lastMinor = [2: 6, 3: 19, 4: 20, 5: 19, 6: 19]

    /// The mainline release before this one (an -rc's predecessor is the previous final release).
    public var previous: KernelVersion {
        if rc != nil { return KernelVersion(major, minor).previous }
        if minor > 0 { return KernelVersion(major, minor - 1) }
        return KernelVersion(major - 1, Self.lastMinor[major - 1] ?? 19)
    }

    /// The mainline release after this one (an -rc's successor is its final release).
    public var next: KernelVersion {
        if rc != nil { return KernelVersion(major, minor) }
        if let last = Self.lastMinor[major], minor >= last { return KernelVersion(major + 1, 0) }
        return KernelVersion(major, minor + 1)
    }
}
