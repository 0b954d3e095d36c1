import AuditRules

extension FoundByParser {
    /// Every code the parser, input reader and compiler report, but AUR005 and AUR007, which the
    /// compiler shares with the lint checks of those codes.
    static let all: [FoundByParser] = syntax + fields + syscalls + watchesAndHost

    static let syntax: [FoundByParser] = [
        FoundByParser(.syntax, "syntax-error", .syntax,
            summary: "a word auditctl cannot read: unknown option, missing value, stray word",
            rationale: """
                auditctl reads a rules line with getopt: an unknown option, an option without its value \
                or a word that belongs to no option makes it print an error ("parameter passed without an \
                option given") and, with -R, stop loading the file: the rules after it are not loaded.
                """,
            examples: [
                LintExample("-a always,exit -F arch=b64 -S openat ↓stray\n", triggers: true),
                LintExample("-a always,exit -F arch=b64 ↓-S\n", triggers: true),
                LintExample("-a always,exit -F arch=b64 -S openat -k files\n", triggers: false),
            ]),
        FoundByParser(.lineLimit, "line-limit", .syntax,
            summary: "a line longer than auditctl reads, or with a NUL byte",
            rationale: """
                auditctl -R reads lines into a fixed buffer: longer lines are split and their pieces read \
                as separate lines; a NUL byte ends the C string, so auditctl never sees what follows it.
                """,
            examples: [
                LintExample("-w /etc/passwd -p wa -k ↓\u{0}id\n", triggers: true),
                LintExample("-w /etc/passwd -p wa -k id\n", triggers: false),
            ]),
        FoundByParser(.tabComment, "misplaced-comment", .syntax,
            summary: "a # comment after a rule, or indented with a tab",
            rationale: """
                A `#` starts a comment only as the first word of a line. auditctl refuses a trailing \
                comment ("parameter passed without an option given") and does not split words at tabs, \
                so a tab-indented `#` line is an error too. Put comments, and aurules suppressions, on lines of their own.
                """,
            examples: [
                LintExample("-w /etc/passwd -p wa ↓# passwords\n", triggers: true),
                LintExample("# passwords\n-w /etc/passwd -p wa\n", triggers: false),
            ]),
        FoundByParser(.ignoredWords, "ignored-words", .syntax,
            summary: "words auditctl refuses or ignores after a setting on the same line",
            rationale: """
                Some options end auditctl's reading of the line: after them it refuses what follows, or \
                applies the option and silently ignores the rest. A rule written after them on the same line \
                is never loaded.
                """,
            examples: [
                LintExample("-c ↓-w /etc/passwd\n", triggers: true),
                LintExample("-c\n-w /etc/passwd\n", triggers: false),
            ]),
        FoundByParser(.misplacedOption, "misplaced-option", .syntax,
            summary: "an option that needs a rule or a watch before it, or two rules on one line",
            rationale: """
                auditctl builds one rule per line: -F needs -a or -w before it, only one of -a/-A/-d and \
                one watch may be given, -D stands alone (or as -D -k KEY). Otherwise auditctl refuses the line.
                """,
            examples: [
                LintExample("↓-F auid=0\n", triggers: true),
                LintExample("-a always,exit -F arch=b64 -S openat ↓-a always,exit\n", triggers: true),
                LintExample("-a always,exit -F arch=b64 -S openat -F auid=0\n", triggers: false),
            ]),
        FoundByParser(.notARule, "not-a-rule", .syntax,
            summary: "an option that queries or acts on the running system, not a rule",
            rationale: """
                -l, -s, -m, -h, -R and the like list rules, print status, send a message or load another \
                file: they do not belong in a rules file. auditctl either fails the line or does nothing useful with it.
                """,
            examples: [
                LintExample("↓-l\n", triggers: true),
                LintExample("-b 8192\n", triggers: false),
            ]),
        FoundByParser(.listAction, "list-action", .syntax,
            summary: "-a/-A/-d without a valid LIST,ACTION pair",
            rationale: """
                The lists are task, exit, user, exclude, filesystem, and io_uring in the releases that \
                have it (see below; older ones refuse it as a "bad keyword"); the actions are always and \
                never. The entry list was removed in 2016 ("bad keyword"). auditctl refuses anything else. \
                The filesystem and io_uring lists need a kernel that has them (see the kernel releases below).
                """,
            examples: [
                LintExample("-a always,↓entry -S openat\n", triggers: true),
                LintExample("-a always,exit -F arch=b64 -S openat\n", triggers: false),
            ]),
        FoundByParser(.numberSuffix, "number-suffix", .syntax,
            summary: "a number followed by other characters, of which auditctl reads only the number",
            rationale: """
                auditctl converts -b, -r and syscall numbers with strtoul/strtol and does not check the \
                end pointer: `-b 8192k` sets 8192, silently dropping the rest.
                """,
            examples: [
                LintExample("-b 8192↓k\n", triggers: true),
                LintExample("-b 8192\n", triggers: false),
            ]),
        FoundByParser(.badNumber, "bad-number", .syntax,
            summary: "a setting whose value is not a number in range",
            rationale: """
                -b, -r and --backlog_wait_time take an unsigned 32-bit number; -e and -f take 0, 1 or 2. \
                auditctl refuses anything else and, with -R, stops loading there.
                """,
            examples: [
                LintExample("-b ↓lots\n", triggers: true),
                LintExample("-f ↓3\n", triggers: true),
                LintExample("-f 1\n", triggers: false),
            ]),
    ]

