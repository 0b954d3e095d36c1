import Foundation

/// Reads one ABI's syscall numbers from the files the kernel keeps them in: a source tree's
/// `.tbl` files, asm-generic/unistd.h (generic ABIs before 6.11), scripts/syscall.tbl with the
/// arch's ABI list (6.11 onwards), installed uapi headers, or a plain `name number` list.
public enum KernelSources {
    public struct ImportError: Error, CustomStringConvertible, Sendable {
        public var description: String
        public init(_ d: String) { description = d }
    }

    static let x32Bit = 0x4000_0000

    // MARK: Source trees

    /// The table of `abi` in the kernel source tree at `root`, for the release `release`
    /// (which decides between asm-generic/unistd.h and scripts/syscall.tbl for generic ABIs).
    public static func fromKernelTree(_ root: String, abi: ABI, release: KernelVersion) throws -> [Int: String] {
        func tbl(_ paths: [String], abis: Set<String>, offset: Int = 0) throws -> [Int: String] {
            guard let path = paths.map({ root + "/" + $0 }).first(where: { FileManager.default.fileExists(atPath: $0) }) else {
                throw ImportError("\(root): none of \(paths.joined(separator: ", ")) exists")
            }
            return try parseTbl(read(path), abis: abis, offset: offset)
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
                return try parseTbl(read(generic), abis: Set(["common", String(bits)] + extra), offset: 0)
            }
            let archHeader = root + "/arch/\(arch)/include/uapi/asm/unistd.h"
            var cpp = MiniPreprocessor(includeDirs: [root + "/include/uapi", root + "/arch/\(arch)/include/uapi"])
            cpp.define("__BITS_PER_LONG", bits)
            if bits == 64 { cpp.define("__LP64__", 1) }
            return try cpp.syscalls(in: archHeader, include: root + "/include/uapi/asm-generic/unistd.h")
        }
    }

    /// `nr abi name [entry [compat]]` lines whose abi is in `abis`.
    static func parseTbl(_ text: String, abis: Set<String>, offset: Int) throws -> [Int: String] {
        var out: [Int: String] = [:]
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let f = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard let first = f.first, !first.hasPrefix("#") else { continue }
            guard f.count >= 3, let nr = Int(f[0]) else { throw ImportError("line \(i + 1): expected 'nr abi name ...'") }
            guard abis.contains(String(f[1])) else { continue }
            out[nr + offset] = String(f[2])
        }
        return out
    }

    /// The extra ABIs an arch's Makefile.syscalls adds (`syscall_abis_64 += renameat rlimit ...`).
    static func makefileABIs(_ path: String, bits: Int) throws -> [String] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        var out: [String] = []
        for line in try read(path).split(separator: "\n") {
            let f = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if f.count >= 2, f[0] == "syscall_abis_\(bits)", f[1] == "+=" || f[1] == ":=" || f[1] == "=" {
                out += f.dropFirst(2).map(String.init)
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
        return try cpp.syscalls(in: path, include: nil)
    }

    // MARK: Lists

    /// `name number` or `number name` per line (tabs or spaces; `#` comments), as hrw's tables or
    /// `ausyscall --dump` print them. A bare name (hrw's "absent here") is skipped.
    public static func fromList(_ text: String) throws -> [Int: String] {
        var out: [Int: String] = [:]
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let f = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if f.isEmpty || f[0].hasPrefix("#") || f[0] == "Using" { continue }
            if f.count == 1 { continue }
            guard f.count == 2 else { throw ImportError("line \(i + 1): expected a name and a number") }
            if let n = Int(f[0]) { out[n] = String(f[1]) } else if let n = Int(f[1]) { out[n] = String(f[0]) } else {
                throw ImportError("line \(i + 1): no number in '\(line)'")
            }
        }
        return out
    }

    static func read(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ImportError("cannot read \(path)")
        }
        return text
    }
}
