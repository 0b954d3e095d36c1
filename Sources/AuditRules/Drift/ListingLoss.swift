/// What a saved `auditctl -l` listing (audit 3.0.9) cannot show about a kernel rule: distinct
/// kernel rules that auditctl prints as one same line. Found by loading rules into a kernel and
/// listing them (ListingLossKernelTests) and in auditctl-listing.c (`is_watch`, `print_rule`):
///
/// - A watch-shaped rule (`RulePrinter.isWatch`: only path/dir, perm and key fields, a perm among
///   them, every syscall) is printed `-w PATH -p PERMS [-k KEY]` with no action and no field
///   name: `-a never,exit -F path=/bin/sed -F perm=x` lists as `-w /bin/sed -p x`, exactly as
///   the always rule does (both can be loaded at once and list as two equal lines), and
///   `-F path=DIR` as `-F dir=DIR` does. Reading the line back gives an always rule whose field
///   is dir or path as the reading host's file system says.
/// - Its fields are printed in kernel order with `-w` glued to what precedes it: a perm before
///   the path lists as ` -p x-w /bin/sed` (SavedListing reads that back as `-w /bin/sed -p x`),
///   a key before the path (not from auditctl, which moves keys last) as ` -k k-w /bin/sed -p x`
///   (read back with the key last).
/// - `is_watch` asks for a perm field, not a path: `-a never,exit -S all -F perm=wa -k k` lists
///   as ` -p wa -k k` (no `-w`, no action), read back as an always rule on every syscall.
/// - The arch field is printed first, wherever the rule has it: `-F uid=0 -F arch=b64 -S openat`
///   lists as `-F arch=b64 -S openat -F uid=0`, a distinct kernel rule.
///
/// Not lost (tested the same way): the list order `-A` makes (the listing is in kernel order),
/// keys (several keys are several `-k`/`-F key=` words, read back as the same one field),
/// perm letters, `-S all`, `!=` on arch, a trailing `/` (auditctl removes it before loading).
public struct ListingLoss: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// always or never: a watch-shaped line has no action.
    public static let action = ListingLoss(rawValue: 1)
    /// path or dir: `-w` for both.
    public static let watchFieldKind = ListingLoss(rawValue: 2)
    /// Where the perm and key fields are relative to the path or dir field of a watch-shaped rule.
    public static let watchFieldOrder = ListingLoss(rawValue: 4)
    /// Where the arch field is among the fields.
    public static let archPosition = ListingLoss(rawValue: 8)

    /// What a listing line for `rule` leaves unknown.
    public static func of(_ rule: KernelRule) -> ListingLoss {
        if RulePrinter.isWatch(rule) { return [.action, .watchFieldKind, .watchFieldOrder] }
        return rule.fields.contains { $0.id == FieldID.arch } ? .archPosition : []
    }

    /// `listed` (rules read from a saved listing, in listing order) with each rule taken as the
    /// files' rule it cannot be told from: the kernel held one of the rules that list as that
    /// line, and the files' is one. Lines alike pair with the files' rules that list so in file
    /// order (which of them came first the listing cannot say either); a line without such a rule
    /// stays as read, and so does a rule of the files beyond the lines. Positions stay those of
    /// the listing, so order drift is judged as before. Returns the rules and how many of them
    /// changed by being taken so.
    public static func resolving(_ listed: [KernelRule], by expected: [KernelRule]) -> (rules: [KernelRule], resolved: Int) {
        var out = listed
        let resolved = resolve(&out, by: expected)
        return (out, resolved)
    }

    /// `resolving` in place (no second copy of the listed rules); how many changed.
    public static func resolve(_ out: inout [KernelRule], by expected: [KernelRule]) -> Int {
        guard out.contains(where: { !ListingLoss.of($0).isEmpty }) else { return 0 }
        return pairListed(lines: out.indices, line: { out[$0] }, rules: expected.indices, count: expected.count,
                          rule: { expected[$0] }) { k, j in
            let taken = expected[k]
            if taken == out[j] { return false }
            out[j].list = taken.list
            out[j].action = taken.action
            out[j].mask = taken.mask
            out[j].fields = taken.fields
            return true
        }
    }

    /// The pairing both `resolve`s share: each line (of `lines`) that lost something is paired
    /// with the first unused rule (of `rules`, in file order) that lists the same; `take(k, j)`
    /// adopts rule k for line j and says whether that changed the line. Each view's candidates
    /// are a chain of indices under the view's hash (views that share a hash share a chain; the
    /// view is compared on the way): a table of numbers, not of rules. Returns how many changed.
    static func pairListed(lines: Range<Int>, line: (Int) -> KernelRule, rules: Range<Int>, count: Int,
                           rule: (Int) -> KernelRule, take: (Int, Int) -> Bool) -> Int {
        var head: [Int: Int] = [:]
        var link = [Int](repeating: -1, count: count)
        for i in rules.reversed() {
            let r = rule(i)
            guard !ListingLoss.of(r).isEmpty else { continue }
            let h = r.asListed.hashValue
            link[i] = head[h] ?? -1
            head[h] = i
        }
        guard !head.isEmpty else { return 0 }
        var used = [Bool](repeating: false, count: count)
        var resolved = 0
        for j in lines {
            let r = line(j)
            guard !ListingLoss.of(r).isEmpty else { continue }
            let view = r.asListed
            let h = view.hashValue
            guard var k = head[h] else { continue }
            while k >= 0 && (used[k] || rule(k).asListed != view) { k = link[k] }
            guard k >= 0 else { continue }
            used[k] = true
            var first = head[h]!
            while first >= 0 && used[first] { first = link[first] }
            head[h] = first
            if take(k, j) { resolved += 1 }
        }
        return resolved
    }
}

