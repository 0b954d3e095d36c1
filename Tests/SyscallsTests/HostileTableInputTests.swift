import Foundation
import XCTest
@testable import Syscalls

/// The table tools on hostile input (issue 11, item 7): every reproducer is a located error,
/// never a crash, hang or silently wrong table.
final class HostileTableInputTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "aurules-hostile-tables-\(getpid())-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: dir)
    }

    func write(_ name: String, _ text: String) throws -> String {
        let path = dir + "/" + name
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        return path
    }

    func assertImportError(_ body: @autoclosure () throws -> Any, contains parts: [String], line: UInt = #line) {
        XCTAssertThrowsError(try body(), line: line) { error in
            let text = "\(error)"
            for part in parts { XCTAssertTrue(text.contains(part), "\(text) lacks \(part)", line: line) }
        }
    }

    // MARK: Numbers limited to the audit bitmap

    func testTableRowsOutsideTheBitmapAreLocatedErrors() throws {
        let ok = try TableText.rows("# h\n2047\ta\t4.0\t\n", file: "x86_64.tsv", abi: .x86_64)
        XCTAssertEqual(ok.map(\.number), [2047])
        assertImportError(try TableText.rows("# h\n0\ta\t4.0\t\n2048\tb\t4.0\t\n", file: "x86_64.tsv", abi: .x86_64),
                          contains: ["x86_64.tsv:3:", "2048", "0-2047"])
        // x32 numbers carry the 0x40000000 bit: a bare number is outside its range, as is the bit plus 2048.
        XCTAssertEqual(try TableText.rows("1073741824\tread\t4.0\t\n", file: "x32.tsv", abi: .x32).map(\.number), [0x4000_0000])
        assertImportError(try TableText.rows("0\tread\t4.0\t\n", file: "x32.tsv", abi: .x32), contains: ["x32.tsv:1:"])
        assertImportError(try TableText.rows("1073743872\tread\t4.0\t\n", file: "x32.tsv", abi: .x32), contains: ["x32.tsv:1:"])
        assertImportError(try TableText.rows("9999999999999999999\tread\t4.0\t\n", file: "i386.tsv", abi: .i386), contains: ["i386.tsv:1:"])
        assertImportError(try TableText.rows("5\t9lives\t4.0\t\n", file: "i386.tsv", abi: .i386), contains: ["i386.tsv:1:", "bad syscall name"])
    }

    /// A copy of the shipped tables with one edited file, read as `--tables` reads it.
    func directoryWith(_ name: String, _ text: String) throws -> String {
        for (file, contents) in EmbeddedTables.files { _ = try write("t/" + file, contents) }
        _ = try write("t/" + name, text)
        return dir + "/t"
    }

    func testDirectoryWithAHugeSyscallNumberIsRejectedWithItsLine() throws {
        let t = try directoryWith("x86_64.tsv", "# number\tname\tfirst\tlast\n0\tread\t3.10\t\n5000\tevil\t3.10\t\n")
        assertImportError(try SyscallDatabase(directory: t), contains: ["x86_64.tsv:3:", "5000"])
    }

    func testEmptyTableIsRejected() throws {
        for text in ["", "# number\tname\tfirst\tlast\n"] {
            let t = try directoryWith("x86_64.tsv", text)
            assertImportError(try SyscallDatabase(directory: t), contains: ["x86_64.tsv:1:", "no syscall rows"])
        }
    }

    func testCRLFTablesReadLikeLF() throws {
        var crlf: [(String, String)] = []
        for (file, contents) in EmbeddedTables.files { crlf.append((file, contents.replacingOccurrences(of: "\n", with: "\r\n"))) }
        for (file, contents) in crlf { _ = try write("crlf/" + file, contents) }
        let db = try SyscallDatabase(directory: dir + "/crlf")
        for abi in [ABI.x86_64, .x32, .aarch64, .s390] {
            XCTAssertEqual(db.rows(abi), SyscallDatabase.shipped.rows(abi), "\(abi)")
        }
        XCTAssertEqual(db.abiInfos, SyscallDatabase.shipped.abiInfos)
        XCTAssertEqual(db.groups.map(\.members), SyscallDatabase.shipped.groups.map(\.members))
    }

    // MARK: Kernel sources

    func testTblNumbersOutsideTheBitmapAndOverflowAreErrors() throws {
        let huge = "9223372036854775807\tx32\tevil\tsys_evil\n"
        assertImportError(try KernelSources.parseTbl(huge, file: "syscall_64.tbl", abis: ["x32"], offset: KernelSources.x32Bit),
                          contains: ["syscall_64.tbl:1:", "outside"])
        assertImportError(try KernelSources.parseTbl("0\tcommon\tread\n-1\tcommon\tneg\n", file: "s.tbl", abis: ["common"], offset: 0),
                          contains: ["s.tbl:2:"])
        assertImportError(try KernelSources.parseTbl("2048\tcommon\tbig\n", file: "s.tbl", abis: ["common"], offset: 0), contains: ["s.tbl:1:"])
        assertImportError(try KernelSources.parseTbl("1\tcommon\ta\n1\tcommon\tb\n", file: "s.tbl", abis: ["common"], offset: 0),
                          contains: ["s.tbl:2:", "'a' on line 1"])
        XCTAssertEqual(try KernelSources.parseTbl("# c\r\n0\tcommon\tread\tsys_read\r\n1\t64\twrite\r\n", file: "s.tbl", abis: ["common", "64"], offset: 0),
                       [0: "read", 1: "write"])
    }

    func testListRejectsNegativeNumbersBadNamesAndConflictsWithFileAndLine() throws {
        assertImportError(try KernelSources.fromList("read 0\nevil -5\n", file: "l.txt", abi: .x86_64), contains: ["l.txt:2:", "-5"])
        assertImportError(try KernelSources.fromList("read 0\nread 2048\n", file: "l.txt", abi: .x86_64), contains: ["l.txt:2:", "2048"])
        assertImportError(try KernelSources.fromList("\n\nbad-name 7\n", file: "l.txt", abi: .x86_64), contains: ["l.txt:3:", "bad syscall name"])
        assertImportError(try KernelSources.fromList("a 7\nb 7\n", file: "l.txt", abi: .x86_64), contains: ["l.txt:2:"])
        assertImportError(try KernelSources.fromList("read 99999999999999999999\n", file: "l.txt", abi: .x86_64), contains: ["l.txt:1:"])
        assertImportError(try KernelSources.fromList("read 0\n", file: "l.txt", abi: .x32), contains: ["l.txt:1:"])
        XCTAssertEqual(try KernelSources.fromList("read 1073741824\n", file: "l.txt", abi: .x32), [0x4000_0000: "read"])
        XCTAssertEqual(try KernelSources.fromList("read\t0\r\nwrite 1\r\n# c\r\n", file: "l.txt", abi: .x86_64), [0: "read", 1: "write"])
    }

    // MARK: The header preprocessor

    func headers(_ unistd: String, abi: ABI = .x86_64) throws -> [Int: String] {
        _ = try write("inc/asm/unistd_64.h", unistd)
        return try KernelSources.fromHeaders(dir + "/inc", abi: abi)
    }

    func testHeaderArithmeticOverflowIsALocatedError() throws {
        for expression in ["0x7fffffffffffffff + 1", "9223372036854775807 * 2", "(-9223372036854775807 - 1) - 1",
                           "-(-9223372036854775807 - 1)", "(-9223372036854775807 - 1) / -1", "1 << 64", "1 << -1", "3 << 62"] {
            assertImportError(try headers("#define X 1\n#define __NR_read (\(expression))\n"), contains: ["unistd_64.h:2:"])
            assertImportError(try headers("/* c */\n\n#if \(expression)\n#endif\n"), contains: ["unistd_64.h:3:"])
        }
        assertImportError(try headers("#define __NR_read 99999999999999999999\n"), contains: ["unistd_64.h:1:", "bad number"])
        XCTAssertEqual(try headers("#define L5 7\n#define __NR_read (L5 - 7)\n#define __NR_write 0x1UL\n"), [0: "read", 1: "write"])
        XCTAssertEqual(try headers("#define B 3\n#define __NR_read ((B * 2 - 6) / 2)\n#define __NR_write (1 << 0)\n"), [0: "read", 1: "write"])
    }

    /// Found by Fuzz/run.sh HeaderPreprocessor: `#define __NR_) ...` named a syscall "", and a
    /// stray `)` read as 0.
    func testMacroNamesThatAreNoSyscallNamesAndStrayTokensAreNoSyscalls() throws {
        XCTAssertEqual(try headers("#define __NR_) && X == 64\n#define __NR_read 0\n"), [0: "read"])
        XCTAssertEqual(try headers("#define __NR_9x 1\n#define __NR_write ) + 1\n#define __NR_read 0\n"), [0: "read"])
        XCTAssertEqual(try headers("#if ) || 1\n#define __NR_read 0\n#endif\n#define __NR_write 1\n"), [1: "write"])
    }

    /// Lines are skipped before the Unicode-aware trim when their first non-blank byte is ASCII
    /// and no '#': directives after tabs, spaces or a Unicode space still count, others do not.
    func testDirectivesAfterBlanksCountAndOtherLinesDoNot() throws {
        XCTAssertEqual(try headers(" \t #define __NR_read 0\n\u{A0}#define __NR_write 1\nx #define __NR_open 2\n\r#define __NR_close 3\n"),
                       [0: "read", 1: "write"])
        XCTAssertEqual(try headers("\t#if 0\n#define __NR_read 0\n  #else\n#define __NR_write 1\n #endif\n"), [1: "write"])
    }

    func testHeaderNumbersOutsideTheBitmapAreErrorsAtTheirDefine() throws {
        assertImportError(try headers("#define __NR_read 0\n\n#define __NR_evil 4096\n"), contains: ["unistd_64.h:3:", "__NR_evil", "4096"])
        assertImportError(try headers("#define __NR_evil (-1)\n"), contains: ["unistd_64.h:1:"])
    }

    func testDeepNestingAndLongMacroChainsAreBoundedErrors() throws {
        let parens = String(repeating: "(", count: 200_000) + "1" + String(repeating: ")", count: 200_000)
        assertImportError(try headers("#define __NR_read \(parens)\n"), contains: ["unistd_64.h:1:"])
        assertImportError(try headers("#if \(parens)\n#endif\n"), contains: ["unistd_64.h:1:"])
        let deep = String(repeating: "(", count: 1_000) + "1" + String(repeating: ")", count: 1_000)
        assertImportError(try headers("#if \(deep)\n#endif\n"), contains: ["unistd_64.h:1:", "nests deeper"])
        let nots = String(repeating: "!", count: 200_000) + "0"
        assertImportError(try headers("#if \(nots)\n#endif\n"), contains: ["unistd_64.h:1:"])
        var chain = "#define M0 1\n"
        for i in 1...100_000 { chain += "#define M\(i) M\(i - 1)\n" }
        assertImportError(try headers(chain + "#define __NR_read M100000\n"), contains: ["unistd_64.h:100002:", "nests deeper"])
        // Each level doubles: 2^60 tokens unless the expansion is bounded.
        var laughs = "#define L0 1\n"
        for i in 1...60 { laughs += "#define L\(i) (L\(i - 1) + L\(i - 1))\n" }
        assertImportError(try headers(laughs + "#if L60\n#endif\n"), contains: ["unistd_64.h:62:", "tokens"])
        // Shallow chains, as the kernel's headers have, still work.
        XCTAssertEqual(try headers("#define BASE 0\n#define __NR3264_read (BASE + 5)\n#define __NR_read __NR3264_read + 0\n"), [5: "read"])
    }

    func testUnclosedCommentIsAnErrorNotATruncatedHeader() throws {
        assertImportError(try headers("#define __NR_read 0\n/* open\n#define __NR_write 1\n"), contains: ["unistd_64.h:2:", "unterminated"])
        XCTAssertEqual(try headers("#define __NR_read 0 /* a\n b */\n#define __NR_write 1 // c\n"), [0: "read", 1: "write"])
    }

    func testCRLFHeadersAndContinuations() throws {
        XCTAssertEqual(try headers("#define __NR_read \\\r\n 0\r\n#if 1\r\n#define __NR_write 1\r\n#endif\r\n"), [0: "read", 1: "write"])
    }

    func testSelfIncludingHeadersAreBounded() throws {
        _ = try write("inc/asm/loop.h", "#include <asm/loop.h>\n#include <asm/loop.h>\n")
        assertImportError(try headers("#include <asm/loop.h>\n#define __NR_read 0\n"), contains: ["loop.h"])
        _ = try write("inc/asm/zero.h", "")
        unlink(dir + "/inc/asm/zero.h")
        symlink("/dev/zero", dir + "/inc/asm/zero.h")
        assertImportError(try headers("#include <asm/zero.h>\n"), contains: ["not a regular file"])
    }
}
