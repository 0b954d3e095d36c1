import AuditRules
import Foundation
import Syscalls
import XCTest

/// The shared corpus with auditctl 3.0.9's verdicts: each file's text with the lines auditctl
/// rejected on this kind of host (and the lines never loaded for safety) blanked out, so line
/// numbers stay those of the original.
struct CompileCorpusFile {
    /// Relative to the corpus root (`files/<source>/<name>`).
    var path: String
    var acceptedText: String
    var rejectedLines: Set<Int>

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("../shared/corpus").standardized.path

    /// Skips the calling test, saying why, when ../shared/corpus is absent.
    static func all() throws -> [CompileCorpusFile] {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: "\(root)/MANIFEST.tsv"), "\(root) is not available: the corpus is this test's input")
        let manifest = try String(contentsOfFile: "\(root)/MANIFEST.tsv", encoding: .utf8)
        var out: [CompileCorpusFile] = []
        for row in manifest.split(separator: "\n").dropFirst() {
            let columns = row.split(separator: "\t", omittingEmptySubsequences: false)
            // Unrendered templates were never loaded: auditctl gave no verdict on them.
            guard columns.count > 9, columns[9] != "template" else { continue }
            let path = String(columns[0])
            let name = path.dropFirst("files/".count)
            let text = try String(decoding: Data(contentsOf: URL(fileURLWithPath: "\(root)/\(path)")), as: UTF8.self)
            let log = (try? String(contentsOfFile: "\(root)/loaded/\(name).load-log.txt", encoding: .utf8)) ?? ""
            let rejected = rejectedLines(inLoadLog: log)
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            for i in lines.indices where rejected.contains(i + 1) || isNeverLoaded(lines[i]) { lines[i] = "" }
            out.append(CompileCorpusFile(path: path, acceptedText: lines.joined(separator: "\n"), rejectedLines: rejected))
        }
        return out
    }

    /// Lines of the diagnostic load (`line N: ...`) and the stripped ones (`(N, '-e 2', ...)`).
    static func rejectedLines(inLoadLog log: String) -> Set<Int> {
        var out = Set<Int>()
        for line in log.split(separator: "\n") {
            if line.hasPrefix("# NATIVE load") { break }
            if line.hasPrefix("# stripped") {
                var rest = line[...]
                while let r = rest.range(of: "(") {
                    rest = rest[r.upperBound...]
                    if let n = Int(rest.prefix(while: { $0.isNumber })) { out.insert(n) }
                }
            } else if line.hasPrefix("line "), let n = Int(line.dropFirst(5).prefix(while: { $0.isNumber })) {
                out.insert(n)
            }
        }
        return out
    }

    /// Never sent to a kernel by a test, whatever the verdicts say.
    static func isNeverLoaded(_ line: String) -> Bool {
        let t = line.trimmingCharacters(in: .whitespaces)
        return t.hasPrefix("-e") || t.hasPrefix("--loginuid-immutable") || t.hasPrefix("-f 2")
    }
}
