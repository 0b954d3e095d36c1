#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Syscalls

extension DriftFormatter {
    /// terraform-plan style: `+` missing (on disk, not loaded), `-` unexpected (loaded, in no
    /// file), `~` changed, `>` moved, `!` settings; every disk-side entry with its file:line.
    /// Keys, paths and file names come from the kernel and from other people's files: every line
    /// goes through the one escape (ControlCharacters), so none can retitle or clear the
    /// operator's terminal, nor a newline forge a line of the report.
    public func text(_ report: DriftReport, subject: String) -> String {
        var whole = ""
        text(report, subject: subject) { whole += $0 }
        return whole
    }

    /// `text` handed to `emit` a piece of whole lines at a time (about 64 KiB), made as it goes:
    /// against an empty kernel every rule of the files is reported.
    public func text(_ report: DriftReport, subject: String, into emit: (String) -> Void) {
        // The pieces are handed on before this returns.
        withoutActuallyEscaping(emit) { emit in
            var out = Lines(emit: emit)
            text(report, subject: subject, into: &out)
            out.finish()
        }
    }

    private func text(_ report: DriftReport, subject: String, into out: inout Lines) {
        out.append("aurules check: \(ControlCharacters.escaped(subject))")
        if report.immutable {
            out.append("note: the kernel is immutable (-e 2): nothing can change before a reboot")
        }
        if !report.hasDrift {
            return out.append("In sync: \(report.inSync) rules loaded as the files say.")
        }
        out.append("")
        for u in report.unloadable {
            let host = u.hostDependent ? " (depends on this host)" : ""
            out.append("x \(u.file):\(u.line)  not loadable\(host): \(u.reasons.joined(separator: "; ")); left out of the comparison")
            if let text = u.text { out.append("    \(message: text)") }
        }
        // Only file:line is shown: the lines are not read again.
        for i in report.missing.indices {
            let m = report.missing.unquoted(i)
            out.append("+ \(location(m.rule.provenance))  missing from the \(m.rule.list.rawValue) list (expected #\(m.expectedPosition))")
            out.append("    \(line(m.rule))")
        }
        for g in report.unexpected {
            let parts = g.key.map { $0.split(separator: 0x01, omittingEmptySubsequences: false).map { ControlCharacters.escaped(RulesText($0)) } }
            let key = parts.map { "key \"" + $0.joined(separator: "\", \"") + "\"" } ?? "no key"
            out.append("- \(g.rules.count) unexpected rule\(g.rules.count == 1 ? "" : "s") with \(key), in no file")
            for r in g.rules { out.append("    \(r.rule.list.rawValue) #\(r.kernelPosition): \(line(r.rule))") }
        }
        for c in report.changed {
            out.append("~ \(location(c.expected.provenance))  changed in the kernel (\(c.actual.list.rawValue) #\(c.kernelPosition))")
            out.append("    file:   \(line(c.expected))")
            out.append("    kernel: \(line(c.actual))")
            let d = c.difference
            if !d.removedSyscalls.isEmpty || !d.addedSyscalls.isEmpty {
                let parts = d.addedSyscalls.map { "+" + syscallName($0, in: c.actual) } + d.removedSyscalls.map { "-" + syscallName($0, in: c.expected) }
                out.append("    syscalls: \(parts.joined(separator: " "))")
            }
            if !d.removedFields.isEmpty || !d.addedFields.isEmpty {
                let parts = d.addedFields.map { "+(\(field($0)))" } + d.removedFields.map { "-(\(field($0)))" }
                out.append("    fields: \(parts.joined(separator: " "))")
            }
            if d.fieldOrderDiffers { out.append("    fields: same fields in another order (a different kernel rule that lists alike)") }
        }
        for o in report.orderDrift {
            let why = o.listHasNeverRules ? "; it has never rules, so order decides what is audited" : ""
            out.append("> \(o.moved.count) rule\(o.moved.count == 1 ? "" : "s") out of order in the \(o.list.rawValue) list\(why)")
            for m in o.moved {
                let after = m.expectedAfter.map { "after \(location($0.provenance))" } ?? "first"
                out.append("    \(location(m.rule.provenance)) is #\(m.kernelPosition) in the kernel; the files put it #\(m.expectedPosition), \(after)")
                out.append("    \(line(m.rule))")
            }
        }
        for s in report.settings {
            out.append("! \(location(s.provenance))  \(s.option) \(s.expected) on disk, the kernel has \(s.name) \(s.actual)")
        }
        out.append("")
        out.append("Drift: \(report.inSync) in sync, \(report.missing.count) missing, \(report.unexpectedCount) unexpected, "
                   + "\(report.changed.count) changed, \(report.movedCount) out of order, \(report.settings.count) setting"
                   + (report.settings.count == 1 ? "" : "s")
                   + (report.unloadable.isEmpty ? "." : ", \(report.unloadable.count) unloadable line\(report.unloadable.count == 1 ? "" : "s")."))
    }

