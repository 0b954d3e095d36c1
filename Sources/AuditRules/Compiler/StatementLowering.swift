import Syscalls

/// `-a`/`-A`/`-d` and `-w`/`-W` statements to kernel rules, the way auditctl builds
/// `audit_rule_data`: fields in the order written, the key field last, the arch of arch-less
/// syscall rules made explicit (first field) once per target ABI.
extension CompilationState {
    /// Kernel rules for one rule statement, 64-bit ABI first; empty after an error or when no
    /// ABI keeps a syscall (both reported).
    /// `prepared`: the rule's target-independent fields, worked out once for every target.
    func lower(_ rule: RuleStatement, _ stmt: Statement, prepared: PreparedRule? = nil) -> [KernelRule] {
        let list = rule.list.value
        var fields: [KernelField] = []
        // Exactly what the rule will hold (a 100,000-rule file keeps every array).
        fields.reserveCapacity(rule.fields.count + (rule.keys.isEmpty ? 0 : 1))
        var arch: ResolvedArch? = nil
        var archText: RulesText = ""
        // The value of each perm field that follows an arch field (audit 4.x expands those).
        var permAfterArch: [Permissions] = []
        var failed = false
        // As loaded: the loader's reading of the arch decides the ABI; a line it refuses is not loaded.
        var loadedABI: ABI? = nil
        if target.archless == .asLoaded {
            recordsVerdicts = rule.command != .delete
            switch loaderArch(rule, stmt, prepared: prepared) {
            case .failure?:
                lineRefused = true
                return []
            case .success(let abi)?: loadedABI = abi
            case nil: break
            }
        } else if target.judgesLoader && rule.command != .delete && rule.list.value != .io_uring {
            judgeLoading(rule, stmt)
        }
        // b32/b64 the machine lacks at this release (s390x from 6.19, riscv64, 32-bit machines):
        // the rule could never match there, so it is left out rather than failing the compile.
        // By index: only an arch clause's value is read (iterating copied every clause).
        for i in rule.fields.indices {
            guard case .arch(let sel) = rule.fields[i].value, sel == .b32 || sel == .b64, case .failure(let e) = resolve(sel) else { continue }
            let clause = rule.fields[i]
            report(.fieldValue, .warning, "\(e.message): rule not emitted", at: clause.rawValue.location, length: clause.rawValue.length, in: stmt)
            return []
        }
        let preparedFields = prepared?.fields
        for i in rule.fields.indices {
            // A prepared field is neither an arch field nor a comparison.
            if let f = preparedFields?[i] {
                if f.id == FieldID.perm, arch != nil { permAfterArch.append(Permissions(rawValue: f.value)) }
                fields.append(f)
                continue
            }
            let clause = rule.fields[i]
            guard let f = kernelField(clause, list: list, in: stmt) else { failed = true; continue }
            if f.id == FieldID.arch, case .arch(let sel) = clause.value, case .success(let a) = resolve(sel) {
                arch = a
                archText = clause.rawValue.value
            }
            if f.id == FieldID.perm, arch != nil, !clause.isComparison { permAfterArch.append(Permissions(rawValue: f.value)) }
            fields.append(f)
        }
        if failed { return [] }
        let key = if let prepared { prepared.key } else { Self.keyField(rule.keys) }

        var out: [KernelRule] = []
        if list == .io_uring && !rule.syscalls.isEmpty {
            // io_uring operations: one table for every ABI (the loader's), no arch needed.
            guard let mask = ioUringMask(rule.syscalls, in: stmt) else { return [] }
            if let key { fields.append(key) }
            if let r = finish(list: list, action: rule.action.value, mask: mask, fields: fields, abi: arch?.abi, stmt: stmt) { out.append(r) }
            return out
        }
        let specific = !rule.syscalls.isEmpty && !rule.syscalls.contains { $0.value == .all }
        if specific && arch == nil {
            if target.archless == .asLoaded, let abi = loadedABI {
                // One rule, no arch field: the kernel applies its numbers to every ABI's processes.
                guard var mask = self.mask(for: rule.syscalls, abi: abi, archText: abi.rawValue, in: stmt) else { return [] }
                if expandsPermissions {
                    for f in fields where f.id == FieldID.perm { PermissionSyscalls.add(Permissions(rawValue: f.value), on: abi, to: &mask, using: names, target: target) }
                }
                if let key { fields.append(key) }
                return finish(list: list, action: rule.action.value, mask: mask, fields: fields, abi: abi, stmt: stmt).map { [$0] } ?? []
            }
            for abi in expansionABIs {
                let value = target.machine.auditArch(for: abi)
                guard var mask = self.mask(for: rule.syscalls, abi: abi, archText: abi.rawValue, in: stmt) else { continue }
                if expandsPermissions {
                    for f in fields where f.id == FieldID.perm { PermissionSyscalls.add(Permissions(rawValue: f.value), on: abi, to: &mask, using: names, target: target) }
                }
                var fs: [KernelField] = []
                fs.reserveCapacity(fields.count + 1 + (key == nil ? 0 : 1))
                fs.append(KernelField(id: FieldID.arch, op: .equal, value: value))
                fs.append(contentsOf: fields)
                if let key { fs.append(key) }
                if let r = finish(list: list, action: rule.action.value, mask: mask, fields: fs, abi: abi, stmt: stmt) { out.append(r) }
            }
            return out
        }

        var mask: [UInt32]
        if specific {
            guard let m = self.mask(for: rule.syscalls, abi: loadedABI ?? arch?.abi, archText: "arch=\(message: archText)", in: stmt) else { return [] }
            mask = m
        } else if !rule.syscalls.isEmpty {
            mask = allOnes
        } else {
            // auditctl adds `all` to every rule without -S except on the task list...
            mask = list == .task ? [UInt32](repeating: 0, count: KernelRule.maskWords) : allOnes
            // ...unless audit 4.x already added the perm syscalls for a known arch.
            if arch?.abi != nil, !permAfterArch.isEmpty, expandsPermissions {
                mask = [UInt32](repeating: 0, count: KernelRule.maskWords)
            }
        }
        // The loader's perm facts only when there is a perm to expand (nearly never).
        if !permAfterArch.isEmpty, let abi = arch?.abi, expandsPermissions, !SyscallMask.isAll(mask) {
            for permissions in permAfterArch { PermissionSyscalls.add(permissions, on: abi, to: &mask, using: names, target: target) }
        }
        if let key { fields.append(key) }
        if let r = finish(list: list, action: rule.action.value, mask: mask, fields: fields, abi: arch?.abi, stmt: stmt) { out.append(r) }
        return out
    }

