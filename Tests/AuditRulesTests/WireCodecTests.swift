import AuditRules
import CLibAudit
import XCTest

final class WireCodecTests: XCTestCase {
    func testHeaderMatchesTheCStruct() {
        XCTAssertEqual(WireCodec.headerSize, MemoryLayout<audit_rule_data>.size)
        XCTAssertEqual(MemoryLayout<audit_rule_data>.offset(of: \audit_rule_data.buflen), 1036)
    }

    /// The string-carrying fields, named as libaudit names them.
    func testStringFieldsAreLibauditsStringFields() {
        let names = ["subj_user", "subj_role", "subj_type", "subj_sen", "subj_clr", "obj_user", "obj_role",
                     "obj_type", "obj_lev_low", "obj_lev_high", "path", "dir", "exe", "key"]
        XCTAssertEqual(Set(names.map { UInt32(audit_name_to_field($0)) }), WireCodec.stringFieldIDs)
        XCTAssertFalse(WireCodec.carriesString(UInt32(audit_name_to_field("fstype"))))
        XCTAssertFalse(WireCodec.carriesString(UInt32(audit_name_to_field("inode"))))
        // The bitmap below 256 and the set above agree with the set everywhere.
        for id in UInt32(0) ..< 1024 { XCTAssertEqual(WireCodec.carriesString(id), WireCodec.stringFieldIDs.contains(id), "field \(id)") }
    }

    func testKernelValuesMapBackExactly() {
        for list in FilterList.allCases { XCTAssertEqual(FilterList(kernelValue: list.kernelValue), list) }
        for op in FieldOperator.allCases { XCTAssertEqual(FieldOperator(kernelValue: op.kernelValue), op) }
        let lists = Set(FilterList.allCases.map(\.kernelValue)), ops = Set(FieldOperator.allCases.map(\.kernelValue))
        for v in UInt32(0) ..< 64 where !lists.contains(v) { XCTAssertNil(FilterList(kernelValue: v), "list \(v)") }
        for v in (UInt32(0) ..< 32).map({ $0 << 27 }) where !ops.contains(v) { XCTAssertNil(FieldOperator(kernelValue: v), "operator \(v)") }
    }

    func testEncodeLayout() {
        var rule = KernelRule(list: .exit, action: .always)
        rule.addSyscall(2)
        rule.addSyscall(257)
        rule.fields = [KernelField(id: 11, op: .equal, value: 0xc000_003e),
                       KernelField(id: 105, op: .equal, string: "/etc/hosts"),
                       KernelField(id: 9, op: .greaterOrEqual, value: 1000),
                       KernelField(id: 210, op: .equal, string: "a\u{01}b")]
        let bytes = WireCodec.encode(rule)
        XCTAssertEqual(bytes.count, 1040 + 10 + 3)
        func word(_ offset: Int) -> UInt32 { bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: UInt32.self) } }
        XCTAssertEqual(word(0), 4)                       // AUDIT_FILTER_EXIT
        XCTAssertEqual(word(4), 2)                       // AUDIT_ALWAYS
        XCTAssertEqual(word(8), 4)
        XCTAssertEqual(word(12), 1 << 2)
        XCTAssertEqual(word(12 + 4 * 8), 1 << 1)         // 257 = word 8, bit 1
        XCTAssertEqual((0..<4).map { word(268 + 4 * $0) }, [11, 105, 9, 210])
        XCTAssertEqual((0..<4).map { word(524 + 4 * $0) }, [0xc000_003e, 10, 1000, 3])
        XCTAssertEqual((0..<4).map { word(780 + 4 * $0) }, [0x4000_0000, 0x4000_0000, 0x6000_0000, 0x4000_0000])
        XCTAssertEqual(word(1036), 13)
        XCTAssertEqual(Array(bytes[1040...]), Array("/etc/hostsa\u{01}b".utf8))
        XCTAssertEqual(try WireCodec.decode(bytes), rule)
        XCTAssertEqual(try WireCodec.decode(bytes).fields[1].string, "/etc/hosts")
    }

    func testDecodeToleratesNetlinkPaddingOnly() throws {
        var rule = KernelRule(list: .exit, action: .never)
        rule.fields = [KernelField(id: 210, op: .equal, string: "k")]
        let bytes = WireCodec.encode(rule)
        XCTAssertEqual(try WireCodec.decode(bytes + [0, 0, 0]), rule)
        XCTAssertThrowsError(try WireCodec.decode(bytes + [0, 0, 0, 0]))
    }

    func testDecodeRejectsMalformedData() {
        var rule = KernelRule(list: .exit, action: .always)
        rule.fields = [KernelField(id: 210, op: .equal, string: "key")]
        let good = WireCodec.encode(rule)
        XCTAssertThrowsError(try WireCodec.decode(Array(good.prefix(1039))))
        func patched(_ offset: Int, _ value: UInt32) -> [UInt8] {
            var b = good
            b.withUnsafeMutableBytes { $0.storeBytes(of: value, toByteOffset: offset, as: UInt32.self) }
            return b
        }
        XCTAssertThrowsError(try WireCodec.decode(patched(0, 0x14)))      // PREPEND never comes back from the kernel
        XCTAssertThrowsError(try WireCodec.decode(patched(4, 1)))         // AUDIT_POSSIBLE
        XCTAssertThrowsError(try WireCodec.decode(patched(8, 65)))
        XCTAssertThrowsError(try WireCodec.decode(patched(780, 0x1234)))  // unknown operator
        XCTAssertThrowsError(try WireCodec.decode(patched(524, 4)))       // key longer than buf
        XCTAssertThrowsError(try WireCodec.decode(patched(524, 2)))       // buf not fully used
        XCTAssertThrowsError(try WireCodec.decode(patched(1036, 9)))      // buflen past the end
    }

    func testEveryOperatorAndListRoundTrips() throws {
        for list in FilterList.allCases {
            for op in FieldOperator.allCases {
                var rule = KernelRule(list: list, action: list == .exit ? .always : .never)
                rule.mask[63] = 0xffff
                rule.fields = [KernelField(id: 200, op: op, value: 0xffff_ffff)]
                XCTAssertEqual(try WireCodec.decode(WireCodec.encode(rule)), rule)
            }
        }
    }
}
