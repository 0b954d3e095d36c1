import Foundation

/// Results of work done on several threads: one slot per piece of work, each written by exactly
/// one thread before any is read (after the threads are joined), then taken in order.
final class ResultSlots<Value>: @unchecked Sendable {
    private let slots: UnsafeMutableBufferPointer<Value?>

    init(count: Int) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil)
    }

    deinit {
        _ = slots.deinitialize()
        slots.deallocate()
    }

    func store(_ value: Value, at i: Int) { slots[i] = value }

    func take(_ i: Int) -> Value {
        defer { slots[i] = nil }
        return slots[i]!
    }
}

/// A value handed to `concurrentPerform`, whose threads only read it (or, for a session,
/// only call `makeLowerer`, which reads immutable state).
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// How many threads the parallel steps use: the cores, at most four. Read once: Foundation
/// answers `activeProcessorCount` by reading sysfs and cgroup files each time.
enum Parallelism {
    static let threads = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 4))
}
