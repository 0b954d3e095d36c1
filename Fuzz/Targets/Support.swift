import AuditRules
import Foundation
import Syscalls

// Shared by every fuzz target (compiled into each one).

/// The fuzzer's bytes as rules text, as every command reads a file.
func text(_ data: UnsafePointer<UInt8>, _ size: Int) -> RulesText {
    RulesText(UnsafeBufferPointer(start: data, count: size))
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
    var deleteKeys: [String]
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
