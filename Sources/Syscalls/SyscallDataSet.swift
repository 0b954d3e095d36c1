#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// How the generator builds one ABI's table (`aurules tables generate`): the abis.tsv facts that
/// the ABI type does not hold, and where each kind of data comes from in ../shared/syscall-data
/// (see its MANIFEST.txt).
struct GeneratedABI: Sendable {
    let abi: ABI
    let machines: [String]
    let partner: ABI?
    /// The first release covered, and the last one for an ABI the kernel dropped.
    let start: KernelVersion
    var end: KernelVersion? = nil
    /// mebeim's per-release directories, merged in this order (the first names a number).
    let mebeim: [String]
    let hrw: String
    var hrw4x: String? = nil
    let headers: String
    let seccomp: String
    let source: String

    /// The ABIs of SyscallTables/, in the order of abis.tsv.
    static let all: [GeneratedABI] = [
        GeneratedABI(abi: .x86_64, machines: ["x86_64"], partner: .i386, start: KernelVersion(3, 10), mebeim: ["x86_64"],
                     hrw: "x86_64", headers: "x86_64", seccomp: "x86_64",
                     source: "kernel 6.1 syscall_64.tbl; mebeim x86_64 4.0-6.17; hrw 6.17-7.2-rc1"),
        GeneratedABI(abi: .i386, machines: ["i386", "i486", "i586", "i686"], partner: nil, start: KernelVersion(3, 10),
                     mebeim: ["i386", "i386-compat"], hrw: "i386", headers: "i386", seccomp: "x86",
                     source: "kernel 6.1 syscall_32.tbl; mebeim i386+i386-compat 4.0-6.17; hrw 6.17-7.2-rc1"),
        // x32's 6.1 table is the installed header (the derived lists have none).
        GeneratedABI(abi: .x32, machines: [], partner: nil, start: KernelVersion(3, 10), mebeim: ["x32"], hrw: "x32",
                     headers: "x32", seccomp: "x32",
                     source: "kernel 6.1 unistd_x32.h (numbers include 0x40000000); mebeim x32 4.0-6.17; hrw 6.17-7.2-rc1"),
        GeneratedABI(abi: .ppc, machines: ["ppc", "powerpc"], partner: nil, start: KernelVersion(4, 9), mebeim: ["ppc", "ppc-compat"],
                     hrw: "powerpc", hrw4x: "powerpc", headers: "ppc", seccomp: "ppc",
                     source: "kernel 6.1 powerpc syscall.tbl (common,32,nospu); mebeim ppc+ppc-compat 5.0-6.17; hrw 6.17-7.2-rc1"),
        GeneratedABI(abi: .ppc64, machines: ["ppc64", "ppc64le"], partner: .ppc, start: KernelVersion(4, 9), mebeim: ["ppc64"],
                     hrw: "powerpc64", hrw4x: "powerpc64", headers: "ppc64", seccomp: "ppc64",
                     source: "kernel 6.1 powerpc syscall.tbl (common,64,nospu); mebeim ppc64 5.0-6.17; hrw 6.17-7.2-rc1"),
        GeneratedABI(abi: .s390, machines: ["s390"], partner: nil, start: KernelVersion(3, 10), end: KernelVersion(6, 18),
                     mebeim: ["s390-compat"], hrw: "s390", headers: "s390", seccomp: "s390",
                     source: "kernel 6.1 s390 syscall.tbl (entry31); mebeim s390-compat 4.0-6.17; compat removed in 6.19"),
        GeneratedABI(abi: .s390x, machines: ["s390x"], partner: .s390, start: KernelVersion(3, 10), mebeim: ["s390x"],
                     hrw: "s390x", headers: "s390x", seccomp: "s390x",
                     source: "kernel 6.1 s390 syscall.tbl (entry64); mebeim s390x 4.0-6.17; hrw 6.17-7.2-rc1"),
        GeneratedABI(abi: .aarch64, machines: ["aarch64", "arm64"], partner: .arm, start: KernelVersion(4, 9), mebeim: ["aarch64"],
                     hrw: "arm64", hrw4x: "arm64", headers: "aarch64", seccomp: "aarch64",
                     source: "kernel 6.1 asm-generic/unistd.h; mebeim aarch64 5.0-6.17; hrw 6.17-7.2-rc1"),
        GeneratedABI(abi: .arm, machines: ["armv7l", "armv6l", "armv5tel", "arm"], partner: nil, start: KernelVersion(4, 9),
                     mebeim: ["arm", "arm-compat"], hrw: "arm", hrw4x: "arm", headers: "arm", seccomp: "arm",
                     source: "kernel 6.1 arm syscall.tbl (common,eabi); mebeim arm+arm-compat 5.0-6.17; hrw 6.17-7.2-rc1"),
        GeneratedABI(abi: .riscv64, machines: ["riscv64"], partner: nil, start: KernelVersion(4, 15), mebeim: ["riscv64"],
                     hrw: "riscv64", hrw4x: "riscv64", headers: "riscv64", seccomp: "riscv64",
                     source: "kernel 6.1 asm-generic/unistd.h; mebeim riscv64 4.15-6.17; hrw 6.17-7.2-rc1"),
    ]

