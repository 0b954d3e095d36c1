@testable import Syscalls
import XCTest

/// libaudit tables are parsed in place over the bytes; the result must be what a field split and
/// `Int(String)` gave.
final class LibauditRowsParseTests: XCTestCase {
    func testDecimalIsIntOfString() {
        var random = SystemRandomNumberGenerator()
        var samples = ["", "+", "-", "0", "-0", "+7", "007", "12a", " 1", "1 ", "9223372036854775807", "9223372036854775808",
                       "-9223372036854775808", "-9223372036854775809", "١٢", "0x10"]
        for _ in 0 ..< 3000 {
            let length = Int.random(in: 0 ... 21, using: &random)
            samples.append(String((0 ..< length).map { _ in "+-0123456789a ".randomElement(using: &random)! }))
        }
        for s in samples {
            var copy = s
            let parsed = copy.withUTF8 { TableText.decimal($0) }
            XCTAssertEqual(parsed, Int(s), s.debugDescription)
        }
    }

    func testRowsAndErrors() throws {
        let rows = try TableText.libauditRows("# comment\nx86_64\t0\tread\r\n\ni386\t+5\topen\nx32\t-1\tx\n", file: "t.tsv")
        XCTAssertEqual(rows.map { "\($0.abi.rawValue) \($0.number) \($0.name)" }, ["x86_64 0 read", "i386 5 open", "x32 -1 x"])
        for (text, line) in [("x86_64\t0\n", 1), ("#\nx86_64\t0\tread\textra\n", 2), ("nosuch\t1\tread\n", 1), ("x86_64\t1x\tread\n", 1),
                             ("x86_64\t\tread\n", 1), ("x86_64 \t1\tread\n", 1)] {
            XCTAssertThrowsError(try TableText.libauditRows(text, file: "t.tsv"), text.debugDescription) { error in
                XCTAssertEqual((error as? TableFormatError)?.line, line)
                XCTAssertEqual((error as? TableFormatError)?.message, "expected abi, number and name")
            }
        }
    }
}
