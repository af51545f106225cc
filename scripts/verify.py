#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Check ptkit-built page tables against a real MMU implementation (QEMU's emulated CPU, or
KVM): generate a spec, `ptkit build` it, `ptkit translate` every test VA, boot the bare-metal
probe (tests/mmu/<arch>/) with the image loaded at its base, and compare every access the
probe made with what translate predicts: same PA, same fault, same permission verdict, and
the accessed/dirty bits the hardware set.

    scripts/verify.py --format x86_64 [--count N] [--seed S] [--accel tcg|kvm]

Exit 0: zero disagreements; 1: disagreements or a broken run; 77: skipped (no KVM, or the
host CPU lacks LA57 under KVM). See docs/VERIFICATION.md.
"""
import argparse
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SKIP = 77

K = 1 << 10
M = 1 << 20
G = 1 << 30
MASK64 = (1 << 64) - 1

FLAG_ORDER = ["r", "w", "x", "user", "global", "device", "nocache"]


class Fail(Exception):
    pass


# --- per-architecture description ---------------------------------------------------------
class X86_64:
    """tests/mmu/x86_64: multiboot probe; see tests/mmu/x86_64/probe.h for the ABI."""

    name = "x86_64"
    formats = {"x86_64": 48, "x86_64-la57": 57}
    leaf_sizes = [4 * K, 2 * M, 1 * G]
    leaf_weights = [0.5, 0.35, 0.15]
    level_names = {"x86_64": ["pte", "pmd", "pud", "pgd"],
                   "x86_64-la57": ["pte", "pmd", "pud", "p4d", "pgd"]}
    param_pa = 0x400000
    table_base = 0x1000000          # 16 MiB; tables up to PA_LO
    pa_lo = 0x8000000               # test targets: [128 MiB, 2 GiB)
    pa_hi = 0x80000000
    ram = "2G"
    va_reserved = (0x1000, 0x8000000)  # identity-mapped probe/params/tables live here
    exec_off = 0xFF8
    # The probe's own pages, identity mapped (see tests/mmu/x86_64/link.ld).
    fixed_maps = [
        (0x100000, 0xF0000, "r,w,x"),       # kernel text/data/bss/stacks
        (0x1F0000, 0x1000, "r,x,user"),     # user text
        (0x1F8000, 0x8000, "r,w,user"),     # user stack
        (0x400000, 0x400000, "r"),          # parameter blob
    ]
    ops = ["kl", "ks", "kx", "ul", "us", "ux"]

    def __init__(self, fmt):
        self.fmt = fmt
        self.vabits = self.formats[fmt]
        self.levels = len(self.level_names[fmt])

    def canonical(self, va):
        half = 1 << (self.vabits - 1)
        return va < half or va >= (1 << 64) - half

    def build_probe(self, outdir):
        subprocess.run(["sh", os.path.join(ROOT, "tests/mmu/x86_64/build.sh"), outdir],
                       check=True)
        return os.path.join(outdir, "probe-x86_64.elf")

    def params(self, root, stamps, tests):
        blob = b"PTKPRM01" + struct.pack("<7Q", 1, 1 if self.vabits == 57 else 0, root,
                                         len(stamps), len(tests), 0, 0)
        for pa, ln in stamps:
            blob += struct.pack("<2Q", pa, ln)
        for va, epa in tests:
            blob += struct.pack("<3Q", va, epa, 0x3F)
        if self.param_pa + len(blob) > self.param_pa + 0x400000:
            raise Fail("parameter blob too large: lower --count")
        return blob

    def qemu_cmd(self, accel, probe, image, params):
        qemu = shutil.which("qemu-system-x86_64")
        if not qemu:
            raise Fail("qemu-system-x86_64 not found (scripts/install-deps.sh installs "
                       "qemu-system-x86)")
        # "host" minus arch-capabilities: some nested hosts refuse MSR 0x10a (QEMU 7.2 aborts).
        cpu = "host,-arch-capabilities" if accel == "kvm" else "max"
        return [qemu, "-machine", "pc", "-accel", accel, "-cpu", cpu, "-m", self.ram,
                "-nodefaults", "-display", "none", "-no-reboot", "-serial", "stdio",
                "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
                "-kernel", probe,
                "-device", "loader,file=%s,addr=0x%x,force-raw=on" % (image, self.table_base),
                "-device", "loader,file=%s,addr=0x%x,force-raw=on" % (params, self.param_pa)]

    exit_ok = 33

    # What the MMU must do for access `op` given translate's answer.
    def check_info(self, info):
        cr4 = int(info.get("cr4", "0"), 16)
        if bool(cr4 >> 12 & 1) != (self.vabits == 57):
            raise Fail("probe ran with CR4 0x%x: LA57 does not match %s" % (cr4, self.fmt))

    def expect(self, op, addr, tr, info):
        """Return ("ok", value-or-None) or ("fault", vector, error-code, cr2)."""
        user = op[0] == "u"
        kind = op[1]  # l, s, x
        err = (2 if kind == "s" else 0) | (4 if user else 0) | (16 if kind == "x" else 0)
        if tr is None:
            return ("fault", 14, err, addr)
        if tr["size"] == "1G" and info.get("page1gb") == "0":
            # Without CPUID Page1GB, PS in a PDPTE is a reserved bit (SDM 4.5.4).
            return ("fault", 14, err | 1 | 8, addr)
        flags = tr["flags"]
        allowed = True
        if user and "user" not in flags:
            allowed = False
        if kind == "s" and "w" not in flags:   # CR0.WP=1: supervisor writes obey R/W too
            allowed = False
        if kind == "x" and "x" not in flags:   # EFER.NXE=1; SMEP off
            allowed = False
        if not allowed:
            return ("fault", 14, err | 1, addr)
        if kind == "l":
            return ("ok", tr["pa"])
        return ("ok", None)

    A_BIT = 1 << 5
    D_BIT = 1 << 6


ARCHES = [X86_64]


def arch_for(fmt):
    for a in ARCHES:
        if fmt in a.formats:
            return a(fmt)
    raise Fail("format %s: no MMU probe yet (have: %s)" %
               (fmt, ", ".join(f for a in ARCHES for f in a.formats)))


# --- spec generation ------------------------------------------------------------------------
class Spec:
    def __init__(self, arch, rng, count):
        self.a = arch
        self.rng = rng
        self.count = count
        self.lines = []
        self.maps = []          # (va, size, leaf) of test maps, for choosing test VAs
        self.busy = []          # VA intervals taken [s, e)
        half = 1 << (arch.vabits - 1)
        self.halves = [(0, half), ((1 << 64) - half, 1 << 64)]

    def free(self, va, size):
        s, e = self.a.va_reserved
        if va < e and va + size > s:
            return False
        return all(va + size <= bs or va >= be for bs, be in self.busy)

    def flags(self):
        f = ["r"] + [x for x in ("w", "x", "user", "global") if self.rng.random() < 0.5]
        f += self.rng.choices([[], ["device"], ["nocache"]], [0.6, 0.2, 0.2])[0]
        return ",".join(f)

    def pa_for(self, leaf, size):
        lo = -(-self.a.pa_lo // leaf) * leaf
        hi = self.a.pa_hi - size
        if hi < lo:
            return None
        return lo + self.rng.randrange((hi - lo) // leaf + 1) * leaf

    def add_map(self, va, size, leaf, flags=None, record=True):
        pa = self.pa_for(leaf, size)
        if pa is None or not self.free(va, size):
            return False
        flags = flags or self.flags()
        self.lines.append("map 0x%x 0x%x 0x%x %s pagesize=%s" %
                          (va, pa, size, flags, human(leaf)))
        self.busy.append((va, va + size))
        if record:
            self.maps.append((va, size, leaf))
        return True

    def random_map(self):
        rng, a = self.rng, self.a
        leaf = rng.choices(a.leaf_sizes, a.leaf_weights)[0]
        n = 1 if leaf == G else rng.randint(1, 8 if leaf == 4 * K else 3)
        size = n * leaf
        if self.maps and rng.random() < 0.6:
            # Near an existing map: shares upper levels, so holes appear at low levels.
            bva, _, _ = rng.choice(self.maps)
            span = leaf << 9 if rng.random() < 0.7 else leaf << 18
            va = (bva & ~(span - 1)) + rng.randrange(span // leaf) * leaf
        else:
            lo, hi = rng.choice(self.halves)
            va = lo + rng.randrange((hi - lo - size) // leaf) * leaf
        va &= MASK64
        if not self.a.canonical(va) or not self.a.canonical(va + size - 1):
            return False
        return self.add_map(va, size, leaf)

    def generate(self):
        a, rng = self.a, self.rng
        for va, size, flags in a.fixed_maps:
            self.lines.append("map 0x%x 0x%x 0x%x %s" % (va, va, size, flags))
        # Edge cases: the lowest and highest VAs of each half, every leaf size.
        (l0, l1), (u0, u1) = self.halves
        self.add_map(l0, 4 * K, 4 * K)
        self.add_map(l1 - 4 * K, 4 * K, 4 * K)
        self.add_map(l1 - 4 * M, 2 * M, 2 * M)
        self.add_map(u0, 2 * M, 2 * M)
        self.add_map(u0 + G, G, G)
        self.add_map(u1 - 4 * K, 4 * K, 4 * K)
        self.add_map(u1 - 2 * G, G, G)
        nmaps = max(8, self.count // 4)
        tries = 0
        while len(self.maps) < nmaps and tries < nmaps * 20:
            tries += 1
            self.random_map()
        # Mutations: protect (may split huge leaves) and punch holes.
        for _ in range(max(2, nmaps // 8)):
            va, size, leaf = rng.choice(self.maps)
            off = rng.randrange(size // (4 * K)) * 4 * K
            ln = min(size - off, rng.choice([4 * K, 8 * K, 2 * M, 4 * M]))
            if ln % (4 * K) == 0 and ln > 0:
                self.lines.append("protect 0x%x 0x%x %s" % (va + off, ln, self.flags()))
        for _ in range(max(2, nmaps // 10)):
            va, size, leaf = rng.choice(self.maps)
            off = rng.randrange(size // (4 * K)) * 4 * K
            ln = min(size - off, rng.choice([4 * K, 4 * K, 2 * M]))
            if ln % (4 * K) == 0 and ln > 0 and ln < size:
                self.lines.append("unmap 0x%x 0x%x" % (va + off, ln))
        self.tables_estimate = 16 + (len(self.lines) + 8) * a.levels * 2

    def test_vas(self):
        """Test VAs: 8-aligned, never at the exec word of their page."""
        a, rng = self.a, self.rng

        def off():
            o = rng.randrange(0, 4096 - 8, 8)
            return o if o != a.exec_off else 0

        cand = []
        for va, size, leaf in self.maps:
            cand += [va + off(), va + size - 4096 + off(), va + rng.randrange(size // 4096) * 4096 + off()]
            cand += [(va - 4096 + off()) & MASK64, (va + size + off()) & MASK64]
            # Holes at every level: same path down to level L, another index at L.
            lvl = rng.randrange(a.levels)
            shift = 12 + 9 * lvl
            other = va ^ (rng.randrange(1, 512) << shift)
            cand.append((other & ~0xFFF) + off())
        for _ in range(max(4, self.count // 8)):
            lo, hi = rng.choice(self.halves)
            cand.append(lo + rng.randrange((hi - lo) // 8) * 8)
        cand = [v & MASK64 for v in cand]
        cand = [v for v in cand if a.canonical(v) and (v & 0xFFF) != a.exec_off]
        (l0, l1), (u0, u1) = self.halves
        edges = [l0, l1 - 16, u0, u1 - 16, l1 - 4 * M, u1 - 2 * G]
        rest = [v for v in dict.fromkeys(cand) if v not in edges]
        rng.shuffle(rest)
        return edges + rest[: max(0, self.count - len(edges))]


def human(n):
    for unit, s in ((G, "G"), (M, "M"), (K, "K")):
        if n % unit == 0:
            return "%d%s" % (n // unit, s)
    return str(n)


# --- ptkit ----------------------------------------------------------------------------------
def run(cmd, **kw):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
    if p.returncode != 0:
        raise Fail("%s failed (%d): %s" % (" ".join(cmd[:2]), p.returncode, p.stderr.strip()))
    return p.stdout


def translate(ptkit, fmt, image, base, root, vas, trace=True):
    """VA -> {"pa", "size", "flags", "epa", "entry", "trace"} or None (fault)."""
    out = {}
    for i in range(0, len(vas), 400):
        chunk = vas[i:i + 400]
        cmd = [ptkit, "translate", "--format", fmt, "--image", image, "--base", hex(base),
               "--root", hex(root)] + (["--trace"] if trace else []) + [hex(v) for v in chunk]
        tr = []
        for line in run(cmd).splitlines():
            if line.startswith(" "):
                tr.append(line)
                continue
            f = line.split()
            va = int(f[0], 16)
            if f[1] == "fault":
                out[va] = None
                faults[va] = (f[2], tr)
            else:
                flags = set() if f[3] == "-" else set(f[3].split(","))
                r = {"pa": int(f[1], 16), "size": f[2], "flags": flags, "trace": tr}
                if tr:
                    last = tr[-1].split()
                    # "  <level> index N entry 0x.. table 0x.."
                    idx = int(last[2], 0)
                    r["entry"] = int(last[4], 16)
                    r["epa"] = int(last[6], 16) + idx * 8
                out[va] = r
            tr = []
    return out


faults = {}


def stamp_ranges(pages):
    out = []
    for p in sorted(set(pages)):
        if out and out[-1][0] + out[-1][1] == p:
            out[-1][1] += 4096
        else:
            out.append([p, 4096])
    return [tuple(x) for x in out]


# --- compare --------------------------------------------------------------------------------
def parse_probe(text):
    res = {}
    before = {}
    done = None
    info = {}
    for line in text.splitlines():
        f = line.split()
        if not f:
            continue
        if f[0] == "PROBE":
            info = dict(zip(f[2::2], f[3::2]))
        elif f[0] == "T" and len(f) == 4:
            before[int(f[1])] = int(f[3], 16)
        elif f[0] == "A" and len(f) >= 5:
            i, op = int(f[1]), f[2]
            if f[3] == "ok" and len(f) == 6:
                res[(i, op)] = ("ok", int(f[4], 16), int(f[5], 16))
            elif f[3] == "fault" and len(f) == 9:
                res[(i, op)] = ("fault", int(f[4]), int(f[5], 16), int(f[6], 16),
                                int(f[7], 16), int(f[8], 16))
        elif f[0] == "DONE":
            done = int(f[1])
    return info, before, res, done


def verdict_str(v):
    if v[0] == "ok":
        return "ok" + ("" if len(v) < 2 or v[1] is None else " value 0x%x" % v[1])
    s = "fault vector %d error 0x%x cr2 0x%x" % v[1:4]
    return s + (" rip 0x%x" % v[4] if len(v) > 5 else "")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--format", required=True)
    ap.add_argument("--count", type=int, default=200, help="test VAs (default 200)")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--accel", choices=["tcg", "kvm"], default="tcg")
    ap.add_argument("--ptkit", default=os.environ.get("PTKIT"))
    ap.add_argument("--workdir", help="keep spec, image, params and probe output here")
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--inject", choices=["pa", "perm"],
                    help="self-test: corrupt one leaf entry after translate (its PA, or "
                    "its R/W bit); succeed only if the comparison catches it")
    args = ap.parse_args()
    try:
        return verify(args)
    except Fail as e:
        print("verify %s: %s" % (args.format, e), file=sys.stderr)
        return 1


class Run:
    """One spec, image and parameter blob; booted once per accelerator."""

    def __init__(self, args, a, seed, work):
        self.args, self.a, self.work = args, a, work
        ptkit = args.ptkit or os.path.join(ROOT, "build", "ptkit")
        if not os.access(ptkit, os.X_OK):
            raise Fail("no ptkit at %s (run make, or pass --ptkit)" % ptkit)
        self.ptkit = ptkit
        rng = random.Random(seed)
        spec = Spec(a, rng, args.count)
        spec.generate()
        self.vas = vas = spec.test_vas()
        self.spec_path = os.path.join(work, "spec.txt")
        tsize = -(-spec.tables_estimate * 4096 // (2 * M)) * 2 * M
        tsize = min(tsize, a.pa_lo - a.table_base)
        with open(self.spec_path, "w") as f:
            f.write("# scripts/verify.py --format %s --count %d --seed %d\n" %
                    (args.format, args.count, seed))
            f.write("\n".join(spec.lines) + "\n")
            # The tables themselves, readable by the probe for the A/D check.
            f.write("map 0x%x 0x%x 0x%x r\n" % (a.table_base, a.table_base, tsize))
        self.image = os.path.join(work, "tables.img")
        out = run([ptkit, "build", "--format", args.format, "--base", hex(a.table_base),
                   "--size", str(tsize), "-o", self.image, self.spec_path])
        self.root = root = int(out.strip().splitlines()[-1].split()[1], 16)
        self.tr = tr = translate(ptkit, args.format, self.image, a.table_base, root, vas)
        for va in vas:
            t = tr[va]
            if t is not None and not (a.pa_lo <= t["pa"] < a.pa_hi):
                raise Fail("VA 0x%x translates to PA 0x%x outside the stamped window" %
                           (va, t["pa"]))
        stamps = stamp_ranges([t["pa"] & ~0xFFF for t in tr.values() if t is not None])
        self.injected = None
        if args.inject:
            self.inject(args.inject, rng)
        self.params = os.path.join(work, "params.bin")
        with open(self.params, "wb") as f:
            f.write(a.params(root, stamps, [(va, tr[va]["epa"] if tr[va] else 0)
                                            for va in vas]))
        self.probe = a.build_probe(os.path.join(work, "probe"))

    def inject(self, kind, rng):
        """Corrupt one mapped test VA's leaf entry in the image (translate already ran)."""
        a = self.a
        cands = [va for va in self.vas if self.tr[va] and self.tr[va]["size"] == "4K"]
        if kind == "perm":
            cands = [va for va in self.vas if self.tr[va]]
        va = rng.choice(cands)
        t = self.tr[va]
        bit = 1 << 12 if kind == "pa" else 1 << 1   # PA bit 12 / R/W
        with open(self.image, "r+b") as f:
            f.seek(t["epa"] - a.table_base)
            e = struct.unpack("<Q", f.read(8))[0] ^ bit
            f.seek(t["epa"] - a.table_base)
            f.write(struct.pack("<Q", e))
        t["entry"] = e   # the probe will read the corrupted entry: not itself a finding
        self.injected = (va, t["epa"])
        print("inject %s: leaf entry of VA 0x%x at PA 0x%x is now 0x%x" %
              (kind, va, t["epa"], e))

    def boot(self, accel):
        a = self.a
        cmd = a.qemu_cmd(accel, self.probe, self.image, self.params)
        t0 = time.time()
        out_path = os.path.join(self.work, "probe-%s.out" % accel)
        try:
            p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               timeout=self.args.timeout)
        except subprocess.TimeoutExpired as e:
            with open(out_path, "wb") as f:
                f.write(e.stdout or b"")
            raise Fail("QEMU timed out after %ds (output in %s)" % (self.args.timeout, out_path))
        text = p.stdout.decode(errors="replace")
        with open(out_path, "w") as f:
            f.write(text)
        info, before, res, done = parse_probe(text)
        if p.returncode != a.exit_ok or done != len(self.vas):
            tail = "\n".join(text.splitlines()[-5:])
            raise Fail("probe did not finish (QEMU exit %d, %s):\n%s\n%s" %
                       (p.returncode, out_path, tail, p.stderr.decode(errors="replace").strip()))
        a.check_info(info)
        return info, before, res, time.time() - t0

    def compare(self, info, before, res):
        """Disagreements: list of (va, op, expected, got, why)."""
        a, tr = self.a, self.tr
        bad = []
        dirty_ok = set()      # leaf entries a successful store went through
        self.final_entry = {}
        for i, va in enumerate(self.vas):
            t = tr[va]
            epa = t["epa"] if t else 0
            if t and before.get(i) is not None and epa not in self.final_entry:
                # First time the probe sees this leaf: the entry as ptkit built it.
                if before[i] != t["entry"]:
                    bad.append((va, "-", ("ok", t["entry"]), ("ok", before[i]),
                                "probe read a different leaf entry than the trace shows"))
            for op in a.ops:
                addr = (va & ~0xFFF) | a.exec_off if op[1] == "x" else va
                exp = a.expect(op, addr, t, info)
                got = res.get((i, op))
                if got is None:
                    bad.append((va, op, exp, ("fault", -1, 0, 0), "no result from the probe"))
                    continue
                entry = got[-1]
                if exp[0] != got[0]:
                    bad.append((va, op, exp, got, "fault verdicts differ"))
                    continue
                if exp[0] == "ok":
                    if exp[1] is not None and got[1] != exp[1]:
                        bad.append((va, op, exp, got, "loaded 0x%x: the MMU reached PA 0x%x"
                                    % (got[1], got[1])))
                        continue
                elif exp[1:4] != got[1:4]:
                    bad.append((va, op, exp, got, "fault details differ"))
                    continue
                if t:
                    # Accessed/dirty: the MMU sets A on use and D on a write; never a fault.
                    if got[0] == "ok" and not entry & a.A_BIT:
                        bad.append((va, op, exp, got, "A bit not set after a successful access"))
                    if got[0] == "ok" and op[1] == "s":
                        dirty_ok.add(epa)
                        if not entry & a.D_BIT:
                            bad.append((va, op, exp, got, "D bit not set after a store"))
                    if entry & a.D_BIT and epa not in dirty_ok:
                        bad.append((va, op, exp, got, "D bit set without a successful store"))
                    self.final_entry[epa] = entry
        return bad

    def check_ad_decode(self):
        """ptkit must decode what the hardware wrote: patch the final leaf entries into a
        copy of the image and translate again. Returns (checked, disagreements)."""
        a = self.a
        img2 = self.image + ".after"
        shutil.copyfile(self.image, img2)
        with open(img2, "r+b") as f:
            for epa, e in self.final_entry.items():
                f.seek(epa - a.table_base)
                f.write(struct.pack("<Q", e))
        mapped = [va for va in self.vas if self.tr[va]]
        tr2 = translate(self.ptkit, self.args.format, img2, a.table_base, self.root, mapped)
        bad, n = [], 0
        for va in mapped:
            e = self.final_entry.get(self.tr[va]["epa"])
            if e is None:
                continue
            n += 1
            want = ({"accessed"} if e & a.A_BIT else set()) | \
                   ({"dirty"} if e & a.D_BIT else set())
            got = tr2[va]["flags"] & {"accessed", "dirty"} if tr2[va] else None
            if got != want or tr2[va]["pa"] != self.tr[va]["pa"]:
                bad.append("VA 0x%x: after the run the leaf entry is 0x%x; ptkit translate "
                           "reports %s, expected accessed/dirty %s" % (va, e, tr2[va], sorted(want)))
        return n, bad

    def show(self, d, label="DISAGREE"):
        va, op, exp, got, why = d
        t = self.tr[va]
        print("%s %s VA 0x%x access %s: %s" % (label, self.args.format, va, op, why))
        print("  ptkit translate: %s" % ("fault at %s" % faults[va][0] if t is None else
              "0x%x %s %s" % (t["pa"], t["size"], ",".join(f for f in FLAG_ORDER
                                                              if f in t["flags"]))))
        for line in (faults[va][1] if t is None else t["trace"]):
            print("   " + line.strip())
        print("  expected: %s" % verdict_str(exp))
        print("  MMU:      %s" % verdict_str(got))


