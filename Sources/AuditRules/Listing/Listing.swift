import Syscalls

/// What `auditctl -l` prints for the kernel's rules, character for character, quirks included
/// (see ../shared/reference/auditctl-semantics.md and audit-userspace's auditctl-listing.c).
public enum Listing {
    /// One line per rule (no line terminators), lists in `auditctl -l` order; `["No rules"]`
    /// for an empty rule set, as auditctl prints. `host` is the machine auditctl runs on: it
    /// names the syscalls of rules without an arch field when no earlier rule had one.
    public static func lines(for rules: [KernelRule], host: Machine, auditVersion: AuditVersion = .v3_0_9) -> [RulesText] {
        if rules.isEmpty { return ["No rules"] }
        let order = FilterList.listingOrder
        let sorted = rules.enumerated().sorted { a, b in
            let ia = order.firstIndex(of: a.element.list) ?? order.count
            let ib = order.firstIndex(of: b.element.list) ?? order.count
            return ia != ib ? ia < ib : a.offset < b.offset
        }.map(\.element)
        var printer = RulePrinter(host: host, version: auditVersion)
        return sorted.map { printer.line(for: $0) }
    }

    /// The line for one rule listed on its own (a fresh `auditctl -l` state).
    /// `showingAction`: a never rule shaped like a watch prints as a rule (`-a never,exit -S all
    /// -F path=... -F perm=x`), not as the `-w` line auditctl prints, which hides the action.
    public static func line(for rule: KernelRule, host: Machine, auditVersion: AuditVersion = .v3_0_9,
                            showingAction: Bool = false) -> RulesText {
        var printer = RulePrinter(host: host, version: auditVersion)
        printer.showsAction = showingAction
        return printer.line(for: rule)
    }
}

/// auditctl keeps the arch of the last rule printed with one in a global (`_audit_elf`) and
/// names the syscalls of a later rule without an arch from that table: this carries it.
struct RulePrinter {
    let host: Machine
    let version: AuditVersion
    var lastArch: UInt32 = 0
    /// Never rules print as rules even when shaped like a watch (not auditctl's listing).
    var showsAction = false

    init(host: Machine, version: AuditVersion) {
        self.host = host
        self.version = version
    }

    mutating func line(for rule: KernelRule) -> RulesText {
        let watch = Self.isWatch(rule) && !(showsAction && rule.action == .never)
        let printer = FieldPrinter(version: version)
        var out: [UInt8] = []
        if !watch {
            out.write("-a \(rule.action.rawValue),\(listName(rule.list))")
            for f in rule.fields where f.id == FieldID.arch {
                printer.append(f, watch: false, to: &out)
                lastArch = f.value
            }
            out.write(syscallText(rule))
        }
        for f in rule.fields where f.id != FieldID.arch {
            printer.append(f, watch: watch, to: &out)
        }
        return RulesText(out)
    }

    private func listName(_ list: FilterList) -> String {
        switch list {
        case .user, .task, .exit, .exclude, .filesystem: return list.rawValue
        case .io_uring: return version.loader.has("list", "io_uring") ? "io_uring" : "(null)"
        case .entry: return "(null)"
        }
    }

    /// Watches are rules with only path, dir, perm and key fields, a perm among them, and (on
    /// the lists that take syscalls) every syscall. The action is not looked at.
    static func isWatch(_ rule: KernelRule) -> Bool {
        var perm = false
        for f in rule.fields {
            if f.id == FieldID.perm { perm = true }
            if ![FieldID.perm, FieldID.key, FieldID.dir, FieldID.path].contains(f.id) { return false }
        }
        if !takesSyscalls(rule.list) { return perm }
        return perm && rule.mask.prefix(KernelRule.maskWords - 1).allSatisfy { $0 == UInt32.max }
    }

    private static func takesSyscalls(_ list: FilterList) -> Bool {
        ![.user, .task, .exclude, .filesystem].contains(list)
    }

    private func syscallText(_ rule: KernelRule) -> String {
        if !Self.takesSyscalls(rule.list) { return "" }
        let allWords = rule.list == .io_uring && version.loader.has("list", "io_uring") ? ioUringOpLast : KernelRule.maskWords - 1
        if rule.mask.prefix(allWords).allSatisfy({ $0 == UInt32.max }) { return " -S all" }
        let abi: ABI? = lastArch != 0 ? ArchNames.abi(elf: lastArch, version: version)
            : ArchNames.abi(host: host, version: version)
        var names: [String] = []
        for n in 0..<(32 * KernelRule.maskWords) where rule.hasSyscall(n) {
            // io_uring rules hold io_uring operations: audit 4.x names them from a table of its
            // own, which aurules does not carry, so they print as numbers here.
            let name = rule.list == .io_uring && version.loader.has("list", "io_uring") ? nil
                : abi.flatMap { LibauditNames.name(of: n, abi: $0, version: version) }
            names.append(name ?? String(n))
        }
        return names.isEmpty ? "" : " -S " + names.joined(separator: ",")
    }

    /// IORING_OP_LAST as audit 4.2 compiles it: its listing compares that many mask words.
    private let ioUringOpLast = 37
}

func hex(_ v: UInt32) -> String { String(v, radix: 16, uppercase: true) }

/// libaudit's machine table as the listing uses it: which syscall table an ELF value or a host
/// names, and which ELF values it knows at all (others print as hex and their syscalls as numbers).
enum ArchNames {
    static func abi(elf: UInt32, version: AuditVersion) -> ABI? {
        switch elf {
        case 0x4000_0003: return .i386
        case 0xc000_003e: return .x86_64
        case 0x8000_0015, 0xc000_0015: return .ppc64
        case 0x14: return .ppc
        case 0x8000_0016: return .s390x
        case 0x16: return .s390
        case 0x4000_0028: return .arm
        case 0xc000_00b7: return .aarch64
        case 0xc000_00f3: return version.loader.knows(.riscv64) ? .riscv64 : nil
        case 0x4000_00f3: return version.loader.knows(.riscv64) ? .riscv32 : nil
        default: return nil
        }
    }

    static func abi(host: Machine, version: AuditVersion) -> ABI? {
        switch host {
        case .x86_64: return .x86_64
        case .i386: return .i386
        case .ppc64le, .ppc64: return .ppc64
        case .ppc: return .ppc
        case .s390x: return .s390x
        case .s390: return .s390
        case .aarch64: return .aarch64
        case .arm: return .arm
        case .riscv64: return version.loader.knows(.riscv64) ? .riscv64 : nil
        }
    }
}
