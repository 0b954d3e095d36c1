import Foundation
@testable import Syscalls

// The kernel-source readers of `tables import`: the first byte picks the reader (a `name number`
// list, a .tbl file, or a uapi header through the preprocessor, which may #include itself),
// the second the ABI; the rest is the file.

/// Where the header is written for each input: memory-backed when /dev/shm is there.
let workDirectory: String = {
    let dir = workBase() + "aurules-fuzz-headers-\(getpid())"
    try? FileManager.default.createDirectory(atPath: dir + "/asm", withIntermediateDirectories: true)
    atexit { try? FileManager.default.removeItem(atPath: workBase() + "aurules-fuzz-headers-\(getpid())") }
    return dir
}()

func workBase() -> String { access("/dev/shm", W_OK) == 0 ? "/dev/shm/" : NSTemporaryDirectory() }

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHeaderPreprocessor(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 2 else { return 0 }
    let abi = ABI.allCases[Int(data[1]) % ABI.allCases.count]
    let body = String(decoding: UnsafeBufferPointer(start: data + 2, count: size - 2), as: UTF8.self)
    let table: [Int: String]?
    switch data[0] % 3 {
    case 0:
        table = try? KernelSources.fromList(body, file: "list", abi: abi)
    case 1:
        let offset = abi == .x32 ? KernelSources.x32Bit : 0
        table = try? KernelSources.parseTbl(body, file: "syscall.tbl", abis: ["common", "64", "x32", "i386"], offset: offset)
    default:
        let path = workDirectory + "/asm/unistd_64.h"
        guard FileManager.default.createFile(atPath: path, contents: Data(body.utf8)) else { violated("cannot write \(path)") }
        table = try? KernelSources.fromHeaders(workDirectory, abi: .x86_64)
        if let table, let bad = table.keys.first(where: { !ABI.x86_64.syscallNumbers.contains($0) }) {
            violated("a header import returned number \(bad), outside the audit bitmap")
        }
    }
    if let table {
        if data[0] % 3 != 2, let bad = table.keys.first(where: { !abi.syscallNumbers.contains($0) }) {
            violated("an import returned number \(bad), outside \(abi)'s range")
        }
        var merge = TableMerge(rows: [])
        merge.merge(table, at: KernelVersion(6, 1), newest: nil)
        merge.merge(table.filter { $0.key % 2 == 0 }, at: KernelVersion(6, 3), newest: KernelVersion(6, 1))
        let text = TableText.render(merge.rows)
        guard let back = try? TableText.rows(text, file: "merged.tsv", abi: data[0] % 3 == 2 ? .x86_64 : abi) else {
            violated("merged rows do not read back", text)
        }
        if back.count != merge.rows.count { violated("merged rows read back differently", text) }
    }
    return 0
}
