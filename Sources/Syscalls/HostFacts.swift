#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// The facts about the host this process runs on that target resolution needs: its machine
/// (`uname -m`), its running kernel (`uname -r`) and its installed libaudit. The one place that
/// asks the system; tests build other hosts with `init`.
public struct HostFacts: Sendable {
    /// `uname -m`, as the system spells it.
    public let machineName: String
    /// `uname -r`, as the system spells it.
    public let release: String
    private let readLibaudit: @Sendable () -> AuditVersion?

    public init(machineName: String, release: String, libauditVersion: @escaping @autoclosure @Sendable () -> AuditVersion?) {
        self.machineName = machineName
        self.release = release
        self.readLibaudit = libauditVersion
    }

    /// This host. The dpkg database is only read when the libaudit version is asked for.
    public static let current: HostFacts = {
        var u = utsname()
        guard uname(&u) == 0 else { return HostFacts(machineName: "", release: "", libauditVersion: nil) }
        func field<T>(_ value: T) -> String {
            withUnsafeBytes(of: value) { raw in String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self) }
        }
        return HostFacts(machineName: field(u.machine), release: field(u.release), libauditVersion: installedLibaudit)
    }()

    private static let installedLibaudit = libauditVersion(dpkgStatus: "/var/lib/dpkg/status")

    /// The machine, nil when aurules does not know it.
    public var machine: Machine? { Machine(uname: machineName) }
    /// The running kernel release, nil when `uname -r` does not start with X.Y.
    public var kernel: KernelVersion? { KernelVersion(release) }
    /// The installed libaudit's release; nil when it cannot be told.
    public var libauditVersion: AuditVersion? { readLibaudit() }

    /// The machine auditctl would run on here, x86_64 when aurules does not know this one.
    public var machineOrDefault: Machine { machine ?? .x86_64 }

    /// The libaudit1 package's release in a dpkg status file, as loader data (see
    /// `AuditVersion(loose:)`: 3.1.4 takes 3.1.2's); nil when it cannot be told or is older than
    /// every shipped release.
    /// A byte search, not a split into lines: the file is large and this runs on every compile
    /// and every periodic check.
    /// Mapped, not read: a copy of the whole file into fresh memory took a sixth of a lookup.
    public static func libauditVersion(dpkgStatus: String) -> AuditVersion? {
        let fd = open(dpkgStatus, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_size > 0,
              let mapped = mmap(nil, Int(info.st_size), PROT_READ, MAP_PRIVATE, fd, 0), mapped != MAP_FAILED else { return nil }
        defer { munmap(mapped, Int(info.st_size)) }
        return UnsafeRawBufferPointer(start: mapped, count: Int(info.st_size)).withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> AuditVersion? in
            guard let base = raw.baseAddress else { return nil }
            /// Offset of the first `needle` at or after `from`, found by memchr of its byte at
            /// `anchor` (a rare one: memchr of a leading newline stopped at every line, and took as
            /// long as the rest of a lookup) and memcmp.
            func find(_ needle: String, anchor: Int = 0, from: Int) -> Int? {
                let n = Array(needle.utf8)
                var at = from + anchor
                while at - anchor + n.count <= raw.count {
                    guard let hit = memchr(base + at, Int32(n[anchor]), raw.count - n.count + anchor + 1 - at) else { return nil }
                    at = UnsafeRawPointer(hit) - base
                    if memcmp(base + at - anchor, n, n.count) == 0 { return at - anchor }
                    at += 1
                }
                return nil
            }
            let stanza = "Package: libaudit1\n"
            // dpkg writes the stanzas sorted by package name: bisection finds a stanza before
            // libaudit1's in a large file, and the search starts there (searching from the start
            // stopped at every P of a hundred packages, and took as long as the rest of a
            // lookup). A file not sorted so is searched from its start when that finds nothing
            // (one with libaudit1 both before and after that stanza would be read at the later).
            var low = 0, high = raw.count
            while high - low > 8192 {
                let mid = low + (high - low) / 2
                guard let at = find("\n\nPackage: ", anchor: 2, from: mid), at < high else { high = mid; continue }
                let name = at + "\n\nPackage: ".utf8.count
                var end = name
                while end < raw.count && raw[end] != 0x0A { end += 1 }
                if UnsafeRawBufferPointer(rebasing: raw[name ..< end]).lexicographicallyPrecedes("libaudit1".utf8) { low = at } else { high = at }
            }
            // The file's first page is read only when the search from the bisected stanza fails
            // (each 64 KiB of the file read is a page fault).
            let packageEnd: Int
            if low > 0, let at = find("\n" + stanza, anchor: 1, from: low) {
                packageEnd = at + 1 + stanza.utf8.count
            } else if raw.starts(with: stanza.utf8) {
                packageEnd = stanza.utf8.count
            } else if let at = find("\n" + stanza, anchor: 1, from: 0) {
                packageEnd = at + 1 + stanza.utf8.count
            } else {
                return nil
            }
            guard let version = find("\nVersion: ", anchor: 1, from: packageEnd - 1) else { return nil }
            // The next stanza must not have started before the Version line.
            if let next = find("\n\n", from: packageEnd - 1), next < version { return nil }
            var start = version + "\nVersion: ".utf8.count
            var lines = ByteLines(raw.assumingMemoryBound(to: UInt8.self), from: start)
            let end = lines.next()?.range.upperBound ?? start
            if let colon = (start ..< end).first(where: { raw[$0] == UInt8(ascii: ":") }) { start = colon + 1 }
            var versionEnd = start
            while versionEnd < end && (raw[versionEnd] == UInt8(ascii: ".") || (raw[versionEnd] >= 0x30 && raw[versionEnd] <= 0x39)) { versionEnd += 1 }
            return AuditVersion(loose: String(decoding: UnsafeRawBufferPointer(rebasing: raw[start ..< versionEnd]), as: UTF8.self))
        }
    }

    /// Whether `path` is a directory on this host (auditctl's stat() for `-w`). A C string: a
    /// rules file's path is bytes.
    public static func isDirectory(_ path: UnsafePointer<CChar>) -> Bool {
        var st = stat()
        guard stat(path, &st) == 0 else { return false }
        return (st.st_mode & S_IFMT) == S_IFDIR
    }
}
