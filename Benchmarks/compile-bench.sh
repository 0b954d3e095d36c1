#!/usr/bin/env bash
# Compile throughput: a generated 100,000-rule file compiled for x86_64 by the release build.
# Prints rules per second (source rules / wall time, best of 3 runs) and peak memory (max RSS).
# Targets: >= 200,000 rules/s and <= 64 MiB.
#
#   Benchmarks/compile-bench.sh [N] [BINARY ...]
#
# Without a binary it builds and measures the release build (`swift build -c release`). Several
# binaries (an old and a new build) are measured side by side in one run, their runs interleaved
# so that machine noise hits them alike, e.g.
#   Benchmarks/compile-bench.sh 100000 /work/old-a9e7b54/.build/release/aurules .build/release/aurules
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
[ $# -gt 0 ] && shift
. Benchmarks/common.sh
if [ $# -eq 0 ]; then set -- "$(release_binary)"; fi
for bin in "$@"; do [ -x "$bin" ] || { echo "compile-bench: no executable $bin" >&2; exit 2; }; done
make_work
Benchmarks/compile-gen.sh "$n" > "$work/bench.rules"
echo "compile-bench: $n source rules, load average $(cut -d' ' -f1-3 /proc/loadavg)"
# Three rounds, each running every binary once: best wall time, best CPU time (user + sys: what
# a loaded host does not stretch) and largest max RSS per binary.
declare -A best peak cpu
for round in 1 2 3; do
    i=0
    for bin in "$@"; do
        /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$bin" compile "$work/bench.rules" --machine x86_64 --kernel 6.1 \
            --audit-version 3.0.9 --watch-kind path -o "$work/out-$i.rules" > /dev/null 2> "$work/err" || { cat "$work/err" >&2; exit 1; }
        read -r secs user sys kib < "$work/time"
        if [ -z "${best[$i]:-}" ] || awk -v a="$secs" -v b="${best[$i]}" 'BEGIN { exit !(a < b) }'; then best[$i]=$secs; fi
        used=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
        if [ -z "${cpu[$i]:-}" ] || awk -v a="$used" -v b="${cpu[$i]}" 'BEGIN { exit !(a < b) }'; then cpu[$i]=$used; fi
        [ "$kib" -gt "${peak[$i]:-0}" ] && peak[$i]=$kib
        i=$((i + 1))
    done
done
i=0
for bin in "$@"; do
    kernel_rules=$(grep -c '^-a' "$work/out-$i.rules")
    # The parser's share: `aurules fmt` parses the same file (and prints it) without compiling.
    /usr/bin/time -f "%e" -o "$work/fmt-time" "$bin" fmt "$work/bench.rules" > /dev/null
    awk -v bin="$bin" -v n="$n" -v s="${best[$i]}" -v c="${cpu[$i]}" -v kib="${peak[$i]}" -v kr="$kernel_rules" -v first="${best[0]}" \
        -v firstcpu="${cpu[0]}" -v fmt="$(cat "$work/fmt-time")" 'BEGIN {
      rate = (s > 0) ? n / s : 0
      printf "%s\n", bin
      printf "  compile x86_64: %d source rules -> %d kernel rules in %.3f s (best of 3): %.0f rules/s (target >= 200000)\n", n, kr, s, rate
      printf "  CPU (user + sys, best of 3): %.2f s\n", c
      printf "  peak memory: %.1f MiB (target <= 64)\n", kib / 1024
      if (first > 0 && firstcpu > 0) printf "  wall / first binary'\''s: %.2f; CPU / first binary'\''s: %.2f\n", s / first, c / firstcpu
      printf "  for scale: aurules fmt (parse + print, no compile) of the same file: %s s\n", fmt
    }'
    i=$((i + 1))
done
if [ $# -gt 1 ]; then
    # The compiled files must be the same but for the header line naming the build.
    i=1
    for bin in "${@:2}"; do
        diff <(grep -v '^# by aurules' "$work/out-0.rules") <(grep -v '^# by aurules' "$work/out-$i.rules") >/dev/null \
            || echo "compile-bench: $bin's output differs from $1's" >&2
        i=$((i + 1))
    done
fi
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
