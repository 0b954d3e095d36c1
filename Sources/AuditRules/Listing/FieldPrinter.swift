import Syscalls

/// One field of a rule as `auditctl -l` prints it: the listing and the drift report print
/// fields through it. String fields (keys, paths, labels) are printed as the kernel holds
/// them, byte for byte, as auditctl prints them.
struct FieldPrinter {
    let version: AuditVersion

    /// With a leading space (` -F auid>=1000`); `watch` prints path, perm and key as `-w`,
    /// `-p`, `-k` do.
    func text(_ f: KernelField, watch: Bool) -> RulesText {
        var out: [UInt8] = []
        append(f, watch: watch, to: &out)
        return RulesText(out)
    }

    func append(_ f: KernelField, watch: Bool, to out: inout [UInt8]) {
        let op = f.op.rawValue
        let signed = Int32(bitPattern: f.value)
        let s = f.string ?? ""
        guard let name = FieldTable.spec(id: f.id)?.name else {
            return out.write(" f\(f.id)\(op)\(signed)")
        }
        switch f.id {
        case FieldID.arch:
            guard ArchNames.abi(elf: f.value, version: version) != nil else { return out.write(" -F arch\(op)0x\(hex(f.value))") }
            out.write(" -F arch\(op)\(f.value & 0x8000_0000 != 0 ? "b64" : "b32")")
        case FieldID.msgtype:
            out.write(" -F \(name)\(op)" + (MessageTypeTable.name(of: f.value, version: version) ?? String(signed)))
        case FieldID.subjUser...FieldID.objLevHigh where f.id != FieldID.ppid:
            out.write(" -F \(name)\(op)")
            out.write(s)
        case FieldID.path, FieldID.dir, FieldID.exe:
            if watch && f.id != FieldID.exe {
                out.write("-w ")
                out.write(s)
                return
            }
            // auditctl 3.0.9 prints these with = whatever the operator (exe!= lists as exe=).
            out.write(" -F \(name)\(!version.isAudit4 ? "=" : op)")
            out.write(s)
        case FieldID.key:
            for part in s.split(separator: 0x01, omittingEmptySubsequences: true) {
                out.write(watch ? " -k " : " -F key=")
                out.append(contentsOf: part)
            }
        case FieldID.perm:
            let letters = Permissions(rawValue: f.value).letters
            out.write(watch ? " -p \(letters)" : " -F perm=\(letters)")
        case FieldID.inode:
            out.write(" -F \(name)\(op)\(f.value)")
        case FieldID.fieldCompare:
            guard let pair = ComparisonTable.fields(of: f.value) else { return }
            out.write(" -C \(pair.left)\(op)\(pair.right)")
        case FieldID.arg0...FieldID.arg3:
            out.write(" -F \(name)\(op)0x\(hex(f.value))")
        case FieldID.exit:
            if signed < 0, signed != Int32.min, let e = ErrnoTable.name(of: -signed) { return out.write(" -F \(name)\(op)-\(e)") }
            out.write(" -F \(name)\(op)\(signed)")
        case FieldID.fstype:
            out.write(" -F \(name)\(op)" + (FileSystemTypeTable.name(of: f.value, version: version) ?? String(signed)))
        default:
            out.write(" -F \(name)\(op)\(signed)")
        }
    }
}
