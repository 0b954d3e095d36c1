#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Reads one ABI's syscall numbers from the files the kernel keeps them in: a source tree's
/// `.tbl` files, asm-generic/unistd.h (generic ABIs before 6.11), scripts/syscall.tbl with the
/// arch's ABI list (6.11 onwards), installed uapi headers, or a plain `name number` list.
public enum KernelSources {
    public struct ImportError: Error, CustomStringConvertible, Sendable {
        public var description: String
        public init(_ d: String) { description = d }
    }

    static let x32Bit = ABI.x32.syscallNumbers.lowerBound

    // MARK: Source trees

    /// The table of `abi` in the kernel source tree at `root`, for the release `release`
    /// (which decides between asm-generic/unistd.h and scripts/syscall.tbl for generic ABIs).
    public static func fromKernelTree(_ root: String, abi: ABI, release: KernelVersion) throws -> [Int: String] {
        func tbl(_ paths: [String], abis: Set<String>, offset: Int = 0) throws -> [Int: String] {
            guard let path = paths.map({ root + "/" + $0 }).first(where: { FileManager.default.fileExists(atPath: $0) }) else {
                throw ImportError("\(root): none of \(paths.joined(separator: ", ")) exists")
            }
            return try parseTbl(read(path), file: path, abis: abis, offset: offset)
        }
        let x86 = { (name: String) in ["arch/x86/entry/syscalls/\(name)", "arch/x86/syscalls/\(name)"] }
        switch abi {
        case .x86_64: return try tbl(x86("syscall_64.tbl"), abis: ["common", "64"])
        case .x32: return try tbl(x86("syscall_64.tbl"), abis: ["common", "x32"], offset: x32Bit)
        case .i386: return try tbl(x86("syscall_32.tbl"), abis: ["i386"])
        case .ppc: return try tbl(["arch/powerpc/kernel/syscalls/syscall.tbl"], abis: ["common", "32", "nospu"])
        case .ppc64: return try tbl(["arch/powerpc/kernel/syscalls/syscall.tbl"], abis: ["common", "64", "nospu"])
        // s390 lists an entry per ABI; "-" (not wired) still numbers the call, as the headers show.
        case .s390x: return try tbl(["arch/s390/kernel/syscalls/syscall.tbl"], abis: ["common", "64"])
        case .s390: return try tbl(["arch/s390/kernel/syscalls/syscall.tbl"], abis: ["common", "32"])
        case .arm: return try tbl(["arch/arm/tools/syscall.tbl"], abis: ["common", "eabi"])
        case .aarch64, .riscv64, .riscv32:
            let arch = abi == .aarch64 ? "arm64" : "riscv"
            let bits = abi == .riscv32 ? 32 : 64
            let generic = root + "/scripts/syscall.tbl"
            if release >= KernelVersion(6, 11), FileManager.default.fileExists(atPath: generic) {
                let extra = try makefileABIs(root + "/arch/\(arch)/kernel/Makefile.syscalls", bits: bits)
                return try parseTbl(read(generic), file: generic, abis: Set(["common", String(bits)] + extra), offset: 0)
            }
            let archHeader = root + "/arch/\(arch)/include/uapi/asm/unistd.h"
            var cpp = MiniPreprocessor(includeDirs: [root + "/include/uapi", root + "/arch/\(arch)/include/uapi"])
            cpp.define("__BITS_PER_LONG", bits)
            if bits == 64 { cpp.define("__LP64__", 1) }
            return try checked(cpp.syscalls(in: archHeader, include: root + "/include/uapi/asm-generic/unistd.h"), abi: abi, cpp: cpp)
        }
    }

    /// `nr abi name [entry [compat]]` lines whose abi is in `abis`.
    static func parseTbl(_ text: String, file: String, abis: Set<String>, offset: Int) throws -> [Int: String] {
        var out: [Int: String] = [:]
        var lineOf: [Int: Int] = [:]
        try forEachFieldLine(text) { i, f in
            guard let first = f.first, !first.hasPrefix("#") else { return }
            guard f.count >= 3, let nr = Int(f[0]) else { throw ImportError("\(file):\(i): expected 'nr abi name ...'") }
            guard abis.contains(f[1]) else { return }
            guard (0..<ABI.auditBitmapSize).contains(nr) else {
                throw ImportError("\(file):\(i): syscall number \(nr) is outside 0-\(ABI.auditBitmapSize - 1) (the audit bitmap)")
            }
            try add(nr + offset, f[2], allowed: offset..<(offset + ABI.auditBitmapSize), to: &out, lineOf: &lineOf, at: i, file: file)
        }
        return out
    }

