#!/usr/bin/env bash
# Writes a rules file of N (default 100000) distinct rules in the mix real rule sets have:
# arch-less syscall rules (two kernel rules each), explicit-arch rules, watches, -F fields, keys.
# Usage: Benchmarks/compile-gen.sh [N] > FILE
set -euo pipefail
n=${1:-100000}
awk -v n="$n" 'BEGIN {
  print "-D"
  print "-b 8192"
  for (i = 0; i < n; i++) {
    k = i % 5
    if (k == 0)      printf "-w /etc/bench/file%d -p wa -k bench-%d\n", i, i
    else if (k == 1) printf "-a always,exit -S open,openat,creat,truncate,ftruncate -F auid>=1000 -F auid!=unset -k bench-%d\n", i
    else if (k == 2) printf "-a always,exit -F arch=b64 -S execve,execveat -F uid=%d -F key=bench-%d\n", i, i
    else if (k == 3) printf "-a always,exit -F arch=b32 -S chmod,fchmod,fchmodat -F exit=-EACCES -k bench-%d -k more\n", i
    else             printf "-a never,exit -F arch=b64 -S all -F path=/usr/bin/tool%d -F perm=x -F gid=%d\n", i, i
  }
  print "-e 1"
}'