    /// `-w PATH -p PERMS -k KEY [-F ...]`: a path or dir field, the perm field (rwxa unless
    /// given), any extra fields, the key; every syscall, on the exit list.
    func lower(_ watch: WatchStatement, _ stmt: Statement) -> KernelRule? {
        let path = watch.path.value
        let isDir: Bool
        switch target.watchKind {
        case .path: isDir = false
        case .dir: isDir = true
        case .auto: isDir = path.withCString(HostFacts.isDirectory)
        }
        var bits = Permissions.all
        if let p = watch.permissions {
            guard let b = Permissions(letters: p.value) else {
                report(.permissions, .error, "permissions '\(message: p.value)': only r, w, x and a are allowed", at: p.location, length: p.length, in: stmt)
                return nil
            }
            bits = b
        }
        var fields: [KernelField] = []
        fields.reserveCapacity(2 + watch.fields.count + (watch.keys.isEmpty ? 0 : 1))
        fields.append(KernelField(id: isDir ? FieldID.dir : FieldID.path, op: .equal, string: path))
        fields.append(KernelField(id: FieldID.perm, op: .equal, value: bits.rawValue))
        var failed = false
        for clause in watch.fields {
            if clause.name.value == "arch" {
                report(.archOrder, .error, "arch must be before -S: a watch already covers every syscall",
                       at: clause.name.location, length: clause.name.length, in: stmt)
                failed = true
                continue
            }
            guard let f = kernelField(clause, list: .exit, in: stmt) else { failed = true; continue }
            fields.append(f)
        }
        if failed { return nil }
        if let key = Self.keyField(watch.keys) { fields.append(key) }
        return finish(list: .exit, action: .always, mask: allOnes, fields: fields, abi: nil, stmt: stmt)
    }

    /// The mask of `-S` on the io_uring list, as audit_rule_io_uringbyname_data of the target's
    /// loader sets it: names from its io_uring operation table, numbers as written, `all` every
    /// operation the table names (not every bit).
    private func ioUringMask(_ specs: [Located<SyscallSpec>], in stmt: Statement) -> [UInt32]? {
        let facts = target.auditVersion.loader
        var mask = SyscallMask.empty
        func set(_ n: Int) { mask[n / 32] |= 1 << UInt32(n % 32) }
        for spec in specs {
            switch spec.value {
            case .all: facts.uringOpNumbers.forEach(set)
            case .number(let n): set(n)
            case .name(let name):
                guard let n = name.asciiName.flatMap(facts.uringOp) else {
                    report(.ioUringOperation, .error, "unknown io_uring operation '\(message: name)' for audit \(target.auditVersion)",
                           at: spec.location, length: spec.length, in: stmt)
                    return nil
                }
                set(n)
            }
        }
        return mask
    }

    /// The kernel's form of `mask` (classes expanded), one shared buffer per distinct mask.
    private func internedKernelForm(_ mask: [UInt32]) -> [UInt32] {
        // `-S all` and watches: nearly half of all rules, and the same buffer each time.
        if mask == allOnes { return allOnesKernelForm }
        if let form = recentKernelForms.value(of: mask) { return form }
        var h = FNV1a()
        h.mix(mask: mask)
        let hash = h.intValue
        let form: [UInt32]
        if let known = kernelForms[hash], let hit = known.first(where: { $0.mask == mask }) { form = hit.kernelForm } else {
            form = kernelForm(mask)
            kernelForms[hash, default: []].append((mask, form))
        }
        recentKernelForms.remember(mask, form)
        return form
    }

    private func finish(list: FilterList, action: RuleAction, mask: [UInt32], fields: [KernelField], abi: ABI?,
                        stmt: Statement) -> KernelRule? {
        if fields.count > KernelRule.maxFields - 1 {
            report(.tooManyFields, .error, "too many fields: \(fields.count) (the kernel takes \(KernelRule.maxFields - 1), arch and key included)",
                   at: stmt.location, length: 2, in: stmt)
            return nil
        }
        let provenance = Provenance(file: stmt.location.file, line: stmt.location.line, text: keepsText ? stmt.text : "", abi: abi)
        return KernelRule(list: list, action: action, mask: internedKernelForm(mask), fields: fields, provenance: provenance)
    }
}
