import Foundation

/// The shared corpus (../shared/corpus): the files, and what auditctl 3.0.9 did with each line.
struct CorpusFile {
    /// Path relative to the corpus root (`files/...`).
    var relativePath: String
    var url: URL
    /// Line number -> auditctl's messages for lines it rejected (diagnostic load, continuing past errors).
    var rejected: [Int: [String]]
    /// Lines never sent to the kernel (`-e`, `--loginuid-immutable`, `-f 2`): no verdict.
    var stripped: Set<Int>
}

enum Corpus {
    static var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("../shared/corpus").standardized
    }

    static var isAvailable: Bool { FileManager.default.fileExists(atPath: root.appendingPathComponent("MANIFEST.tsv").path) }

    /// Every corpus file (templates included), sorted by path.
    static func allFiles() -> [URL] {
        let base = root.appendingPathComponent("files")
        guard let e = FileManager.default.enumerator(at: base, includingPropertiesForKeys: [.isRegularFileKey]) else { return [] }
        return e.compactMap { $0 as? URL }
            .filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true }
            .sorted { $0.path < $1.path }
    }

    /// The files auditctl loaded (MANIFEST rows whose verdict is not "n/a"), with their verdicts.
    static func loadedFiles() throws -> [CorpusFile] {
        let manifest = try String(contentsOf: root.appendingPathComponent("MANIFEST.tsv"), encoding: .utf8)
        var out: [CorpusFile] = []
        for row in manifest.split(separator: "\n").dropFirst() {
            let cols = row.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard cols.count > 7, !cols[7].hasPrefix("n/a") else { continue }
            let path = cols[0]
            let log = root.appendingPathComponent("loaded/" + path.dropFirst("files/".count) + ".load-log.txt")
            let (rejected, stripped) = try parseLog(String(contentsOf: log, encoding: .utf8))
            out.append(CorpusFile(relativePath: path, url: root.appendingPathComponent(path), rejected: rejected, stripped: stripped))
        }
        return out
    }

    /// Reads the diagnostic-load section of a load log: `line N: TEXT` then `    -> MESSAGE`;
    /// `WARNING line N:` entries are warnings, not rejections.
    static func parseLog(_ text: String) -> (rejected: [Int: [String]], stripped: Set<Int>) {
        var rejected: [Int: [String]] = [:]
        var stripped = Set<Int>()
        var inDiagnostic = false
        var current: Int?
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = String(raw)
            if line.hasPrefix("# stripped (never loaded):") {
                var rest = Substring(line)
                while let r = rest.range(of: "(") {
                    rest = rest[r.upperBound...]
                    let digits = rest.prefix(while: { $0.isNumber })
                    if let n = Int(digits), rest.dropFirst(digits.count).hasPrefix(",") { stripped.insert(n) }
                }
            } else if line.hasPrefix("# DIAGNOSTIC load") {
                inDiagnostic = true
            } else if line.hasPrefix("# NATIVE load") {
                inDiagnostic = false
            } else if inDiagnostic, line.hasPrefix("line ") {
                let digits = line.dropFirst(5).prefix(while: { $0.isNumber })
                current = Int(digits)
            } else if inDiagnostic, line.hasPrefix("WARNING line ") {
                current = nil
            } else if inDiagnostic, let n = current, line.hasPrefix("    -> ") {
                rejected[n, default: []].append(String(line.dropFirst(7)))
            }
        }
        return (rejected, stripped)
    }
}
