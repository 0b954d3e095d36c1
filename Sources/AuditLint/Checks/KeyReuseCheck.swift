import AuditRules
import Syscalls

/// AUR508: one key on rules of different lists or actions, whose events have nothing in common.
public struct KeyReuseCheck: PerTargetCheck {
    public init() {}
    public let code = "AUR508"
    public let name = "key-on-unrelated-rules"
    public let family = CheckFamily.ruleSet
    public let findingSeverity: Severity? = .warning
    public let summary = "one key on rules of different lists or actions"
    public let rationale = """
        A key labels the records of the events a rule matched, and `ausearch -k KEY` or a SIEM \
        search by key finds them. A never rule records nothing, so its key never appears in a \
        record; a key shared by a never and an always rule, or by rules on different lists (an \
        exit rule and an exclude, task, user or filesystem rule, which see different kinds of \
        events), suggests a copied line whose key does not say what it finds. Give each kind of \
        rule its own key.
        """
    public let examples = [
        LintExample("-a always,exit -F arch=b64 -S execve -k exec\n↓-a never,exit -F arch=b64 -S execve -F exe=/usr/bin/ls -k exec\n", triggers: true),
        LintExample("-a always,exit -F arch=b64 -S mount -k mounts\n↓-a never,filesystem -F fstype=debugfs -k mounts\n", triggers: true),
        LintExample("-a always,exit -F arch=b64 -S adjtimex,settimeofday -k time-change\n-w /etc/localtime -p wa -k time-change\n", triggers: false),
        LintExample("-a always,exit -F arch=b64 -S execve -k exec\n-a always,exit -F arch=b32 -S execve -k exec\n", triggers: false),
    ]

    /// The first rule with a key part: what is reported of it (not the rule: a large set has many
    /// keys), for parts hashed here and for parts numbered once for every target alike.
    private struct First {
        /// Where the part's text is: kept, or (`FieldNumbering`) part `k` of the first key of rule
        /// `position`, read again only for a finding.
        enum Part {
            case text(RulesText)
            case ofKey(position: Int, k: Int)
        }
        var part: Part
        var list: FilterList
        var action: RuleAction
        var file: String
        var line: Int
        /// The next entry whose part has the same hash (-1: none; numbered parts are not chained).
        var next: Int32 = -1

        /// Whether the part kept is `bytes`.
        func holds(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
            guard case .text(let text) = part else { return false }
            return text.withBytes { $0.elementsEqual(bytes) }
        }

        /// The part's text.
        func text(in rules: KernelRuleList) -> RulesText {
            switch part {
            case .text(let text): return text
            case .ofKey(let position, let k): return KeyReuseCheck.part(k, ofKeyAt: position, in: rules)
            }
        }
    }

    /// Rule `i` (of `list` and `action`) has a key part `earlier` had first: a finding when their
    /// lists or actions differ.
    private func compare(_ i: Int, _ list: FilterList, _ action: RuleAction, at origin: (file: String, line: Int), with earlier: First,
                         in rules: KernelRuleList, report: (SourceLocation, () -> Diagnostic) -> Void) {
        guard earlier.list != list || earlier.action != action else { return }
        let location = SourceLocation(file: origin.file, line: origin.line, column: 1)
        report(location) {
            finding(.warning, "key '\(message: earlier.text(in: rules))' is also on the \(earlier.action.rawValue),\(earlier.list.rawValue) rule on line \(earlier.line)\(earlier.file == location.file ? "" : " of \(earlier.file)"); this is a \(action.rawValue),\(list.rawValue) rule: give it a key of its own",
                    at: location, length: 2, line: rules[i].provenance?.text)
        }
    }

    public func check(_ set: CompiledRuleSet, context: LintContext, report: (SourceLocation, () -> Diagnostic) -> Void) {
        if let count = set.rules.numbering?.keyPartCount { return check(set.rules, partCount: count, report: report) }
        // By an FNV-1a hash of the part's bytes: a part is read from the rule's key in place and
        // made a RulesText only when it is new or reported (most are looked up once).
        var entries: [First] = []
        var heads: [Int: Int32] = [:]
        let rules = set.rules
        for i in rules.indices {
            guard let origin = rules.origin(at: i) else { continue }
            let (list, action) = rules.listAndAction(at: i)
            rules.withFirstKey(at: i) { key in
                guard let key else { return }
                var start = 0
                while start <= key.count {
                    let end = key[start...].firstIndex(of: 0x01) ?? key.count
                    defer { start = end + 1 }
                    // As split(separator:) does: no empty parts.
                    guard end > start else { continue }
                    let part = UnsafeBufferPointer(rebasing: key[start ..< end])
                    var h = FNV1a()
                    h.mix(bytes: part)
                    let head = heads[h.intValue] ?? -1
                    var e = head
                    while e >= 0 && !entries[Int(e)].holds(part) { e = entries[Int(e)].next }
                    guard e >= 0 else {
                        heads[h.intValue] = Int32(entries.count)
                        entries.append(First(part: .text(RulesText(part)), list: list, action: action, file: origin.file, line: origin.line,
                                             next: head))
                        continue
                    }
                    compare(i, list, action, at: origin, with: entries[Int(e)], in: rules, report: report)
                }
            }
        }
    }

    /// `check` on the key parts numbered once for every target: no part is hashed here.
    private func check(_ rules: KernelRuleList, partCount: Int, report: (SourceLocation, () -> Diagnostic) -> Void) {
        var firstOf = [Int32](repeating: -1, count: partCount)
        var entries: [First] = []
        for i in rules.indices {
            guard let origin = rules.origin(at: i), let parts = rules.keyPartNumbers(at: i), !parts.isEmpty else { continue }
            let (list, action) = rules.listAndAction(at: i)
            for (k, p) in parts.enumerated() {
                let e = firstOf[Int(p)]
                guard e >= 0 else {
                    firstOf[Int(p)] = Int32(entries.count)
                    entries.append(First(part: .ofKey(position: i, k: k), list: list, action: action, file: origin.file, line: origin.line))
                    continue
                }
                compare(i, list, action, at: origin, with: entries[Int(e)], in: rules, report: report)
            }
        }
    }

    /// Part `k` of the first key of rule `i` (split at \x01, no empty parts).
    private static func part(_ k: Int, ofKeyAt i: Int, in rules: KernelRuleList) -> RulesText {
        rules.withFirstKey(at: i) { key in
            guard let key else { return "" }
            var start = 0, n = 0
            while start <= key.count {
                let end = key[start...].firstIndex(of: 0x01) ?? key.count
                defer { start = end + 1 }
                guard end > start else { continue }
                if n == k { return RulesText(UnsafeBufferPointer(rebasing: key[start ..< end])) }
                n += 1
            }
            return ""
        }
    }
}
