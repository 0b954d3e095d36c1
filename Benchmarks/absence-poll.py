#!/usr/bin/env python3
"""Samples the kernel's rules (`auditctl -l`) until a stop file appears, then reports how long
any rule present before and after was missing in between.

    absence-poll.py OUT STOPFILE          # sample; writes OUT
    absence-poll.py --report OUT [MOVED]  # MOVED: file of keys apply moved (one a line)

Rules are told apart by their key (each benchmark rule has its own). A gap is measured from the
last sample that held the rule to the first that held it again: an upper bound, to within one
sampling interval, printed with the report.
"""
import json
import os
import re
import subprocess
import sys
import time

KEY = re.compile(r"key=(\S+)")


def sample(out, stop):
    samples = []
    failed = 0
    while True:
        t = time.monotonic()
        run = subprocess.run(["auditctl", "-l"], capture_output=True, text=True)
        # A listing cut short (ENOBUFS when the kernel outruns a busy reader) is no evidence.
        if run.returncode != 0 or run.stderr.strip():
            failed += 1
            if os.path.exists(stop) and samples:
                break
            continue
        samples.append((t, sorted(set(KEY.findall(run.stdout)))))
        if len(samples) == 1:
            open(stop + ".ready", "w").close()
        if os.path.exists(stop):
            break
    with open(out, "w") as f:
        json.dump({"samples": samples, "failed": failed}, f)


def report(path, moved_path=None):
    with open(path) as f:
        data = json.load(f)
    samples, failed = data["samples"], data["failed"]
    moved = set()
    if moved_path:
        with open(moved_path) as f:
            moved = {line.strip() for line in f if line.strip()}
    first, last = set(samples[0][1]), set(samples[-1][1])
    common = first & last
    longest = {"unchanged": 0.0, "moved": 0.0}
    absent = {"unchanged": set(), "moved": set()}
    last_seen = {key: samples[0][0] for key in common}
    gap_open = set()
    for t, keys in samples[1:]:
        present = set(keys)
        for key in common:
            kind = "moved" if key in moved else "unchanged"
            if key in present:
                if key in gap_open:
                    longest[kind] = max(longest[kind], t - last_seen[key])
                    gap_open.discard(key)
                last_seen[key] = t
            else:
                gap_open.add(key)
                absent[kind].add(key)
    times = [t for t, _ in samples]
    interval = (times[-1] - times[0]) / max(1, len(times) - 1)
    def some(keys):
        return (" (" + ", ".join(sorted(keys)[:3]) + (", ..." if len(keys) > 3 else "") + ")") if keys else ""
    print(f"samples {len(samples)} every {interval * 1000:.0f} ms ({failed} failed listings dropped); "
          f"rules in both sets never moved: {len(absent['unchanged'])} seen absent{some(absent['unchanged'])}, longest {longest['unchanged'] * 1000:.0f} ms; "
          f"moved rules: {len(absent['moved'])} of {len(moved & common)} seen absent, longest {longest['moved'] * 1000:.0f} ms")


if __name__ == "__main__":
    if sys.argv[1] == "--report":
        report(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)
    else:
        sample(sys.argv[1], sys.argv[2])
