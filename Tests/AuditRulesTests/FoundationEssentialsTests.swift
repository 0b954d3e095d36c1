import AuditRules
import Foundation
import Syscalls
import XCTest

/// The package links FoundationEssentials only; what replaced full Foundation's JSONSerialization,
/// `trimmingCharacters`, `String(format:)` and NSString's path helpers must give what they gave.
/// The tests link full Foundation, which is the oracle here.
final class FoundationEssentialsTests: XCTestCase {
    private var random = SplitMix64(state: 0x5EED_0013)

    private func oracle(_ object: Any, slashes: Bool = true) throws -> String {
        var options: JSONSerialization.WritingOptions = [.prettyPrinted, .sortedKeys]
        if !slashes { options.insert(.withoutEscapingSlashes) }
        return Self.controlsEscaped(String(decoding: try JSONSerialization.data(withJSONObject: object, options: options), as: UTF8.self))
    }

    /// JSONSerialization's text with JSONText's one difference applied: DEL and the C1 controls,
    /// which it writes raw (they occur in its output only inside strings), as `\u00XX`.
    private static func controlsEscaped(_ s: String) -> String {
        var out = ""
        for u in s.unicodeScalars {
            if u.value == 0x7F || (0x80 ... 0x9F).contains(u.value) { out += "\\u00" + String(u.value, radix: 16) } else { out.unicodeScalars.append(u) }
        }
        return out
    }

    private func pick<T>(_ items: [T]) -> T { items[Int(random.next() % UInt64(items.count))] }

    private func randomString(_ alphabet: [String], maxLength: Int) -> String {
        (0 ..< Int(random.next() % UInt64(maxLength + 1))).map { _ in pick(alphabet) }.joined()
    }

    /// Keys from identifiers, digits, punctuation and case pairs: the sorted order is Foundation's.
    private static let keyAlphabet = ["a", "b", "z", "A", "B", "Z", "1", "2", "9", "_", "$", "-", ".", " "]
    private static let valueAlphabet = ["a", "/", "\\", "\"", "\n", "\t", "\r", "\u{8}", "\u{c}", "\u{1}", "\u{1f}", "\u{7f}",
                                        "\u{9b}", "é", "e\u{301}", "\u{2028}", "😀", " ", "\u{0}"]

    private func randomValue(depth: Int) -> Any {
        switch random.next() % (depth > 2 ? 6 : 8) {
        case 0: return randomString(Self.valueAlphabet, maxLength: 8)
        case 1: return random.next() % 2 == 0
        case 2: return Int(truncatingIfNeeded: random.next()) >> Int(random.next() % 64)
        case 3: return Double(random.next() % 2_000_000) / 1000
        case 4: return pick([0.1, 1e20, -0.0, 2.5, 1e-7, 123456.789, 9007199254740993.0, 1e16])
        case 5: return JSONText.null
        case 6: return (0 ..< Int(random.next() % 4)).map { _ in randomValue(depth: depth + 1) }
        default: return randomObject(depth: depth + 1)
        }
    }

    private func randomObject(depth: Int) -> [String: Any] {
        var object: [String: Any] = [:]
        for _ in 0 ..< Int(random.next() % 12) {
            object[randomString(Self.keyAlphabet, maxLength: 5)] = randomValue(depth: depth)
        }
        return object
    }

    /// Foundation's NSNull in the oracle's copy where JSONText has its null.
    private func forOracle(_ value: Any) -> Any {
        switch value {
        case is JSONNull: return NSNull()
        case let a as [Any]: return a.map(forOracle)
        case let d as [String: Any]: return d.mapValues(forOracle)
        default: return value
        }
    }

    func testJSONTextWritesWhatJSONSerializationWrote() throws {
        for round in 0 ..< 400 {
            let object = randomObject(depth: 0)
            let slashes = round % 2 == 0
            XCTAssertEqual(JSONText.render(object, escapingSlashes: slashes), try oracle(forOracle(object), slashes: slashes),
                           "round \(round)")
        }
    }

