import Syscalls

extension LineParser {
    /// What every line of a parse shares: see `LineParser.shared`.
    final class Shared {
        let valueParser: FieldValueParser
        let knownSyscalls: KnownSyscallMemo
        let otherLoaders: [AuditVersion]

        init(valueParser: FieldValueParser, knownSyscalls: KnownSyscallMemo, otherLoaders: [AuditVersion]) {
            self.valueParser = valueParser
            self.knownSyscalls = knownSyscalls
            self.otherLoaders = otherLoaders
            self.valueParserExcludeExtend = valueParser.kernelHasExcludeExtend
        }

        // The value parser's answers asked here, where it is borrowed: called through the
        // reference (`shared.valueParser.parse`), the large struct was copied per clause.

        func parse(_ spec: FieldSpec, op: FieldOperator, raw: RulesText, list: FilterList) -> Result<FieldValue, FieldValueError> {
            let key = Self.clauseKey(spec, op, list, kernelHasExcludeExtend: valueParserExcludeExtend)
            let takes: Bool
            if let known = libauditTakes[key] {
                takes = known
            } else {
                takes = valueParser.libauditTakes(spec, op: op, list: list)
                libauditTakes[key] = takes
            }
            return valueParser.parse(spec, op: op, raw: raw, list: list, libauditTakes: takes)
        }

        /// LoaderFacts.fieldRefusal of the value parser's loader.
        func fieldRefusal(_ spec: FieldSpec, written: RulesText, op: FieldOperator, list: FilterList, kernelHasExcludeExtend: Bool) -> LoaderRefusal? {
            let key = Self.clauseKey(spec, op, list, kernelHasExcludeExtend: kernelHasExcludeExtend)
            if refusalFree.contains(key) { return nil }
            let refusal = valueParser.facts.fieldRefusal(spec.name, spelled: LineParser.spelling(written, of: spec), op: op.rawValue, list: list.rawValue,
                                                         kernelHasExcludeExtend: kernelHasExcludeExtend)
            if refusal == nil { refusalFree.insert(key) }
            return refusal
        }

        // The loader's field checks depend on the field, operator and list alone, and a rules
        // file asks the same few combinations on every line; each answer looks the field up by
        // name in the release's facts. So the answers are kept for the parse (only the refusal
        // free ones for `fieldRefusal`: a refusal's text names the field as spelled).
        private var libauditTakes: [Int: Bool] = [:]
        private var refusalFree: Set<Int> = []
        /// `valueParser.kernelHasExcludeExtend`, taken once.
        private let valueParserExcludeExtend: Bool

        private static func clauseKey(_ spec: FieldSpec, _ op: FieldOperator, _ list: FilterList, kernelHasExcludeExtend: Bool) -> Int {
            Int(spec.id) << 33 | Int(op.bit) << 17 | Int(list.bit) << 1 | (kernelHasExcludeExtend ? 1 : 0)
        }
    }
}
