#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Dispatch
#if canImport(Glibc)
import Glibc
#endif

// The package's only unchecked Sendable conformances. Each type below is small and states the
// invariant that makes sharing it safe; everything else is checked by the compiler. Every
// conformance here is audited together: change one, re-read them all.

/// Values handed between threads, one slot per piece of work. Invariant: a slot is used by one
/// thread at a time, and passes from one thread to another only across a start of work
/// (`concurrentPerform`, `async`) or a join (its return, a group wait), which order the
/// accesses. Values are Sendable: they cross from the writer to the reader.
package final class ResultSlots<Value: Sendable>: @unchecked Sendable {
    private let slots: UnsafeMutableBufferPointer<Value?>

    package init(count: Int) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil)
    }

    deinit {
        _ = slots.deinitialize()
        slots.deallocate()
    }

    package var count: Int { slots.count }

    package func store(_ value: Value, at i: Int) { slots[i] = value }

    /// The value of slot i, which is left empty.
    package func take(_ i: Int) -> Value {
        defer { slots[i] = nil }
        return slots[i]!
    }
}

/// Pieces of work started on other threads, whose results are waited for later. The group is
/// entered for every piece before any is scheduled, so `wait` can never pass a group the work
/// has not entered yet (a check once read "status read did not run" that way).
package final class PendingResults<Value: Sendable>: Sendable {
    private let slots: ResultSlots<Result<Value, any Error>>
    private let group = DispatchGroup()

    package init(count: Int, _ work: @escaping @Sendable (Int) throws -> Value) {
        slots = ResultSlots(count: count)
        for _ in 0 ..< count { group.enter() }
        let slots = self.slots, group = self.group
        for i in 0 ..< count {
            DispatchQueue.global().async {
                slots.store(Result { try work(i) }, at: i)
                group.leave()
            }
        }
    }

    /// One piece of work on another thread.
    package convenience init(_ work: @escaping @Sendable () throws -> Value) {
        self.init(count: 1) { _ in try work() }
    }

    /// Every result, in order; call once.
    package func wait() -> [Result<Value, any Error>] {
        group.wait()
        return (0 ..< slots.count).map(slots.take)
    }

    /// `wait()` for work that cannot throw.
    package func values() -> [Value] {
        wait().map { result in
            switch result {
            case .success(let value): return value
            case .failure(let error): preconditionFailure("work that cannot throw threw \(error)")
            }
        }
    }
}

/// Calls `body` for 0..<count on the cores and returns the results in order.
package func parallelMap<T: Sendable>(_ count: Int, _ body: @Sendable (Int) -> T) -> [T] {
    let slots = ResultSlots<T>(count: count)
    DispatchQueue.concurrentPerform(iterations: count) { slots.store(body($0), at: $0) }
    return (0 ..< count).map(slots.take)
}

/// `parallelMap` over bytes the threads only read: each thread reads `bytes`' own contiguous
/// storage (no copy for a native String's UTF-8 or an array), so no pointer crosses threads.
package func parallelMap<Bytes: Sequence & Sendable, T: Sendable>(_ count: Int, reading bytes: Bytes,
                                                               _ body: @Sendable (UnsafeBufferPointer<UInt8>, Int) -> T) -> [T]
where Bytes.Element == UInt8 {
    parallelMap(count) { i in
        bytes.withContiguousStorageIfAvailable { body($0, i) } ?? Array(bytes).withUnsafeBufferPointer { body($0, i) }
    }
}

/// `ResultSlots` filled before the work starts: slot i is lent to piece i.
extension ResultSlots {
    package convenience init(count: Int, _ make: () -> Value) {
        self.init(count: count)
        for i in 0 ..< count { store(make(), at: i) }
    }
}

/// Per-thread workers (states with memo tables, not Sendable) lent to one thread at a time.
/// Invariant: a worker is only used between its `take` and `give`, by the thread that took it;
/// the lock orders one thread's `give` before another's `take`.
package final class WorkerPool<Worker: AnyObject>: @unchecked Sendable {
    private let idle = Locked<[Worker]>([])
    private let make: @Sendable () -> Worker

    package init(_ make: @escaping @Sendable () -> Worker) { self.make = make }

    package func take() -> Worker { idle.withLock { $0.popLast() } ?? make() }

    package func give(_ worker: Worker) { idle.withLock { $0.append(worker) } }
}

/// State behind a mutex. Invariant: `state` is only reached inside `withLock`, with the mutex
/// held; a `body` must not call `withLock` of the same instance (the mutex is not recursive).
/// Sendable only for Sendable state: what `body` returns may be used on another thread.
/// The mutex lives in memory of its own: pthread must not be handed the address of a Swift
/// stored property, which Swift may move or copy. (NSLock would bring Foundation's class
/// machinery into every start-up.)
package final class Locked<State> {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var state: State

    package init(_ state: State) {
        self.state = state
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    package func withLock<Result>(_ body: (inout State) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&state)
    }
}

extension Locked: @unchecked Sendable where State: Sendable {}
