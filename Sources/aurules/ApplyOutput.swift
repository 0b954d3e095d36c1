import ArgumentParser
import AuditKernel
import AuditRules
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import Syscalls

/// What `aurules apply` prints: one line per change and a summary, or JSON.
struct ApplyOutput {
    let writer: RulesFileWriter
    let format: ApplyFormat
    let dryRun: Bool

    /// One change as shown: `+` added, `-` deleted, `>` moved, `!` setting, `=` kept.
    struct Change {
        var kind: String
        var text: String
        var source: String?
    }

    /// The changes one at a time, in order, each step's rule made as it is shown.
    func forEachChange(_ plan: ApplyPlan, _ body: (Change) -> Void) {
        for step in plan.steps {
            switch (step.operation, step.role) {
            case (.delete, .move): continue  // shown once, where it is placed
            case (.append(let r), .move), (.prepend(let r), .move): body(Change(kind: "move", text: "\(message: writer.line(for: r))", source: source(r)))
            case (.append(let r), _), (.prepend(let r), _): body(Change(kind: "add", text: "\(message: writer.line(for: r))", source: source(r)))
            case (.delete(let r), _): body(Change(kind: "delete", text: "\(message: writer.line(for: r))", source: nil))
            case (.setting(let s), _):
                let text = s.option == "--loginuid-immutable" ? s.option : "\(s.option) \(s.expected) (was \(s.actual))"
                body(Change(kind: "setting", text: text, source: s.provenance.map { "\($0.file):\($0.line)" }))
            }
        }
        for rule in plan.kept { body(Change(kind: "keep", text: "\(message: writer.line(for: rule))", source: nil)) }
    }

    private func source(_ rule: KernelRule) -> String? {
        rule.provenance.map { "\($0.file):\($0.line)" }
    }

    func render(_ result: ApplyResult, seconds: Double, writes: Int) -> String {
        var text = ""
        render(result, seconds: seconds, writes: writes) { text += $0 }
        return text
    }

    /// The output handed to `emit` in pieces of about 64 KiB, each change written as it is
    /// made: a plan of millions of rules is never one string, nor one document.
    func render(_ result: ApplyResult, seconds: Double, writes: Int, into emit: (String) -> Void) {
        if format == .json { return json(result, seconds: seconds, writes: writes, into: emit) }
        let marks = ["add": "+", "delete": "-", "move": ">", "setting": "!", "keep": "="]
        var text = ""
        func flushing() {
            if text.utf8.count >= 1 << 16 {
                emit(text)
                text = ""
            }
        }
        forEachChange(result.plan) { c in
            // Keys and paths are the files' bytes: a control byte (a kept CR) is shown escaped.
            text += "\(marks[c.kind] ?? "?") \(ControlCharacters.escaped(c.text))"
            if let s = c.source { text += "  # \(ControlCharacters.escaped(s))" } else if c.kind == "delete" { text += "  # in no file" } else if c.kind == "keep" { text += "  # kept (--keep-key)" }
            text += "\n"
            flushing()
        }
        for f in result.failures {
            text += "error: \(Self.where_(f.step))the kernel refused \(what(f.step)): \(f.error)\n"
            flushing()
        }
        for s in result.skipped {
            text += "not set: \(what(s)), because other changes failed\n"
            flushing()
        }
        text += summary(result, seconds: seconds) + "\n"
        emit(text)
    }

    func summary(_ result: ApplyResult, seconds: Double) -> String {
        let p = result.plan
        let done = doneCounts(result)
        var parts = ["\(grouped(done.added)) added", "\(grouped(done.deleted)) deleted"]
        if p.moved > 0 { parts.append("\(grouped(p.moved)) moved") }
        parts.append("\(grouped(p.unchanged)) unchanged")
        if !p.kept.isEmpty { parts.append("\(grouped(p.kept.count)) kept") }
        if p.settingsChanged > 0 { parts.append("\(p.settingsChanged) setting\(p.settingsChanged == 1 ? "" : "s") changed") }
        if !result.failures.isEmpty { parts.append("\(grouped(result.failures.count)) refused") }
        var line = parts.joined(separator: ", ") + " (" + fixedPoint(seconds, decimals: 2) + " s)"
        if dryRun { line += ", dry run: nothing was changed" }
        if result.retried { line += ", planned again after another process changed the kernel" }
        return line
    }

