#!/usr/bin/env python3
"""Rules files with many `-D -k KEY` lines (dk4 branch, RESULTS.md "-D -k over many rules").

    gen-delete-key.py KIND N > FILE

seq: N keyed rules, then `-D -k` for each key in order (the first few empty the set);
rev: the same deletions in reverse order (each deletes one rule);
miss: N keyed rules, then N `-D -k` lines that match nothing;
inter: a rule and a `-D -k` that matches nothing, N times;
inter2: N keyed rules, then N times a new rule and a `-D -k` that matches nothing.
"""
import sys

kind, n = sys.argv[1], int(sys.argv[2])


def rule(i, key):
    return f'-a always,exit -F arch=b64 -S openat -F auid={i} -k {key}'


if kind == 'seq':
    for i in range(n): print(rule(i, f'k{i}'))
    for i in range(n): print(f'-D -k k{i}')
elif kind == 'rev':
    for i in range(n): print(rule(i, f'k{i}'))
    for i in reversed(range(n)): print(f'-D -k k{i}')
elif kind == 'miss':
    for i in range(n): print(rule(i, f'k{i}'))
    for i in range(n): print(f'-D -k zz{i}')
elif kind == 'inter':
    for i in range(n):
        print(rule(i, f'k{i}'))
        print(f'-D -k zz{i}')
elif kind == 'inter2':
    for i in range(n): print(rule(i, f'k{i}'))
    for i in range(n):
        print(rule(n + i, f'k{n + i}'))
        print(f'-D -k k{i}e')
else:
    sys.exit(f'unknown kind {kind}')
