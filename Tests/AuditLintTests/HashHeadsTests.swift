@testable import AuditLint
import XCTest

/// AUR502's map from the hash of a set of field numbers to its first group: the same answers as
/// a Dictionary, through growth, overwrites and keys that share their low or high bits.
final class HashHeadsTests: XCTestCase {
    func testAnswersAsADictionary() {
        var heads = HashHeads()
        var expected: [Int: Int32] = [:]
        XCTAssertNil(heads.value(0))
        var keys: [Int] = [0, -1, Int.min, Int.max]
        for i in 0 ..< 3000 {
            keys.append(i << 40)
            keys.append(i)
            keys.append(i &* 0x1E37_79B9_7F4A_7C15)
        }
        for (n, key) in keys.enumerated() {
            heads.set(key, Int32(n))
            expected[key] = Int32(n)
            if n % 7 == 0 {
                heads.set(keys[n / 2], Int32(100_000 + n))
                expected[keys[n / 2]] = Int32(100_000 + n)
            }
        }
        for key in keys { XCTAssertEqual(heads.value(key), expected[key], "key \(key)") }
        for absent in [1 << 62, 12345 << 41, -2] where expected[absent] == nil { XCTAssertNil(heads.value(absent)) }
    }
}