    static let fields: [FoundByParser] = [
        FoundByParser(.fieldSyntax, "field-syntax", .fields,
            summary: "-F without a field name, operator or value",
            rationale: """
                auditctl splits -F at the first operator it finds (!=, >=, <=, &=, =, >, <, &): without \
                one, or with nothing before or after it, the field is refused.
                """,
            examples: [
                LintExample("-a always,exit -F arch=b64 -S openat -F ↓auid\n", triggers: true),
                LintExample("-a always,exit -F arch=b64 -S openat -F auid=0\n", triggers: false),
            ]),
        FoundByParser(.unknownField, "unknown-field", .fields,
            summary: "a field name auditctl or the target kernel does not know",
            rationale: """
                Field names come from the loader's libaudit field table, which grows with the release \
                (see below); an unknown one is refused ("unknown field"). A field the target kernel \
                release does not have is refused too: by auditctl where libaudit checks the kernel's \
                feature bit ("Field option not supported by kernel"), else by the kernel (see the \
                kernel releases below). \
                Quotes are not understood in rules files, so `-F "auid=0"` names a field `"auid`.
                """,
            examples: [
                LintExample("-a always,exit -F arch=b64 -S openat -F ↓aiud=0\n", triggers: true),
                LintExample("-a always,exit -F arch=b64 -S openat -F auid=0\n", triggers: false),
            ]),
        FoundByParser(.fieldNotOnList, "field-not-on-list", .fields,
            summary: "a field the rule's list does not take",
            rationale: """
                libaudit checks each field against the rule's list first (audit_rule_fieldpair_data: \
                exit-only fields, msgtype on exclude and user, fstype on filesystem, and the exclude list's \
                own field set, which changed between releases and depends on the kernel's exclude-extend \
                feature: see below), then the kernel (audit_field_valid: msgtype, fstype, only fstype and \
                key on the filesystem list, perm not on io_uring, exe on the exit list only before the \
                release below). auditctl or the kernel refuses the rule.
                """,
            examples: [
                LintExample("-a always,exclude -F ↓path=/etc/passwd\n", triggers: true),
                LintExample("-a always,exclude -F msgtype=CWD\n", triggers: false),
            ]),
        FoundByParser(.fieldOperator, "field-operator", .fields,
            summary: "an operator the field does not take",
            rationale: """
                arch, exe, inode, perm, fstype and key take only some operators, checked by libaudit \
                (which ones per release: see below; exe took only = before audit 3.0, and the kernel \
                took only = for it before the release below); the kernel refuses \
                bit operators (& &=) on every field but a0-a3, pers and devminor (EINVAL).
                """,
            examples: [
                LintExample("-a always,exit -F arch↓>=b64 -S openat\n", triggers: true),
                LintExample("-a always,exit -F arch=b64 -S openat\n", triggers: false),
            ]),
        FoundByParser(.fieldValue, "field-value", .fields,
            summary: "a value the field cannot take",
            rationale: """
                Each field has its kind of value: numbers, errno names for exit, message types for \
                msgtype, file types for filetype, b32/b64 or a machine for arch. The kernel rejects \
                uid=-1 (only auid and sessionid may be unset). auditctl or the kernel refuses bad values.
                """,
            examples: [
                LintExample("-a always,exit -F arch=b64 -S openat -F filetype=↓socketz\n", triggers: true),
                LintExample("-a always,exit -F arch=b64 -S openat -F filetype=socket\n", triggers: false),
            ]),
        FoundByParser(.archOrder, "arch-after-syscall", .fields,
            summary: "-F arch= after -S, or on a watch",
            rationale: """
                auditctl looks syscall names up in the table of the arch given earlier in the rule; an \
                arch after -S is refused ("arch must be before -S"), and a watch takes no arch.
                """,
            examples: [
                LintExample("-a always,exit -S openat -F ↓arch=b64\n", triggers: true),
                LintExample("-a always,exit -F arch=b64 -S openat\n", triggers: false),
            ]),
        FoundByParser(.tooManyFields, "too-many-fields", .fields,
            summary: "more than 63 fields in one rule, arch and key included",
            rationale: """
                struct audit_rule_data holds 64 fields (AUDIT_MAX_FIELDS) and auditctl allows 63, the \
                joined key taking one: the 64th is refused ("Too many fields in rule").
                """,
            examples: [
                LintExample("-a always,exit -F arch=b64 -S openat" + String(repeating: " -F a0=1", count: 62) + " -F ↓a1=2\n", triggers: true),
                LintExample("-a always,exit -F arch=b64 -S openat -F a0=1\n", triggers: false),
            ]),
        FoundByParser(.keyPlacement, "key-placement", .fields,
            summary: "-k before anything it could label",
            rationale: """
                auditctl accepts -k only after a syscall (-S), a watch, or a perm, path, dir, exe or \
                fstype field: a key on a rule without them is refused.
                """,
            examples: [
                LintExample("-a always,exit ↓-k early -F arch=b64 -S openat\n", triggers: true),
                LintExample("-a always,exit -F arch=b64 -S openat -k late\n", triggers: false),
            ]),
        FoundByParser(.keyValue, "key-value", .fields,
            summary: "a key too long, with the 0x01 separator, or that looks like an option",
            rationale: """
                All -k and -F key= values of a rule are joined with 0x01 into one field of at most 256 \
                bytes (AUDIT_MAX_KEY_LEN); -k takes the next word as its value even if it starts with '-'.
                """,
            examples: [
                LintExample("-w /etc/passwd -p wa -k ↓-p\n", triggers: true),
                LintExample("-w /etc/passwd -p wa -k passwd\n", triggers: false),
            ]),
        FoundByParser(.comparison, "comparison", .fields,
            summary: "-C that does not compare two uid or two gid fields on the exit list",
            rationale: """
                -C is stored as one AUDIT_COMPARE_* constant: only = and !=, only between two uid fields \
                (auid uid euid suid fsuid obj_uid) or two gid fields, and only on the exit list.
                """,
            examples: [
                LintExample("-a always,exit -F arch=b64 -S openat -C ↓uid=gid\n", triggers: true),
                LintExample("-a always,exit -F arch=b64 -S openat -C uid!=euid\n", triggers: false),
            ]),
    ]

