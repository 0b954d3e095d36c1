#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Builds the kernel tables of SyscallTables/ (<abi>.tsv, abis.tsv, equivalents.tsv) from
/// ../shared/syscall-data (`aurules tables generate`). The loader files come from `aurules
/// tables loader`, and EmbeddedTables.swift from `aurules tables embed`.
///
/// The per-release data (mebeim) comes from compiled kernels: it names kernel *functions*
/// (newstat, umount) and omits syscalls its build config did not implement. The kernel's own
/// tables (6.1 headers) and hrw's table snapshots (6.17 .. 7.2-rc1) are the naming truth, so
/// every (ABI, number) seen in the per-release data is renamed to the table name found at that
/// number in a snapshot. A row's interval runs from the first release it is seen in any source to
/// the last; gaps inside an interval are config omissions, not removals. A change observed at a
/// data point is taken to happen at that release (6.18 and 7.1 have no data of their own and are
/// taken to equal 6.17 and 7.0).
public enum TableGenerator {
    public struct Output: Sendable {
        /// File name -> text, for every file generated.
        public var files: [String: String]
        /// Per ABI, the rows undated before the per-release data and taken from the ABI's start.
        public var inferred: [(abi: ABI, start: KernelVersion, names: [String])]
    }

    public struct GenerationError: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    struct Row {
        var number: Int
        var name: String
        var first: KernelVersion
        var last: KernelVersion?
    }

    /// Everything read for one ABI.
    struct Loaded {
        let spec: GeneratedABI
        let points: [DataPoint]
        /// The releases of the per-release data, with the numbers each build implements.
        let mebeim: [KernelVersion: Set<Int>]
    }

    /// Generates every file from the data directory `root` (../shared/syscall-data).
    public static func generate(data root: String) throws -> Output {
        let data = SyscallDataSet(root: root)
        let loaded = try GeneratedABI.all.map { spec in
            let mebeim = try data.mebeim(spec)
            return Loaded(spec: spec, points: try data.dataPoints(spec, mebeim: mebeim), mebeim: mebeim.mapValues { Set($0.keys) })
        }
        let evidence = Evidence(seccomp: try data.seccomp(), observedFirst: observedFirstReleases(loaded))
        var files: [String: String] = [:]
        var inferred: [(abi: ABI, start: KernelVersion, names: [String])] = []
        var known = Set<String>()
        for abi in loaded {
            let (rows, undated) = try build(abi, evidence: evidence)
            if !undated.isEmpty { inferred.append((abi.spec.abi, abi.spec.start, undated)) }
            known.formUnion(rows.map(\.name))
            files["\(abi.spec.abi.rawValue).tsv"] = (["# number\tname\tfirst\tlast"]
                + rows.map { "\($0.number)\t\($0.name)\t\($0.first)\t\($0.last.map(\.description) ?? "")" }).joined(separator: "\n") + "\n"
        }
        files["abis.tsv"] = abisFile()
        files["equivalents.tsv"] = try equivalentsFile(known: known)
        return Output(files: files, inferred: inferred)
    }

