import AuditRules
import Foundation
@testable import Syscalls

// The `--tables DIR` reader: the input is up to five files separated by NUL bytes (x86_64.tsv,
// abis.tsv, i386.tsv, libaudit-3.0.9.tsv, equivalents.tsv; a missing part is a small valid
// default). What the reader accepts must then compile, look up and list without crashing, with
// rules that name the fuzzed table's own syscalls.

let fileOrder = ["x86_64.tsv", "abis.tsv", "i386.tsv", "libaudit-3.0.9.tsv", "equivalents.tsv"]
let shipped = Dictionary(EmbeddedTables.files.map { ($0.name, $0.text) }, uniquingKeysWith: { a, _ in a })
let defaults: [String: String] = [
    "x86_64.tsv": "0\tread\t3.10\t\n1\twrite\t3.10\t\n2\topen\t3.10\t\n59\texecve\t3.10\t\n",
    "i386.tsv": "3\tread\t3.10\t\n4\twrite\t3.10\t\n5\topen\t3.10\t\n",
    // The shipped ABI lines of the two ABIs, so that the defaults are what real tables say.
    "abis.tsv": (shipped["abis.tsv"] ?? "").split(separator: "\n").filter { $0.hasPrefix("x86_64\t") || $0.hasPrefix("i386\t") }
        .joined(separator: "\n") + "\n",
    "libaudit-3.0.9.tsv": "x86_64\t0\tread\ni386\t3\tread\n",
    "libaudit-4.2.tsv": "x86_64\t0\tread\n",
    "equivalents.tsv": "open\topen,openat\n",
]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTablesReader(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let parts = UnsafeBufferPointer(start: data, count: size).split(separator: 0, maxSplits: fileOrder.count - 1, omittingEmptySubsequences: false)
    var files = defaults
    for (name, part) in zip(fileOrder, parts) { files[name] = String(decoding: part, as: UTF8.self) }
    // No such directory: every file comes from `replacing`, read exactly as `--tables` reads a directory.
    guard let db = try? SyscallDatabase(directory: "/nonexistent/aurules-fuzz-tables", replacing: files) else { return 0 }
    let newest = db.newestRelease
    let names = db.rows(.x86_64).prefix(6).map(\.name) + db.rows(.i386).prefix(3).map(\.name)
    let list = names.isEmpty ? "all" : names.joined(separator: ",")
    let rules = """
    -a always,exit -F arch=b64 -S \(list) -k fuzz
    -a always,exit -F arch=b32 -S \(list) -F perm=wa -F dir=/etc
    -a always,exit -S \(list)
    -w /etc/passwd -p wa -k fuzz

    """
    for kernel in Set([newest] + db.rows(.x86_64).prefix(3).map(\.first)) {
        let target = CompileTarget(machine: .x86_64, kernel: kernel, auditVersion: .v4_2, watchKind: .path, database: db, resolver: nil)
        let options = ParseOptions(resolver: nil, hostMachine: .x86_64,
                                   isKnownSyscall: ParseOptions.knownSyscall(database: db, machine: .x86_64, kernel: kernel))
        let compiled = Compiler(target: target).compile(RuleParser.parse(text: RulesText(rules), file: "fuzz.rules", options: options))
        _ = RulesFileWriter(target: target).render(compiled)
        _ = Listing.lines(for: compiled.rules, host: .x86_64, auditVersion: .v4_2)
        checkWire(compiled.rules)
        if let table = db.table(.x86_64, at: kernel) {
            for e in table.entries.prefix(8) {
                if table.number(of: e.name) == nil { violated("a table entry is not found by its name", e.name) }
                _ = table.name(of: e.number)
            }
        }
    }
    for name in names {
        _ = db.history(of: name)
        _ = db.equivalents(of: name, on: .x86_64, at: newest)
        _ = db.rows(.x86_64, named: name)
    }
    return 0
}
