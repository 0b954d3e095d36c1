import AuditRules
import Foundation
import Synchronization
import Syscalls

// Shared by every fuzz target (compiled into each one).

/// The fuzzer's bytes as rules text, as every command reads a file.
func text(_ data: UnsafePointer<UInt8>, _ size: Int) -> RulesText {
    RulesText(UnsafeBufferPointer(start: data, count: size))
}

/// An input of the rules targets (ParserLowering, FmtRoundTrip, SavedListing): byte 0 picks the
/// one configuration this execution runs (`configuration`, modulo the target's count: one per
/// execution is several times cheaper than all of them per input), byte 1 is the stretch byte,
/// the rest is the rules text. libFuzzer runs with `-max_len=512` (short inputs are what makes an
/// execution cheap); the stretch byte brings back what needs more than 512 bytes:
///   0x00-0xEF  none (the text as it is);
///   0xF0-0xFD  the last line's final word (after its last space or `=`) grown to 4090 +
///              (byte - 0xF0) bytes, 4090-4103, by repeating its last path component (from its
///              last `/`; its last byte when it has none): a path across PATH_MAX (4096 with its
///              NUL) for `-w PATH`, `-F path=` or `-F dir=`, its components within NAME_MAX;
///   0xFE       the last line repeated to 512 copies (`stretchLines`), fewer when they would
///              pass 32 KiB (`stretchBytes`; one at least);
///   0xFF       the whole text repeated until it has at least 512 lines, or as many copies as
///              fit in 32 KiB (one at least).
/// Shorter than 2 bytes: no execution. An old corpus (plain rules text) converts by prefixing
/// a configuration byte and a 0x00 stretch byte (FUZZING.md).
struct RulesInput {
    var configuration: Int
    var stretch: UInt8
    var text: RulesText

    static let stretchLines = 512, stretchBytes = 32_768

    init?(_ data: UnsafePointer<UInt8>, _ size: Int, configurations: Int) {
        guard size >= 2 else { return nil }
        configuration = Int(data[0]) % configurations
        stretch = data[1]
        let body = UnsafeBufferPointer(start: data + 2, count: size - 2)
        text = stretch < 0xF0 ? RulesText(body) : RulesText(Self.stretched(Array(body), stretch))
    }

    static func stretched(_ body: [UInt8], _ stretch: UInt8) -> [UInt8] {
        let newline = UInt8(ascii: "\n")
        // The last line: from after the last newline that is not the final byte.
        var end = body.count
        if end > 0, body[end - 1] == newline { end -= 1 }
        let start = body[..<end].lastIndex(of: newline).map { $0 + 1 } ?? 0
        if stretch <= 0xFD {
            guard end > start else { return body }
            let wordStart = body[start..<end].lastIndex { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "=") }.map { $0 + 1 } ?? start
            // The word's last path component (from its last `/`) repeated, so that the path
            // stays valid (no component over NAME_MAX); its last byte when it has no `/`.
            let unit = Array(body[wordStart..<end].lastIndex(of: UInt8(ascii: "/")).map { body[$0..<end] } ?? body[(end - 1)..<end])
            var out = Array(body[..<end])
            var length = end - wordStart
            let want = 4090 + Int(stretch - 0xF0)
            while length < want {
                let take = min(unit.count, want - length)
                out += unit[..<take]
                length += take
            }
            return out + Array(body[end...])
        }
        var line = Array(stretch == 0xFE ? body[start..<end] : body[..<end])
        line.append(newline)
        let lines = line.count(where: { $0 == newline })
        // At most `stretchBytes`: 512 copies of a 510-byte line (261 KB) took half a second in
        // the -O build, several in the -Onone one; many statements are what is to be covered.
        var out: [UInt8] = []
        var copies = 0
        repeat {
            out += line
            copies += 1
        } while copies * lines < stretchLines && out.count + line.count <= stretchBytes
        return stretch == 0xFE ? Array(body[..<start]) + out : out
    }
}

/// With AURULES_FUZZ_STATS set: executions and CPU time per stretch kind (none, path, lines),
/// printed at exit, to see what a run's time goes to (FUZZING.md, "Speed per execution").
enum StretchStats {
    static let enabled = getenv("AURULES_FUZZ_STATS") != nil
    /// Executions then nanoseconds, per kind.
    static let counts = Mutex([Int](repeating: 0, count: 6))
    static let printer: Void = {
        atexit {
            let names = ["none", "path", "lines"]
            let c = StretchStats.counts.withLock { $0 }
            for k in 0..<3 {
                let ms = Double(c[3 + k]) / 1e6
                fputs("stretch \(names[k]): \(c[k]) executions, \(Int(ms)) ms CPU, \(c[k] > 0 ? ms / Double(c[k]) : 0) ms each\n", stderr)
            }
        }
    }()

    static func measure(_ stretch: UInt8, _ body: () -> Void) {
        guard enabled else { return body() }
        _ = printer
        func now() -> Int { var t = timespec(); clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t); return t.tv_sec * 1_000_000_000 + t.tv_nsec }
        let start = now()
        body()
        let kind = stretch < 0xF0 ? 0 : stretch <= 0xFD ? 1 : 2
        let spent = now() - start
        counts.withLock { $0[kind] += 1; $0[3 + kind] += spent }
    }
}

/// A violated property: print what and where, then crash so that libFuzzer saves the input.
func violated(_ what: String, _ details: @autoclosure () -> String = "") -> Never {
    FileHandle.standardError.write(Data("fuzz property violated: \(what)\n\(details())\n".utf8))
    abort()
}

/// Targets the rules are compiled for: the newest x86_64 with auditctl 3.0.9, an older aarch64
/// kernel with 4.2 (perm expansion, libaudit spellings), and a 32-bit machine.
let compileTargets: [CompileTarget] = [
    CompileTarget(machine: .x86_64, kernel: SyscallDatabase.shipped.newestRelease, auditVersion: .v3_0_9, watchKind: .path, resolver: nil),
    CompileTarget(machine: .aarch64, kernel: KernelVersion(5, 4), auditVersion: .v4_2, watchKind: .dir, resolver: nil),
    CompileTarget(machine: .i386, kernel: KernelVersion(4, 19), auditVersion: .v3_0_9, watchKind: .path, resolver: nil),
]

/// What a compilation means to the kernel and the loader: rules (equality ignores provenance),
/// settings, deletions and loader options, and whether it failed.
struct Meaning: Equatable {
    var rules: [KernelRule]
    var settings: [Setting]
    var deleteAll: Bool
    var deleteKeys: [RulesText]
    var loaderOptions: [LoaderOption]
    var errors: Int

    init(_ r: CompileResult) {
        rules = r.rules
        settings = r.settings.map(\.setting)
        deleteAll = r.deleteAll
        deleteKeys = r.deleteKeys.map(\.value)
        loaderOptions = r.loaderOptions
        errors = r.diagnostics.filter { $0.severity == .error }.count
    }
}

/// Every rule survives the wire encoding unchanged.
func checkWire(_ rules: [KernelRule]) {
    for rule in rules {
        let bytes = WireCodec.encode(rule)
        guard let back = try? WireCodec.decode(bytes) else { violated("wire decode of an encoded rule failed", "\(rule)") }
        if back != rule { violated("wire round trip changed a rule", "\(rule)\n\(back)") }
    }
}
