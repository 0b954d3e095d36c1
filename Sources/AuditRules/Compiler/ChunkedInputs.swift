/// Several inputs compiled into one session one after another, each a chunk of lines at a time:
/// files, standard input, pipes, and rules.d directories file by file in augenrules' order
/// (`DirectoryMerge`), with the statements and diagnostics `RuleInputs.load` gives for them all.
extension ChunkedInput {
    /// Compiles the input `path` (a file, `-`, a pipe, a directory) into `session`; what cannot
    /// be opened, or does not exist, is reported as `RuleInputs.load` reports it.
    public static func compile(input path: String, options: ParseOptions, into session: CompileSession) -> [Diagnostic] {
        switch RuleInputs.kind(of: path) {
        case .stream:
            if let diagnostics = compile(path: path, options: options, into: session, refusedIsNil: true) { return diagnostics }
        case .directory: return compile(directory: DirectoryMerge(path: path, options: options), into: session)
        case .missing: break
        }
        let file = RuleInputs.load(paths: [path], options: options)
        session.add(file.statements)
        return file.diagnostics
    }

    /// The merge's leading statements, each file's statements but the control lines, its trailing ones.
    static func compile(directory merge: DirectoryMerge, into session: CompileSession) -> [Diagnostic] {
        var diagnostics = merge.prelude
        session.add(merge.leading)
        for entry in merge.entries {
            switch entry {
            case .problem(let d): diagnostics.append(d)
            case .file(let full, _):
                if let found = compile(path: full, options: merge.options, into: session, keep: DirectoryMerge.keptInPlace, refusedIsNil: true) {
                    diagnostics += found
                    if let changed = merge.changedSinceScanned(full) { diagnostics.append(changed) }
                } else {
                    // Gone or changed since it was listed: reported as a whole read reports it.
                    diagnostics += RuleInputs.loadFile(full, options: merge.options).diagnostics
                }
            }
        }
        session.add(merge.trailing)
        return diagnostics
    }
}
