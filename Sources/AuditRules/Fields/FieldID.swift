/// The AUDIT_* field numbers of `<linux/audit.h>` (what `audit_rule_data.fields[i]` holds),
/// named by their lower-case constant names. `path` is AUDIT_WATCH, `auid` is AUDIT_LOGINUID,
/// `key` is AUDIT_FILTERKEY; both spellings are given where auditctl's name differs.
public enum FieldID {
    public static let pid: UInt32 = 0
    public static let uid: UInt32 = 1
    public static let euid: UInt32 = 2
    public static let suid: UInt32 = 3
    public static let fsuid: UInt32 = 4
    public static let gid: UInt32 = 5
    public static let egid: UInt32 = 6
    public static let sgid: UInt32 = 7
    public static let fsgid: UInt32 = 8
    public static let loginuid: UInt32 = 9
    public static let auid: UInt32 = 9
    public static let pers: UInt32 = 10
    public static let arch: UInt32 = 11
    public static let msgtype: UInt32 = 12
    public static let subjUser: UInt32 = 13
    public static let subjRole: UInt32 = 14
    public static let subjType: UInt32 = 15
    public static let subjSen: UInt32 = 16
    public static let subjClr: UInt32 = 17
    public static let ppid: UInt32 = 18
    public static let objUser: UInt32 = 19
    public static let objRole: UInt32 = 20
    public static let objType: UInt32 = 21
    public static let objLevLow: UInt32 = 22
    public static let objLevHigh: UInt32 = 23
    /// Kernel-internal form of `auid=-1` (`auid!=unset`): never sent by auditctl, which has no
    /// name for it; the kernel converts back to `auid` with 4294967295 when listing.
    public static let loginuidSet: UInt32 = 24
    public static let sessionid: UInt32 = 25
    public static let fstype: UInt32 = 26
    public static let devmajor: UInt32 = 100
    public static let devminor: UInt32 = 101
    public static let inode: UInt32 = 102
    public static let exit: UInt32 = 103
    public static let success: UInt32 = 104
    public static let watch: UInt32 = 105
    public static let path: UInt32 = 105
    public static let perm: UInt32 = 106
    public static let dir: UInt32 = 107
    public static let filetype: UInt32 = 108
    public static let objUid: UInt32 = 109
    public static let objGid: UInt32 = 110
    public static let fieldCompare: UInt32 = 111
    public static let exe: UInt32 = 112
    public static let saddrFam: UInt32 = 113
    public static let arg0: UInt32 = 200
    public static let arg1: UInt32 = 201
    public static let arg2: UInt32 = 202
    public static let arg3: UInt32 = 203
    public static let a0: UInt32 = 200
    public static let a1: UInt32 = 201
    public static let a2: UInt32 = 202
    public static let a3: UInt32 = 203
    public static let filterkey: UInt32 = 210
    public static let key: UInt32 = 210
}
