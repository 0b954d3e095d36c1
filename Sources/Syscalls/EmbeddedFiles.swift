/// The embedded files by name (EmbeddedTables.swift keeps their names apart from their texts).
extension EmbeddedTables {
    /// Every file, name and text, in byte order of the names.
    static let files: [(name: String, text: String)] = Array(zip(fileNames, texts))

    /// The text of the file `name`; nil when there is none. Only the names are compared: they
    /// share a page, and the texts are not touched but for the one returned.
    static func text(named name: String) -> String? {
        fileNames.firstIndex(of: name).map { texts[$0] }
    }
}
