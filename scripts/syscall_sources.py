"""Readers for ../shared/syscall-data, used by scripts/generate-syscall-tables."""
import csv
import functools
import os
import re

X32_BIT = 0x40000000

# Per ABI: audit arch, bits, uname machines, 32-bit partner, first covered release, last release
# (only for ABIs the kernel dropped), where each kind of data comes from.
ABIS = {
    "x86_64": dict(arch=0xc000003e, bits=64, machines=["x86_64"], partner="i386", start="3.10",
                   mebeim=["x86_64"], hrw="x86_64", headers="x86_64", seccomp="x86_64",
                   source="kernel 6.1 syscall_64.tbl; mebeim x86_64 4.0-6.17; hrw 6.17-7.2-rc1"),
    "i386": dict(arch=0x40000003, bits=32, machines=["i386", "i486", "i586", "i686"], partner=None,
                 start="3.10", mebeim=["i386", "i386-compat"], hrw="i386", headers="i386", seccomp="x86",
                 source="kernel 6.1 syscall_32.tbl; mebeim i386+i386-compat 4.0-6.17; hrw 6.17-7.2-rc1"),
    "x32": dict(arch=0xc000003e, bits=32, machines=[], partner=None, start="3.10",
                mebeim=["x32"], hrw="x32", headers=None, seccomp="x32",
                source="kernel 6.1 unistd_x32.h (numbers include 0x40000000); mebeim x32 4.0-6.17; hrw 6.17-7.2-rc1"),
    "ppc": dict(arch=0x00000014, bits=32, machines=["ppc", "powerpc"], partner=None, start="4.9", hrw4x="powerpc",
                mebeim=["ppc", "ppc-compat"], hrw="powerpc", headers="ppc", seccomp="ppc",
                source="kernel 6.1 powerpc syscall.tbl (common,32,nospu); mebeim ppc+ppc-compat 5.0-6.17; hrw 6.17-7.2-rc1"),
    "ppc64": dict(arch=0x80000015, bits=64, machines=["ppc64", "ppc64le"], partner="ppc", start="4.9", hrw4x="powerpc64",
                  mebeim=["ppc64"], hrw="powerpc64", headers="ppc64", seccomp="ppc64",
                  source="kernel 6.1 powerpc syscall.tbl (common,64,nospu); mebeim ppc64 5.0-6.17; hrw 6.17-7.2-rc1"),
    "s390": dict(arch=0x00000016, bits=32, machines=["s390"], partner=None, start="3.10", end="6.18",
                 mebeim=["s390-compat"], hrw="s390", headers="s390", seccomp="s390",
                 source="kernel 6.1 s390 syscall.tbl (entry31); mebeim s390-compat 4.0-6.17; compat removed in 6.19"),
    "s390x": dict(arch=0x80000016, bits=64, machines=["s390x"], partner="s390", start="3.10",
                  mebeim=["s390x"], hrw="s390x", headers="s390x", seccomp="s390x",
                  source="kernel 6.1 s390 syscall.tbl (entry64); mebeim s390x 4.0-6.17; hrw 6.17-7.2-rc1"),
    "aarch64": dict(arch=0xc00000b7, bits=64, machines=["aarch64", "arm64"], partner="arm", start="4.9", hrw4x="arm64",
                    mebeim=["aarch64"], hrw="arm64", headers="aarch64", seccomp="aarch64",
                    source="kernel 6.1 asm-generic/unistd.h; mebeim aarch64 5.0-6.17; hrw 6.17-7.2-rc1"),
    "arm": dict(arch=0x40000028, bits=32, machines=["armv7l", "armv6l", "armv5tel", "arm"], partner=None,
                start="4.9", hrw4x="arm", mebeim=["arm", "arm-compat"], hrw="arm", headers="arm", seccomp="arm",
                source="kernel 6.1 arm syscall.tbl (common,eabi); mebeim arm+arm-compat 5.0-6.17; hrw 6.17-7.2-rc1"),
    "riscv64": dict(arch=0xc00000f3, bits=64, machines=["riscv64"], partner=None, start="4.15",
                    mebeim=["riscv64"], hrw="riscv64", hrw4x="riscv64", headers="riscv64", seccomp="riscv64",
                    source="kernel 6.1 asm-generic/unistd.h; mebeim riscv64 4.15-6.17; hrw 6.17-7.2-rc1"),
}

HRW_SNAPSHOTS = ["6.17", "6.19", "7.0-rc1", "7.0", "7.2-rc1"]

# hrw-history-4x snapshots (dated commits of hrw/syscalls-table) and the release each stands for:
# the version its subject names (an -rc table approximates its release; "X-rc0" is the merge
# window after X-1, so its tables are X's), else the release whose merge window the date falls in.
# Used only before the per-release data starts (5.0 for ppc, ppc64, aarch64 and arm).
HRW_4X = [("2016-10-12-407720c", "4.9"), ("2017-02-08-8142d8e", "4.10"), ("2017-04-06-0f516ee", "4.11"),
          ("2017-05-30-f14c276", "4.12"), ("2017-09-04-7543825", "4.13"), ("2017-11-16-83d4791", "4.15"),
          ("2018-02-18-a03df6e", "4.16"), ("2018-04-03-dd03f6a", "4.17"), ("2018-08-03-8237552", "4.18"),
          ("2018-08-31-4e90160", "4.19"), ("2018-11-05-cce0b29", "4.20")]

