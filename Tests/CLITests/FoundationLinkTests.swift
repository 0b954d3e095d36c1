import Foundation
import XCTest

/// aurules links FoundationEssentials only: full Foundation brings FoundationInternationalization
/// and ICU with its data (most of a static executable's size, and start-up time). One file that
/// imports full Foundation is enough to link it all again.
final class FoundationLinkTests: XCTestCase {
    /// The executable names no full-Foundation or ICU library and holds no ICU data.
    func testExecutableLinksNoFullFoundationOrICU() throws {
        let binary = try Data(contentsOf: URL(fileURLWithPath: AurulesProcess.binary))
        for name in ["libFoundation.so", "libFoundationInternationalization.so", "lib_FoundationICU.so", "icudt"] {
            XCTAssertNil(binary.range(of: Data(name.utf8)), "\(AurulesProcess.binary) links \(name)")
        }
    }

    /// Every `import Foundation` in Sources is the fallback of a `canImport(FoundationEssentials)`.
    func testSourcesImportFoundationEssentialsOnly() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources")
        guard let walker = FileManager.default.enumerator(atPath: sources.path) else { return XCTFail("no \(sources.path)") }
        var checked = 0
        for case let relative as String in walker where relative.hasSuffix(".swift") {
            let lines = try String(contentsOfFile: sources.appendingPathComponent(relative).path, encoding: .utf8)
                .split(separator: "\n", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            for (i, line) in lines.enumerated() where line.hasPrefix("import Foundation") || line.hasSuffix(" import Foundation") {
                if line.contains("FoundationEssentials") { continue }
                let guarded = i >= 3 && lines[i - 1] == "#else" && lines[i - 2] == "import FoundationEssentials"
                    && lines[i - 3] == "#if canImport(FoundationEssentials)"
                XCTAssertTrue(guarded, "\(relative):\(i + 1) imports full Foundation")
            }
            checked += 1
        }
        XCTAssertGreaterThan(checked, 40)
    }
}