    /// Additions and deletions carried out: refused steps are counted as refused only.
    private func doneCounts(_ result: ApplyResult) -> (added: Int, deleted: Int) {
        (result.plan.added - result.failures.filter { $0.step.role == .add }.count,
         result.plan.deleted - result.failures.filter { $0.step.role == .delete }.count)
    }

    /// The JSON document, its `changes` written one at a time (`JSONText.render(_:streaming:)`).
    private func json(_ result: ApplyResult, seconds: Double, writes: Int, into emit: (String) -> Void) {
        let p = result.plan
        let done = doneCounts(result)
        var object: [String: Any] = [
            "dry_run": dryRun, "added": done.added, "deleted": done.deleted, "moved": p.moved, "unchanged": p.unchanged,
            "kept": p.kept.count, "settings_changed": p.settingsChanged, "seconds": (seconds * 1000).rounded() / 1000,
            "kernel_writes": writes, "retried": result.retried,
            "refused": result.failures.map { f -> [String: Any] in
                var o: [String: Any] = ["change": what(f.step), "error": f.error.description]
                if let s = f.step.operation.rule.flatMap(source) { o["source"] = s }
                return o
            },
        ]
        if !result.skipped.isEmpty { object["not_set"] = result.skipped.map(what) }
        let changes: (([String: String]) -> Void) -> Void = { element in
            forEachChange(p) { c in
                var o = ["change": c.kind, "rule": c.text]
                if c.kind == "setting" { o = ["change": c.kind, "setting": c.text] }
                if let s = c.source { o["source"] = s }
                element(o)
            }
        }
        // Every value is a string, a finite number or a Bool: the document is never refused.
        _ = JSONText.render(object, streaming: "changes", stringObjects: changes, into: emit)
        emit("\n")
    }

    func json(error message: String, writes: Int) -> String {
        Self.encode(["error": message, "dry_run": dryRun, "kernel_writes": writes])
    }

    static func encode(_ object: [String: Any]) -> String {
        guard let json = JSONText.render(object) else { return "{}\n" }
        return json + "\n"
    }

    /// The message and exit status for a failed apply (`writer` renders the refused rule).
    static func describe(_ error: ApplyError, writer: RulesFileWriter? = nil) -> (String, ExitCode) {
        switch error {
        case .immutable:
            return ("the kernel's audit configuration is immutable until reboot (-e 2); nothing was attempted", .inputError)
        case .unreadable(let e):
            return ("\(e)", .inputError)
        case .differs(let problem):
            return ("the kernel changed while apply ran and still differs from the files after planning again: \(problem); "
                    + "another process is changing audit rules", .findings)
        case let .refused(failure, restored, problem):
            let undo = restored ? "every change was undone; the kernel is as before (verified byte for byte)"
                : "the undo did not complete (\(problem ?? "unknown")): the kernel may differ from before; run `aurules check`"
            let rule = writer.map { ApplyOutput(writer: $0, format: .text, dryRun: false).what(failure.step) } ?? "a change"
            return ("\(where_(failure.step))the kernel refused \(rule): \(failure.error); \(undo)", .findings)
        }
    }

    private static func where_(_ step: ApplyStep) -> String {
        if let p = step.operation.rule?.provenance { return "\(p.file):\(p.line): " }
        if case .setting(let s) = step.operation, let p = s.provenance { return "\(p.file):\(p.line): " }
        return ""
    }

    func what(_ step: ApplyStep) -> String {
        switch step.operation {
        case .append(let r), .prepend(let r): return "`\(ControlCharacters.escaped(writer.line(for: r)))`"
        case .delete(let r): return "the deletion of `\(ControlCharacters.escaped(writer.line(for: r)))`"
        case .setting(let s): return s.option == "--loginuid-immutable" ? "`--loginuid-immutable`" : "`\(s.option) \(s.expected)`"
        }
    }

    /// 1997 -> "1,997".
    private func grouped(_ n: Int) -> String {
        let digits = String(n)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return out
    }
}
