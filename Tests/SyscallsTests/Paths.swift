import Foundation

/// Locations the tests read: the package root and the shared data next to it.
enum Paths {
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()
    static let tables = root + "/SyscallTables"
    static let shared = root + "/../shared/syscall-data"

    static func read(_ path: String) -> String? {
        FileManager.default.contents(atPath: path).flatMap { String(data: $0, encoding: .utf8) }
    }

    /// `number<TAB>name` lines (ausyscall dumps, derived headers).
    static func numberNamePairs(_ path: String) -> [Int: String]? {
        guard let text = read(path) else { return nil }
        var out: [Int: String] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let f = line.split(separator: "\t")
            if f.count >= 2, let n = Int(f[0]) { out[n] = String(f[1]) }
        }
        return out
    }
}