    /// asm-generic numbers a call for every generic ABI at once.
    var isGeneric: Bool { abi == .aarch64 || abi == .riscv64 }

    /// Numbers outside the numbered table: arm's private calls (0x0f0001..) and ppc64's
    /// switch_endian fast path (0x1ebe). No audit rule's syscall mask can hold them.
    func isOutsideTable(_ number: Int) -> Bool {
        (abi == .arm && number >= 0x0f0000) || (abi == .ppc64 && number == 0x1ebe)
    }

    /// Header aliases (`#define __NR_alias __NR_name`) that the derived lists and hrw print in
    /// place of the table's own name.
    func tableName(_ number: Int, _ listed: String) -> String {
        abi == .arm && number == 341 ? "arm_sync_file_range" : listed
    }
}

/// One (number -> name) table of one ABI at one release; `truth` for the kernel's own tables
/// (6.1 headers, hrw snapshots), false for the per-release builds and the 4.x snapshots.
struct DataPoint {
    let release: KernelVersion
    let table: [Int: String]
    let truth: Bool
    /// A row this table lacks cannot start at or before this release: set for the tables of the
    /// kernel's numbering (the truth, the 4.x snapshots: the release whose tables they show), nil
    /// for the per-release builds, which leave out what their config did not build.
    var bounds: KernelVersion? = nil
    /// False for a 4.x snapshot of the per-release data's time, kept only to bound rows.
    var showsPresence = true
    /// One of the per-release builds (what a release implemented, not how it numbered).
    var isBuild: Bool { !truth && bounds == nil }
}

/// The readers of ../shared/syscall-data. Lists go through `KernelSources`, the readers of
/// `aurules tables import`.
struct SyscallDataSet {
    let root: String

    /// hrw/syscalls-table snapshots, oldest first: the truth after 6.1.
    static let hrwSnapshots = ["6.17", "6.19", "7.0-rc1", "7.0", "7.2-rc1"]

    /// hrw-history-4x snapshots (dated commits) and the release each stands for: the version its
    /// subject names (an -rc table approximates its release; "X-rc0" is the merge window after
    /// X-1, so its tables are X's), else the release whose merge window the date falls in. Their
    /// rows are data only before the per-release data starts (5.0 for ppc, ppc64, aarch64 and
    /// arm); every snapshot bounds the rows it lacks (`shows`: the release whose tables it
    /// holds). The 2016-10-12 table stands for 4.9, the first release covered, but shows 4.8: it
    /// lacks 4.9's one addition, the pkey calls, even on x86_64, whose 4.9 build has them.
    static let hrw4x: [(folder: String, release: KernelVersion, shows: KernelVersion)] = [
        ("2016-10-12-407720c", KernelVersion(4, 9), KernelVersion(4, 8)),
        ("2017-02-08-8142d8e", KernelVersion(4, 10), KernelVersion(4, 10)),
        ("2017-04-06-0f516ee", KernelVersion(4, 11), KernelVersion(4, 11)),
        ("2017-05-30-f14c276", KernelVersion(4, 12), KernelVersion(4, 12)),
        ("2017-09-04-7543825", KernelVersion(4, 13), KernelVersion(4, 13)),
        ("2017-11-16-83d4791", KernelVersion(4, 15), KernelVersion(4, 15)),
        ("2018-02-18-a03df6e", KernelVersion(4, 16), KernelVersion(4, 16)),
        ("2018-04-03-dd03f6a", KernelVersion(4, 17), KernelVersion(4, 17)),
        ("2018-08-03-8237552", KernelVersion(4, 18), KernelVersion(4, 18)),
        ("2018-08-31-4e90160", KernelVersion(4, 19), KernelVersion(4, 19)),
        ("2018-11-05-cce0b29", KernelVersion(4, 20), KernelVersion(4, 20)),
    ]

    /// Function names of rows no snapshot numbers (removed before 6.1 on that ABI).
    static let functionAliases = ["llseek": "_llseek"]

