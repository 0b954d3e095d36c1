import Synchronization

extension SyscallDatabase {
    /// The parsed pieces of a database, filled on first use.
    final class Cache: Sendable {
        struct State {
            var rows = Slots<[SyscallRow]>(count: ABI.allCases.count)
            /// The last tables asked for, per ABI, newest first (callers ask again per rule or per number).
            var tables = Slots<[SyscallTable]>(count: ABI.allCases.count)
            var libaudit = Slots<LibauditBox>(count: AuditVersion.allCases.count)
            /// libaudit's table per (release, ABI): see `slot`.
            var libauditABIs = Slots<LibauditABI>(count: AuditVersion.allCases.count * ABI.allCases.count)
            var abis: [ABIInfo]?
            var groups: [(name: String, members: [String])]?
            var allNames: NamesBox?
            var aliases: AliasMemo?
        }

        /// `count` optional values, the array made on the first store: each array type is
        /// instantiated by the runtime when first made, and a lookup fills none of them.
        struct Slots<Value: Sendable>: Sendable {
            private var values: [Value?] = []
            private let count: Int
            init(count: Int) { self.count = count }

            subscript(i: Int) -> Value? {
                get { values.isEmpty ? nil : values[i] }
                set {
                    if values.isEmpty { values = Array(repeating: nil, count: count) }
                    values[i] = newValue
                }
            }
        }

        // Boxed: a stored [ABI: ...] or Set<String> would be instantiated (with its Hashable checks)
        // on every start, even for runs that never read them.
        final class LibauditBox: Sendable { let table: [ABI: [Int: String]]; init(_ t: [ABI: [Int: String]]) { table = t } }
        final class LibauditABI: Sendable {
            let names: [Int: String]
            let numbers: [String: Int]
            init(names: [Int: String], numbers: [String: Int]) { self.names = names; self.numbers = numbers }
        }
        final class NamesBox: Sendable { let names: Set<String>; init(_ n: Set<String>) { names = n } }
        /// `libauditAliases` of a tables directory, by lower-cased name, as they are asked.
        final class AliasMemo: Sendable {
            let answers = Locked<[String: [(abi: ABI, version: AuditVersion, kernelName: String)]]>([:])
            static let capacity = 4096
        }

        // A Mutex, not Locked: a generic class is instantiated by the runtime when first made (every
        // start made this one), a struct of a known layout is not.
        private let state = Mutex(State())
        static let tablesKept = 4

        /// The index of a (release, ABI) pair in `State.libauditABIs`.
        static func slot(_ version: AuditVersion, _ abi: ABI) -> Int { version.index * ABI.allCases.count + abi.index }

        /// The value `get` reads, made by `make` and stored by `set` on first use. Closures rather
        /// than key paths: a key path is itself instantiated at run time. `make` runs under the lock
        /// (parsing threads that start together would otherwise each build the same table, the set
        /// of every name the most expensive of them), so it must not read the cache: a value built
        /// from others is given them by its caller, read before.
        func value<T>(_ get: (State) -> T?, _ set: (inout State, T) -> Void, _ make: () throws -> T) rethrows -> T {
            try state.withLock { state in
                if let v = get(state) { return v }
                let v = try make()
                set(&state, v)
                return v
            }
        }

        /// The value `get` reads, nil when it has not been made yet.
        func peek<T>(_ get: (State) -> T?) -> T? { state.withLock { get($0) } }
    }
}

extension ABI {
    /// The position in `allCases`: a slot of `SyscallDatabase.Cache`.
    var index: Int { ABI.allCases.firstIndex(of: self)! }
}

extension AuditVersion {
    /// The position in `allCases`: a slot of `SyscallDatabase.Cache`.
    var index: Int { AuditVersion.allCases.firstIndex(of: self)! }
}