    /// Calls `body` with each line's number (from 1) and its fields, split at spaces, tabs and
    /// CRs (CRLF files read as LF). Stops at the first error, without splitting the rest.
    static func forEachFieldLine(_ text: String, _ body: (Int, [String]) throws -> Void) rethrows {
        var text = text
        try text.withUTF8 { bytes in
            for (number, line) in ByteLines(bytes).enumerated() {
                var fields: [String] = []
                var fieldStart = line.range.lowerBound
                for i in line.range.lowerBound ... line.range.upperBound
                where i == line.range.upperBound || bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0D {
                    if i > fieldStart { fields.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[fieldStart..<i]), as: UTF8.self)) }
                    fieldStart = i + 1
                }
                try body(number + 1, fields)
            }
        }
    }

    /// Adds `number` named `name` (line `line` of `file`): the number must be `allowed` (what fits
    /// the audit bitmap), the name be a syscall name, and the number not have another name already.
    private static func add(_ number: Int, _ name: String, allowed: Range<Int>, to out: inout [Int: String], lineOf: inout [Int: Int],
                            at line: Int, file: String) throws {
        guard allowed.contains(number) else {
            throw ImportError("\(file):\(line): syscall number \(number) is outside \(allowed.lowerBound)-\(allowed.upperBound - 1) (the audit bitmap)")
        }
        guard TableText.isSyscallName(name) else { throw ImportError("\(file):\(line): bad syscall name '\(name)'") }
        if let other = out[number], other != name {
            throw ImportError("\(file):\(line): number \(number) is '\(other)' on line \(lineOf[number] ?? 0) and '\(name)' here")
        }
        out[number] = name
        lineOf[number] = line
    }

    /// Numbers a header gave outside the ABI's range are errors, at the macro's #define.
    private static func checked(_ table: [Int: String], abi: ABI, cpp: MiniPreprocessor) throws -> [Int: String] {
        for (number, name) in table where !abi.syscallNumbers.contains(number) {
            let range = abi.syscallNumbers
            throw ImportError("\(cpp.site(of: "__NR_" + name) ?? "?"): __NR_\(name) is \(number), outside \(abi)'s range \(range.lowerBound)-\(range.upperBound - 1) (the audit bitmap)")
        }
        return table
    }

    /// The extra ABIs an arch's Makefile.syscalls adds (`syscall_abis_64 += renameat rlimit ...`).
    static func makefileABIs(_ path: String, bits: Int) throws -> [String] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        var out: [String] = []
        forEachFieldLine(try read(path)) { _, f in
            if f.count >= 2, f[0] == "syscall_abis_\(bits)", f[1] == "+=" || f[1] == ":=" || f[1] == "=" {
                out += f.dropFirst(2)
            }
        }
        return out
    }

    // MARK: Installed headers

    /// An installed uapi include directory (the one holding `asm/`), as `linux-libc-dev` installs it.
    public static func fromHeaders(_ includeDir: String, abi: ABI) throws -> [Int: String] {
        let file: String
        switch abi {
        case .x86_64, .ppc64, .s390x: file = "asm/unistd_64.h"
        case .i386, .ppc, .s390: file = "asm/unistd_32.h"
        case .x32: file = "asm/unistd_x32.h"
        case .arm: file = "asm/unistd-eabi.h"
        case .aarch64, .riscv64, .riscv32: file = "asm/unistd.h"
        }
        let path = includeDir + "/" + file
        guard FileManager.default.fileExists(atPath: path) else { throw ImportError("\(path) does not exist") }
        var cpp = MiniPreprocessor(includeDirs: [includeDir])
        cpp.define("__BITS_PER_LONG", abi.bits == 64 ? 64 : 32)
        if abi.bits == 64 && abi != .x32 { cpp.define("__LP64__", 1) }
        cpp.define("__X32_SYSCALL_BIT", x32Bit)
        cpp.define("__NR_SYSCALL_BASE", 0)
        return try checked(cpp.syscalls(in: path, include: nil), abi: abi, cpp: cpp)
    }

    // MARK: Lists

    /// `name number` or `number name` per line (tabs or spaces; `#` comments), as hrw's tables or
    /// `ausyscall --dump` print them. A bare name (hrw's "absent here") is skipped. Numbers are
    /// as the ABI numbers them (x32's with the 0x40000000 bit); errors name `file` and the line.
    public static func fromList(_ text: String, file: String = "<list>", abi: ABI = .x86_64) throws -> [Int: String] {
        var out: [Int: String] = [:]
        var lineOf: [Int: Int] = [:]
        try forEachFieldLine(text) { i, f in
            if f.isEmpty || f[0].hasPrefix("#") || f[0] == "Using" || f.count == 1 { return }
            guard f.count == 2 else { throw ImportError("\(file):\(i): expected a name and a number") }
            guard let (n, name) = Int(f[0]).map({ ($0, f[1]) }) ?? Int(f[1]).map({ ($0, f[0]) }) else {
                throw ImportError("\(file):\(i): no number in '\(f.joined(separator: " "))'")
            }
            try add(n, name, allowed: abi.syscallNumbers, to: &out, lineOf: &lineOf, at: i, file: file)
        }
        return out
    }

    /// Kernel sources are regular files of at most a few megabytes: a device (`/dev/zero`) or a
    /// huge file named by an #include is refused before it is read.
    static let maxFileSize = 64 << 20

    static func read(_ path: String) throws -> String {
        var st = stat()
        guard stat(path, &st) == 0 else { throw ImportError("cannot read \(path): \(String(cString: strerror(errno)))") }
        guard st.st_mode & S_IFMT == S_IFREG else { throw ImportError("\(path): not a regular file") }
        guard st.st_size <= maxFileSize else { throw ImportError("\(path): larger than \(maxFileSize >> 20) MiB") }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ImportError("cannot read \(path)")
        }
        return text
    }
}
