#!/bin/sh
# aurules apply against what `augenrules --load` does (auditctl -D, then auditctl -R of the same
# target) with 2,000 rules loaded, side by side in one run, as whole processes:
#   - no change: apply vs `auditctl -l` (medians of 10 interleaved runs; goal <= 1.5x)
#   - one changed rule, last in its list: apply vs -D + -R (one run each: a -D of 2,000 rules
#     takes the kernel ~30 s; goal <= 1/100)
#   - one changed rule in the middle of its list (apply only: the kernel adds only at the ends
#     of a list, so half the list is rebuilt around the change)
#   - full replacement of 2,000 rules by 2,000 others: apply vs -D + -R (goal: no slower)
#   - deletions acknowledged one at a time vs 64 sent before reading their acks (200 rules)
# During each change `auditctl -l` is sampled (Benchmarks/absence-poll.py) for the longest time
# a rule present before and after was missing (goal 0 for rules apply did not move).
# Needs root and audit. Holds the team's kernel lock; the kernel's rules are saved first and
# restored at the end (auditctl -D, -R of the saved listing). Never loads -e.
#
# Without an argument it measures the build the README installs (release, --static-swift-stdlib).
#
#   sh Benchmarks/apply-bench.sh [path/to/aurules]
set -eu
cd "$(dirname "$0")/.."
if [ $# -gt 0 ]; then
    AURULES=$1
else
    swift build -c release --static-swift-stdlib --product aurules --scratch-path .build/static 2>&1 | tail -1
    AURULES=.build/static/release/aurules
fi
N=2000
RUNS=10
POLL=$(pwd)/Benchmarks/absence-poll.py
[ "$(id -u)" = 0 ] || { echo "apply-bench: needs root (CAP_AUDIT_CONTROL)" >&2; exit 2; }
[ -x "$AURULES" ] || { echo "apply-bench: no $AURULES" >&2; exit 2; }
command -v auditctl >/dev/null || { echo "apply-bench: auditctl is not installed" >&2; exit 2; }

bench=apply-bench
. Benchmarks/common.sh
make_work

# 2,000 distinct rules, each with its own key (the absence sampler tells them apart by key).
# $1: file, $2: uid base, $3: key prefix, $4: rule whose uid is changed (0: none)
gen() {
    i=1
    while [ $i -le $N ]; do
        uid=$(($2 + i))
        [ $i -eq "$4" ] && uid=$((uid + 100000))
        echo "-a always,exit -F arch=b64 -S openat,creat -F uid=$uid -k $3-$i"
        i=$((i + 1))
    done > "$1"
    chmod 600 "$1"
}
gen "$work/base.rules" 100000 aurules-test-bench 0
gen "$work/end.rules" 100000 aurules-test-bench $N
gen "$work/mid.rules" 100000 aurules-test-bench $((N / 2))
gen "$work/other.rules" 300000 aurules-test-bench-other 0
head -n $((N - 200)) "$work/base.rules" > "$work/fewer.rules"
chmod 600 "$work/fewer.rules"

apply() { "$AURULES" apply "$@"; }

hold_kernel

# Times one command (whole process) while sampling the kernel; prints "ms | absence report".
# $1: label, $2: file of moved keys or "", rest: the command.
measured() {
    label=$1 moved=$2
    shift 2
    rm -f "$work/stop" "$work/stop.ready"
    python3 "$POLL" "$work/samples.json" "$work/stop" &
    poller=$!
    while [ ! -e "$work/stop.ready" ]; do sleep 0.05; done
    t0=$(now)
    "$@" > "$work/out.txt"
    t1=$(now)
    sleep 0.2
    touch "$work/stop"
    wait $poller
    elapsed=$((t1 - t0))
    echo "$label: $(ms $elapsed) ms | $(python3 "$POLL" --report "$work/samples.json" $moved)"
    echo "  $(tail -n 1 "$work/out.txt")"
}
# `auditctl -l` that completed: under load it can fail with ENOBUFS (the kernel outruns it).
listing() {
    n=0
    until auditctl -l > "$1" 2> "$work/list.err" && [ ! -s "$work/list.err" ]; do
        n=$((n + 1))
        [ $n -lt 10 ] || { echo "apply-bench: auditctl -l keeps failing: $(cat "$work/list.err")" >&2; return 1; }
    done
}
d_and_r() { auditctl -D >/dev/null && auditctl -R "$1" >/dev/null; }
moved_keys() { grep '^> ' "$work/out.txt" | sed 's/.*key=\([^ ]*\).*/\1/' > "$work/moved.txt"; }

echo "apply-bench: $N rules, $(uname -r), $AURULES, load average $(cut -d' ' -f1-3 /proc/loadavg)"
auditctl -D >/dev/null
auditctl -R "$work/base.rules" >/dev/null

# No change.
: > "$work/apply.ns"; : > "$work/list.ns"; : > "$work/check.ns"
r=0
while [ $r -lt $RUNS ]; do
    t0=$(now); apply "$work/base.rules" >/dev/null; t1=$(now); echo $((t1 - t0)) >> "$work/apply.ns"
    t0=$(now); auditctl -l >/dev/null 2>&1; t1=$(now); echo $((t1 - t0)) >> "$work/list.ns"
    t0=$(now); "$AURULES" check "$work/base.rules" >/dev/null; t1=$(now); echo $((t1 - t0)) >> "$work/check.ns"
    r=$((r + 1))
done
a=$(median < "$work/apply.ns"); l=$(median < "$work/list.ns"); c=$(median < "$work/check.ns")
echo "no change: apply $(ms "$a") ms, auditctl -l $(ms "$l") ms, ratio $(echo "$a $l" | awk '{ printf "%.2f", $1 / $2 }') (medians of $RUNS; aurules check $(ms "$c") ms)"

# One changed rule, last in its list: the first run under the sampler, then 4 more (each undone
# by applying the base again, one more rule change), median of the 5.
measured "one changed rule (last), apply" "" apply "$work/end.rules"
echo $elapsed > "$work/end.ns"
listing "$work/by-apply.txt"
r=1
while [ $r -lt 5 ]; do
    apply "$work/base.rules" > /dev/null
    t0=$(now); apply "$work/end.rules" > /dev/null; t1=$(now); echo $((t1 - t0)) >> "$work/end.ns"
    r=$((r + 1))
done
apply_end=$(median < "$work/end.ns")
echo "  apply, median of 5: $(ms "$apply_end") ms (runs: $(sort -n "$work/end.ns" | while read -r x; do printf '%s ' "$(ms "$x")"; done)ms)"
apply "$work/base.rules" > /dev/null
measured "one changed rule (last), auditctl -D + -R" "" d_and_r "$work/end.rules"
dr_end=$elapsed
listing "$work/by-auditctl.txt"
cmp -s "$work/by-apply.txt" "$work/by-auditctl.txt" && echo "  the kernel after apply and after -D + -R: identical listings" \
    || echo "  WARNING: the listings after apply and after -D + -R differ"
echo "  ratio apply (median) / (-D + -R): $(echo "$apply_end $dr_end" | awk '{ printf "1/%.0f", $2 / $1 }')"

# One changed rule in the middle of its list.
apply "$work/base.rules" > /dev/null
measured "one changed rule (middle), apply" "" apply "$work/mid.rules"
moved_keys
python3 "$POLL" --report "$work/samples.json" "$work/moved.txt" | sed 's/^/  /'
echo "  $(wc -l < "$work/moved.txt") rules moved"

# Full replacement: 2,000 rules by 2,000 others.
measured "full replacement, apply" "" apply "$work/other.rules"
apply_full=$elapsed
measured "full replacement, auditctl -D + -R" "" d_and_r "$work/base.rules"
echo "  ratio apply / (-D + -R): $(echo "$apply_full $elapsed" | awk '{ printf "%.2f", $1 / $2 }')"

# Deletions: one ack at a time vs pipelined.
for batch in 1 64; do
    t0=$(now); apply --delete-batch $batch "$work/fewer.rules" >/dev/null; t1=$(now)
    echo "200 deletions, --delete-batch $batch: $(ms $((t1 - t0))) ms"
    apply "$work/base.rules" >/dev/null
done
