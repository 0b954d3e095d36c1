#!/usr/bin/env bash
# Runs one libFuzzer target for SECONDS (building it first when needed) on its corpus
# (Fuzz/.corpus/TARGET, kept between runs) plus seeds made from rules.examples, the shipped
# tables, generated inputs and, when present, ../shared's corpus and kernel headers.
#
#   Fuzz/run.sh TARGET SECONDS [libFuzzer flags...]
#   Fuzz/run.sh list
#
# Exit status: 0 when the run ended with no crash, hang or sanitizer report; libFuzzer's status
# otherwise (the input is saved under Fuzz/.artifacts/TARGET/); 3 when the toolchain cannot build
# a fuzzer. FUZZ_CORPUS=DIR uses another corpus; FUZZ_NO_BUILD=1 runs the target as last built;
# the build variables are build.sh's.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
targets=$(cd "$here/Targets" && ls *.swift | grep -v '^Support.swift$' | sed 's/\.swift$//')
if [ "${1:-}" = list ]; then echo "$targets"; exit 0; fi
[ $# -ge 2 ] || { echo "usage: Fuzz/run.sh TARGET SECONDS [libFuzzer flags...]   (targets: $(echo $targets))" >&2; exit 2; }
target=$1 seconds=$2
shift 2
grep -qx "$target" <<<"$targets" || { echo "unknown target '$target'; one of: $(echo $targets)" >&2; exit 2; }

status=0
if [ -n "${FUZZ_NO_BUILD:-}" ]; then
    # Runs the target as last built (a long run keeps the library it started with while the
    # sources move on); the directory is build.sh's.
    build=${FUZZ_BUILD_DIR:-$here/.build/$(v=${FUZZ_SANITIZERS:-fuzzer,address}; echo "${v//,/-}")${FUZZ_OPT:--O}}
    [ -x "$build/$target" ] || { echo "FUZZ_NO_BUILD: no $build/$target" >&2; exit 2; }
else
    build=$("$here/build.sh" "$target" | tail -1) || status=$?
    [ $status -eq 0 ] || exit $status
fi

# Seeds: regenerated on every run (cheap), next to the corpus that libFuzzer grows. A seed that
# cannot be made is no reason to stop: no pipefail here (a reader closing early is SIGPIPE).
set +o pipefail
seeds=$build/seeds/$target
rm -rf "$seeds" && mkdir -p "$seeds"
shared=$root/../shared
# The rules targets (ParserLowering, FmtRoundTrip, SavedListing) read a configuration byte and a
# stretch byte before the text, with inputs capped at 512 bytes (Support.swift's `RulesInput`):
# each of their seeds is cut into pieces of whole lines of at most 510 bytes, and each piece is
# written once per configuration, with stretch byte 0.
# Their stretched inputs take tens of times an execution's CPU and hold hit-count features of their
# own, so the entropic schedule kept choosing them: it is scaled by execution time instead
# (FUZZING.md, "Speed per execution, seventh session").
configs=
max_len=4096
schedule=()
case $target in
ParserLowering|FmtRoundTrip) configs=3 max_len=512 schedule=(-entropic_scale_per_exec_time=1) ;;
SavedListing) configs=2 max_len=512 schedule=(-entropic_scale_per_exec_time=1) ;;
esac
# (mktemp, not a counter: `... | seed` runs in a subshell)
seed() {
    if [ -z "$configs" ]; then cat >"$(mktemp "$seeds/seed-XXXXXXXX")"; return; fi
    local in piece c
    in=$(mktemp "$seeds/.in-XXXXXXXX")
    cat >"$in"
    LC_ALL=C awk -v out="$in." 'BEGIN { n = 0; len = 0 }
        { l = length($0) + 1; if (len > 0 && len + l > 510) { n++; len = 0 }; print > (out n); len += l }' "$in"
    for piece in "$in".*; do
        [ -f "$piece" ] || continue
        for ((c = 0; c < configs; c++)); do
            { printf "\\$(printf %03o $c)\\000"; cat "$piece"; } >"$(mktemp "$seeds/seed-XXXXXXXX")"
        done
        rm -f "$piece"
    done
    rm -f "$in"
}
rules_seeds() {
    for f in "$root"/rules.examples/*.rules; do
        seed <"$f"
        while IFS= read -r line; do [ -z "$line" ] || printf '%s\n' "$line" | seed; done <"$f"
    done
    if [ -d "$shared/corpus/files" ]; then
        find "$shared/corpus/files" -type f -name '*.rules' -size -8k | sort | sed -n 1,40p | while read -r f; do seed <"$f"; done
    fi
    seed <<'RULES'
-D
-b 8192
-f 1
--backlog_wait_time 60000
-a always,exit -F arch=b64 -S open,openat,openat2 -F exit=-EACCES -F auid>=1000 -F auid!=unset -k access
-a exit,always -F arch=b32 -S 5 -S 0x127 -F success=0 -F key=a\ b
-A always,exit -F arch=b64 -S all -F perm=wxra -F dir=/etc/ -F uid!=euid
-w /etc/shadow -p wa -k identity
-a never,exclude -F msgtype=CWD
-a always,filesystem -F fstype=tmpfs
-a always,user -F subj_type=crond_t
-a always,task -F pid=1
-a always,exit -F path=/usr/bin/sudo -F perm=x -F filetype=file -k priv
-a always,exit -F arch=b64 -C uid!=auid -S execve
-a always,io_uring -S openat
-d always,exit -F arch=b64 -S unlink
-c
-i
-e 1
RULES
}
case $target in
ParserLowering|FmtRoundTrip)
    rules_seeds
    ;;
SavedListing)
    rules_seeds
    if [ -d "$shared/corpus/loaded" ]; then
        find "$shared/corpus/loaded" -type f -name '*auditctl-l*' -size -8k | sort | sed -n 1,40p | while read -r f; do seed <"$f"; done
    fi
    printf 'No rules\n' | seed
    seed <<'LISTING'
-a always,exit -F arch=b64 -S open,openat -F exit=-EACCES -F auid>=1000 -F auid!=-1 -F key=access
-a always,exit -S clone,fork,vfork -F key=proc
-w /etc/passwd -p wa -k identity
-a always,exit -F dir=/srv/my dir -F perm=wa -F key=by hand
-a always,exit -F arch=b64 -S all -F filetype=32768 -F key=f
-a never,exclude -F msgtype=CWD
-a always,exit -F arch=b32 -S chmod,fchmod -F uid!=auid -F key=perm
LISTING
    ;;
TablesReader)
    t=$root/SyscallTables
    head -80 "$t/x86_64.tsv" | seed
    { head -40 "$t/x86_64.tsv"; printf '\0'; cat "$t/abis.tsv"; printf '\0'; head -40 "$t/i386.tsv"; } | seed
    { head -40 "$t/x86_64.tsv"; printf '\0\0\0'; head -60 "$t/libaudit-3.0.9.tsv"; printf '\0'; head -20 "$t/equivalents.tsv"; } | seed
    printf '0\tread\t3.10\t\n1\twrite\t3.10\t4.2\n1\twrite2\t4.3\t\n2047\thigh\t6.1\t\n' | seed
    printf '0\tread\t3.10\t\r\n2\topen\t5.4-rc2\t\r\n' | seed
    ;;
HeaderPreprocessor)
    printf '\0\0read 0\nwrite 1\n# c\nUsing x86_64 syscall table:\n2 open\n_llseek\n' | seed
    printf '\0\2read 1073741824\n' | seed
    printf '\1\0# nr abi name entry\n0\tcommon\tread\tsys_read\n1\t64\twrite\tsys_write\n512\tx32\trt_sigaction\tcompat_sys_rt_sigaction\n' | seed
    seed <<'HEADER'
  #ifndef _ASM_UNISTD_64_H
#define _ASM_UNISTD_64_H
/* a comment
   over lines */
#define __NR_read 0
#define __NR_write (__NR_read + 1) // trailing
#if defined(__LP64__) && __BITS_PER_LONG == 64 || !defined(X)
#define __NR3264_fcntl 25
#define __NR_fcntl __NR3264_fcntl
#elif 1 << 2 >= 4
#define __NR_never 3
#else
#undef __NR_read
#endif
#define __NR_long \
    (10 * 3 - 4 / 2)
#define __NR_syscalls 451
#include <asm/unistd_64.h>
#endif
HEADER
    for h in "$shared"/syscall-data/debian-bookworm-uapi-headers/i686-linux-gnu/include/asm/unistd_64.h \
             "$shared"/syscall-data/kernel-6.1.192-debian-source/include/uapi/asm-generic/unistd.h; do
        [ -f "$h" ] && { printf '\2\0'; cat "$h"; } | seed
    done
    tbl=$shared/syscall-data/kernel-6.1.192-debian-source/arch/x86/entry/syscalls/syscall_64.tbl
    [ -f "$tbl" ] && { printf '\1\0'; cat "$tbl"; } | seed
    ;;
esac

set -o pipefail

corpus=${FUZZ_CORPUS:-$here/.corpus/$target}
artifacts=$here/.artifacts/$target
mkdir -p "$corpus" "$artifacts"
echo "fuzz: $target for ${seconds}s, corpus $corpus ($(ls "$corpus" | wc -l) inputs) + $(ls "$seeds" | wc -l) seeds" >&2
# No allocation stack traces and a small quarantine: together they took a fifth of the time.
# Leaks are not checked: the Swift runtime's metadata caches and the lazily built tables live
# until exit by design, and memory growth per input is bounded by -rss_limit_mb instead.
# Swift's own crash backtracer would race ASan's report (it reads memory ASan flags as wild).
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:malloc_context_size=0:quarantine_size_mb=16}
exec "$build/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len="$max_len" "${schedule[@]}" -print_final_stats=1 \
    -artifact_prefix="$artifacts/" "$@" "$corpus" "$seeds"
