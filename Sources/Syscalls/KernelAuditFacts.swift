/// What the kernel's audit code takes from which mainline release on: the feature bits it reports
/// in audit_status.feature_bitmap (which libaudit checks before it sends a rule: auditctl then
/// refuses with "Field option not supported by kernel"), and the fields, filter lists, field/list
/// and field/operator pairs it refuses before that release with EINVAL. The one home of these
/// facts; each names the commit and where its release is established. Distribution kernels
/// backport features (RHEL 7's 3.10.0-351 has exe), so a target release means the mainline one.
///
/// How a release was dated: the release whose merge window pulled the commit (Linus's merge of
/// the audit tree, or the maintainer's statement); where only the commit date is known, the
/// source says so. Older than every release aurules covers (3.10), so not listed: the field
/// comparisons of `-C` (AUDIT_FIELD_COMPARE and AUDIT_COMPARE_* 1-25: 02d86a568c6d,
/// 4a6633ed08af, 10d683608716, committed 2012-01-17 for 3.3) and obj_uid/obj_gid (before them).
public enum KernelAuditFacts {
    public struct Fact: Sendable {
        public enum Kind: String, Sendable {
            /// An AUDIT_FEATURE_BITMAP_* bit (`name` without the prefix; `bit` its value).
            case feature
            /// A rule field (auditctl's name): the kernel refuses it before `first`.
            case field
            /// A filter list (auditctl's name): the kernel refuses it before `first`.
            case list
            /// A field on lists other than exit: exit only before `first`.
            case fieldOffExit = "field-off-exit"
            /// A field with `!=`: only `=` before `first`.
            case fieldNotEqual = "field-not-equal"
        }

        public let kind: Kind
        public let name: String
        public let bit: UInt32
        public let first: KernelVersion
        /// The feature bit that announces it to libaudit, when there is one.
        public let feature: String?
        /// The commit (mainline hash) and where its release is established.
        public let commit: String
        public let source: String

        init(_ kind: Kind, _ name: String, bit: UInt32 = 0, _ first: KernelVersion, feature: String? = nil, commit: String, source: String) {
            self.kind = kind
            self.name = name
            self.bit = bit
            self.first = first
            self.feature = feature
            self.commit = commit
            self.source = source
        }

        /// "Linux 4.3, 34d99af52ad4 audit: ...; pulled by ...": the release and its evidence, for messages and --explain.
        public var provenance: String { "Linux \(first), \(commit); \(source)" }
    }

    private static let zx2c4 = "git.zx2c4.com/linux-dev"

    public static let facts: [Fact] = [
        Fact(.feature, "BACKLOG_LIMIT", bit: 0x01, KernelVersion(3, 14), commit: "audit: use define's for audit version (AUDIT_VERSION_BACKLOG_LIMIT, audit_status.version)",
             source: "pulled by Linus on 2014-01-23 (3.14 merge window; \(zx2c4) log of include/uapi/linux/audit.h); the version field became the feature bitmap in 0288d7183c41, pulled in a99abce2d92d (2014-12-13, for v3.19)"),
        Fact(.feature, "BACKLOG_WAIT_TIME", bit: 0x02, KernelVersion(3, 14), commit: "51cc83f024ee audit: add audit_backlog_wait_time configuration option",
             source: "pulled by Linus on 2014-01-23 (3.14 merge window; \(zx2c4))"),
        Fact(.feature, "EXECUTABLE_PATH", bit: 0x04, KernelVersion(4, 3), commit: "34d99af52ad4 audit: implement audit by executable",
             source: "pulled by Linus in 425afcff13a4 (2015-09-08, the 4.3 merge window; \(zx2c4)); audit-testsuite issue 50 (rgbriggs: kernel v4.3)"),
        Fact(.feature, "EXCLUDE_EXTEND", bit: 0x08, KernelVersion(4, 9), commit: "7ff89ac608d9 audit: add exclude filter extension to feature bitmap",
             source: "pulled in 3cd013ab79e8 (2016-10-04, \"pull request for v4.9\"; \(zx2c4)); the fields themselves 86b2efbe3a39 (audit-kernel issue 5)"),
        Fact(.feature, "SESSIONID_FILTER", bit: 0x10, KernelVersion(4, 10), commit: "8fae47705685 audit: add support for session ID user filter",
             source: "committed 2016-11-29 for the 4.10 merge window (\(zx2c4)); audit-userspace issue 24 (rgbriggs: kernel v4.10 8fae477)"),
        Fact(.feature, "LOST_RESET", bit: 0x20, KernelVersion(4, 11), commit: "92c82e8a322b audit: add feature audit_lost reset",
             source: "pulled in b8989bccd6a0 (2017-02-21, stable-4.11: \"the audit changes for v4.11\"; \(zx2c4)); audit-kernel issue 3"),
        Fact(.feature, "FILTER_FS", bit: 0x40, KernelVersion(4, 15), commit: "42d5e37654e4 audit: filter PATH records keyed on filesystem magic",
             source: "pulled in f9bab2677ac7 (2017-11-15, audit-pr-20171113, the 4.15 merge window; \(zx2c4))"),

        Fact(.field, "exe", KernelVersion(4, 3), feature: "EXECUTABLE_PATH", commit: "34d99af52ad4 (AUDIT_EXE 112)",
             source: "with EXECUTABLE_PATH; RHEL 7 backported it to 3.10.0-351.el7 (audit-testsuite issue 50)"),
        Fact(.field, "sessionid", KernelVersion(4, 10), feature: "SESSIONID_FILTER", commit: "8fae47705685 (AUDIT_SESSIONID 25)",
             source: "with SESSIONID_FILTER"),
        Fact(.field, "fstype", KernelVersion(4, 15), feature: "FILTER_FS", commit: "42d5e37654e4 (AUDIT_FSTYPE 26)",
             source: "with FILTER_FS"),
        Fact(.field, "saddr_fam", KernelVersion(5, 3), commit: "in the audit pull 61fc5771f5e7 (AUDIT_SADDR_FAM 113)",
             source: "audit-kernel issue 114 (rgbriggs: merged for v5.3-rc1 in 61fc5771f5e7); go-libaudit issue 144 cites that commit for saddr_fam; no feature bit, so libaudit sends it and the kernel refuses it"),
        Fact(.list, "filesystem", KernelVersion(4, 15), feature: "FILTER_FS", commit: "42d5e37654e4 (AUDIT_FILTER_FS 6)",
             source: "with FILTER_FS: libaudit refuses a field on the list without it (EAU_FILTERNOSUPPORT)"),
        Fact(.list, "io_uring", KernelVersion(5, 16), commit: "audit: add filtering for io_uring records (AUDIT_FILTER_URING_EXIT 7)",
             source: "posted with the io_uring audit series (linux-audit list, v4, 2021-09); the series' 5bd2182d58e9 was committed 2021-09-19 (\(zx2c4)), so 5.16 is dated by commit date and merge window, not by a merge seen; no feature bit"),
        Fact(.fieldOffExit, "exe", KernelVersion(4, 19), commit: "29c1372 audit: allow other filter list types for AUDIT_EXE",
             source: "audit-kernel issue 54 (rgbriggs: upstream since 4.19-rc1); before it audit_field_valid took exe on the exit list only"),
        Fact(.fieldNotEqual, "exe", KernelVersion(4, 18), commit: "23bcc48 audit: allow not equal op for audit by executable",
             source: "audit-kernel issue 53 (rgbriggs: upstream since 4.18-rc1)"),
    ]

