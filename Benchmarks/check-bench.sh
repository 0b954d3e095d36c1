#!/bin/sh
# aurules check with 2,000 loaded rules against `auditctl -l` alone, as whole processes:
# medians of 10 interleaved runs each, and their ratio (target <= 1.5). Needs root and audit.
# It replaces the kernel's rules for its duration under the team's kernel lock, then restores
# them from the saved listing (deleting 2,000 rules takes the kernel ~25 s). Never loads -e.
#
# Without an argument it measures the build the README installs (release, --static-swift-stdlib),
# built into .build/static so that it does not replace the default release build.
#
#   sh Benchmarks/check-bench.sh [path/to/aurules]
set -eu
cd "$(dirname "$0")/.."
if [ $# -gt 0 ]; then
    AURULES=$1
else
    swift build -c release --static-swift-stdlib --product aurules --scratch-path .build/static 2>&1 | tail -1
    AURULES=.build/static/release/aurules
fi
RUNS=10
N=2000
[ "$(id -u)" = 0 ] || { echo "check-bench: needs root (CAP_AUDIT_CONTROL)" >&2; exit 2; }
[ -x "$AURULES" ] || { echo "check-bench: no $AURULES (swift build -c release)" >&2; exit 2; }
command -v auditctl >/dev/null || { echo "check-bench: auditctl is not installed" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
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

now() { date +%s%N; }
median() { sort -n | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

exec 9>/tmp/aurules-kernel.lock
flock 9
auditctl -l > "$work/saved.txt"
restore() {
    auditctl -D >/dev/null
    if ! grep -qx 'No rules' "$work/saved.txt"; then
        chmod 600 "$work/saved.txt"
        auditctl -R "$work/saved.txt" >/dev/null || echo "check-bench: restoring the saved rules reported errors" >&2
    fi
}
trap 'restore; rm -rf "$work"' EXIT

auditctl -D >/dev/null
auditctl -R "$work/rules.d/50-bench.rules" >/dev/null
loaded=$(auditctl -l | wc -l)
[ "$loaded" -eq $N ] || { echo "check-bench: loaded $loaded rules, expected $N" >&2; exit 2; }
"$AURULES" check "$work/rules.d" >/dev/null || { echo "check-bench: aurules check does not report in sync" >&2; exit 2; }

: > "$work/a.txt"; : > "$work/b.txt"
r=0
while [ $r -lt $RUNS ]; do
    t0=$(now); "$AURULES" check "$work/rules.d" >/dev/null; t1=$(now)
    auditctl -l >/dev/null; t2=$(now)
    echo $(((t1 - t0) / 1000)) >> "$work/a.txt"
    echo $(((t2 - t1) / 1000)) >> "$work/b.txt"
    r=$((r + 1))
done
a=$(median < "$work/a.txt"); b=$(median < "$work/b.txt")
echo "rules loaded:            $N"
echo "aurules check (median):  $((${a%.*} / 1000)) ms"
echo "auditctl -l (median):    $((${b%.*} / 1000)) ms"
awk -v a="$a" -v b="$b" 'BEGIN { printf "ratio:                   %.2fx (target <= 1.5x)\n", a / b }'