# Header aliases (`#define __NR_alias __NR_name`) that the derived header lists and hrw print in
# place of the table's own name.
TABLE_NAME = {("arm", 341): "arm_sync_file_range"}
# Function names of rows no snapshot numbers (removed before 6.1 on that ABI).
FUNCTION_ALIASES = {"llseek": "_llseek"}

# Numbers outside the numbered table: arm's private calls (0x0f0001..) and ppc64's switch_endian
# fast path (0x1ebe). The kernel's syscall tables do not list them and an audit rule's syscall
# mask cannot hold numbers above 2047.
def outside_table(abi, nr):
    return (abi == "arm" and nr >= 0x0f0000) or (abi == "ppc64" and nr == 0x1ebe)


@functools.lru_cache(maxsize=None)
def vkey(v):
    v = v.lstrip("v")
    m = re.fullmatch(r"(\d+)\.(\d+)(?:-rc(\d+))?", v)
    if not m:
        raise ValueError(v)
    rc = int(m.group(3)) if m.group(3) else 1000
    return (int(m.group(1)), int(m.group(2)), rc)


def vname(v):
    return v.lstrip("v")


def release_list():
    """Every mainline release from 3.10 to 7.2-rc1 (7.0-rc1 is kept: a snapshot was taken there)."""
    rel = [f"3.{i}" for i in range(10, 20)] + [f"4.{i}" for i in range(21)] + [f"5.{i}" for i in range(20)] + [f"6.{i}" for i in range(20)]
    return rel + ["7.0-rc1", "7.0", "7.1", "7.2-rc1"]


def read_pairs(path, number_first=True):
    table = {}
    for line in open(path):
        if line.startswith("#") or not line.strip():
            continue
        f = line.rstrip("\n").split("\t")
        if number_first:
            table[int(f[0])] = f[1]
        elif len(f) >= 2 and f[1]:
            table[int(f[1])] = f[0]
    return table


