#!/usr/bin/env bash
# Start-up cost of small runs, side by side for several binaries and ausyscall: CPU time per
# whole run (perf stat -e task-clock, mean of RUNS runs) and instructions per run (callgrind,
# repeatable under load). Commands: --version, the ausyscall lookup `syscall x86_64 clone
# --exact`, lint and compile of a 2-line file (in an empty temporary directory: no .aurules).
#
#   Benchmarks/startup-bench.sh BINARY ...        (RUNS=20 by default; INSTR=0 skips callgrind)
#
# Callgrind cannot read the debug info of the static build: give it stripped binaries
# (strip --strip-debug keeps the symbols; the package's strip --strip-unneeded works too).
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: $0 BINARY ..." >&2; exit 2; }
runs=${RUNS:-20}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf -- '-a always,exit -F arch=b64 -S openat,open -F auid>=1000 -F auid!=unset -k files\n-w /etc/passwd -p wa -k identity\n' > "$work/two.rules"
cd "$work"
echo "startup-bench: $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg), $runs runs each"
cpu() {  # mean task-clock in ms of "$@"
    if command -v perf >/dev/null; then
        perf stat -x, -e task-clock -r "$runs" "$@" 2>&1 >/dev/null | awk -F, '/task-clock/ { printf "%.2f ms", $1 }'
    else
        echo "(no perf)"
    fi
}
instructions() {  # callgrind's instruction count of one run of "$@"
    if [ "${INSTR:-1}" = 1 ] && command -v valgrind >/dev/null; then
        valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null | awk '/refs:/ { print $NF }'
    else
        echo "-"
    fi
}
printf '%-40s %-50s %12s %16s\n' "command" "binary" "CPU" "instructions"
row() { printf '%-40s %-50s %12s %16s\n' "$1" "$2" "$(cpu "${@:3}")" "$(instructions "${@:3}")"; }
for args in "--version" "syscall x86_64 clone --exact" "lint two.rules" "compile two.rules"; do
    for bin in "$@"; do
        # shellcheck disable=SC2086
        row "$args" "$bin" "$bin" $args || true
    done
    if [ "$args" = "syscall x86_64 clone --exact" ] && command -v ausyscall >/dev/null; then
        row "$args" "ausyscall x86_64 clone --exact" ausyscall x86_64 clone --exact
    fi
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