    /// The report's lines, each escaped, handed on about 64 KiB at a time.
    private struct Lines {
        let emit: (String) -> Void
        var pending = ""

        mutating func append(_ line: String) {
            pending += ControlCharacters.escaped(line)
            pending += "\n"
            if pending.utf8.count >= 1 << 16 {
                emit(pending)
                pending = ""
            }
        }

        func finish() { if !pending.isEmpty { emit(pending) } }
    }

    public func json(_ report: DriftReport, subject: String, warnings: [String] = []) throws -> String {
        var whole = ""
        try json(report, subject: subject, warnings: warnings) { whole += $0 }
        return whole
    }

    /// `json` handed to `emit` in pieces: the document without its missing rules is encoded
    /// whole, and the missing rules (against an empty kernel, every rule of the files) are
    /// encoded and handed on a batch at a time where their array goes, each made whole and its
    /// line read again only then. Byte for byte the document encoded whole. A value the encoder
    /// refuses is an error, thrown before the next piece (a piece in its place would make a
    /// document that says something else).
    public func json(_ report: DriftReport, subject: String, warnings: [String] = [], into emit: (String) -> Void) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        try json(report, subject: subject, warnings: warnings, encode: { try encoder.encode($0) }, into: emit)
    }

    /// `encode`: the encoder's, or the tests' that refuses a value.
    func json(_ report: DriftReport, subject: String, warnings: [String], encode: (any Encodable) throws -> Data,
              into emit: (String) -> Void) throws {
        let document = try encode(jsonReport(report, subject: subject, warnings: warnings))
        let text = ControlCharacters.inertJSON(document)
        // The top level's keys are indented by two spaces, and a string holds no raw newline:
        // this is the missing rules' array, empty, and no string's text.
        guard !report.missing.isEmpty, let key = text.firstRange(of: "\n  \"missing\" : ["),
              let close = text[key.upperBound...].firstIndex(of: "]") else { return emit(text + "\n") }
        emit(String(text[..<key.upperBound]) + "\n")
        var batch: [JSONPlacedRule] = []
        var first = true
        func flush() throws {
            guard !batch.isEmpty else { return }
            // An array alone is indented from the left margin; in the document, two levels in.
            var encoded = ControlCharacters.inertJSON(try encode(batch))
            // By bytes: a search and replace of the text costs more than the encoding.
            var piece: [UInt8] = Array((first ? "  " : ",\n  ").utf8)
            encoded.withUTF8 { bytes in
                piece.reserveCapacity(bytes.count + bytes.count / 8)
                for b in bytes[2 ..< bytes.count - 2] {
                    piece.append(b)
                    if b == 0x0A { piece += [0x20, 0x20] }
                }
            }
            emit(String(decoding: piece, as: UTF8.self))
            first = false
            batch.removeAll(keepingCapacity: true)
        }
        for m in report.missing {
            batch.append(JSONPlacedRule(list: m.rule.list.rawValue, position: m.expectedPosition, rule: line(m.rule), source: m.rule.provenance))
            if batch.count == 1024 { try flush() }
        }
        try flush()
        emit("\n  " + String(text[close...]) + "\n")
    }

    /// The JSON report, its missing rules left out when `withMissing` is false (read through the
    /// iterator, which reads their lines a window at a time, not one subscript each).
    private func jsonReport(_ report: DriftReport, subject: String, warnings: [String], withMissing: Bool = false) -> JSONReport {
        // Provenance encodes as {file, line, text, abi}: the JSON source object.
        func source(_ p: Provenance?) -> Provenance? { p }
        let doc = JSONReport(
            subject: subject, inSync: !report.hasDrift, immutable: report.immutable, warnings: warnings,
            counts: JSONCounts(inSync: report.inSync, expected: report.expectedCount, loaded: report.kernelCount,
                               missing: report.missing.count, unexpected: report.unexpectedCount, changed: report.changed.count,
                               outOfOrder: report.movedCount, settings: report.settings.count, unloadable: report.unloadable.count),
            unloadable: report.unloadable,
            missing: withMissing ? Array(report.missing).map { JSONPlacedRule(list: $0.rule.list.rawValue, position: $0.expectedPosition, rule: line($0.rule), source: source($0.rule.provenance)) } : [],
            unexpected: report.unexpected.map { g in
                JSONUnexpected(key: g.key, rules: g.rules.map { JSONPlacedRule(list: $0.rule.list.rawValue, position: $0.kernelPosition, rule: line($0.rule)) })
            },
            changed: report.changed.map { c in
                JSONChanged(list: c.actual.list.rawValue, position: c.kernelPosition, source: source(c.expected.provenance),
                            expected: line(c.expected), actual: line(c.actual),
                            syscallsAdded: c.difference.addedSyscalls.map { syscallName($0, in: c.actual) },
                            syscallsRemoved: c.difference.removedSyscalls.map { syscallName($0, in: c.expected) },
                            fieldsAdded: c.difference.addedFields.map(field), fieldsRemoved: c.difference.removedFields.map(field),
                            fieldOrderDiffers: c.difference.fieldOrderDiffers)
            },
            outOfOrder: report.orderDrift.map { o in
                JSONOrder(list: o.list.rawValue, hasNeverRules: o.listHasNeverRules, moved: o.moved.map {
                    JSONMoved(rule: line($0.rule), source: source($0.rule.provenance), expectedPosition: $0.expectedPosition,
                              kernelPosition: $0.kernelPosition, expectedAfter: source($0.expectedAfter?.provenance))
                })
            },
            settings: report.settings.map { JSONSetting(option: $0.option, name: $0.name, expected: $0.expected, actual: $0.actual, source: source($0.provenance)) })
        return doc
    }

    /// `json` encoded whole, as it was before it was written in pieces: what the tests hold the
    /// pieces to.
    func wholeJSON(_ report: DriftReport, subject: String, warnings: [String] = []) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let data = (try? encoder.encode(jsonReport(report, subject: subject, warnings: warnings, withMissing: true))) ?? Data("{}".utf8)
        return ControlCharacters.inertJSON(data) + "\n"
    }

    /// A node_exporter textfile-collector file. Written also when the check failed (report nil),
    /// so a dashboard sees the failure rather than stale numbers.
    public static func prometheus(_ report: DriftReport?, timestamp: Double) -> String {
        var out: [String] = []
        func metric(_ name: String, _ help: String, _ samples: [(labels: String, value: String)]) {
            out.append("# HELP \(name) \(help)")
            out.append("# TYPE \(name) gauge")
            for s in samples { out.append("\(name)\(s.labels) \(s.value)") }
        }
        metric("aurules_check_success", "1 when the last drift check ran to completion, 0 when it failed.", [("", report == nil ? "0" : "1")])
        metric("aurules_check_last_run_timestamp_seconds", "When the last drift check ran (Unix time).", [("", fixedPoint(timestamp, decimals: 3))])
        if let report {
            metric("aurules_check_in_sync", "1 when the kernel's audit rules and settings match the files.", [("", report.hasDrift ? "0" : "1")])
            metric("aurules_rules_in_sync", "Rules loaded exactly as the files say.", [("", "\(report.inSync)")])
            metric("aurules_rules_expected", "Rules the files compile to.", [("", "\(report.expectedCount)")])
            metric("aurules_rules_loaded", "Rules loaded in the kernel.", [("", "\(report.kernelCount)")])
            metric("aurules_drift", "Drift findings by kind.", report.counts.map { ("{kind=\"\($0.kind.rawValue)\"}", "\($0.count)") })
            metric("aurules_kernel_immutable", "1 when the kernel's audit configuration is locked (-e 2).", [("", report.immutable ? "1" : "0")])
        }
        return out.joined(separator: "\n") + "\n"
    }
}