    /// Every mainline release from 3.10 to 7.2-rc1 (7.0-rc1 is kept: a snapshot was taken there).
    static let releases: [KernelVersion] = (10 ..< 20).map { KernelVersion(3, $0) } + (0 ..< 21).map { KernelVersion(4, $0) }
        + (0 ..< 20).map { KernelVersion(5, $0) } + (0 ..< 20).map { KernelVersion(6, $0) }
        + [KernelVersion(7, 0, rc: 1), KernelVersion(7, 0), KernelVersion(7, 1), KernelVersion(7, 2, rc: 1)]

    /// The release after `r` in `releases`.
    static func release(after r: KernelVersion) -> KernelVersion { releases[releases.firstIndex(of: r)! + 1] }
    /// The release before `r` in `releases`.
    static func release(before r: KernelVersion) -> KernelVersion { releases[releases.firstIndex(of: r)! - 1] }

    private func path(_ parts: String...) -> String { ([root] + parts).joined(separator: "/") }

    // MARK: Truth

    /// The 6.1 table: the installed x32 header, else the list derived from the 6.1 headers.
    func table61(_ spec: GeneratedABI) throws -> [Int: String] {
        if spec.abi == .x32 {
            return try KernelSources.fromHeaders(path("debian-bookworm-uapi-headers", "i686-linux-gnu", "include"), abi: .x32)
        }
        // `number name` lines; an alias's #define comes after its number's own (the last wins,
        // and `tableName` names the number).
        let file = path("derived", "headers-6.1-nr", spec.headers + ".txt")
        return try numberedLines(file).reduce(into: [:]) { $0[$1.number] = spec.tableName($1.number, $1.name) }
    }

    /// The `number name ...` lines of `file` (`#` comments), in order.
    private func numberedLines(_ file: String) throws -> [(number: Int, name: String)] {
        var out: [(number: Int, name: String)] = []
        try KernelSources.forEachFieldLine(KernelSources.read(file)) { line, f in
            guard let first = f.first, !first.hasPrefix("#") else { return }
            guard f.count >= 2, let number = Int(first) else { throw KernelSources.ImportError("\(file):\(line): expected 'number name'") }
            out.append((number, f[1]))
        }
        return out
    }

    /// `name number` lines, or a bare name (absent on that ABI): (numbered, bare names).
    private func hrwTable(_ file: String, _ spec: GeneratedABI) throws -> (numbered: [Int: String], bare: Set<String>) {
        var numbered: [Int: String] = [:], bare = Set<String>()
        try KernelSources.forEachFieldLine(KernelSources.read(file)) { line, f in
            if f.count >= 2 {
                guard let number = Int(f[1]) else { throw KernelSources.ImportError("\(file):\(line): no number in '\(f[1])'") }
                if !spec.isOutsideTable(number) { numbered[number] = spec.tableName(number, f[0]) }
            } else if let name = f.first {
                bare.insert(name)
            }
        }
        return (numbered, bare)
    }

    /// One hrw snapshot. hrw drops names it considers removed (uselib, _sysctl, ...) though the
    /// kernel still numbers them: the 6.1 rows it neither lists nor marks absent are carried.
    func hrw(_ spec: GeneratedABI, snapshot: String, table61: [Int: String]) throws -> [Int: String] {
        var (numbered, bare) = try hrwTable(path("hrw-history", snapshot, "syscalls-" + spec.hrw), spec)
        let listed = Set(numbered.values).union(bare)
        for (number, name) in table61 where !listed.contains(name) && numbered[number] == nil {
            numbered[number] = name
        }
        return numbered
    }

    /// The 6.1 table and every hrw snapshot, oldest first.
    func truthPoints(_ spec: GeneratedABI) throws -> [(release: KernelVersion, table: [Int: String])] {
        let t61 = try table61(spec)
        return try [(KernelVersion(6, 1), t61)] + Self.hrwSnapshots.map { (KernelVersion($0)!, try hrw(spec, snapshot: $0, table61: t61)) }
    }

    // MARK: Per-release data

    /// mebeim's `number name symbol kconfig` lines of one directory: {release: {number: function}}.
    private func mebeimDirectory(_ directory: String, _ spec: GeneratedABI) throws -> [KernelVersion: [Int: String]] {
        let base = path("mebeim-linux-syscalls", directory)
        var out: [KernelVersion: [Int: String]] = [:]
        for file in try FileManager.default.contentsOfDirectory(atPath: base) where file.hasSuffix(".tsv") {
            guard let release = KernelVersion(String(file.dropLast(4))) else { throw KernelSources.ImportError("\(base)/\(file): no release in the name") }
            out[release] = try numberedLines(base + "/" + file).reduce(into: [:]) { table, row in
                if !spec.isOutsideTable(row.number) { table[row.number] = row.name }
            }
        }
        return out
    }