class DataSet:
    def __init__(self, root):
        self.root = root
        self.t61 = {abi: self._t61(abi) for abi in ABIS}
        self._seccomp = self._read_seccomp()
        self.observed = {}
        self._truth = {}
        self._mebeim = {}

    def p(self, *parts):
        return os.path.join(self.root, *parts)

    def _t61(self, abi):
        if abi == "x32":
            path = self.p("debian-bookworm-uapi-headers", "i686-linux-gnu", "include", "asm", "unistd_x32.h")
            table = {}
            for m in re.finditer(r"#define __NR_(\w+) \(__X32_SYSCALL_BIT \+ (\d+)\)", open(path).read()):
                table[X32_BIT + int(m.group(2))] = m.group(1)
            return table
        table = read_pairs(self.p("derived", "headers-6.1-nr", ABIS[abi]["headers"] + ".txt"))
        return {nr: TABLE_NAME.get((abi, nr), n) for nr, n in table.items()}

    def hrw(self, abi, snapshot):
        path = self.p("hrw-history", snapshot, "syscalls-" + ABIS[abi]["hrw"])
        numbered, bare = {}, set()
        for line in open(path):
            f = line.rstrip("\n").split("\t")
            if len(f) >= 2 and f[1]:
                if not outside_table(abi, int(f[1])):
                    numbered[int(f[1])] = TABLE_NAME.get((abi, int(f[1])), f[0])
            elif f[0]:
                bare.add(f[0])
        # hrw drops names it considers removed (uselib, _sysctl, ...) though the kernel still
        # numbers them: carry the 6.1 rows it neither lists nor marks absent.
        listed = set(numbered.values()) | bare
        for nr, name in self.t61[abi].items():
            if name not in listed and nr not in numbered:
                numbered[nr] = name
        return numbered

    def truth_points(self, abi):
        if abi in self._truth:
            return self._truth[abi]
        pts = [("6.1", self.t61[abi])]
        pts += [(s, self.hrw(abi, s)) for s in HRW_SNAPSHOTS]
        self._truth[abi] = pts
        return pts

    def mebeim(self, abi):
        """{release: {number: function name}} merged over the ABI's native and compat builds."""
        if abi in self._mebeim:
            return self._mebeim[abi]
        out = self._mebeim[abi] = {}
        for d in ABIS[abi]["mebeim"]:
            base = self.p("mebeim-linux-syscalls", d)
            for fn in os.listdir(base):
                rel = vname(fn[:-4])
                t = out.setdefault(rel, {})
                for nr, name in read_pairs(os.path.join(base, fn)).items():
                    if not outside_table(abi, nr):
                        t.setdefault(nr, name)
        return out

    def mebeim_single(self, directory, abi):
        out = {}
        base = self.p("mebeim-linux-syscalls", directory)
        for fn in os.listdir(base):
            out[vname(fn[:-4])] = {nr: n for nr, n in read_pairs(os.path.join(base, fn)).items()
                                   if not outside_table(abi, nr)}
        return out

    def table_name(self, abi, nr, function, release, truth):
        r = vkey(release)
        ordered = sorted(truth, key=lambda p: abs(vkey(p[0])[0] * 100 + vkey(p[0])[1] - r[0] * 100 - r[1]))
        for _rel, t in ordered:
            if nr in t:
                return t[nr]
        return FUNCTION_ALIASES.get(function, function)

    def hrw4x(self, abi):
        """{release: {number: table name}} from the 4.x snapshots, before the per-release data."""
        out = {}
        arch = ABIS[abi].get("hrw4x")
        if not arch:
            return out
        for folder, rel in HRW_4X:
            path = self.p("hrw-history-4x", folder, "syscalls-" + arch)
            if not os.path.exists(path) and arch == "riscv64":
                path = self.p("hrw-history-4x", folder, "syscalls-riscv")
            if not os.path.exists(path):
                continue
            t = {}
            for line in open(path):
                f = line.rstrip("\n").split("\t")
                if len(f) >= 2 and f[1] and not outside_table(abi, int(f[1])):
                    t[int(f[1])] = TABLE_NAME.get((abi, int(f[1])), f[0])
            out[rel] = t
        return out

    def data_points(self, abi):
        truth = self.truth_points(abi)
        points = [(rel, t, True) for rel, t in truth]
        mebeim_start = min(self.mebeim(abi), key=vkey)
        for rel, t in self.hrw4x(abi).items():
            if vkey(rel) < vkey(mebeim_start):
                points.append((rel, {nr: self.table_name(abi, nr, n, rel, truth) for nr, n in t.items()}, False))
        for rel, t in self.mebeim(abi).items():
            points.append((rel, {nr: self.table_name(abi, nr, f, rel, truth) for nr, f in t.items()}, False))
        return points

    def _read_seccomp(self):
        path = self.p("libseccomp", "syscalls.csv.pr457-031024a-kver")
        rows = list(csv.reader(l for l in open(path) if l.strip()))
        header = [h.strip("#").split(" ")[0] for h in rows[0]]
        out = {}
        for r in rows[1:]:
            name = r[0]
            for i in range(1, len(header) - 1, 2):
                arch, nr, kv = header[i], r[i], r[i + 1]
                m = re.fullmatch(r"SCMP_KV_(\d+)_(\d+)", kv)
                if nr.isdigit() and m:
                    out[(arch, name)] = (int(nr), f"{m.group(1)}.{m.group(2)}")
        return out

    def seccomp_first(self, abi, nr, name):
        hit = self._seccomp.get((ABIS[abi]["seccomp"], name))
        if hit and (hit[0] == nr or hit[0] == nr - X32_BIT):
            return hit[1]
        return None

    def observed_first_releases(self):
        """{table name: earliest release any ABI's per-release data implements it}."""
        out = {}
        for abi in ABIS:
            truth = self.truth_points(abi)
            for rel, t in self.mebeim(abi).items():
                for nr, f in t.items():
                    name = self.table_name(abi, nr, f, rel, truth)
                    if name not in out or vkey(rel) < vkey(out[name]):
                        out[name] = rel
        return out

    def unseen_first_release(self, abi, nr, name, start, bound, observed_first):
        """First release of a row the per-release data never shows. Evidence in order: libseccomp's
        first-seen version (not for aarch64/riscv64, where it is known to be wrong), the earliest
        release another ABI implements the name, else the table held it since before coverage.
        Never at or before `bound`, a snapshot that lacks the row."""
        releases = release_list()
        floor = start if bound is None else max(start, releases[releases.index(bound) + 1], key=vkey)
        if abi in ("aarch64", "riscv64"):
            return self.generic_first_release(name, start, bound) or floor
        candidates = []
        kv = self.seccomp_first(abi, nr, name)
        if kv:
            candidates.append(kv)
        if name in observed_first:
            candidates.append(observed_first[name])
        for kv in candidates:
            if vkey(kv) >= vkey(floor):
                return kv
        return floor

    def generic_first_release(self, name, start, bound):
        """When asm-generic numbered `name`: libseccomp's arm column (arm's table is wired in
        lockstep with asm-generic; its aarch64/riscv64 columns are wrong), else the earliest
        release any ABI implements it. None when neither says."""
        releases = release_list()
        floor = start if bound is None else max(start, releases[releases.index(bound) + 1], key=vkey)
        hit = self._seccomp.get(("arm", name))
        kv = hit[1] if hit else self.observed.get(name)
        if kv is None:
            return None
        return max(kv, floor, key=vkey)