private struct JSONReport: Encodable {
    var aurules = ProductVersion.json
    var subject: String
    var inSync: Bool
    var immutable: Bool
    var warnings: [String]
    var counts: JSONCounts
    var unloadable: [UnloadableLine]
    var missing: [JSONPlacedRule]
    var unexpected: [JSONUnexpected]
    var changed: [JSONChanged]
    var outOfOrder: [JSONOrder]
    var settings: [JSONSetting]
}

private struct JSONCounts: Encodable {
    var inSync, expected, loaded, missing, unexpected, changed, outOfOrder, settings, unloadable: Int
}

/// A rule at its position in a list: a missing one (with its source) or a loaded one.
private struct JSONPlacedRule: Encodable {
    var list: String
    var position: Int
    var rule: String
    var source: Provenance? = nil
}

private struct JSONUnexpected: Encodable {
    var key: RulesText?
    var rules: [JSONPlacedRule]
}

private struct JSONChanged: Encodable {
    var list: String
    var position: Int
    var source: Provenance?
    var expected: String
    var actual: String
    var syscallsAdded: [String]
    var syscallsRemoved: [String]
    var fieldsAdded: [String]
    var fieldsRemoved: [String]
    var fieldOrderDiffers: Bool
}

private struct JSONOrder: Encodable {
    var list: String
    var hasNeverRules: Bool
    var moved: [JSONMoved]
}

private struct JSONMoved: Encodable {
    var rule: String
    var source: Provenance?
    var expectedPosition: Int
    var kernelPosition: Int
    var expectedAfter: Provenance?
}

private struct JSONSetting: Encodable {
    var option: String
    var name: String
    var expected: UInt32
    var actual: UInt32
    var source: Provenance?
}