    /// {release: {number: function name}} merged over the ABI's builds (native first, then compat).
    func mebeim(_ spec: GeneratedABI) throws -> [KernelVersion: [Int: String]] {
        var out: [KernelVersion: [Int: String]] = [:]
        for directory in spec.mebeim {
            for (release, table) in try mebeimDirectory(directory, spec) {
                out[release, default: [:]].merge(table) { first, _ in first }
            }
        }
        return out
    }

    /// The truth tables nearest `release` first (equally near ones in their order).
    static func nearest(_ truth: [(release: KernelVersion, table: [Int: String])], to release: KernelVersion) -> [[Int: String]] {
        func distance(_ r: KernelVersion) -> Int { abs(r.major * 100 + r.minor - release.major * 100 - release.minor) }
        return truth.enumerated().sorted { (distance($0.element.release), $0.offset) < (distance($1.element.release), $1.offset) }.map(\.element.table)
    }

    /// The table name of `function` at `number`: the name the nearest truth table gives the
    /// number, else the function name (aliased).
    static func tableName(_ number: Int, function: String, nearest: [[Int: String]]) -> String {
        for table in nearest {
            if let name = table[number] { return name }
        }
        return functionAliases[function] ?? function
    }

    /// The 4.x snapshots of the ABI, oldest first: (release it stands for, release it shows,
    /// number -> name).
    func hrw4x(_ spec: GeneratedABI) throws -> [(release: KernelVersion, shows: KernelVersion, table: [Int: String])] {
        guard let arch = spec.hrw4x else { return [] }
        var out: [(release: KernelVersion, shows: KernelVersion, table: [Int: String])] = []
        for (folder, release, shows) in Self.hrw4x {
            var file = path("hrw-history-4x", folder, "syscalls-" + arch)
            if !FileManager.default.fileExists(atPath: file) && arch == "riscv64" {
                file = path("hrw-history-4x", folder, "syscalls-riscv")
            }
            guard FileManager.default.fileExists(atPath: file) else { continue }
            out.append((release, shows, try hrwTable(file, spec).numbered))
        }
        return out
    }

    /// Every table of the ABI: the truth, the 4.x snapshots (data before the per-release data,
    /// bounds only after its start), the per-release data, the last two renamed to table names.
    func dataPoints(_ spec: GeneratedABI, mebeim: [KernelVersion: [Int: String]]) throws -> [DataPoint] {
        let truth = try truthPoints(spec)
        var points = truth.map { DataPoint(release: $0.release, table: $0.table, truth: true, bounds: $0.release) }
        guard let mebeimStart = mebeim.keys.min() else {
            throw KernelSources.ImportError("no per-release (mebeim) tables for \(spec.abi.rawValue) in the data directory")
        }
        func renamed(_ t: [Int: String], at release: KernelVersion, bounds: KernelVersion? = nil, data: Bool = true) -> DataPoint {
            let nearest = Self.nearest(truth, to: release)
            return DataPoint(release: release, table: t.reduce(into: [:]) { $0[$1.key] = Self.tableName($1.key, function: $1.value, nearest: nearest) },
                             truth: false, bounds: bounds, showsPresence: data)
        }
        for s in try hrw4x(spec) { points.append(renamed(s.table, at: s.release, bounds: s.shows, data: s.release < mebeimStart)) }
        for (release, t) in mebeim { points.append(renamed(t, at: release)) }
        return points
    }

    // MARK: libseccomp

    /// libseccomp's (arch, name) -> (number, first kernel version) from the kernel-version
    /// columns of its unmerged PR 457 (see MANIFEST.txt for its known errors).
    func seccomp() throws -> [String: (number: Int, release: KernelVersion)] {
        let file = path("libseccomp", "syscalls.csv.pr457-031024a-kver")
        var out: [String: (number: Int, release: KernelVersion)] = [:]
        var header: [String] = []
        for line in try KernelSources.read(file).split(separator: "\n") where !line.allSatisfy(\.isWhitespace) {
            let row = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            if header.isEmpty {
                header = row.map { String($0.drop { $0 == "#" }.prefix { $0 != " " }) }
                continue
            }
            for i in stride(from: 1, to: header.count - 1, by: 2) where i + 1 < row.count {
                let (number, version) = (row[i], row[i + 1])
                let parts = version.split(separator: "_")
                guard !number.isEmpty, number.allSatisfy(\.isASCIIDigit), let n = Int(number), parts.count == 4,
                      parts[0] == "SCMP", parts[1] == "KV", let major = Int(parts[2]), let minor = Int(parts[3]) else { continue }
                out[header[i] + "\t" + row[0]] = (n, KernelVersion(major, minor))
            }
        }
        return out
    }
}

private extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
