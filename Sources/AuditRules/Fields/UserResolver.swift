#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Turns user and group names into ids the way auditctl does at load time (getpwnam/getgrnam
/// on the loading host). A parse with no resolver keeps names unresolved.
/// Names are bytes, as getpwnam takes them.
public protocol UserResolver: Sendable {
    func uid(named: RulesText) -> UInt32?
    func gid(named: RulesText) -> UInt32?
    /// Why a name this resolver returned nil for may exist after all (a lookup that timed out);
    /// nil when the answer "unknown" is final.
    func whyUnresolved(user: Bool, named: RulesText) -> String?
}

extension UserResolver {
    public func whyUnresolved(user: Bool, named: RulesText) -> String? { nil }

    /// ": why" for an unknown-name message, or "" when "unknown" is final.
    func unresolvedNote(user: Bool, named name: RulesText) -> String {
        whyUnresolved(user: user, named: name).map { ": \($0)" } ?? ""
    }
}

/// Reads passwd and group files (the host's by default). Files are read once, at init: rule
/// files name few users, and the answer must not change half way through a compile.
/// NSS sources other than files (LDAP, sssd) are not consulted, unlike auditctl's getpwnam.
public struct HostUserResolver: UserResolver {
    private let users: [RulesText: UInt32]
    private let groups: [RulesText: UInt32]

    public init(passwdPath: String = "/etc/passwd", groupPath: String = "/etc/group") {
        users = HostUserResolver.read(passwdPath)
        groups = HostUserResolver.read(groupPath)
    }

    public func uid(named name: RulesText) -> UInt32? { users[name] }
    public func gid(named name: RulesText) -> UInt32? { groups[name] }

    /// `name:password:id:...` lines; the first entry of a name wins, as with getpwnam on files.
    /// NIS compat lines (`+`, `-`) and malformed ids are skipped.
    private static func read(_ path: String) -> [RulesText: UInt32] {
        guard let data = FileManager.default.contents(atPath: path) else { return [:] }
        var out: [RulesText: UInt32] = [:]
        for line in data.split(separator: UInt8(ascii: "\n")) {
            let parts = line.split(separator: UInt8(ascii: ":"), maxSplits: 3, omittingEmptySubsequences: false)
            guard parts.count >= 3, let first = parts[0].first, first != UInt8(ascii: "+"), first != UInt8(ascii: "-"),
                  let id = UInt32(String(decoding: parts[2], as: UTF8.self)) else { continue }
            let name = RulesText(parts[0])
            if out[name] == nil { out[name] = id }
        }
        return out
    }
}

/// A fixed name table: for tests and for compiling for another host whose users are known.
public struct StaticUserResolver: UserResolver {
    public var users: [String: UInt32]
    public var groups: [String: UInt32]

    public init(users: [String: UInt32] = [:], groups: [String: UInt32] = [:]) {
        self.users = users
        self.groups = groups
    }

    public func uid(named name: RulesText) -> UInt32? { name.validUTF8.flatMap { users[$0] } }
    public func gid(named name: RulesText) -> UInt32? { name.validUTF8.flatMap { groups[$0] } }
}

/// The loading host's answer, as auditctl gets it: the C library's getpwnam/getgrnam (NSS: files,
/// LDAP, sssd, systemd, ...). Use it when rules are compiled on the host that loads them.
/// In a fully static executable (the Debian package's; no PT_INTERP, found at run time) glibc's
/// NSS cannot load its modules and crashes, so there it is `FilesThenGetentUserResolver.shared`:
/// /etc/passwd and /etc/group, then `getent` (dynamic, so its NSS works) for other names.
/// The dynamic build keeps getpwnam_r: it is what auditctl calls.
public struct SystemUserResolver: UserResolver {
    public init() {}

    public func whyUnresolved(user: Bool, named name: RulesText) -> String? {
        ExecutableLinkage.isStatic ? FilesThenGetentUserResolver.shared.whyUnresolved(user: user, named: name) : nil
    }

    public func uid(named name: RulesText) -> UInt32? {
        if ExecutableLinkage.isStatic { return FilesThenGetentUserResolver.shared.uid(named: name) }
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16_384)
        guard name.withCString({ getpwnam_r($0, &entry, &buffer, buffer.count, &result) }) == 0, result != nil else { return nil }
        return entry.pw_uid
    }

    public func gid(named name: RulesText) -> UInt32? {
        if ExecutableLinkage.isStatic { return FilesThenGetentUserResolver.shared.gid(named: name) }
        var entry = group()
        var result: UnsafeMutablePointer<group>?
        var buffer = [CChar](repeating: 0, count: 65_536)
        guard name.withCString({ getgrnam_r($0, &entry, &buffer, buffer.count, &result) }) == 0, result != nil else { return nil }
        return entry.gr_gid
    }
}
