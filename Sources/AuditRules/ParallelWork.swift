#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// How many threads the parallel steps use: the cores, at most four. Read once: Foundation
/// answers `activeProcessorCount` by reading sysfs and cgroup files each time. (The parallel
/// helpers themselves are in Syscalls/Concurrency.swift.)
enum Parallelism {
    static let threads = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 4))
}
