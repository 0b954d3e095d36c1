#!/bin/sh
# aurules apply against what `augenrules --load` does (auditctl -D, then auditctl -R of the same
# target) with 2,000 rules loaded, side by side in one run, as whole processes:
#   - no change: apply vs `auditctl -l` (medians of 10 interleaved runs; goal <= 1.5x)
#   - one changed rule, last in its list: apply (median of 5) vs -D + -R (one run: a -D of 2,000
#     rules takes the kernel ~30 s; goal <= 1/100)
#   - one changed rule in the middle of its list (apply only: the kernel adds only at the ends
#     of a list, so half the list is rebuilt around the change)
#   - full replacement of 2,000 rules by 2,000 others: apply vs -D + -R, two rounds (goal: no
#     slower; timed without the sampler, which has no rule of both sets to follow there)
#   - deletions acknowledged one at a time vs 64 sent before reading their acks (200 rules)
# During each change the kernel's list is sampled over netlink every $PERIOD ms
# (Benchmarks/absence-poll.py) for the longest time a rule present before and after was missing
# (goal 0 for rules apply did not move); the report gives the sampling interval achieved and the
# number of samples. The sampler must see the rules missing during -D + -R (a self-test: else its
# 0 for apply means nothing).
# Needs root, audit and perf. Holds the team's kernel lock; the kernel's rules are saved first and
# restored at the end (auditctl -D, -R of the saved listing). Never loads -e.
#
# Without an argument it measures the build the README installs (release, --static-swift-stdlib).
# QUICK=1: only no change and one changed rule (last), with the -D + -R that is their measure
# and the sampler's self-test. PERIOD=MS: the sampler's period (default 10). BASELINE=BINARY:
# another aurules (say, main's) timed in the same loops, interleaved, for a before/after.
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
RUNS=${RUNS:-10}
PERIOD=${PERIOD:-10}
POLL=$(pwd)/Benchmarks/absence-poll.py
[ "$(id -u)" = 0 ] || { echo "apply-bench: needs root (CAP_AUDIT_CONTROL)" >&2; exit 2; }
[ -x "$AURULES" ] || { echo "apply-bench: no $AURULES" >&2; exit 2; }
command -v auditctl >/dev/null || { echo "apply-bench: auditctl is not installed" >&2; exit 2; }
command -v perf >/dev/null || { echo "apply-bench: perf is not installed (CPU times: perf stat -e task-clock)" >&2; exit 2; }

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

# Runs one command (whole process) under `perf stat -e task-clock`: sets $elapsed (ns, perf's
# own count from fork to exit, so perf's start is not in it) and $cpu (task-clock ms, the
# process and its children: CPU time, which a loaded machine does not stretch as it does wall
# time). Standard output goes to $work/out.txt.
timed() {
    # A failed run is reported and measured all the same (auditctl -l can fail with ENOBUFS).
    perf stat -e task-clock -o "$work/perf.txt" "$@" > "$work/out.txt" || echo "apply-bench: exit $? from $*" >&2
    elapsed=$(awk '/seconds time elapsed/ { printf "%.0f", $1 * 1e9 }' "$work/perf.txt")
    cpu=$(awk '/task-clock/ { gsub(",", "", $1); print $1 }' "$work/perf.txt")
}
# timed, appending $elapsed to $work/$1.ns and $cpu to $work/$1.cpu.
timed_into() {
    name=$1
    shift
    timed "$@"
    echo "$elapsed" >> "$work/$name.ns"
    echo "$cpu" >> "$work/$name.cpu"
}
# Median and runs of $work/$1.ns and .cpu, as "ELAPSED ms (CPU ms CPU)".
medians() { echo "$(ms "$(median < "$work/$1.ns")") ms elapsed, $(median < "$work/$1.cpu") ms CPU"; }

