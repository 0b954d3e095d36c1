#!/usr/bin/env bash
# Parser throughput: `aurules fmt` (parse + print) and `aurules lint` (parse + every check) on a
# generated N-line rules file (default 100,000; Benchmarks/compile-gen.sh's mix), release build.
# Prints lines per second (lines / wall time, best of RUNS runs) and peak memory. Not run by CI.
# Usage: Benchmarks/parse-bench.sh [N] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
runs=${2:-3}
. Benchmarks/common.sh
bin=$(release_binary)
make_work
Benchmarks/compile-gen.sh "$n" > "$work/bench.rules"
lines=$(wc -l < "$work/bench.rules")

report() {
    awk -v what="$1" -v n="$lines" -v s="$2" -v kib="$3" 'BEGIN {
        printf "%-34s %7.3f s  %9.0f lines/s  peak %.1f MiB\n", what, s, (s > 0 ? n / s : 0), kib / 1024 }'
}
echo "input: $lines lines"
report "aurules fmt (parse + print):" $(best_of "$runs" "$bin" fmt "$work/bench.rules")
report "aurules lint --no-resolve:" $(best_of "$runs" "$bin" lint --no-resolve --no-host-checks "$work/bench.rules")