    /// An array written one element at a time under a key (`apply --format json`'s changes) is
    /// byte for byte the document with the whole array in it, and a long one goes out in pieces
    /// of about 64 KiB, each ending after an element.
    func testStreamedArrayIsWrittenAsTheWholeDocument() throws {
        for round in 0 ..< 300 {
            var object = randomObject(depth: 1)
            let key = round % 3 == 0 ? "changes" : randomString(Self.keyAlphabet, maxLength: 5)
            let count = round % 50 == 0 ? 3000 : Int(random.next() % 6)
            let elements = (0 ..< count).map { _ in randomValue(depth: 1) }
            object[key] = nil
            var pieces: [String] = []
            let slashes = round % 2 == 0
            XCTAssertTrue(JSONText.render(object, streaming: key, elements: { element in elements.forEach(element) },
                                          escapingSlashes: slashes, into: { pieces.append($0) }), "round \(round)")
            var whole = object
            whole[key] = elements
            XCTAssertEqual(pieces.joined(), JSONText.render(whole, escapingSlashes: slashes), "round \(round)")
            XCTAssertEqual(pieces.joined(), try oracle(forOracle(whole), slashes: slashes), "round \(round)")
            if count == 3000 {
                XCTAssertGreaterThan(pieces.count, 2, "round \(round)")
                XCTAssertTrue(pieces.allSatisfy { $0.utf8.count < 1 << 17 }, "round \(round)")
            }
        }
        // A value the whole render refuses stops the stream with false.
        XCTAssertFalse(JSONText.render([:], streaming: "k", elements: { element in element(Double.nan) }, into: { _ in }))
    }

    /// A value JSON cannot hold, in the middle of the streamed array (after pieces would have gone
    /// out) or among the object's other values (before or after the array), leaves no output at
    /// all: never a partial document after the exit 2.
    func testRefusedStreamedValueWritesNothing() throws {
        let long = (0 ..< 6000).map { i -> Any in ["change": "add", "rule": String(repeating: "x", count: 40), "n": i] }
        var middle = long
        middle[4000] = ["change": "add", "n": Double.infinity]
        let arrays: [[Any]] = [[1, 2, Double.nan, 4], middle, [1, [2, [Float.nan]]]]
        for elements in arrays {
            var pieces: [String] = []
            XCTAssertFalse(JSONText.render(["a": 1, "z": 2], streaming: "changes", elements: { element in elements.forEach(element) },
                                           into: { pieces.append($0) }))
            XCTAssertEqual(pieces.joined().utf8.count, 0, "\(elements.count) elements")
        }
        for object: [String: Any] in [["a": Double.nan], ["zz": [1, Double.nan]], ["a": 1, "zz": Date()]] {
            var pieces: [String] = []
            XCTAssertFalse(JSONText.render(object, streaming: "changes", elements: { element in long.forEach(element) },
                                           into: { pieces.append($0) }))
            XCTAssertEqual(pieces.joined().utf8.count, 0, "\(object)")
        }
    }

    /// Objects of strings (apply's changes) are never refused: written in one pass, as the same
    /// document the general form writes.
    func testStreamedStringObjectsAreWrittenInOnePass() throws {
        let strings = (0 ..< 3000).map { i in ["change": "add", "rule": "-w /x\(i)/ -p wa", "source": "f:\(i)"] }
        var typed: [String] = [], general: [String] = []
        var calls = 0
        XCTAssertTrue(JSONText.render(["a": 1], streaming: "changes", stringObjects: { element in calls += 1; strings.forEach(element) },
                                      into: { typed.append($0) }))
        XCTAssertTrue(JSONText.render(["a": 1], streaming: "changes", elements: { element in strings.forEach(element) },
                                      into: { general.append($0) }))
        XCTAssertEqual(calls, 1)
        XCTAssertEqual(typed.joined(), general.joined())
        XCTAssertEqual(typed.joined(), JSONText.render(["a": 1, "changes": strings]))
        var refused: [String] = []
        XCTAssertFalse(JSONText.render(["a": 1, "z": Double.nan], streaming: "changes", stringObjects: { element in strings.forEach(element) },
                                       into: { refused.append($0) }))
        XCTAssertEqual(refused.joined().utf8.count, 0)
    }

    func testJSONTextEdgeCases() throws {
        let cases: [[String: Any]] = [
            [:], ["a": [Any]()], ["a": [String: Any]()], ["a": [[String: Any]()]], ["k": [1, [2, [3]]]],
            ["$schema": 1, "runs": 2, "version": "2.1.0", "ruleId": 3, "ruleIndex": 4, "dry_run": true, "deleted": 0,
             "kept": 1, "kernel_writes": 2, "not_set": [], "settings_changed": 0, "seconds": 0.031, "firstIsCoverageStart": false,
             "first": "3.10", "startColumn": 1, "startLine": 2, "endColumn": 3, "helpUri": "https://x/y", "help": ["text": "t"]],
            ["a10": 0, "a9": 0, "a09": 0, "A9": 0, "aB": 0, "Ab": 0, "ab": 0, "5.10": 0, "5.4": 0, "x": Int64.min, "y": UInt64.max],
        ]
        for object in cases {
            XCTAssertEqual(JSONText.render(object), try oracle(forOracle(object)))
            XCTAssertEqual(JSONText.render(object, escapingSlashes: false), try oracle(forOracle(object), slashes: false))
        }
        XCTAssertNil(JSONText.render(["a": Double.nan]))
        XCTAssertNil(JSONText.render(["a": Date()]))
    }

