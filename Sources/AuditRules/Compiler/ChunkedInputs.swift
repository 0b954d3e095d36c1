/// Several inputs compiled into one session one after another, each a chunk of lines at a time:
/// files, standard input, pipes, and rules.d directories file by file in augenrules' order
/// (`DirectoryMerge`), with the statements and diagnostics `RuleInputs.load` gives for them all.
extension ChunkedInput {
    /// What `compile(inputs:...)` read.
    public struct Inputs: Sendable {
        public var diagnostics: [Diagnostic] = []
        /// The files read, in order, as `RuleFile.filesRead` names them (a directory none of whose
        /// files is read: the directory), for `RuleFile.fileOrder`.
        public var filesRead: [String] = []
        /// Each file compiled a chunk at a time, in order (the same file may come twice).
        public var files: [ChunkedCompile] = []
        /// Statements were read whole (`RuleInputs.load`, for what could not be opened a chunk at
        /// a time): their file is in `files` without an identity, its lines not to be read again.
        public var readWhole = false
    }

    /// Compiles the inputs `paths` (files, `-`, pipes, directories) into `session` in order;
    /// what cannot be opened, or does not exist, is reported as `RuleInputs.load` reports it.
    /// One file alone is read as `compile(path:)` reads it. `notesArchless`: each file's arch-less
    /// rule statements are noted (a drift check's). `spools`: by path, where inputs that cannot
    /// be read twice are copied as they are read.
    public static func compile(inputs paths: [String], options: ParseOptions, into session: CompileSession,
                               notesArchless: Bool = false, spools: [String: InputSpool] = [:]) -> Inputs {
        var out = Inputs()
        if paths.count == 1, RuleInputs.readsInChunks(paths[0]),
           let file = read(path: paths[0], options: options, into: session, notesArchless: notesArchless,
                           spool: spools[paths[0]]) {
            out.add(file)
            return out
        }
        for path in paths {
            switch RuleInputs.kind(of: path) {
            case .stream:
                if let file = read(path: path, options: options, into: session, refusedIsNil: true, notesArchless: notesArchless,
                                   spool: spools[path]) {
                    out.add(file)
                    continue
                }
            case .directory:
                compile(directory: DirectoryMerge(path: path, options: options), into: session, notesArchless: notesArchless, &out)
                continue
            case .missing: break
            }
            let file = RuleInputs.load(paths: [path], options: options)
            session.add(file.statements)
            out.diagnostics += file.diagnostics
            out.filesRead += file.filesRead
            if !file.statements.isEmpty {
                out.readWhole = true
                if notesArchless {
                    let archless = ArchlessStatement.of(file.statements)
                    out.files.append(ChunkedCompile(file: InputFile.name(path), identity: nil, diagnostics: [], archless: archless))
                }
            }
        }
        return out
    }

    /// The merge's leading statements, each file's statements but the control lines, its trailing ones.
    static func compile(directory merge: DirectoryMerge, into session: CompileSession, notesArchless: Bool, _ out: inout Inputs) {
        out.diagnostics += merge.prelude
        session.add(merge.leading)
        var read = false
        for entry in merge.entries {
            switch entry {
            case .problem(let d): out.diagnostics.append(d)
            case .file(let full, _):
                read = true
                if let file = self.read(path: full, options: merge.options, into: session, keep: DirectoryMerge.keptInPlace,
                                        refusedIsNil: true, notesArchless: notesArchless) {
                    out.add(file)
                    if let changed = merge.changedSinceScanned(full) { out.diagnostics.append(changed) }
                } else {
                    // Gone or changed since it was listed: reported as a whole read reports it.
                    out.diagnostics += RuleInputs.loadFile(full, options: merge.options).diagnostics
                    out.filesRead.append(full)
                }
            }
        }
        if !read { out.filesRead.append(merge.path) }
        session.add(merge.trailing)
    }
}

extension ChunkedInput.Inputs {
    mutating func add(_ file: ChunkedCompile) {
        diagnostics += file.diagnostics
        filesRead.append(file.file)
        files.append(file)
    }
}
