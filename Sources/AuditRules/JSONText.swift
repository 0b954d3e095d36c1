/// The JSON documents built from dictionaries (SARIF, apply, syscall and tables output), written
/// byte for byte as Foundation's `JSONSerialization` wrote them with `[.prettyPrinted, .sortedKeys]`:
/// two-space indentation, `"key" : value`, keys in Foundation's sorted order (see `keyPrecedes`),
/// `\/` unless slashes are kept, and doubles without a trailing `.0`; one difference: DEL and the
/// C1 controls are escaped (`\u007f`), where JSONSerialization wrote them raw. The package links
/// FoundationEssentials only, which has no JSONSerialization; JSONEncoder sorts keys differently.
public enum JSONText {
    /// JSON's `null` in an object or array (NSNull's place).
    public static let null = JSONNull()

    /// `object` (a dictionary with String keys or an array, holding strings, Bools, integers,
    /// doubles, `JSONText.null`, arrays and dictionaries), or nil when it holds anything else.
    public static func render(_ object: Any, escapingSlashes: Bool = true) -> String? {
        var writer = Writer(escapingSlashes: escapingSlashes)
        guard writer.write(object) else { return nil }
        return String(decoding: writer.out, as: UTF8.self)
    }

    /// `render` of `object` with, under `key`, the array whose elements `elements` hands to its
    /// argument one at a time, written a piece of about 64 KiB at a time to `emit` as it is made:
    /// byte for byte what `render` writes of the object holding that array, without the array or
    /// the document ever whole. All or nothing: `elements` is called twice, first to check every
    /// element (and `object`'s other values) before the first byte goes out, then to write them,
    /// so a value `render` refuses gives false with nothing emitted. Both calls must hand the same
    /// elements.
    public static func render(_ object: [String: Any], streaming key: String, elements: ((Any) -> Void) -> Void,
                              escapingSlashes: Bool = true, into emit: (String) -> Void) -> Bool {
        var checker = Writer(escapingSlashes: escapingSlashes)
        guard checker.holds(object, except: key) else { return false }
        var ok = true
        elements { element in
            guard ok else { return }
            ok = checker.write(element)
            checker.out.removeAll(keepingCapacity: true)
        }
        guard ok else { return false }
        return write(object, streaming: key, elements: elements, escapingSlashes: escapingSlashes, into: emit)
    }

    /// `render(_:streaming:elements:)` for elements that are objects of strings, which JSON always
    /// holds: `elements` is called once. False, with nothing emitted, when `object`'s other values
    /// hold a value `render` refuses.
    public static func render(_ object: [String: Any], streaming key: String, stringObjects elements: (([String: String]) -> Void) -> Void,
                              escapingSlashes: Bool = true, into emit: (String) -> Void) -> Bool {
        var checker = Writer(escapingSlashes: escapingSlashes)
        guard checker.holds(object, except: key) else { return false }
        // `elements` does not outlive this call.
        return withoutActuallyEscaping(elements) { elements in
            write(object, streaming: key, elements: { element in elements { element($0) } }, escapingSlashes: escapingSlashes, into: emit)
        }
    }

    /// The streamed document, once its values are checked; false only when `elements` hands a
    /// refused value the check did not see (the output then stops where it was refused).
    private static func write(_ object: [String: Any], streaming key: String, elements: ((Any) -> Void) -> Void,
                              escapingSlashes: Bool, into emit: (String) -> Void) -> Bool {
        var writer = Writer(escapingSlashes: escapingSlashes)
        guard writer.dictionary(object, streaming: key, elements: elements, flush: { emit(String(decoding: $0, as: UTF8.self)) })
        else { return false }
        emit(String(decoding: writer.out, as: UTF8.self))
        return true
    }

    private struct Writer {
        let escapingSlashes: Bool
        var out: [UInt8] = []
        var indent = 0

