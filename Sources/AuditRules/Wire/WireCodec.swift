/// `struct audit_rule_data`, the payload of AUDIT_ADD_RULE, AUDIT_DEL_RULE and every
/// AUDIT_LIST_RULES reply, in the host's byte order (netlink never crosses machines).
///
/// Layout: flags, action, field_count, mask[64], fields[64], values[64], fieldflags[64], buflen
/// (1040 bytes in all), then `buflen` bytes of string values, packed in field order without
/// terminators; a string field's `values[i]` is its length in that buffer.
public enum WireCodec {
    public static let headerSize = 1040

    static let flagsOffset = 0
    static let actionOffset = 4
    static let fieldCountOffset = 8
    static let maskOffset = 12
    static let fieldsOffset = maskOffset + 4 * KernelRule.maskWords
    static let valuesOffset = fieldsOffset + 4 * KernelRule.maxFields
    static let fieldFlagsOffset = valuesOffset + 4 * KernelRule.maxFields
    static let bufLenOffset = fieldFlagsOffset + 4 * KernelRule.maxFields

    /// The field ids whose value travels as a string in `buf`: the kernel packs exactly these
    /// (SELinux subj_*/obj_* labels, watch path, dir, exe, filter key) when it lists rules.
    public static let stringFieldIDs: Set<UInt32> = Set(FieldTable.all.filter { $0.kind == .string }.map(\.id))

    /// `stringFieldIDs` below 256 as a bitmap: asked for every field of every rule decoded.
    static let stringFieldBits: [UInt64] = (0 ..< 4).map { (word: UInt32) -> UInt64 in
        stringFieldIDs.filter { $0 / 64 == word }.reduce(UInt64(0)) { bits, id in bits | (1 as UInt64) << UInt64(id % 64) }
    }

    public static func carriesString(_ fieldID: UInt32) -> Bool {
        guard fieldID < 256 else { return stringFieldIDs.contains(fieldID) }
        return stringFieldBits[Int(fieldID / 64)] & (1 as UInt64) << UInt64(fieldID % 64) != 0
    }

    public static func encode(_ rule: KernelRule) -> [UInt8] {
        var strings: [UInt8] = []
        var out = [UInt8](repeating: 0, count: headerSize)
        out.withUnsafeMutableBytes { raw in
            func put(_ v: UInt32, _ offset: Int) { raw.storeBytes(of: v, toByteOffset: offset, as: UInt32.self) }
            put(rule.list.kernelValue, flagsOffset)
            put(rule.action.kernelValue, actionOffset)
            put(UInt32(rule.fields.count), fieldCountOffset)
            for (i, word) in rule.mask.prefix(KernelRule.maskWords).enumerated() { put(word, maskOffset + 4 * i) }
            for (i, f) in rule.fields.prefix(KernelRule.maxFields).enumerated() {
                put(f.id, fieldsOffset + 4 * i)
                put(f.op.kernelValue, fieldFlagsOffset + 4 * i)
                if carriesString(f.id) {
                    let bytes = f.string?.bytes ?? []
                    strings += bytes
                    put(UInt32(bytes.count), valuesOffset + 4 * i)
                } else {
                    put(f.value, valuesOffset + 4 * i)
                }
            }
            put(UInt32(strings.count), bufLenOffset)
        }
        return out + strings
    }

    /// String values are read as UTF-8; a value that is not (the kernel stores any bytes) comes
    /// back with replacement characters and would not re-encode to the same bytes.
    public static func decode(_ bytes: [UInt8]) throws -> KernelRule {
        try bytes.withUnsafeBytes { raw in try decode(raw) }
    }

    public static func decode(_ raw: UnsafeRawBufferPointer) throws -> KernelRule {
        guard raw.count >= headerSize else {
            throw WireError("audit_rule_data is \(raw.count) bytes, shorter than its \(headerSize)-byte header")
        }
        func get(_ offset: Int) -> UInt32 { raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self) }
        let flags = get(flagsOffset)
        guard let list = FilterList(kernelValue: flags) else {
            throw WireError("unknown filter list in flags 0x\(String(flags, radix: 16))")
        }
        let actionValue = get(actionOffset)
        guard let action = RuleAction(kernelValue: actionValue) else {
            throw WireError("unknown rule action \(actionValue)")
        }
        let count = Int(get(fieldCountOffset))
        guard count <= KernelRule.maxFields else {
            throw WireError("field_count \(count) exceeds \(KernelRule.maxFields)")
        }
        let bufLen = Int(get(bufLenOffset))
        // Netlink may pad the payload to a 4-byte boundary; anything beyond that is not a rule.
        guard raw.count >= headerSize + bufLen, raw.count - (headerSize + bufLen) < 4 else {
            throw WireError("buflen \(bufLen) does not match the \(raw.count - headerSize) bytes after the header")
        }
        // The 64 mask words in one copy (the host's byte order is the kernel's).
        let mask = [UInt32](unsafeUninitializedCapacity: KernelRule.maskWords) { words, count in
            UnsafeMutableRawBufferPointer(words).copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[maskOffset ..< maskOffset + 4 * KernelRule.maskWords]))
            count = KernelRule.maskWords
        }
        var fields: [KernelField] = []
        fields.reserveCapacity(count)
        var cursor = headerSize
        for i in 0..<count {
            let id = get(fieldsOffset + 4 * i)
            let value = get(valuesOffset + 4 * i)
            let opValue = get(fieldFlagsOffset + 4 * i)
            guard let op = FieldOperator(kernelValue: opValue) else {
                throw WireError("field \(i) (id \(id)) has unknown operator 0x\(String(opValue, radix: 16))")
            }
            if carriesString(id) {
                let length = Int(value)
                guard cursor + length <= headerSize + bufLen else {
                    throw WireError("field \(i) (id \(id)) claims \(length) string bytes beyond buflen \(bufLen)")
                }
                let text = RulesText(UnsafeRawBufferPointer(rebasing: raw[cursor ..< cursor + length]))
                cursor += length
                fields.append(KernelField(id: id, op: op, string: text))
            } else {
                fields.append(KernelField(id: id, op: op, value: value))
            }
        }
        guard cursor == headerSize + bufLen else {
            throw WireError("string fields use \(cursor - headerSize) of buflen \(bufLen) bytes")
        }
        return KernelRule(list: list, action: action, mask: mask, fields: fields)
    }
}

public struct WireError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "malformed audit_rule_data: \(message)" }
}
