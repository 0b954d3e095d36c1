#!/usr/bin/env bash
# Builds the libFuzzer targets: the library modules (Syscalls, AuditRules, AuditLint) compiled
# with swiftc, instrumented for the fuzzer and the sanitizers, then one executable per target.
# Not part of the package build: `swift build` never sees these files.
#
#   Fuzz/build.sh [TARGET...]         (default: every target)
#   FUZZ_SANITIZERS=fuzzer            (default fuzzer,address)
#   FUZZ_OPT=-Onone                   (default -O; -Onone builds several times faster)
#   FUZZ_BUILD_DIR=DIR                (default Fuzz/.build/<sanitizers><opt>)
#
# Prints "unsupported: REASON" and exits 3 when the toolchain cannot build a fuzzer.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
sanitizers=${FUZZ_SANITIZERS:-fuzzer,address}
opt=${FUZZ_OPT:--O}
build=${FUZZ_BUILD_DIR:-$here/.build/${sanitizers//,/-}$opt}
mkdir -p "$build"
swiftc=${SWIFTC:-$(command -v swiftc || true)}
[ -n "$swiftc" ] || { echo "unsupported: no swiftc in PATH"; exit 3; }

# The toolchain must link libFuzzer (and the sanitizer runtimes) before anything else is built.
probe=$build/probe
if [ ! -x "$probe" ]; then
    printf '@_cdecl("LLVMFuzzerTestOneInput") public func t(_ d: UnsafePointer<UInt8>, _ n: Int) -> CInt { 0 }\n' >"$build/probe.swift"
    if ! "$swiftc" -sanitize="$sanitizers" -parse-as-library "$build/probe.swift" -o "$probe" >"$build/probe.log" 2>&1; then
        echo "unsupported: swiftc -sanitize=$sanitizers does not link here ($(grep -m1 -i error "$build/probe.log" || tail -1 "$build/probe.log"))"
        exit 3
    fi
fi

flags=(-package-name aurules -parse-as-library -sanitize="$sanitizers" "$opt" -enable-testing -g -I "$build" -suppress-warnings)

# module NAME DEPENDENCY...: compiled (whole module, one object) when it is missing, or older
# than one of its sources or of the modules it imports.
module() {
    local name=$1 obj=$build/$1.o dep stale=
    shift
    [ -f "$obj" ] || stale=1
    [ -n "$stale" ] || [ -z "$(find "$root/Sources/$name" -name '*.swift' -newer "$obj")" ] || stale=1
    for dep in "$@"; do [ -n "$stale" ] || [ ! "$build/$dep.o" -nt "$obj" ] || stale=1; done
    [ -n "$stale" ] || return 0
    echo "fuzz build: $name" >&2
    find "$root/Sources/$name" -name '*.swift' | sort >"$build/$name.sources"
    "$swiftc" -module-name "$name" "${flags[@]}" -wmo -emit-module -emit-module-path "$build/$name.swiftmodule" \
        -c @"$build/$name.sources" -o "$obj.tmp"
    mv "$obj.tmp" "$obj"
}
module Syscalls
module AuditRules Syscalls
module AuditLint AuditRules Syscalls

targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=($(cd "$here/Targets" && ls *.swift | grep -v '^Support.swift$' | sed 's/\.swift$//'))
for t in "${targets[@]}"; do
    [ -f "$here/Targets/$t.swift" ] || { echo "no fuzz target $t (Fuzz/Targets/$t.swift)" >&2; exit 2; }
    out=$build/$t
    if [ -x "$out" ] && [ -z "$(find "$here/Targets/$t.swift" "$here/Targets/Support.swift" "$build"/*.o -newer "$out")" ]; then
        continue
    fi
    echo "fuzz build: $t" >&2
    # (gold warns once per ASan helper symbol that it cannot export it: noise, dropped)
    "$swiftc" -module-name "$t" "${flags[@]}" "$here/Targets/Support.swift" "$here/Targets/$t.swift" \
        "$build/Syscalls.o" "$build/AuditRules.o" "$build/AuditLint.o" -o "$out.tmp" 2>&1 | { grep -v 'Cannot export local symbol' || true; } >&2
    [ "${PIPESTATUS[0]}" -eq 0 ] || exit 1
    mv "$out.tmp" "$out"
done
echo "$build"