        init(escapingSlashes: Bool) {
            self.escapingSlashes = escapingSlashes
            out.reserveCapacity(4096)
        }

        mutating func write(_ value: Any) -> Bool {
            switch value {
            case let s as String: string(s)
            case let b as Bool: text(b ? "true" : "false")
            case let n as Int: text(n.description)
            case let n as Int8: text(n.description)
            case let n as Int16: text(n.description)
            case let n as Int32: text(n.description)
            case let n as Int64: text(n.description)
            case let n as UInt: text(n.description)
            case let n as UInt8: text(n.description)
            case let n as UInt16: text(n.description)
            case let n as UInt32: text(n.description)
            case let n as UInt64: text(n.description)
            case let a as [Any]: return array(a)
            case let d as [String: Any]: return dictionary(d)
            case let n as Double: return double(n)
            case let n as Float: return double(Double(n), description: n.description)
            case is JSONNull: text("null")
            default: return false
            }
            return true
        }

        /// Whether `render` writes every value of `d` but the one under `key` (written, then dropped).
        mutating func holds(_ d: [String: Any], except key: String) -> Bool {
            defer { out.removeAll(keepingCapacity: true) }
            return d.allSatisfy { $0.key == key || write($0.value) }
        }

        mutating func double(_ n: Double, description: String? = nil) -> Bool {
            guard n.isFinite else { return false }
            var s = description ?? n.description
            if s.hasSuffix(".0") { s.removeLast(2) }
            text(s)
            return true
        }

        mutating func array(_ a: [Any]) -> Bool {
            out.append(UInt8(ascii: "["))
            out.append(0x0A)
            indent += 2
            for (i, element) in a.enumerated() {
                if i > 0 { text(",\n") }
                spaces()
                guard write(element) else { return false }
            }
            out.append(0x0A)
            indent -= 2
            spaces()
            out.append(UInt8(ascii: "]"))
            return true
        }

        mutating func dictionary(_ d: [String: Any]) -> Bool {
            dictionary(d, streaming: nil, elements: { _ in }, flush: { _ in })
        }

        /// `streaming`: a key whose value is the array of what `elements` hands over; `flush`
        /// takes what is written so far whenever it reaches 64 KiB.
        mutating func dictionary(_ d: [String: Any], streaming: String?, elements: ((Any) -> Void) -> Void,
                                 flush: ([UInt8]) -> Void) -> Bool {
            out.append(UInt8(ascii: "{"))
            out.append(0x0A)
            indent += 2
            var keys = Array(d.keys)
            if let streaming, d[streaming] == nil { keys.append(streaming) }
            for (i, key) in keys.sorted(by: JSONText.keyPrecedes).enumerated() {
                if i > 0 { text(",\n") }
                spaces()
                string(key)
                text(" : ")
                if key == streaming {
                    guard array(elements, flush: flush) else { return false }
                    continue
                }
                guard write(d[key]!) else { return false }
            }
            out.append(0x0A)
            indent -= 2
            spaces()
            out.append(UInt8(ascii: "}"))
            return true
        }

        /// `array` of the elements `elements` hands over, as they come.
        mutating func array(_ elements: ((Any) -> Void) -> Void, flush: ([UInt8]) -> Void) -> Bool {
            out.append(UInt8(ascii: "["))
            out.append(0x0A)
            indent += 2
            var count = 0, ok = true
            // Neither closure outlives this call.
            withoutActuallyEscaping(flush) { flush in
                elements { element in
                    guard ok else { return }
                    if count > 0 { text(",\n") }
                    count += 1
                    spaces()
                    ok = write(element)
                    if out.count >= 1 << 16 {
                        flush(out)
                        out.removeAll(keepingCapacity: true)
                    }
                }
            }
            guard ok else { return false }
            out.append(0x0A)
            indent -= 2
            spaces()
            out.append(UInt8(ascii: "]"))
            return true
        }