    /// The release from which a kernel has every fact: the parser's checks end here for newer targets.
    public static let everyFactFrom: KernelVersion = facts.map(\.first).max() ?? KernelVersion(0, 0)

    /// The fact of `kind` about `name`, if there is one.
    public static func fact(_ kind: Fact.Kind, _ name: String) -> Fact? {
        facts.first { $0.kind == kind && $0.name == name }
    }

    /// The release from which the kernel reports feature `name` (AUDIT_FEATURE_BITMAP_ without the prefix).
    public static func firstRelease(ofFeature name: String) -> KernelVersion? {
        fact(.feature, name)?.first
    }

    /// The first release with AUDIT_FEATURE_BITMAP_EXCLUDE_EXTEND (a row of `facts`; tests hold it there).
    public static let excludeExtend: KernelVersion = firstRelease(ofFeature: "EXCLUDE_EXTEND")!

    /// The feature bits a mainline kernel of `release` reports (nil: a kernel newer than all).
    public static func featureBitmap(at release: KernelVersion?) -> UInt32 {
        facts.filter { f in f.kind == .feature && (release.map { f.first <= $0 } ?? true) }.reduce(0) { $0 | $1.bit }
    }

    /// The facts a kernel of `release` lacks (nil release: none), for `kind`.
    public static func missing(_ kind: Fact.Kind, _ name: String, at release: KernelVersion?) -> Fact? {
        guard let release, release < everyFactFrom, let f = fact(kind, name), release < f.first else { return nil }
        return f
    }

    // MARK: What the kernel refuses in every release aurules covers

    /// audit_field_valid's list rules that no release changes: a field taken on some lists only,
    /// a list that takes some fields only, a field a list refuses, and the lists refused whole.
    /// FieldKernelTests checks each against the running kernel.
    public static let fieldOnlyOn: [String: [String]] = [
        // `if (entry->rule.listnr != AUDIT_FILTER_EXCLUDE && ... != AUDIT_FILTER_USER) return -EINVAL`
        "msgtype": ["user", "exclude"],
        // `if (entry->rule.listnr != AUDIT_FILTER_FS) return -EINVAL`
        "fstype": ["filesystem"],
    ]
    /// The filesystem list takes fstype and the key only (`case AUDIT_FILTER_FS: switch (f->type)`).
    public static let listTakesOnly: [String: [String]] = ["filesystem": ["fstype", "key"]]
    /// perm is refused on the io_uring list (`if (entry->rule.listnr == AUDIT_FILTER_URING_EXIT)`).
    public static let listRefuses: [String: [String]] = ["io_uring": ["perm"]]
    /// The entry list was removed from the kernel (audit_to_entry_common refuses it: EINVAL).
    public static let refusedLists: [String] = ["entry"]

    /// Whether the kernel refuses field `field` (auditctl's canonical name) on list `list`,
    /// whatever the release (the release-dependent facts are `missing`).
    public static func refuses(field: String, on list: String) -> Bool {
        if refusedLists.contains(list) { return true }
        if let only = fieldOnlyOn[field], !only.contains(list) { return true }
        if let only = listTakesOnly[list], !only.contains(field) { return true }
        return listRefuses[list]?.contains(field) ?? false
    }
}
