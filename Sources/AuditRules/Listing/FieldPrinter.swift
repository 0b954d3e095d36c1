import Syscalls

/// One field of a rule as `auditctl -l` prints it: the listing and the drift report print
/// fields through it.
struct FieldPrinter {
    let version: AuditVersion

    /// With a leading space (` -F auid>=1000`); `watch` prints path, perm and key as `-w`,
    /// `-p`, `-k` do.
    func text(_ f: KernelField, watch: Bool) -> String {
        let op = f.op.rawValue
        let signed = Int32(bitPattern: f.value)
        let s = f.string ?? ""
        guard let name = FieldTable.spec(id: f.id)?.name else {
            return " f\(f.id)\(op)\(signed)"
        }
        switch f.id {
        case FieldID.arch:
            guard ArchNames.abi(elf: f.value, version: version) != nil else { return " -F arch\(op)0x\(hex(f.value))" }
            return " -F arch\(op)\(f.value & 0x8000_0000 != 0 ? "b64" : "b32")"
        case FieldID.msgtype:
            return " -F \(name)\(op)" + (MessageTypeTable.name(of: f.value, version: version) ?? String(signed))
        case FieldID.subjUser...FieldID.objLevHigh where f.id != FieldID.ppid:
            return " -F \(name)\(op)\(s)"
        case FieldID.path, FieldID.dir, FieldID.exe:
            if watch && f.id != FieldID.exe { return "-w \(s)" }
            // auditctl 3.0.9 prints these with = whatever the operator (exe!= lists as exe=).
            return " -F \(name)\(!version.isAudit4 ? "=" : op)\(s)"
        case FieldID.key:
            return s.split(separator: "\u{01}", omittingEmptySubsequences: true)
                .map { watch ? " -k \($0)" : " -F key=\($0)" }.joined()
        case FieldID.perm:
            let letters = Permissions(rawValue: f.value).letters
            return watch ? " -p \(letters)" : " -F perm=\(letters)"
        case FieldID.inode:
            return " -F \(name)\(op)\(f.value)"
        case FieldID.fieldCompare:
            guard let pair = ComparisonTable.fields(of: f.value) else { return "" }
            return " -C \(pair.left)\(op)\(pair.right)"
        case FieldID.arg0...FieldID.arg3:
            return " -F \(name)\(op)0x\(hex(f.value))"
        case FieldID.exit:
            if signed < 0, signed != Int32.min, let e = ErrnoTable.name(of: -signed) { return " -F \(name)\(op)-\(e)" }
            return " -F \(name)\(op)\(signed)"
        case FieldID.fstype:
            return " -F \(name)\(op)" + (FileSystemTypeTable.name(of: f.value, version: version) ?? String(signed))
        default:
            return " -F \(name)\(op)\(signed)"
        }
    }
}
