import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Syscalls

/// `aurules version`: what `aurules --version` prints, also as JSON.
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version",
        abstract: "Print the version of aurules and of its syscall tables and loader data.",
        discussion: """
        Examples:
          aurules version
          aurules version --format json
        """)

    @Option(help: "Output format: text or json.")
    var format: FmtFormat = .text

    func run() throws {
        switch format {
        case .text: print(ProductVersion.text, terminator: "")
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(ProductVersion.json), as: UTF8.self))
        }
    }
}
