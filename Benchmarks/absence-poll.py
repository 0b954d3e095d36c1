#!/usr/bin/env python3
"""Samples the kernel's rules over the audit netlink socket (AUDIT_LIST_RULES, as `auditctl -l`
asks, without auditctl's process start and printing) at a fixed period until a stop file
appears, then reports how long any rule present before and after was missing in between.

    absence-poll.py OUT STOPFILE [PERIOD_MS]    # sample (default every 10 ms); writes OUT
    absence-poll.py --report OUT [MOVED] [--expect-absent]

MOVED: a file of keys apply moved (one a line). --expect-absent: a self-test for a run that
removes rules (auditctl -D + -R): exit 1 unless some rule of both sets was seen absent.

Rules are told apart by their raw `audit_rule_data` bytes, so a changed rule is another rule.
The kernel builds the whole list under its audit mutex when the request arrives, so each sample
is one consistent state taken between the request's send starting and returning (both times are
kept). A gap is bounded from above by the time from the send of the last sample that held the
rule to the send's return of the first that held it again; an absence shorter than the sampling
interval can fall between two samples, so the report gives the intervals actually achieved.
"""
import array
import errno
import json
import os
import socket
import struct
import sys
import time

NETLINK_AUDIT = 9
AUDIT_LIST_RULES = 1013
NLMSG_ERROR, NLMSG_DONE = 2, 3
NLM_F_REQUEST = 1
SO_RCVBUFFORCE = 33
FILTERKEY = 210
HEADER = 1040  # struct audit_rule_data before its string buffer
STRING_FIELDS = {13, 14, 15, 16, 17, 19, 20, 21, 22, 23, 105, 107, 112, 210}  # subj_*, obj_* labels, watch, dir, exe, key


def key_of(payload):
    """The rule's key (parts joined with \\x01), or '' (for the report only)."""
    count = struct.unpack_from("I", payload, 8)[0]
    cursor = HEADER
    for i in range(min(count, 64)):
        fid = struct.unpack_from("I", payload, 12 + 256 + 4 * i)[0]
        if fid in STRING_FIELDS:
            length = struct.unpack_from("I", payload, 12 + 512 + 4 * i)[0]
            if fid == FILTERKEY:
                return payload[cursor:cursor + length].decode("utf-8", "replace")
            cursor += length
    return ""


class Lister:
    def __init__(self):
        self.seq = 0
        self.buffer = bytearray(1 << 16)
        self.open()

    def open(self):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_AUDIT)
        self.sock.bind((0, 0))
        try:  # room for the whole list: the kernel then never waits for us, nor drops (ENOBUFS)
            self.sock.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 32 << 20)
        except OSError:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 32 << 20)

    def list(self):
        """(send started, send returned, [payload bytes]) or None when the listing failed."""
        self.seq += 1
        request = struct.pack("IHHII", 16, AUDIT_LIST_RULES, NLM_F_REQUEST, self.seq, 0)
        t0 = time.monotonic()
        self.sock.sendto(request, (0, 0))
        t1 = time.monotonic()
        payloads = []
        view = memoryview(self.buffer)
        while True:
            try:
                n = self.sock.recv_into(self.buffer)
            except OSError as e:
                if e.errno == errno.EINTR:
                    continue
                self.sock.close()  # a list cut short: start again on a fresh socket
                self.open()
                return None
            off = 0
            while off + 16 <= n:
                length, kind, _, seq, _ = struct.unpack_from("IHHII", self.buffer, off)
                if length < 16 or off + length > n:
                    break
                if seq == self.seq:
                    if kind == AUDIT_LIST_RULES:
                        payloads.append(bytes(view[off + 16:off + length]))
                    elif kind == NLMSG_DONE:
                        return t0, t1, payloads
                    elif kind == NLMSG_ERROR and struct.unpack_from("i", self.buffer, off + 16)[0] != 0:
                        return None
                off += (length + 3) & ~3


