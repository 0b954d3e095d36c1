#!/bin/sh
# aurules check with 2,000 loaded rules against `auditctl -l` alone, as whole processes:
# medians of 10 interleaved runs each, and their ratio (target <= 1.5). Needs root and audit.
# It replaces the kernel's rules for its duration under the team's kernel lock, then restores
# them from the saved listing (deleting 2,000 rules takes the kernel ~25 s). Never loads -e.
#
# Without an argument it measures the build the README installs (release, --static-swift-stdlib),
# built into .build/static so that it does not replace the default release build. Several
# binaries (an old and a new build) are measured side by side in one run, interleaved.
#
#   sh Benchmarks/check-bench.sh [path/to/aurules ...]
set -eu
cd "$(dirname "$0")/.."
if [ $# -eq 0 ]; then
    swift build -c release --static-swift-stdlib --product aurules --scratch-path .build/static 2>&1 | tail -1
    set -- .build/static/release/aurules
fi
RUNS=10
N=2000
[ "$(id -u)" = 0 ] || { echo "check-bench: needs root (CAP_AUDIT_CONTROL)" >&2; exit 2; }
for aurules in "$@"; do
    [ -x "$aurules" ] || { echo "check-bench: no $aurules (swift build -c release)" >&2; exit 2; }
done
command -v auditctl >/dev/null || { echo "check-bench: auditctl is not installed" >&2; exit 2; }

bench=check-bench
. Benchmarks/common.sh
make_work
mkdir "$work/rules.d"

# 2,000 distinct explicit rules: both ABIs, a few syscall sets, one auid bound each.
i=0
while [ $i -lt $((N / 2)) ]; do
    case $((i % 4)) in
        0) s64="openat,open,creat"; s32="openat,open,creat" ;;
        1) s64="execve,execveat"; s32="execve,execveat" ;;
        2) s64="unlink,unlinkat,rename,renameat"; s32="unlink,unlinkat,rename,renameat" ;;
        3) s64="setuid,setgid,setreuid"; s32="setuid32,setgid32,setreuid32" ;;
    esac
    echo "-a always,exit -F arch=b64 -S $s64 -F auid>=$((1000 + i)) -F auid!=unset -k aurules-test-bench"
    echo "-a always,exit -F arch=b32 -S $s32 -F auid>=$((1000 + i)) -F auid!=unset -k aurules-test-bench"
    i=$((i + 1))
done > "$work/rules.d/50-bench.rules"
chmod 600 "$work/rules.d/50-bench.rules"

hold_kernel
auditctl -D >/dev/null
auditctl -R "$work/rules.d/50-bench.rules" >/dev/null
loaded=$(auditctl -l | wc -l)
[ "$loaded" -eq $N ] || { echo "check-bench: loaded $loaded rules, expected $N" >&2; exit 2; }
for aurules in "$@"; do
    "$aurules" check "$work/rules.d" >/dev/null || { echo "check-bench: $aurules check does not report in sync" >&2; exit 2; }
done

echo "check-bench: $N rules loaded, $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg)"
: > "$work/auditctl.us"
r=0
while [ $r -lt $RUNS ]; do
    b=0
    for aurules in "$@"; do
        t0=$(now); "$aurules" check "$work/rules.d" >/dev/null; t1=$(now)
        echo $(((t1 - t0) / 1000)) >> "$work/aurules-$b.us"
        b=$((b + 1))
    done
    t0=$(now); auditctl -l >/dev/null; t1=$(now)
    echo $(((t1 - t0) / 1000)) >> "$work/auditctl.us"
    r=$((r + 1))
done
l=$(median < "$work/auditctl.us")
echo "auditctl -l (median of $RUNS): $(ms "$((${l%.*} * 1000))") ms"
b=0
for aurules in "$@"; do
    a=$(median < "$work/aurules-$b.us")
    echo "$aurules check (median of $RUNS): $(ms "$((${a%.*} * 1000))") ms, ratio $(echo "$a $l" | awk '{ printf "%.2f", $1 / $2 }')x (target <= 1.5x)"
    b=$((b + 1))
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
