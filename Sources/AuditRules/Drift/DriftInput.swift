/// A rule statement written without `-F arch=`, noted while its chunk was parsed: what a drift
/// check needs of the statements (`ExpectedRules`), so that no syntax tree outlives its chunk.
public struct ArchlessStatement: Sendable {
    public var line: Int
    public var isDelete: Bool
    /// It names syscalls (not `-S all`): a listing's names for it may come from another ABI.
    public var namesSyscalls: Bool

    static func of(_ statements: [Statement]) -> [ArchlessStatement] {
        statements.compactMap { statement in
            guard case .rule(let r) = statement.kind,
                  !r.fields.contains(where: { !$0.isComparison && $0.name.value == "arch" }) else { return nil }
            let names = r.syscalls.contains { if case .all = $0.value { return false } else { return true } }
            return ArchlessStatement(line: statement.location.line, isDelete: r.command == .delete, namesSyscalls: names)
        }
    }
}

/// One input compiled a chunk of lines at a time, with the parser's diagnostics and its
/// arch-less rule statements.
public struct ChunkedCompile: Sendable {
    public var file: String
    /// The file as it was before it was read (nil: not a regular file), to read its lines again.
    public var identity: InputFile.Identity?
    public var diagnostics: [Diagnostic]
    public var archless: [ArchlessStatement]
}

extension ChunkedInput {
    /// `compile(path:...)` noting the arch-less statements; nil when the file cannot be opened.
    public static func compileNotingArch(path: String, options: ParseOptions, into session: CompileSession,
                                         linesPerChunk: Int = 128, blockSize: Int = 1 << 20) -> ChunkedCompile? {
        read(path: path, options: options, into: session, linesPerChunk: linesPerChunk, blockSize: blockSize, notesArchless: true)
    }

    /// The same for a text in memory (a saved listing), parsed as one file named `file`.
    public static func compileNotingArch(text: RulesText, file: String, options: ParseOptions, into session: CompileSession,
                                         linesPerChunk: Int = 128) -> ChunkedCompile {
        compileNotingArch(file: file, options: options, into: session, linesPerChunk: linesPerChunk) { feed in
            text.withBytes { feed(UnsafeRawBufferPointer($0)) }
        }
    }

    /// The same for a text that `read` hands to its argument a block at a time (a saved listing
    /// as it is read), parsed as one file named `file`.
    static func compileNotingArch(file: String, options: ParseOptions, into session: CompileSession, linesPerChunk: Int = 128,
                                  read: ((UnsafeRawBufferPointer) -> Void) -> Void) -> ChunkedCompile {
        var reader = ChunkReader(file: file, options: options, session: session)
        reader.notesArchless = true
        var chunker = LineChunker(linesPerChunk: linesPerChunk)
        read { chunker.feed($0) { reader.take($0, firstLine: $1) } }
        chunker.finish { reader.take($0, firstLine: $1) }
        reader.finish()
        reader.summarizeIfNotRules(head: chunker.head)
        return ChunkedCompile(file: file, identity: nil, diagnostics: reader.diagnostics, archless: reader.archless)
    }
}

extension KernelRule {
    /// `rules` with equal syscall masks sharing one buffer: the compiler makes a mask per
    /// statement, and a check holds every rule of both sides at once.
    static func shareMasks(_ rules: inout [KernelRule]) {
        var seen = Set<[UInt32]>()
        for i in rules.indices { rules[i].mask = seen.insert(rules[i].mask).memberAfterInsert }
    }
}