    static let syscalls: [FoundByParser] = [
        FoundByParser(.unknownSyscall, "unknown-syscall", .syscalls,
            summary: "a syscall name no ABI knows",
            rationale: """
                auditctl looks -S names up in libaudit's table of the rule's arch and refuses unknown \
                ones ("Syscall name unknown").
                """,
            examples: [
                LintExample("-a always,exit -F arch=b64 -S ↓opnat\n", triggers: true),
                LintExample("-a always,exit -F arch=b64 -S openat\n", triggers: false),
            ]),
        FoundByParser(.syscallRange, "syscall-number-range", .syscalls,
            summary: "a syscall number outside the kernel's 2048-entry bitmap",
            rationale: """
                The rule's syscall mask is 64 words of 32 bits (AUDIT_BITMASK_SIZE): numbers from 2048 up \
                cannot be set, and auditctl refuses them.
                """,
            examples: [
                LintExample("-a always,exit -F arch=b64 -S ↓4096\n", triggers: true),
                LintExample("-a always,exit -F arch=b64 -S 59\n", triggers: false),
            ]),
        FoundByParser(.syscallPlacement, "syscall-placement", .syscalls,
            summary: "-S on a watch, without a rule, or on a list that has no syscalls",
            rationale: """
                Only the exit list (and io_uring, with operations) filters on syscalls: auditctl refuses \
                -S on task, user, exclude and filesystem rules, and on watches.
                """,
            examples: [
                LintExample("-a always,exclude ↓-S openat\n", triggers: true),
                LintExample("-a always,exit -F arch=b64 -S openat\n", triggers: false),
            ]),
        FoundByParser(.noSyscallOnABI, "no-syscall-on-abi", .syscalls, .compile,
            summary: "none of the rule's syscalls exists on an ABI of the target",
            rationale: """
                A rule whose every syscall is missing on an ABI at the target kernel would have an empty \
                mask there; auditctl refuses such names, so the compiler leaves that ABI's rule out.
                """,
            examples: [
                LintExample("↓-a always,exit -F arch=b32 -S newfstatat -k stat\n", triggers: true),
                LintExample("-a always,exit -F arch=b32 -S newfstatat,fstatat64 -k stat\n", triggers: false),
            ]),
        FoundByParser(.ioUringOperation, "io-uring-operation", .syscalls,
            summary: "an io_uring operation the loader's table does not name",
            rationale: """
                On the io_uring list (audit 3.1 and later), -S takes io_uring operations, not syscalls: \
                auditctl looks each name up in its own io_uring operation table (the same on every ABI, \
                so no -F arch is needed) and refuses the line for a name the table lacks ("io_uring op \
                unknown"). The table changes with the release (4.0 drops send_zc and adds waitid and the \
                futex operations; 4.1 adds bind, listen, ftruncate and more: see below). \
                Older releases have no io_uring list at all (AUR107).
                """,
            examples: [
                LintExample("-a always,io_uring -S ↓execve\n", triggers: true),
                LintExample("-a always,io_uring -S openat,connect -k uring\n", triggers: false),
            ]),
        FoundByParser(.noRuleForTarget, "no-rule-for-target", .syscalls, .compile,
            summary: "a statement that gives no kernel rule at all for a target",
            rationale: """
                When every ABI rule of a statement is left out for a target (its syscalls or its arch \
                do not exist there), loading the output would silently audit less than the source asks. \
                The compiler reports it as an error naming the causes, or as a warning with --allow-drops.
                """,
            examples: [
                LintExample("↓-a always,exit -F arch=b32 -S newfstatat -k stat\n", triggers: true),
                LintExample("-a always,exit -F arch=b64 -S newfstatat -k stat\n", triggers: false),
            ]),
    ]

