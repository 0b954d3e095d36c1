# Sourced (`. Benchmarks/kernel-bench.sh`) by the benchmarks that replace the kernel's rules.
# Defines now (ns), ms, median (of the numbers on stdin) and hold_kernel, which makes $work (a
# temporary directory), takes the team's kernel lock on fd 9 and saves the kernel's rules; on
# exit they are restored (auditctl -D, then -R of the saved listing) and $work is removed.
# $bench names the benchmark in messages. Never loads -e.

now() { date +%s%N; }
ms() { echo "$1" | awk '{ printf "%.1f", $1 / 1e6 }'; }
median() { sort -n | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

make_work() {
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
}

hold_kernel() {
    exec 9>/tmp/aurules-kernel.lock
    flock 9
    auditctl -l > "$work/saved.txt"
    trap 'restore_kernel; rm -rf "$work"' EXIT
}

restore_kernel() {
    auditctl -D >/dev/null
    if ! grep -qx 'No rules' "$work/saved.txt"; then
        chmod 600 "$work/saved.txt"
        auditctl -R "$work/saved.txt" >/dev/null || echo "$bench: restoring the saved rules reported errors" >&2
    fi
}
