#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// The lines of a byte buffer, cut at LF (0x0A) only, as auditctl and the kernel's tools read a
/// file: a CR stays part of its line, and what it means is each reader's decision. A line is its
/// range in the buffer without the LF; the last one is unterminated when the buffer does not end
/// with LF, and a buffer that ends with LF has no empty line after it.
package struct ByteLines: Sequence, IteratorProtocol {
    package struct Line {
        /// The line's bytes, without its LF.
        package let range: Range<Int>
        /// Whether an LF ends the line.
        package let terminated: Bool
        /// Where the next line starts.
        package var next: Int { range.upperBound + (terminated ? 1 : 0) }
        /// The range without a CR before its end (a CRLF line read as LF).
        package func withoutCR(in bytes: UnsafeBufferPointer<UInt8>) -> Range<Int> {
            range.isEmpty || bytes[range.upperBound - 1] != 0x0D ? range : range.lowerBound ..< range.upperBound - 1
        }
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private var start: Int

    /// The lines of `bytes` from offset `start` on.
    package init(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int = 0) {
        self.bytes = bytes
        self.start = start
    }

    package mutating func next() -> Line? {
        guard start < bytes.count, let base = bytes.baseAddress else { return nil }
        let newline = memchr(base + start, 0x0A, bytes.count - start).map { UnsafePointer($0.assumingMemoryBound(to: UInt8.self)) - base }
        let line = Line(range: start ..< (newline ?? bytes.count), terminated: newline != nil)
        start = line.next
        return line
    }
}