def verify(args):
    seed = args.seed if args.seed is not None else random.randrange(1 << 32)
    a = arch_for(args.format)
    if args.accel == "kvm":
        if not os.access("/dev/kvm", os.R_OK | os.W_OK):
            print("verify %s: SKIPPED: /dev/kvm not available" % args.format)
            return SKIP
        if a.vabits == 57 and " la57" not in open("/proc/cpuinfo").read():
            print("verify %s: SKIPPED: host CPU has no LA57 (KVM)" % args.format)
            return SKIP
    work = args.workdir or tempfile.mkdtemp(prefix="ptkit-verify-")
    os.makedirs(work, exist_ok=True)
    t0 = time.time()
    r = Run(args, a, seed, work)
    t1 = time.time()
    info, before, res, tq = r.boot(args.accel)
    t2 = time.time()
    bad = r.compare(info, before, res)
    nad, adbad = r.check_ad_decode()
    mapped = sum(1 for va in r.vas if r.tr[va])
    nfault = sum(1 for v in res.values() if v[0] == "fault")
    levels = {}
    for va in r.vas:
        k = ("leaf " + r.tr[va]["size"]) if r.tr[va] else ("hole at " + faults[va][0])
        levels[k] = levels.get(k, 0) + 1
    summary = ("%s (%s, seed %d): %d VAs (%d mapped), %d accesses (%d faults), %d leaf A/D "
               "decodes, %d disagreements; build+translate %.1fs, QEMU %.1fs" %
               (args.format, args.accel, seed, len(r.vas), mapped, len(res), nfault, nad,
                len(bad) + len(adbad), t1 - t0, tq))

    if args.inject:
        va, epa = r.injected
        caught = [d for d in bad if r.tr[d[0]] and r.tr[d[0]]["epa"] == epa]
        for d in caught[:3]:
            r.show(d, "CAUGHT")
        print(summary)
        if caught and len(caught) == len(bad):
            print("inject %s: caught (%d accesses disagree, all through the corrupted entry)"
                  % (args.inject, len(caught)))
            shutil.rmtree(work, ignore_errors=True) if not args.workdir else None
            return 0
        print("inject %s: NOT caught cleanly (%d disagreements, %d on the corrupted entry)"
              % (args.inject, len(bad), len(caught)))
        return 1

    if bad and args.accel == "kvm":
        # Tell ptkit bugs from host KVM deviations: boot the same image under TCG.
        tinfo, tbefore, tres, _ = r.boot("tcg")
        tcg_bad = r.compare(tinfo, tbefore, tres)
        if not tcg_bad:
            for d in bad[:10]:
                r.show(d, "KVM-DEVIATION")
            print(summary)
            print("verify %s: SKIPPED: this host's KVM deviates from the architecture on %d "
                  "accesses where TCG agrees with ptkit (see KVM-DEVIATION above; output in %s)"
                  % (args.format, len(bad), work))
            return SKIP
    for d in bad[:20]:
        r.show(d)
    for d in adbad[:20]:
        print("DISAGREE %s %s" % (args.format, d))
    print(summary)
    print("  coverage: " + ", ".join("%s %d" % kv for kv in sorted(levels.items())))
    if bad or adbad:
        print("spec, image and probe output kept in %s" % work)
        return 1
    if not args.workdir:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