# Times one command (timed) while sampling the kernel; prints the time and the sampler's report.
# $1: label, $2: file of moved keys, "" for none, or "later" (the caller reports, once it knows
# which rules apply moved), rest: the command.
measured() {
    label=$1 moved=$2
    shift 2
    rm -f "$work/stop" "$work/stop.ready"
    python3 "$POLL" "$work/samples.json" "$work/stop" "$PERIOD" &
    poller=$!
    while [ ! -e "$work/stop.ready" ]; do sleep 0.05; done
    timed "$@"
    sleep 0.2
    touch "$work/stop"
    wait $poller
    echo "$label: $(ms "$elapsed") ms elapsed, $cpu ms CPU"
    [ "$moved" = later ] || echo "  $(python3 "$POLL" --report "$work/samples.json" $moved)"
    [ ! -s "$work/out.txt" ] || echo "  $(tail -n 1 "$work/out.txt")"
}
# The sampler's self-test on the run just measured (a -D + -R: every rule goes missing).
self_test() { python3 "$POLL" --report "$work/samples.json" "" --expect-absent | tail -n 1 | sed 's/^/  /'; }
# `auditctl -l` that completed: under load it can fail with ENOBUFS (the kernel outruns it).
listing() {
    n=0
    until auditctl -l > "$1" 2> "$work/list.err" && [ ! -s "$work/list.err" ]; do
        n=$((n + 1))
        [ $n -lt 10 ] || { echo "apply-bench: auditctl -l keeps failing: $(cat "$work/list.err")" >&2; return 1; }
    done
}
# What augenrules --load does, as one process tree (so that perf counts both auditctl runs):
# `sh -c "$D_AND_R" d_and_r FILE`.
D_AND_R='auditctl -D >/dev/null && auditctl -R "$1" >/dev/null'
moved_keys() { grep '^> ' "$work/out.txt" | sed 's/.*key=\([^ ]*\).*/\1/' > "$work/moved.txt"; }

echo "apply-bench: $N rules, $(uname -r), $AURULES, $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "  the kernel lock /tmp/aurules-kernel.lock is held by this run (flock on fd 9)"
auditctl -D >/dev/null
auditctl -R "$work/base.rules" >/dev/null

# No change.
r=0
while [ $r -lt $RUNS ]; do
    timed_into apply "$AURULES" apply "$work/base.rules"
    timed_into list auditctl -l
    timed_into check "$AURULES" check "$work/base.rules"
    [ -z "${BASELINE:-}" ] || timed_into baseline "$BASELINE" apply "$work/base.rules"
    r=$((r + 1))
done
ratio() { echo "$1 $2" | awk '{ printf "%.2f", $1 / $2 }'; }
echo "no change (medians of $RUNS, interleaved): apply $(medians apply); auditctl -l $(medians list); aurules check $(medians check)"
echo "  ratio apply / auditctl -l: $(ratio "$(median < "$work/apply.ns")" "$(median < "$work/list.ns")") elapsed, $(ratio "$(median < "$work/apply.cpu")" "$(median < "$work/list.cpu")") CPU"
[ -z "${BASELINE:-}" ] || echo "  baseline $BASELINE apply: $(medians baseline); ratio to auditctl -l $(ratio "$(median < "$work/baseline.ns")" "$(median < "$work/list.ns")") elapsed, $(ratio "$(median < "$work/baseline.cpu")" "$(median < "$work/list.cpu")") CPU"

# One changed rule, last in its list: the first run under the sampler, then 4 more (each undone
# by applying the base again, one more rule change), median of the 5.
measured "one changed rule (last), apply" "" "$AURULES" apply "$work/end.rules"
echo "$elapsed" > "$work/end.ns"
echo "$cpu" > "$work/end.cpu"
listing "$work/by-apply.txt"
r=1
while [ $r -lt 5 ]; do
    apply "$work/base.rules" > /dev/null
    timed_into end "$AURULES" apply "$work/end.rules"
    if [ -n "${BASELINE:-}" ]; then
        apply "$work/base.rules" > /dev/null
        timed_into end-baseline "$BASELINE" apply "$work/end.rules"
    fi
    r=$((r + 1))
