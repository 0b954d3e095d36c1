/// The embedded files by name (EmbeddedTables.swift keeps their names apart from their texts).
extension EmbeddedTables {
    /// The files' names (`fileNameLines`), in the order of `texts`.
    static let fileNames: [String] = {
        var names: [String] = [], lines = fileNameLines
        names.reserveCapacity(texts.count)
        lines.withUTF8 { bytes in
            for line in ByteLines(bytes) { names.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[line.range]), as: UTF8.self)) }
        }
        return names
    }()

    /// Every file, name and text, in byte order of the names.
    static let files: [(name: String, text: String)] = Array(zip(fileNames, texts))

    /// The text of the file `name`; nil when there is none. Only the names are compared: they
    /// share a page, and no text is touched but the one returned.
    static func text(named name: String) -> String? {
        fileNames.firstIndex(of: name).map { texts[$0] }
    }
}
