@testable import AuditRules
import Syscalls
import XCTest

/// Builds statements directly (independent of the parser) for compiler tests.
enum RuleBuilder {
    static func loc(_ line: Int = 1, _ col: Int = 1) -> SourceLocation { SourceLocation(file: "t.rules", line: line, column: col) }

    static func field(_ name: String, _ op: FieldOperator = .equal, _ value: FieldValue, raw: RulesText = "") -> FieldClause {
        FieldClause(name: Located(name, at: loc()), op: Located(op, at: loc()), rawValue: Located(raw, at: loc()), value: value)
    }

    static func rule(_ command: RuleCommand = .append, list: FilterList = .exit, action: RuleAction = .always,
                     syscalls: [SyscallSpec] = [], fields: [FieldClause] = [], keys: [RulesText] = [], line: Int = 1,
                     text: RulesText = "") -> Statement {
        let r = RuleStatement(command: command, list: Located(list, at: loc(line)), action: Located(action, at: loc(line)),
                              syscalls: syscalls.map { Located($0, at: loc(line)) }, fields: fields,
                              keys: keys.map { Located($0, at: loc(line)) })
        return Statement(kind: .rule(r), location: loc(line), text: text.isEmpty ? RulesText("rule \(line)") : text)
    }

    static func watch(_ path: RulesText, perms: RulesText? = nil, keys: [RulesText] = [], fields: [FieldClause] = [],
                      remove: Bool = false, line: Int = 1) -> Statement {
        let w = WatchStatement(remove: remove, path: Located(path, at: loc(line)), permissions: perms.map { Located($0, at: loc(line)) },
                               keys: keys.map { Located($0, at: loc(line)) }, fields: fields)
        return Statement(kind: .watch(w), location: loc(line), text: "-w " + path)
    }

    static func file(_ statements: [Statement]) -> RuleFile { RuleFile(path: "t.rules", statements: statements) }

    static func target(_ machine: Machine, kernel: KernelVersion = KernelVersion(6, 1), audit: AuditVersion = .v3_0_9,
                       watchKind: WatchKind = .path) -> CompileTarget {
        CompileTarget(machine: machine, kernel: kernel, auditVersion: audit, watchKind: watchKind, resolver: HostUserResolver())
    }

    static func compile(_ statements: [Statement], for target: CompileTarget) -> CompileResult {
        Compiler(target: target).compile(file(statements))
    }

    static func mask(_ numbers: [Int]) -> [UInt32] {
        var r = KernelRule(list: .exit, action: .always)
        for n in numbers { r.addSyscall(n) }
        return r.mask
    }
}
