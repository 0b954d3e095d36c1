import Foundation
import XCTest

/// scripts/package-deb, with the tested binary instead of a release build (the release build is
/// minutes of work): the package's contents, and the binary run from a `dpkg -x` extraction, which
/// installs nothing on this system.
final class PackageTests: XCTestCase {
    func testDebianPackageContentsAndExtractedBinary() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/dpkg-deb") else { throw XCTSkip("dpkg-deb is absent") }
        let repo = ManPageTests.repo
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("aurules-deb-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: out) }
        let build = try AurulesProcess.run("/bin/bash", [repo.appendingPathComponent("scripts/package-deb").path, "--binary", AurulesProcess.binary, "--out", out.path])
        XCTAssertEqual(build.status, 0, build.err)
        let version = try LintCLI.run(["--version"]).out.split(separator: "\n")[0].dropFirst("aurules ".count)
        let deb = out.appendingPathComponent("aurules_\(version)_amd64.deb").path
        XCTAssertEqual(build.out, deb + "\n")
        let listing = try AurulesProcess.run("/usr/bin/dpkg-deb", ["-c", deb]).out
        for path in ["./usr/bin/aurules", "./usr/share/man/man1/aurules.1.gz", "./usr/share/bash-completion/completions/aurules",
                     "./usr/share/zsh/vendor-completions/_aurules", "./usr/share/fish/vendor_completions.d/aurules.fish",
                     "./lib/systemd/system/aurules-check.service", "./lib/systemd/system/aurules-check.timer",
                     "./usr/share/doc/aurules/copyright"] {
            XCTAssertTrue(listing.contains(" \(path)\n"), "\(path) missing:\n\(listing)")
        }
        XCTAssertTrue(listing.contains("-rwxr-xr-x root/root"), listing)
        // Units are installed, not enabled: no maintainer script runs systemctl.
        let control = try AurulesProcess.run("/usr/bin/dpkg-deb", ["-I", deb]).out
        XCTAssertTrue(control.contains("Package: aurules") && control.contains("Version: \(version)"), control)
        XCTAssertFalse(control.contains("postinst"), control)
        let root = out.appendingPathComponent("root")
        XCTAssertEqual(try AurulesProcess.run("/usr/bin/dpkg-deb", ["-x", deb, root.path]).status, 0)
        let extracted = try AurulesProcess.run(root.appendingPathComponent("usr/bin/aurules").path, ["--version"])
        XCTAssertEqual(extracted.status, 0)
        XCTAssertEqual(extracted.out, try LintCLI.run(["--version"]).out)
        let unit = try String(contentsOf: root.appendingPathComponent("lib/systemd/system/aurules-check.service"), encoding: .utf8)
        XCTAssertTrue(unit.contains("ExecStart=/usr/bin/aurules check"), unit)
        let man = try AurulesProcess.run("/bin/gzip", ["-dc", root.appendingPathComponent("usr/share/man/man1/aurules.1.gz").path])
        XCTAssertEqual(man.out, try String(contentsOf: repo.appendingPathComponent("docs/aurules.1"), encoding: .utf8))
    }
}