        mutating func spaces() {
            out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent))
        }

        mutating func text(_ s: String) { out.append(contentsOf: s.utf8) }

        /// Every control character escaped, DEL and the C1 controls (U+0080...U+009F) too, where
        /// JSONSerialization wrote them raw: nothing from an input reaches the output unescaped.
        mutating func string(_ s: String) {
            out.append(UInt8(ascii: "\""))
            // A C1 control is 0xC2 then 0x80...0x9F in UTF-8: 0xC2 waits for the byte after it.
            var afterC2 = false
            for b in s.utf8 {
                if afterC2 {
                    afterC2 = false
                    if b >= 0x80 && b <= 0x9F {
                        text("\\u00" + String(b, radix: 16))
                        continue
                    }
                    out.append(0xC2)
                }
                switch b {
                case UInt8(ascii: "\""): text("\\\"")
                case UInt8(ascii: "\\"): text("\\\\")
                case UInt8(ascii: "/") where escapingSlashes: text("\\/")
                case 0x08: text("\\b")
                case 0x0C: text("\\f")
                case 0x0A: text("\\n")
                case 0x0D: text("\\r")
                case 0x09: text("\\t")
                case 0x00 ..< 0x20: text(b < 0x10 ? "\\u000" + String(b, radix: 16) : "\\u00" + String(b, radix: 16))
                case 0x7F: text("\\u007f")
                case 0xC2: afterC2 = true
                default: out.append(b)
                }
            }
            if afterC2 { out.append(0xC2) }
            out.append(UInt8(ascii: "\""))
        }
    }

    /// Foundation's key order for `.sortedKeys`: a comparison with the options numeric,
    /// case-insensitive and forced ordering under the root collation. For ASCII keys: spaces and
    /// punctuation before digits before letters, in the collation's order of punctuation; digit
    /// runs compared by value; letters without regard to case, then lowercase before uppercase at
    /// the first letter that differs only in case; then the shorter (a digit run with fewer leading
    /// zeros); then byte order.
    public static func keyPrecedes(_ a: String, _ b: String) -> Bool {
        let ka = primaryKey(a), kb = primaryKey(b)
        if ka != kb { return ka.lexicographicallyPrecedes(kb) }
        for (x, y) in zip(a.utf8, b.utf8) where x != y {
            let xl = x | 0x20, yl = y | 0x20
            if xl == yl, (UInt8(ascii: "a") ... UInt8(ascii: "z")).contains(xl) { return x > y }
            break
        }
        if a.utf8.count != b.utf8.count { return a.utf8.count < b.utf8.count }
        return Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8))
    }

    /// Variable-weight characters of the root collation, in order (space and punctuation).
    private static let punctuation = Array(" _-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$".utf8)

    /// Primary weights: punctuation 1..., digit runs (1000, value), letters 2000 + letter, other
    /// bytes (controls, non-ASCII) 3000 + byte.
    private static func primaryKey(_ s: String) -> [UInt64] {
        var key: [UInt64] = []
        var digits: UInt64? = nil
        for b in s.utf8 {
            if b >= 0x30 && b <= 0x39 {
                let (times, o1) = (digits ?? 0).multipliedReportingOverflow(by: 10)
                let (sum, o2) = times.addingReportingOverflow(UInt64(b - 0x30))
                digits = o1 || o2 ? UInt64.max : sum
                continue
            }
            if let d = digits { key += [1000, d]; digits = nil }
            if let p = punctuation.firstIndex(of: b) {
                key.append(UInt64(p + 1))
            } else if (b | 0x20) >= UInt8(ascii: "a") && (b | 0x20) <= UInt8(ascii: "z") {
                key.append(2000 + UInt64(b | 0x20))
            } else {
                key.append(3000 + UInt64(b))
            }
        }
        if let d = digits { key += [1000, d] }
        return key
    }
}

/// JSON's `null`, in the dictionaries and arrays `JSONText.render` writes.
public struct JSONNull: Sendable {}