    static let watchesAndHost: [FoundByParser] = [
        FoundByParser(.watchPath, "watch-path", .watches,
            summary: "a watch path that is relative, or longer than the kernel takes",
            rationale: """
                The kernel refuses a watch whose path does not start with '/' or is longer than PATH_MAX \
                (4096 bytes with its NUL), and a last component longer than NAME_MAX (255).
                """,
            examples: [
                LintExample("-w ↓etc/passwd -p wa\n", triggers: true),
                LintExample("-w /etc/passwd -p wa\n", triggers: false),
            ]),
        FoundByParser(.permissions, "permissions", .watches,
            summary: "-p with letters other than r, w, x, a, or where it cannot apply",
            rationale: """
                Permissions are the four letters r, w, x and a (at most four); -p needs a watch, or on an \
                -a rule another field before it ("Permissions should be preceded by other fields").
                """,
            examples: [
                LintExample("-w /etc/passwd -p ↓wq\n", triggers: true),
                LintExample("-w /etc/passwd -p wa\n", triggers: false),
            ]),
        FoundByParser(.unmatchedDeletion, "unmatched-deletion", .ruleSet, .compile,
            summary: "-d or -W that matches no earlier rule",
            rationale: """
                The kernel deletes only a rule equal to the one given; when none matches it answers \
                ENOENT and auditctl -R stops there ("No rule matches").
                """,
            examples: [
                LintExample("↓-W /etc/passwd -p wa\n", triggers: true),
                LintExample("-w /etc/passwd -p wa\n-W /etc/passwd -p wa\n", triggers: false),
            ]),
        FoundByParser(.unreadableInput, "unreadable-input", .host,
            summary: "an input file or directory that cannot be read",
            rationale: """
                A missing or unreadable rules file means the rules it holds are not checked; aurules \
                exits 2 for it, as for other input errors.
                """,
            examples: [
                LintExample("-w /etc/passwd -p wa\n", triggers: false),
            ]),
        FoundByParser(.emptyRulesDirectory, "empty-rules-directory", .host,
            summary: "a rules.d directory without *.rules files",
            rationale: """
                augenrules reads only files ending in .rules: a directory without them loads no rules.
                """,
            examples: [
                LintExample("-w /etc/passwd -p wa\n", triggers: false),
            ]),
        FoundByParser(.fileName, "file-name", .host,
            summary: "an input file name with a control character",
            rationale: """
                A rules file's name is copied into compiled rules (`# file:line` comments) and into every \
                message: a newline in it could start a live rule there, an escape sequence rewrite a \
                terminal. Such a file is an error whatever it holds; rename it.
                """,
            examples: [
                LintExample("-w /etc/passwd -p wa\n", triggers: false),
            ]),
        FoundByParser(.unknownUser, "unknown-user", .host,
            summary: "a user or group name this host does not know",
            rationale: """
                auditctl resolves user and group names on the loading host (getpwnam, getgrnam) and \
                refuses unknown ones ("Unknown user"): a rule naming a user missing there fails to load.
                """,
            examples: [
                LintExample("-a always,exit -F arch=b64 -S openat -F uid=↓no-such-user-aurules\n", triggers: true),
                LintExample("-a always,exit -F arch=b64 -S openat -F uid=0\n", triggers: false),
            ]),
    ]
}
