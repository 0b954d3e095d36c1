import AuditLint
import XCTest

extension LintStreamingTests {
    /// AUR502 and AUR508 on fields and key parts numbered once for every target
    /// (`FieldNumbering`, the shared store): the findings of each whole rule set numbered on its
    /// own. Arch fields first, repeated and raw; keys in parts shared across lists and actions.
    func testFieldsAndKeyPartsNumberedOnceLintAsWhole() throws {
        let text = """
        -a always,exit -F arch=b64 -S openat -k a -k net
        -a never,exit -F arch=b64 -S openat -F uid=0 -k net
        -a always,exit -S openat -F arch=b64 -F uid=0 -k net -k a
        -a always,exit -F arch=b32 -S openat -F arch=b32 -F uid=0 -k a
        -a always,exit -F arch=b32 -S openat -F arch=b64 -F uid=0 -k b
        -a never,exit -F arch=b32 -S openat -F uid=0 -F uid=0 -k b
        -a always,exit -F arch=3221225534 -S 2 -F gid=1 -k c
        -a never,exit -F arch=3221225534 -S 2 -F gid=1 -k c
        -w /etc/passwd -p wa -k net
        -a never,filesystem -F fstype=debugfs -k a
        -a always,exit -F arch=b64 -S all -F auid>=1000 -k d
        -A always,exit -F arch=b64 -S openat -F auid>=1000 -k d
        -a always,task -F uid=3 -k net -k d
        -d always,exit -F arch=b64 -S openat -F uid=0 -k net -k a
        -a always,exit -S openat -F uid=0 -k net
        """
        try assertSame(try write(text))
    }
}
