import Syscalls

/// The "did you mean" search for an unknown syscall name. A hostile file can hold thousands of
/// unknown names, so one search costs what the name costs, not what the tables cost: only names
/// whose length is within the distance limit are compared, and each comparison stops as soon as
/// the distance must exceed the limit. It answers what a full scan of the sorted names with
/// the full edit distance answers: the first closest name in sorted order.
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

/// The "did you mean" search for an unknown field name: the first name or alias, in
/// `FieldTable.all`'s order, at the smallest distance within a third of its length (at least 1).
/// Each comparison stops once it cannot beat that limit or the best distance found so far.
enum FieldSuggestion {
    /// Every field name and alias in the order searched, with its bytes (all ASCII): built once.
    private static let candidates: [(name: String, units: [UInt8])] =
        FieldTable.all.flatMap { spec in ([spec.name] + spec.aliases).map { ($0, Array($0.utf8)) } }

    /// The closest field name to `name` (compared lower-cased), or nil.
    static func closest(to name: String) -> String? {
        let query = BoundedEditDistance.units(name.lowercased())
        var scratch = BoundedEditDistance(capacity: 32)
        var best: (name: String, distance: Int)?
        for candidate in candidates {
            // Only a strictly closer name replaces the one found: the first of equals wins.
            let limit = min(max(1, candidate.units.count / 3), (best?.distance ?? Int.max) - 1)
            guard limit >= 0, let d = scratch.distance(query, candidate.units, limit: limit) else { continue }
            best = (candidate.name, d)
        }
        return best?.name
    }
}
