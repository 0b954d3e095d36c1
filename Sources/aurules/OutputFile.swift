import Foundation

/// Writes output files atomically: a temporary file in the same directory, then rename(2), so a
/// reader never sees a half-written rules file.
enum OutputFile {
    static func write(_ text: String, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent().path
        let tmp = "\(dir)/.\(url.lastPathComponent).aurules-\(getpid())-\(UInt32.random(in: 0 ... .max))"
        guard FileManager.default.createFile(atPath: tmp, contents: Data(text.utf8), attributes: [.posixPermissions: 0o640]) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        if rename(tmp, path) != 0 {
            let err = errno
            unlink(tmp)
            throw POSIXError(POSIXErrorCode(rawValue: err) ?? .EIO)
        }
    }
}

/// Standard error, for diagnostics.
enum StandardError {
    static func print(_ s: String) {
        FileHandle.standardError.write(Data((s + "\n").utf8))
    }
}

extension OutputFile {
    /// Atomic like `write(_:to:)`, for output produced in pieces: `produce` is handed a sink
    /// that appends to the temporary file, renamed over `path` once `produce` returns.
    static func write(to path: String, _ produce: ((String) -> Void) throws -> Void) throws {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent().path
        let tmp = "\(dir)/.\(url.lastPathComponent).aurules-\(getpid())-\(UInt32.random(in: 0 ... .max))"
        guard FileManager.default.createFile(atPath: tmp, contents: nil, attributes: [.posixPermissions: 0o640]),
              let handle = FileHandle(forWritingAtPath: tmp) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        do {
            try produce { piece in handle.write(Data(piece.utf8)) }
            try handle.close()
        } catch {
            try? handle.close()
            unlink(tmp)
            throw error
        }
        if rename(tmp, path) != 0 {
            let err = errno
            unlink(tmp)
            throw POSIXError(POSIXErrorCode(rawValue: err) ?? .EIO)
        }
    }
}
