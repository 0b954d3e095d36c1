# Sourced (`. Benchmarks/common.sh`, POSIX sh) by the benchmarks, run from the package root.
# make_work makes $work, a temporary directory removed on exit. For the benchmarks that replace
# the kernel's rules, hold_kernel takes the team's kernel lock on fd 9 and saves the kernel's
# rules; on exit they are restored (auditctl -D, then -R of the saved listing). $bench names the
# benchmark in messages. Never loads -e.

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

# The release build's binary, built first (the build's last line goes to stderr).
release_binary() {
    swift build -c release --product aurules 2>&1 | tail -1 >&2
    echo "$(swift build -c release --show-bin-path)/aurules"
}

# Best wall time of $1 runs of the rest, and the largest max RSS, as "seconds kib". Standard
# output is dropped; exit 1 (lint's findings) is not a failure.
best_of() {
    _runs=$1 _best="" _peak=0 _r=0
    shift
    while [ $_r -lt "$_runs" ]; do
        /usr/bin/time -f "%e %M" -o "$work/time" "$@" > /dev/null 2> "$work/err" || [ $? -eq 1 ] || { cat "$work/err" >&2; exit 1; }
        read -r _secs _kib < "$work/time"
        if [ -z "$_best" ] || awk -v a="$_secs" -v b="$_best" 'BEGIN { exit !(a < b) }'; then _best=$_secs; fi
        [ "$_kib" -gt "$_peak" ] && _peak=$_kib
        _r=$((_r + 1))
    done
    echo "$_best $_peak"
}
