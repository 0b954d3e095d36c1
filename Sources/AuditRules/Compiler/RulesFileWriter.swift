#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Dispatch
import Syscalls

/// How `-S` lists are written in the output.
public enum SyscallStyle: String, Sendable, CaseIterable {
    /// Names the loader's libaudit knows, numbers for the rest (never "Syscall name unknown").
    case auto
    /// Names wherever the loader resolves one (libaudit's spelling first); numbers for the rest.
    case names
    /// Numbers only: loads with any libaudit, as the arch field says which table they are in.
    case numbers
}

/// Writes a compile result as a file for `auditctl -R`: control lines in augenrules order,
/// then each source statement's rules after a `# file:line` comment. Comments stand on their
/// own lines (auditctl rejects inline ones). The same result always gives the same bytes.
public struct RulesFileWriter {
    public var target: CompileTarget
    public var syscallStyle: SyscallStyle
    /// Settings and `-D` lines; off for loading rules into a kernel whose settings must not change.
    public var includeControls: Bool
    /// auditctl -R's line limit: a `-S` list of names that would pass it is written as numbers.
    static let lineLimit = 6144

    public init(target: CompileTarget, syscallStyle: SyscallStyle = .auto, includeControls: Bool = true) {
        self.target = target
        self.syscallStyle = syscallStyle
        self.includeControls = includeControls
    }

    /// Rules rendered per task: ~100 KB of text. Small enough that the slices in flight stay
    /// within a few MiB, large enough that the threads' start and join cost nothing.
    var sliceSize = 1024
    /// Slices rendered at once before they are emitted in order: two per core, so that a core
    /// finishing a short slice takes another instead of waiting for the batch.
    var slicesPerBatch = 2 * Parallelism.threads

    public func render(_ result: CompileResult) -> RulesText {
        var out: [UInt8] = []
        render(result) { out.append(contentsOf: $0) }
        return RulesText(out)
    }

    /// Streams the file as UTF-8 in pieces (a 100,000-rule file is never held whole). The rules
    /// are rendered in slices on all cores; `emit` is called on the calling thread, in order.
    public func render(_ result: CompileResult, into emit: (UnsafeRawBufferPointer) -> Void) {
        var head: [UInt8] = []
        head.write("# aurules compile: machine \(target.machine), kernel \(target.kernel), audit \(target.auditVersion.rawValue)\n# by \(ProductVersion.oneLine)\n")
        if includeControls {
            for o in result.loaderOptions { head.write(o.rawValue + "\n") }
            if result.deleteAll { head.write("-D\n") }
            for k in result.deleteKeys {
                head.write("-D -k ")
                head.write(Lexer.escape(k.value))
                head.write("\n")
            }
        }
        let enabled = result.settings.last.flatMap { if case .enabled = $0.setting { return $0 } else { return nil } }
        if includeControls {
            for s in result.settings where s.provenance != enabled?.provenance || enabled == nil {
                head.write("# \(ControlCharacters.escaped(s.provenance.file)):\(s.provenance.line)\n\(s.setting.auditctlText)\n")
            }
        }
        head.withUnsafeBytes(emit)
        renderRules(result.rules, into: emit)
        if includeControls, let e = enabled {
            var tail = "# \(ControlCharacters.escaped(e.provenance.file)):\(e.provenance.line)\n\(e.setting.auditctlText)\n"
            tail.withUTF8 { emit(UnsafeRawBufferPointer($0)) }
        }
    }

    /// One rule as an auditctl command line that rebuilds exactly this `audit_rule_data`.
    public func line(for rule: KernelRule) -> RulesText {
        var renderer = RuleLineRenderer(target: target, syscallStyle: syscallStyle)
        renderer.appendLine(rule)
        return RulesText(renderer.bytes)
    }

    /// Batches of slices: each slice rendered by its own renderer (memos and all, kept from batch
    /// to batch), the batch emitted in order before the next starts. A slice's first comment
    /// depends on the provenance before it, which is known without rendering what precedes.
    private func renderRules(_ rules: [KernelRule], into emit: (UnsafeRawBufferPointer) -> Void) {
        let sliceSize = max(1, self.sliceSize), slicesPerBatch = max(1, self.slicesPerBatch)
        // Slice i of a batch uses renderer i; the batch is joined before the renderers are read.
        let renderers = ResultSlots(count: min(slicesPerBatch, (rules.count + sliceSize - 1) / sliceSize)) {
            RuleLineRenderer(target: target, syscallStyle: syscallStyle)
        }
        var batchStart = 0
        var previous: (file: String, line: Int)? = nil
        while batchStart < rules.count {
            let batchEnd = min(rules.count, batchStart + slicesPerBatch * sliceSize)
            let slices = (batchEnd - batchStart + sliceSize - 1) / sliceSize
            let first = batchStart, before = previous
            let renderSlice = { @Sendable (i: Int) in
                let lo = first + i * sliceSize, hi = min(batchEnd, lo + sliceSize)
                var renderer = renderers.take(i)
                renderer.resume(after: Self.lastProvenance(in: rules, before: lo, notBefore: first) ?? before)
                renderer.append(rules[lo ..< hi])
                renderers.store(renderer, at: i)
            }
            if slices == 1 { renderSlice(0) } else { DispatchQueue.concurrentPerform(iterations: slices, execute: renderSlice) }
            for i in 0 ..< slices {
                var renderer = renderers.take(i)
                renderer.bytes.withUnsafeBytes(emit)
                renderer.bytes.removeAll(keepingCapacity: true)
                renderers.store(renderer, at: i)
            }
            previous = Self.lastProvenance(in: rules, before: batchEnd, notBefore: batchStart) ?? before
            batchStart = batchEnd
        }
    }

    /// `file:line` of the last rule with provenance in `rules[start ..< end]`: what the comment
    /// logic remembers at `end` unless nothing there had provenance.
    private static func lastProvenance(in rules: [KernelRule], before end: Int, notBefore start: Int) -> (file: String, line: Int)? {
        var i = end
        while i > start {
            i -= 1
            if let p = rules[i].provenance { return (p.file, p.line) }
        }
        return nil
    }
}