    /// No control character reaches the JSON raw (C0, DEL, C1), and a JSON reader reads every one
    /// back: the escapes lose nothing.
    func testJSONTextEscapesEveryControlCharacter() throws {
        let controls = (0 ..< 0x20).map { Unicode.Scalar(UInt8($0)) } + [Unicode.Scalar(UInt8(0x7F))] + (0x80 ... 0x9F).map { Unicode.Scalar(UInt8($0)) }
        let value = "a" + String(String.UnicodeScalarView(controls)) + "é\u{a0}z"
        let rendered = try XCTUnwrap(JSONText.render(["k": value, value: [value]]))
        for u in rendered.unicodeScalars {
            XCTAssertFalse(u.value < 0x20 && u.value != 0x0A && u.value != 0x20 || u.value == 0x7F || (0x80 ... 0x9F).contains(u.value),
                           "raw U+\(String(u.value, radix: 16)) in \(rendered.debugDescription)")
        }
        XCTAssertTrue(rendered.contains("\\u007f\\u0080"), rendered)
        XCTAssertTrue(rendered.contains("\\u009f\u{e9}\u{a0}z"), "other characters stay as they are: \(rendered)")
        let back = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(rendered.utf8)) as? [String: Any])
        XCTAssertEqual(back["k"] as? String, value)
        XCTAssertEqual(back[value] as? [String], [value])
    }

    func testTrimmingMatchesFoundation() {
        let alphabet = ["a", " ", "\t", "\n", "\r", "\u{a0}", "\u{3000}", "\u{2028}", "\u{85}", "\u{b}", "é", "e\u{301}", " \u{301}", "\u{200b}", "\u{180e}", "\u{1680}", "\u{202f}", "\u{205f}", "\u{feff}", "\u{2009}", "\u{200c}"]
        for _ in 0 ..< 2000 {
            let s = randomString(alphabet, maxLength: 8)
            XCTAssertEqual(s.trimmingWhitespace(), s.trimmingCharacters(in: .whitespaces), s.debugDescription)
            XCTAssertEqual(s.dropFirst().trimmingWhitespace(), s.dropFirst().trimmingCharacters(in: .whitespaces))
            XCTAssertEqual(s.trimming(where: \.isLineBreak), s.trimmingCharacters(in: .newlines), s.debugDescription)
        }
    }

    /// NSString traps on a doubled slash before a non-ASCII name ("/a//é", a watch path `lint`
    /// once crashed on) and on some paths that start with several slashes ("///.//"), so the
    /// random paths are ASCII with one leading slash, and the others are checked here.
    func testPathHelpersMatchNSString() {
        XCTAssertEqual(deletingLastPathComponent("/a//é"), "/a")
        XCTAssertEqual(deletingLastPathComponent("//é"), "/")
        XCTAssertEqual(deletingLastPathComponent("/é/a/"), "/é")
        XCTAssertEqual(deletingLastPathComponent("///.//"), "/")
        for _ in 0 ..< 2000 {
            let path = "/" + randomString(["/", "a", "b", ".", "..", " "], maxLength: 8)
            if path.hasPrefix("//") { continue }
            XCTAssertEqual(deletingLastPathComponent(path), (path as NSString).deletingLastPathComponent, path)
            let directory = randomString(["/", "a", "."], maxLength: 5)
            XCTAssertEqual(appendingPathComponent(directory, "x.rules"), (directory as NSString).appendingPathComponent("x.rules"), directory)
        }
    }

    func testFixedPointMatchesStringFormat() {
        var values: [Double] = [0, -0.0, 0.005, 0.015, 0.125, 2.675, 1e15 + 0.5, 1_764_650_000.1235, -3.14159, 1e300]
        for _ in 0 ..< 2000 { values.append(Double(Int64(truncatingIfNeeded: random.next()) % 10_000_000_000) / 4096) }
        for v in values {
            XCTAssertEqual(fixedPoint(v, decimals: 2), String(format: "%.2f", v))
            XCTAssertEqual(fixedPoint(v, decimals: 3), String(format: "%.3f", v))
        }
    }
}