extension KernelRule {
    /// The rule as far as an `auditctl -l` line shows it: what the line leaves unknown
    /// (`ListingLoss`) set to one fixed value. Two rules list as the same line when their
    /// `asListed` are equal.
    public var asListed: KernelRule {
        var r = self
        let loss = ListingLoss.of(self)
        if loss.contains(.action) { r.action = .always }
        if loss.contains(.watchFieldKind), r.fields.contains(where: { $0.id == FieldID.dir }) {
            r.fields = r.fields.map { f in
                guard f.id == FieldID.dir, let s = f.string else { return f }
                return KernelField(id: FieldID.path, op: f.op, string: s)
            }
        }
        if loss.contains(.watchFieldOrder) {
            // The path first and the keys last (as the listing is read back), the rest as they are.
            if let i = r.fields.firstIndex(where: { $0.id == FieldID.path }), i > 0 {
                let path = r.fields.remove(at: i)
                r.fields.insert(path, at: 0)
            }
            if let key = r.fields.firstIndex(where: { $0.id == FieldID.key }), r.fields[key...].contains(where: { $0.id != FieldID.key }) {
                r.fields = r.fields.filter { $0.id != FieldID.key } + r.fields.filter { $0.id == FieldID.key }
            }
        }
        // Already arch first (nearly always): the fields are kept as they are, not copied.
        if loss.contains(.archPosition),
           let other = r.fields.firstIndex(where: { $0.id != FieldID.arch }), r.fields[other...].contains(where: { $0.id == FieldID.arch }) {
            r.fields = r.fields.filter { $0.id == FieldID.arch } + r.fields.filter { $0.id != FieldID.arch }
        }
        return r
    }
}

extension ListingLoss {
    /// `resolve` on the slots of a drift check's arena. The common prefix of `out` and
    /// `expected` (all of an in-sync listing) resolves each line to its own rule: it is skipped,
    /// and only the rest is made whole and hashed.
    static func resolve(_ out: inout DriftRules, by expected: DriftRules) -> Int {
        var prefix = 0
        while prefix < out.count && prefix < expected.count && out.key(prefix) == expected.key(prefix) { prefix += 1 }
        guard (prefix ..< out.count).contains(where: { !ListingLoss.of(out[$0]).isEmpty }) else { return 0 }
        return pairListed(lines: prefix ..< out.count, line: { out[$0] }, rules: prefix ..< expected.count,
                          count: expected.count, rule: { expected[$0] }) { k, j in
            if expected.key(k) == out.key(j) { return false }
            out.take(k, of: expected, at: j)
            return true
        }
    }
}
