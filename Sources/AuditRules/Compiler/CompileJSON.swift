#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Syscalls

/// `aurules compile --format json`: the target, the control lines and every kernel rule with
/// its provenance, keys sorted so the same input gives the same bytes.
public enum CompileJSON {
    struct Document: Encodable {
        var aurules = ProductVersion.json
        var machine: String
        var kernel: String
        var auditVersion: String
        var deleteAll: Bool
        var deleteKeys: [RulesText]
        var settings: [SettingLine]
        var rules: [KernelRule]
        var diagnostics: [Diagnostic]
    }

    struct SettingLine: Encodable {
        var line: String
        var provenance: Provenance
    }

    public static func render(_ result: CompileResult, target: CompileTarget) throws -> String {
        let doc = Document(machine: target.machine.rawValue, kernel: target.kernel.description,
                           auditVersion: target.auditVersion.rawValue, deleteAll: result.deleteAll,
                           deleteKeys: result.deleteKeys.map(\.value),
                           settings: result.settings.map { SettingLine(line: $0.setting.auditctlText, provenance: $0.provenance) },
                           rules: result.rules, diagnostics: result.diagnostics)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return ControlCharacters.inertJSON(try encoder.encode(doc)) + "\n"
    }
}