done
apply_end=$(median < "$work/end.ns")
echo "  apply, median of 5: $(medians end) (runs: $(sort -n "$work/end.ns" | while read -r x; do printf '%s ' "$(ms "$x")"; done)ms)"
[ -z "${BASELINE:-}" ] || echo "  baseline apply, median of 4 (interleaved): $(medians end-baseline)"
apply "$work/base.rules" > /dev/null
# Timed without the sampler (its listings take the kernel's audit lock that every delete needs),
# then once more under it, for the absence and the sampler's self-test.
timed sh -c "$D_AND_R" d_and_r "$work/end.rules"
dr_end=$elapsed dr_end_cpu=$cpu
echo "one changed rule (last), auditctl -D + -R: $(ms "$elapsed") ms elapsed, $cpu ms CPU"
apply "$work/base.rules" > /dev/null
measured "one changed rule (last), auditctl -D + -R, sampled" "" sh -c "$D_AND_R" d_and_r "$work/end.rules"
self_test
listing "$work/by-auditctl.txt"
cmp -s "$work/by-apply.txt" "$work/by-auditctl.txt" && echo "  the kernel after apply and after -D + -R: identical listings" \
    || echo "  WARNING: the listings after apply and after -D + -R differ"
echo "  ratio apply (median) / (-D + -R): $(echo "$apply_end $dr_end" | awk '{ printf "1/%.0f", $2 / $1 }') elapsed, $(echo "$(median < "$work/end.cpu") $dr_end_cpu" | awk '{ printf "1/%.0f", $2 / $1 }') CPU"
[ -z "${BASELINE:-}" ] || echo "  baseline ratio (median) / (-D + -R): $(echo "$(median < "$work/end-baseline.ns") $dr_end" | awk '{ printf "1/%.0f", $2 / $1 }') elapsed, $(echo "$(median < "$work/end-baseline.cpu") $dr_end_cpu" | awk '{ printf "1/%.0f", $2 / $1 }') CPU"

[ "${QUICK:-0}" = 1 ] && exit 0

# One changed rule in the middle of its list.
apply "$work/base.rules" > /dev/null
measured "one changed rule (middle), apply" later "$AURULES" apply "$work/mid.rules"
moved_keys
echo "  $(python3 "$POLL" --report "$work/samples.json" "$work/moved.txt")"
echo "  $(wc -l < "$work/moved.txt") rules moved"

# Full replacement: 2,000 rules by 2,000 others, twice, the order of the two tools swapped in the
# second round (base -> other -> base -> other -> base). No rule is in both sets, so there is
# nothing to sample: every run is timed alone.
full_apply() {
    timed "$AURULES" apply "$1"
    echo "$elapsed" >> "$work/full-apply.ns"; echo "$cpu" >> "$work/full-apply.cpu"
    echo "full replacement, apply: $(ms "$elapsed") ms elapsed, $cpu ms CPU ($(tail -n 1 "$work/out.txt"))"
}
full_dr() {
    timed sh -c "$D_AND_R" d_and_r "$1"
    echo "$elapsed" >> "$work/full-dr.ns"; echo "$cpu" >> "$work/full-dr.cpu"
    echo "full replacement, auditctl -D + -R: $(ms "$elapsed") ms elapsed, $cpu ms CPU"
}
full_apply "$work/other.rules"
full_dr "$work/base.rules"
full_dr "$work/other.rules"
full_apply "$work/base.rules"
sum() { awk '{ s += $1 } END { printf "%.0f", s }' "$1"; }
echo "  ratio apply / (-D + -R), both rounds: $(ratio "$(sum "$work/full-apply.ns")" "$(sum "$work/full-dr.ns")") elapsed, $(ratio "$(sum "$work/full-apply.cpu")" "$(sum "$work/full-dr.cpu")") CPU"

# Deletions: one ack at a time vs pipelined.
for batch in 1 64; do
    t0=$(now); apply --delete-batch $batch "$work/fewer.rules" >/dev/null; t1=$(now)
    echo "200 deletions, --delete-batch $batch: $(ms $((t1 - t0))) ms"
    apply "$work/base.rules" >/dev/null
done
