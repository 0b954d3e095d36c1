#!/usr/bin/env bash
# Compile throughput: a generated 100,000-rule file compiled for x86_64 by the release build.
# Prints rules per second (source rules / wall time, best of 3 runs) and peak memory (max RSS).
# Targets: >= 200,000 rules/s and <= 64 MiB.
# Usage: Benchmarks/compile-bench.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
. Benchmarks/common.sh
bin=$(release_binary)
make_work
Benchmarks/compile-gen.sh "$n" > "$work/bench.rules"
read -r best peak <<EOF
$(best_of 3 "$bin" compile "$work/bench.rules" --machine x86_64 --kernel 6.1 --audit-version 3.0.9 --watch-kind path -o "$work/out.rules")
EOF
kernel_rules=$(grep -c '^-a' "$work/out.rules")
# The parser's share: `aurules fmt` parses the same file (and prints it) without compiling.
/usr/bin/time -f "%e" -o "$work/fmt-time" "$bin" fmt "$work/bench.rules" > /dev/null
fmt_secs=$(cat "$work/fmt-time")
awk -v n="$n" -v s="$best" -v kib="$peak" -v kr="$kernel_rules" 'BEGIN {
  rate = (s > 0) ? n / s : 0
  printf "compile x86_64: %d source rules -> %d kernel rules in %.3f s (best of 3): %.0f rules/s (target >= 200000)\n", n, kr, s, rate
  printf "peak memory: %.1f MiB (target <= 64)\n", kib / 1024
}'
echo "for scale: aurules fmt (parse + print, no compile) of the same file: ${fmt_secs} s"
