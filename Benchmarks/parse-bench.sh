#!/usr/bin/env bash
# Parser throughput: `aurules fmt` (parse + print) and `aurules lint` (parse + every check) on a
# generated N-line rules file (default 100,000; Benchmarks/compile-gen.sh's mix), release build.
# Prints lines per second (lines / wall time, best of RUNS runs) and peak memory. Not run by CI.
# Usage: Benchmarks/parse-bench.sh [N] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
runs=${2:-3}
swift build -c release --product aurules 2>&1 | tail -1
bin=$(swift build -c release --show-bin-path)/aurules
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
Benchmarks/compile-gen.sh "$n" > "$work/bench.rules"
lines=$(wc -l < "$work/bench.rules")

# Best wall time of $runs runs of "$@" and the largest max RSS, as "seconds kib".
measure() {
    local best="" peak=0 secs kib
    for ((r = 0; r < runs; r++)); do
        # lint exits 1 when it finds something (the generated rules have warnings): not a failure here.
        /usr/bin/time -f "%e %M" -o "$work/time" "$@" > /dev/null 2> "$work/err" || [ $? -eq 1 ] || { cat "$work/err" >&2; exit 1; }
        read -r secs kib < "$work/time"
        if [ -z "$best" ] || awk -v a="$secs" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$secs; fi
        [ "$kib" -gt "$peak" ] && peak=$kib
    done
    echo "$best $peak"
}

report() {
    awk -v what="$1" -v n="$lines" -v s="$2" -v kib="$3" 'BEGIN {
        printf "%-34s %7.3f s  %9.0f lines/s  peak %.1f MiB\n", what, s, (s > 0 ? n / s : 0), kib / 1024 }'
}
echo "input: $lines lines"
report "aurules fmt (parse + print):" $(measure "$bin" fmt "$work/bench.rules")
report "aurules lint --no-resolve:" $(measure "$bin" lint --no-resolve --no-host-checks "$work/bench.rules")