def sample(out, stop, period):
    lister = Lister()
    ids = {}       # payload -> small id
    keys = []      # id -> key
    first = None
    previous = set()
    missing_since = {}  # id -> (send time of the last sample that held it, samples without it)
    gaps = {}           # id -> [longest upper bound (s), samples without it, times absent]
    starts = []         # send time of every sample
    spans = []          # send duration of every sample (the uncertainty of its instant)
    failed = 0
    next_at = time.monotonic()
    last_t0 = None
    while True:
        now = time.monotonic()
        if now < next_at:
            time.sleep(next_at - now)
        next_at = max(next_at + period, time.monotonic())
        result = lister.list()
        stopping = os.path.exists(stop)
        if result is None:
            failed += 1
            if stopping and first is not None:
                break
            continue
        t0, t1, payloads = result
        current = set()
        for p in payloads:
            i = ids.get(p)
            if i is None:
                i = ids[p] = len(keys)
                keys.append(key_of(p))
            current.add(i)
        starts.append(t0)
        spans.append(t1 - t0)
        if first is None:
            first = current
            open(stop + ".ready", "w").close()
        else:
            for i in previous - current:
                missing_since[i] = [last_t0, 0]
            for i in current - previous:
                if i in missing_since:
                    since, count = missing_since.pop(i)
                    g = gaps.setdefault(i, [0.0, 0, 0])
                    g[0] = max(g[0], t1 - since)
                    g[1] += count
                    g[2] += 1
            for i in missing_since:
                missing_since[i][1] += 1
        previous = current
        last_t0 = t0
        if stopping:
            break
    # Still missing at the end: not in the last sample, so not a rule of both sets.
    data = {
        "period_ms": period * 1000, "failed": failed, "starts": starts, "spans": spans,
        "keys": keys, "first": sorted(first or []), "last": sorted(previous),
        "gaps": {str(i): g for i, g in gaps.items()},
    }
    with open(out, "w") as f:
        json.dump(data, f)


def percentile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else 0.0


def report(path, moved_path=None, expect_absent=False):
    with open(path) as f:
        data = json.load(f)
    moved = set()
    if moved_path:
        with open(moved_path) as f:
            moved = {line.strip() for line in f if line.strip()}
    keys = data["keys"]
    common = set(data["first"]) & set(data["last"])
    starts = data["starts"]
    intervals = [b - a for a, b in zip(starts, starts[1:])]
    longest = {"unchanged": 0.0, "moved": 0.0}
    absent = {"unchanged": [], "moved": []}
    for i, (upper, _, _) in data["gaps"].items():
        i = int(i)
        if i not in common:
            continue
        kind = "moved" if keys[i] in moved else "unchanged"
        absent[kind].append(keys[i])
        longest[kind] = max(longest[kind], upper)
    moved_common = sum(1 for i in common if keys[i] in moved)

    def some(names):
        return (" (" + ", ".join(sorted(names)[:3]) + (", ..." if len(names) > 3 else "") + ")") if names else ""
    print(f"sampler: {len(starts)} netlink listings over {(starts[-1] - starts[0]) if starts else 0:.2f} s, "
          f"asked every {data['period_ms']:.0f} ms, achieved median {percentile(intervals, 0.5) * 1000:.1f} ms, "
          f"max {max(intervals, default=0) * 1000:.1f} ms, send up to {max(data['spans'], default=0) * 1000:.1f} ms; "
          f"{data['failed']} failed; "
          f"rules in both sets never moved: {len(absent['unchanged'])} of {len(common) - moved_common} seen absent"
          f"{some(absent['unchanged'])}, longest <= {longest['unchanged'] * 1000:.0f} ms; "
          f"moved rules: {len(absent['moved'])} of {moved_common} seen absent, longest <= {longest['moved'] * 1000:.0f} ms")
    if expect_absent:
        seen = len(absent["unchanged"]) + len(absent["moved"])
        if seen == 0:
            print("sampler self-test: FAILED (no rule of both sets seen absent in a run that removes them all)")
            return 1
        print(f"sampler self-test: passed ({seen} of {len(common)} rules of both sets seen absent)")
    return 0


if __name__ == "__main__":
    if sys.argv[1] == "--report":
        args = [a for a in sys.argv[2:] if a != "--expect-absent"]
        sys.exit(report(args[0], args[1] if len(args) > 1 else None, "--expect-absent" in sys.argv))
    else:
        sample(sys.argv[1], sys.argv[2], float(sys.argv[3]) / 1000 if len(sys.argv) > 3 else 0.01)