    /// The files of `output` that differ from those in `directory` (missing ones included).
    public static func stale(_ output: Output, in directory: String) -> [String] {
        output.files.keys.sorted().filter { name in
            // Only a regular file is read (a FIFO would block the read): anything else is stale,
            // and the writer refuses to replace it.
            var info = stat()
            let path = directory + "/" + name
            guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return true }
            return FileManager.default.contents(atPath: path) != Data(output.files[name]!.utf8)
        }
    }

    // MARK: One ABI

    /// What dates a row the per-release data cannot date.
    struct Evidence {
        /// libseccomp's "arch\tname" -> (number, first release).
        let seccomp: [String: (number: Int, release: KernelVersion)]
        /// Table name -> the earliest release any ABI's per-release data implements it.
        let observedFirst: [String: KernelVersion]

        func seccompFirst(_ spec: GeneratedABI, _ number: Int, _ name: String) -> KernelVersion? {
            guard let hit = seccomp[spec.seccomp + "\t" + name],
                  hit.number == number || hit.number == number - ABI.x32.syscallNumbers.lowerBound else { return nil }
            return hit.release
        }

        /// The earliest release a row may start at: the ABI's start, and after `bound` (a
        /// snapshot that lacks the row).
        func floor(_ start: KernelVersion, _ bound: KernelVersion?) -> KernelVersion {
            bound.map { max(start, SyscallDataSet.release(after: $0)) } ?? start
        }

        /// First release of a row the per-release data never shows. Evidence in order:
        /// libseccomp's first-seen version (not for aarch64/riscv64, where it is known to be
        /// wrong), the earliest release another ABI implements the name, else the table held it
        /// since before coverage. Never at or before `bound`.
        func unseenFirstRelease(_ spec: GeneratedABI, _ number: Int, _ name: String, bound: KernelVersion?) -> KernelVersion {
            let floor = floor(spec.start, bound)
            if spec.isGeneric { return genericFirstRelease(name, start: spec.start, bound: bound) ?? floor }
            let candidates = [seccompFirst(spec, number, name), observedFirst[name]].compactMap { $0 }
            return candidates.first { $0 >= floor } ?? floor
        }

        /// When asm-generic numbered `name`: libseccomp's arm column (arm's table is mostly wired
        /// with asm-generic; its aarch64/riscv64 columns are wrong), else the earliest release any
        /// ABI implements it, never at or before `bound`: rseq came to arm in 4.18 and to
        /// asm-generic in 4.19, as the 4.18 snapshots of arm64 and riscv show. nil when none says.
        func genericFirstRelease(_ name: String, start: KernelVersion, bound: KernelVersion?) -> KernelVersion? {
            guard let release = seccomp["arm\t" + name]?.release ?? observedFirst[name] else { return nil }
            return max(release, floor(start, bound))
        }
    }

    static func observedFirstReleases(_ loaded: [Loaded]) -> [String: KernelVersion] {
        var out: [String: KernelVersion] = [:]
        for abi in loaded {
            for point in abi.points where point.isBuild {
                for name in point.table.values where out[name].map({ point.release < $0 }) ?? true { out[name] = point.release }
            }
        }
        return out
    }

    struct Key: Hashable { let number: Int; let name: String }

    /// One ABI's rows, sorted by number then first release, and the names of the rows taken to
    /// predate the ABI's start for want of any date.
    static func build(_ loaded: Loaded, evidence: Evidence) throws -> (rows: [Row], undated: [String]) {
        let spec = loaded.spec
        func fail(_ message: String) -> GenerationError { GenerationError(description: "\(spec.abi): \(message)") }
        let points = loaded.points.enumerated()
            .filter { p in p.element.release >= spec.start && spec.end.map { p.element.release <= $0 } ?? true }
            .sorted { ($0.element.release, $0.offset) < ($1.element.release, $1.offset) }.map(\.element)
        var presence: [Key: Set<KernelVersion>] = [:]
        for point in points where point.showsPresence {
            for (number, name) in point.table { presence[Key(number: number, name: name), default: []].insert(point.release) }
        }
        let truthPoints = points.filter(\.truth)
        // The tables that bound how early an undated row may start: the kernel's numbering as the
        // truth tables and the 4.x snapshots show it (a row they lack cannot predate the release
        // they show). Not the per-release builds: they leave out what their config did not build.
        func bound(_ number: Int, _ name: String, before first: KernelVersion) -> KernelVersion? {
            points.compactMap { p in p.bounds.flatMap { $0 < first && p.table[number] != name ? $0 : nil } }.max()
        }
        var rows: [Row] = []
        for (key, seen) in presence {
            let first = seen.min()!, lastSeen = seen.max()!
            let last = points.first { $0.showsPresence && $0.release > lastSeen }.map { SyscallDataSet.release(before: $0.release) } ?? spec.end
            // A truth snapshot inside the interval that lacks the row would mean a removal and a
            // re-addition: the data never shows one, so fail rather than merge it silently.
            if let missing = truthPoints.first(where: { first <= $0.release && $0.release <= lastSeen && $0.table[key.number] != key.name }) {
                throw fail("\(key.number) \(key.name) is missing from the \(missing.release) snapshot inside its interval \(first)-\(lastSeen)")
            }
            var row = Row(number: key.number, name: key.name, first: first, last: last)
            if let built = loaded.mebeim[first], !built.contains(key.number) {
                // First seen in a snapshot although the per-release data covers that release: the
                // build config never implemented it, so that data cannot date it. It cannot
                // predate the last snapshot that lacks it.
                row.first = evidence.unseenFirstRelease(spec, key.number, key.name, bound: bound(key.number, key.name, before: first))
            } else if spec.isGeneric,
                      let generic = evidence.genericFirstRelease(key.name, start: spec.start, bound: bound(key.number, key.name, before: first)),
                      generic < first {
                // asm-generic numbers a call for every generic ABI at once; the arch may
                // implement it later (rseq on riscv64), which the per-release data shows late.
                row.first = generic
            }
            rows.append(row)
        }
        // Before the per-release data (4.0) the only evidence is libseccomp's kernel-version
        // column: a row the first build has starts at the release libseccomp dates it (not
        // before the ABI's start); undated rows are taken to predate the start. A date at or
        // after the first build contradicts the build and is ignored (the known-bad i386 socket
        // calls are dated 3.10 there but start at 4.3 here, from the builds).
        var undated: [String] = []
        let dataStart = loaded.mebeim.keys.min() ?? spec.start
        if spec.start < dataStart && spec.hrw4x == nil {
            for i in rows.indices where rows[i].first == dataStart {
                if let dated = evidence.seccompFirst(spec, rows[i].number, rows[i].name) {
                    if dated < dataStart { rows[i].first = max(dated, spec.start) }
                } else {
                    rows[i].first = spec.start
                    undated.append(rows[i].name)
                }
            }
        }
        rows.sort { ($0.number, $0.first, $0.name) < ($1.number, $1.first, $1.name) }
        for point in truthPoints {
            var view: [Int: String] = [:]
            for r in rows where r.first <= point.release && r.last.map({ point.release <= $0 }) ?? true { view[r.number] = r.name }
            if view != point.table {
                let differing = Set(view.map { "\($0.key) \($0.value)" }).symmetricDifference(point.table.map { "\($0.key) \($0.value)" })
                throw fail("at \(point.release) the rows differ from the snapshot: \(differing.sorted().joined(separator: ", "))")
            }
        }
        return (rows, undated.sorted())
    }

    // MARK: The other files

    /// `newest` is the newest release the rows were checked against (`tables import` moves it forward).
    static func abisFile() -> String {
        let newest = SyscallDataSet.hrwSnapshots.last!
        return (["# abi\taudit_arch\tbits\tmachines\tpartner32\tfirst\tlast\tnewest\tsource"] + GeneratedABI.all.map { s in
            let arch = String(s.abi.auditArch, radix: 16)
            return [s.abi.rawValue, "0x" + String(repeating: "0", count: 8 - arch.count) + arch, String(s.abi.bits),
                    s.machines.isEmpty ? "-" : s.machines.joined(separator: ","), s.partner?.rawValue ?? "-",
                    s.start.description, s.end?.description ?? "", s.end?.description ?? newest, s.source].joined(separator: "\t")
        }).joined(separator: "\n") + "\n"
    }

    static func equivalentsFile(known: Set<String>) throws -> String {
        var lines = ["# group\tmembers (kernel table names; any ABI)"]
        for group in EquivalenceGroups.all {
            let unknown = group.members.filter { !known.contains($0) }
            guard unknown.isEmpty else {
                throw GenerationError(description: "equivalence group \(group.name): names in no table: \(unknown.joined(separator: ", "))")
            }
            lines.append(group.name + "\t" + group.members.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
