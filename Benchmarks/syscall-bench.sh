#!/usr/bin/env bash
# Whole-process lookup cost: `aurules syscall x86_64 clone --exact` against
# `ausyscall x86_64 clone --exact` (auditd 3.0.9), 20 runs each, interleaved so that machine noise
# hits both alike. Prints both medians and the ratio (target, issue 13: <= 1.2).
# Usage: Benchmarks/syscall-bench.sh [RUNS]   (run from anywhere; builds the release binary first)
#
# The release binary is built as one static executable (scripts/static-build: -static-executable,
# libaudit and libcap-ng linked in), the way a single-file tool is shipped to hosts without a Swift runtime:
# loading the dynamic Swift runtime and Foundation alone costs more than ausyscall's whole run.
# LINK=dynamic measures the default `swift build -c release` binary instead.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
command -v ausyscall >/dev/null || { echo "ausyscall not installed (apt-get install auditd)" >&2; exit 2; }
if [ -n "${BIN:-}" ]; then
    bin=$BIN  # a given binary, e.g. the packaged one: BIN=/usr/bin/aurules
elif [ "${LINK:-static}" = dynamic ]; then
    swift build -c release --product aurules >/dev/null
    bin=$(swift build -c release --show-bin-path)/aurules
else
    bin=$(scripts/static-build)  # what scripts/package-deb ships
fi
label=${BIN:+given}
echo "binary: $bin (${label:-${LINK:-static}})"
[ "$("$bin" syscall x86_64 clone --exact)" = "$(ausyscall x86_64 clone --exact)" ] || { echo "outputs differ" >&2; exit 1; }

# Microseconds for one whole run of "$@".
elapsed() {
    local start=$EPOCHREALTIME
    "$@" >/dev/null
    local end=$EPOCHREALTIME
    echo $(( (${end/./} - ${start/./}) ))
}

ours=() theirs=()
for _ in 1 2 3; do "$bin" syscall x86_64 clone --exact >/dev/null; ausyscall x86_64 clone --exact >/dev/null; done  # warm caches
for ((i = 0; i < runs; i++)); do
    ours+=("$(elapsed "$bin" syscall x86_64 clone --exact)")
    theirs+=("$(elapsed ausyscall x86_64 clone --exact)")
done

median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
m_ours=$(median "${ours[@]}")
m_theirs=$(median "${theirs[@]}")
awk -v o="$m_ours" -v t="$m_theirs" -v n="$runs" 'BEGIN {
    printf "aurules syscall x86_64 clone --exact: median %.0f us (%d runs)\n", o, n
    printf "ausyscall x86_64 clone --exact:       median %.0f us (%d runs)\n", t, n
    printf "ratio: %.2fx (target <= 1.2x)\n", o / t
}'
