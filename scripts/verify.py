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
import bisect
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


def build_probe(arch, outdir, ext="elf"):
    """Build tests/mmu/<arch>'s probe into outdir (tests/mmu/common/probe-build.sh); return
    the image QEMU boots: probe-<arch>.elf, or .bin (ppc64's raw firmware)."""
    subprocess.run(["sh", os.path.join(ROOT, "tests/mmu/common/probe-build.sh"), arch, outdir],
                   check=True)
    return os.path.join(outdir, "probe-%s.%s" % (arch, ext))


class Fail(Exception):
    pass


class Skip(Exception):
    """The emulated CPU lacks what the format needs (e.g. a granule): exit 77."""


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
        return build_probe(self.name, outdir, "elf")

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
        self.none_vas = []      # a VA in each PROT_NONE protect, always tested
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

    def protect(self, va, size):
        """One `protect` line; the first and one in four of the others are PROT_NONE (`none`,
        no r/w/x: the leaf is kept, every access must fault; never global, the mark on x86 and
        RISC-V), and its first page becomes a test VA (self.none_vas)."""
        if not self.none_vas or self.rng.random() < 0.25:
            f = ["none"] + [x for x in ("user",) if self.rng.random() < 0.5]
            f += self.rng.choices([[], ["device"], ["nocache"]], [0.6, 0.2, 0.2])[0]
            flags = ",".join(f)
            self.none_vas.append(va + 8)
        else:
            flags = self.flags()
        self.lines.append("protect 0x%x 0x%x %s" % (va, size, flags))

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
                self.protect(va + off, ln)
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
        edges += [v for v in self.none_vas if v not in edges]
        rest = [v for v in dict.fromkeys(cand) if v not in edges]
        rng.shuffle(rest)
        return edges + rest[: max(0, self.count - len(edges))]


def human(n):
    for unit, s in ((G, "G"), (M, "M"), (K, "K")):
        if n % unit == 0:
            return "%d%s" % (n // unit, s)
    return str(n)


# --- RISC-V (tests/mmu/riscv64) --------------------------------------------------------------
T = 1 << 40


class RiscvSpec(Spec):
    """Spec for riscv-sv39/48/57: adds Svnapot 64K groups, 512G/256T leaves (at PA 0: the
    only aligned PA whose range holds RAM, so test VAs are chosen where the leaf reaches the
    stamped window), execute-only leaves, and keeps every mapped test VA inside the window."""

    def flags(self):
        rng = self.rng
        if rng.random() < 0.15:
            f = ["x"]           # execute-only: loads fault (MXR=0), fetches work
        else:
            f = ["r"] + [x for x in ("w", "x") if rng.random() < 0.5]
        f += [x for x in ("user", "global") if rng.random() < 0.5]
        f += rng.choices([[], ["device"], ["nocache"]], [0.6, 0.2, 0.2])[0]
        return ",".join(f)

    def pa_for(self, leaf, size):
        if leaf >= self.a.huge_leaf:
            return 0
        return Spec.pa_for(self, leaf, size)

    def generate(self):
        Spec.generate(self)
        # Edge cases for the leaves only Sv48/Sv57 have: near the top of the lower half and
        # at the bottom of the upper half.
        (l0, l1), (u0, u1) = self.halves
        for leaf in self.a.leaf_sizes:
            if leaf >= self.a.huge_leaf:
                self.add_map(l1 - 2 * leaf, leaf, leaf)
                self.add_map(u0 + 2 * leaf, leaf, leaf)

    def _mapped_pa(self, va):
        """The PA the spec maps va to (maps never overlap; unmap/protect keep PAs)."""
        if getattr(self, "_map_index", None) is None:
            ms = sorted((int(f[1], 16), int(f[3], 16), int(f[2], 16))
                        for f in (ln.split() for ln in self.lines) if f[0] == "map")
            self._map_index = ([m[0] for m in ms], ms)
        starts, ms = self._map_index
        i = bisect.bisect_right(starts, va) - 1
        if i >= 0 and va < ms[i][0] + ms[i][1]:
            return ms[i][2] + (va - ms[i][0])
        return None

    def test_vas(self):
        a, rng = self.a, self.rng
        want = self.count
        self.count = 2 * want
        vas = Spec.test_vas(self)
        self.count = want
        extra = []
        for va, size, leaf in self.maps:
            if leaf >= a.huge_leaf:     # PA 0 + offset: reach the stamped window
                for _ in range(3):
                    off = rng.randrange(a.pa_lo, a.pa_hi, 4096) + rng.randrange(0, 4096 - 8, 8)
                    extra.append(va + (off if off & 0xFFF != a.exec_off else off & ~0xFFF))
        s, e = a.va_reserved

        def ok(v):
            if s <= v < e:
                return False
            pa = self._mapped_pa(v)
            return pa is None or a.pa_lo <= pa < a.pa_hi

        nedge = 6
        edges = [v for v in vas[:nedge] if ok(v)]
        rest = [v for v in dict.fromkeys(extra + vas[nedge:]) if ok(v) and v not in edges]
        head = [v for v in rest if v in extra]
        tail = [v for v in rest if v not in extra]
        return (edges + head + tail)[:want]


class Riscv64:
    """tests/mmu/riscv64: bare-metal RV64 probe on QEMU virt, M-mode entry (-bios none),
    accesses in S- and U-mode; see tests/mmu/riscv64/probe.h for the ABI."""

    name = "riscv64"
    formats = {"riscv-sv39": 39, "riscv-sv48": 48, "riscv-sv57": 57}
    satp_mode = {"riscv-sv39": 8, "riscv-sv48": 9, "riscv-sv57": 10}
    huge_leaf = 512 * G             # leaves this large are placed at PA 0
    param_pa = 0x80400000
    table_base = 0x81000000         # tables up to PA_LO
    pa_lo = 0x88000000              # test targets: [0x88000000, 0x180000000) = the RAM above
    pa_hi = 0x180000000             # the probe (-m 4G: DRAM is 0x80000000..0x180000000)
    ram = "4G"
    va_reserved = (0x80000000, 0x88000000)  # identity-mapped probe/params/tables
    exec_off = 0xFF8
    fixed_maps = [
        (0x80000000, 0xF0000, "r,w,x"),     # M/S text/data/bss/stacks (see link.ld)
        (0x800F0000, 0x1000, "r,x,user"),   # user text
        (0x80400000, 0x400000, "r"),        # parameter blob
    ]
    ops = ["kl", "ks", "kx", "ul", "us", "ux"]
    spec_class = RiscvSpec
    exit_ok = 0                     # sifive_test 0x5555
    A_BIT = 1 << 6
    D_BIT = 1 << 7
    MENVCFG_PBMTE = 1 << 62
    # QEMU's -cpu: Svnapot and Svpbmt on (QEMU 7.2 property names: `svnapot`, `svpbmt`).
    cpu = "rv64,svnapot=on,svpbmt=on"
    clear_ad_fraction = 0.3         # leaves whose A/D bits are cleared before the run
    # --inject: PPN bit 0 (PA bit 12); U (flipping R could make the reserved W-without-R).
    inject_bits = {"pa": 1 << 10, "perm": 1 << 4}

    def __init__(self, fmt):
        self.fmt = fmt
        self.vabits = self.formats[fmt]
        self.levels = (self.vabits - 12) // 9
        sizes = [4 * K, 64 * K, 2 * M, 1 * G, 512 * G, 256 * T][:self.levels + 1]
        weights = [0.4, 0.15, 0.25, 0.12, 0.05, 0.03][:self.levels + 1]
        self.leaf_sizes, self.leaf_weights = sizes, weights
        self.cleared = 0

    def canonical(self, va):
        half = 1 << (self.vabits - 1)
        return va < half or va >= (1 << 64) - half

    def build_probe(self, outdir):
        return build_probe(self.name, outdir, "elf")

    def params(self, root, stamps, tests):
        blob = b"PTKPRM01" + struct.pack("<7Q", 1, self.satp_mode[self.fmt], root,
                                         len(stamps), len(tests), self.MENVCFG_PBMTE, 0)
        for pa, ln in stamps:
            blob += struct.pack("<2Q", pa, ln)
        for va, epa in tests:
            blob += struct.pack("<3Q", va, epa, 0x3F)
        if len(blob) > 0x400000:
            raise Fail("parameter blob too large: lower --count")
        return blob

    def qemu_cmd(self, accel, probe, image, params):
        if accel != "tcg":
            raise Fail("riscv64 runs under TCG only (no KVM for a foreign architecture)")
        qemu = shutil.which("qemu-system-riscv64")
        if not qemu:
            raise Fail("qemu-system-riscv64 not found (scripts/install-deps.sh installs "
                       "qemu-system-misc)")
        return [qemu, "-machine", "virt", "-accel", "tcg", "-cpu", self.cpu, "-m", self.ram,
                "-smp", "1", "-nodefaults", "-display", "none", "-no-reboot",
                "-serial", "stdio", "-bios", "none", "-kernel", probe,
                "-device", "loader,file=%s,addr=0x%x,force-raw=on" % (image, self.table_base),
                "-device", "loader,file=%s,addr=0x%x,force-raw=on" % (params, self.param_pa)]

    def check_info(self, info):
        satp = int(info.get("satp", "0"), 16)
        want = self.satp_mode[self.fmt]
        if satp >> 60 != want:
            raise Fail("probe ran with satp 0x%x: this CPU does not take MODE %d (%s)" %
                       (satp, want, self.fmt))
        if not int(info.get("menvcfg", "0"), 16) & self.MENVCFG_PBMTE:
            raise Fail("menvcfg.PBMTE did not stick: no Svpbmt on -cpu %s" % self.cpu)

    def prepare_image(self, run, rng):
        """Clear A and D in a share of the mapped test leaves (ptkit builds leaves with A=1,
        and D=1 when writable), to see what the MMU does with clear bits: QEMU 7.2 sets them
        in hardware (no Svadu, no fault); then ptkit must decode what it wrote."""
        by_epa = {}
        for va in run.vas:
            t = run.tr[va]
            if t is not None:
                by_epa.setdefault(t["epa"], []).append(va)
        skip = run.injected[1] if run.injected else None
        chosen = [epa for epa in sorted(by_epa)
                  if epa != skip and rng.random() < self.clear_ad_fraction]
        with open(run.image, "r+b") as f:
            for epa in chosen:
                f.seek(epa - self.table_base)
                e = struct.unpack("<Q", f.read(8))[0] & ~(self.A_BIT | self.D_BIT)
                f.seek(epa - self.table_base)
                f.write(struct.pack("<Q", e))
                for va in by_epa[epa]:
                    run.tr[va]["entry"] = e
        self.cleared = len(chosen)
        print("%s: cleared A/D in %d of %d leaf entries the test VAs go through" %
              (self.fmt, len(chosen), len(by_epa)))

    def compare_extra(self, run, res):
        """On the leaves whose A bit was cleared: A may only appear after an access through
        the leaf succeeded. The spec requires the update to check that the PTE grants the
        access (4.3.1), and TCG does not speculate: a faulting access must leave A clear."""
        bad, used = [], set()
        for i, va in enumerate(run.vas):
            t = run.tr[va]
            if t is None or t["entry"] & self.A_BIT:
                continue
            for op in self.ops:
                got = res.get((i, op))
                if got is None:
                    continue
                if got[0] == "ok":
                    used.add(t["epa"])
                elif got[-1] & self.A_BIT and t["epa"] not in used:
                    bad.append((va, op, ("fault",) + got[1:4], got,
                                "A bit set by a faulting access"))
        return bad

    def expect(self, op, addr, tr, info):
        """Return ("ok", value-or-None) or ("fault", scause, spp, stval). Privileged spec
        4.3.2 with sstatus.SUM = MXR = 0: U-mode needs U=1; S-mode may not touch a U=1 page
        (SUM=0) and never executes one; a load needs R, a store W, a fetch X."""
        user = op[0] == "u"
        kind = op[1]
        fault = ("fault", {"l": 13, "s": 15, "x": 12}[kind], 0 if user else 1, addr)
        if tr is None:
            return fault
        flags = tr["flags"]
        if user != ("user" in flags):
            return fault
        if {"l": "r", "s": "w", "x": "x"}[kind] not in flags:
            return fault
        if kind == "l":
            return ("ok", tr["pa"])
        return ("ok", None)


ARCHES.append(Riscv64)


# --- arm64 (tests/mmu/aarch64) ---------------------------------------------------------------
class Arm64Spec(Spec):
    """Spec for the arm64 formats: granule-sized pages and mutations, both TTBR halves of
    2^va bytes each, contiguous groups, and leaves too large for an aligned PA inside RAM
    (16G, 64G, 512G, 4T) at the aligned PA below the window (0), with test VAs only where such
    a leaf reaches the stamped window."""

    def __init__(self, arch, rng, count):
        Spec.__init__(self, arch, rng, count)
        n = 1 << arch.vabits
        self.halves = [(0, n), ((1 << 64) - n, 1 << 64)]
        self.pas = []           # (va, size, pa) of every map

    def pa_for(self, leaf, size):
        pa = Spec.pa_for(self, leaf, size)
        if pa is None and leaf > self.a.pa_hi - self.a.pa_lo:
            pa = self.a.pa_lo // leaf * leaf
        return pa

    def add_map(self, va, size, leaf, flags=None, record=True):
        pa = self.pa_for(leaf, size)
        if pa is None or not self.free(va, size):
            return False
        self.lines.append("map 0x%x 0x%x 0x%x %s pagesize=%s" %
                          (va, pa, size, flags or self.flags(), human(leaf)))
        self.busy.append((va, va + size))
        self.pas.append((va, size, pa))
        if record:
            self.maps.append((va, size, leaf))
        return True

    def random_map(self):
        rng, a = self.rng, self.a
        leaf = rng.choices(a.leaf_sizes, a.leaf_weights)[0]
        n = rng.randint(1, 8) if leaf == a.page else rng.randint(1, 2) if leaf < G else 1
        size = n * leaf
        if self.maps and rng.random() < 0.6:
            bva, _, _ = rng.choice(self.maps)
            span = leaf << (a.stride if rng.random() < 0.7 else 2 * a.stride)
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
        pg, blk, big = a.page, a.leaf_sizes[2], a.leaf_sizes[-1]
        for va, size, flags in a.fixed_maps:
            self.lines.append("map 0x%x 0x%x 0x%x %s" % (va, va, size, flags))
            self.pas.append((va, size, va))
        (l0, l1), (u0, u1) = self.halves
        self.add_map(l0, pg, pg)
        self.add_map(l1 - pg, pg, pg)
        self.add_map(l1 - 2 * blk, blk, blk)
        self.add_map(u0, blk, blk)
        self.add_map(u0 + big, big, big)
        self.add_map(u1 - pg, pg, pg)
        self.add_map(u1 - 2 * big, big, big)
        nmaps = max(8, self.count // 4)
        tries = 0
        while len(self.maps) < nmaps and tries < nmaps * 20:
            tries += 1
            self.random_map()
        for _ in range(max(2, nmaps // 8)):
            va, size, leaf = rng.choice(self.maps)
            off = rng.randrange(size // pg) * pg
            ln = min(size - off, rng.choice([pg, 2 * pg, blk, 2 * blk]))
            self.protect(va + off, ln)
        for _ in range(max(2, nmaps // 10)):
            va, size, leaf = rng.choice(self.maps)
            off = rng.randrange(size // pg) * pg
            ln = min(size - off, rng.choice([pg, pg, blk]))
            if ln < size:
                self.lines.append("unmap 0x%x 0x%x" % (va + off, ln))
        self.tables_estimate = (16 + (len(self.lines) + 8) * a.levels * 2) * (pg // 4096)

    def pa_of(self, va):
        for mva, size, pa in self.pas:
            if mva <= va < mva + size:
                return pa + va - mva
        return None

    def test_vas(self):
        a, rng = self.a, self.rng
        pg = a.page

        def off():
            o = rng.randrange(0, 4096 - 8, 8)
            return o if o != a.exec_off else 0

        def page_in(lo, hi):    # a random 4K page of [lo, hi)
            return lo + rng.randrange((hi - lo) // 4096) * 4096

        cand = []
        for (va, size, leaf), in zip(self.maps):
            pa = self.pa_of(va)
            # The part of the map that reaches the stamped window.
            lo = va + max(0, a.pa_lo - pa)
            hi = va + min(size, a.pa_hi - pa)
            if lo < hi:
                cand += [lo + off(), hi - 4096 + off(), page_in(lo, hi) + off()]
            cand += [(va - 4096 + off()) & MASK64, (va + size + off()) & MASK64]
            # Holes at every level: same path down to level L, another index at L.
            lvl = rng.randrange(a.levels)
            shift = a.gshift + a.stride * lvl
            bits = a.stride if lvl < a.levels - 1 else a.vabits - shift
            other = va ^ (rng.randrange(1, 1 << bits) << shift)
            cand.append((other & ~0xFFF) + off())
        for _ in range(max(4, self.count // 8)):
            lo, hi = rng.choice(self.halves)
            cand.append(lo + rng.randrange((hi - lo) // 8) * 8)
        s, e = a.va_reserved

        def ok(v):
            if not a.canonical(v) or (v & 0xFFF) == a.exec_off or s <= v < e:
                return False
            pa = self.pa_of(v)
            return pa is None or a.pa_lo <= pa < a.pa_hi

        cand = [v for v in (c & MASK64 for c in cand) if ok(v)]
        (l0, l1), (u0, u1) = self.halves
        edges = [v for v in [l0, l1 - 16, u0, u1 - 16, l1 - 2 * a.leaf_sizes[2]] if ok(v)]
        edges += [v for v in self.none_vas if ok(v) and v not in edges]
        rest = [v for v in dict.fromkeys(cand) if v not in edges]
        rng.shuffle(rest)
        return edges + rest[: max(0, self.count - len(edges))]


class Arm64:
    """tests/mmu/aarch64: bare-metal AArch64 probe on QEMU `virt` (-cpu max), entered at EL1;
    accesses at EL1 and EL0 through TTBR0_EL1/TTBR1_EL1. See tests/mmu/aarch64/probe.h."""

    name = "aarch64"
    # format: (granule shift, VA bits per half, 52-bit OA)
    formats = {"arm64-4k-39": (12, 39, 0), "arm64-4k-48": (12, 48, 0),
               "arm64-4k-52": (12, 52, 1), "arm64-16k-36": (14, 36, 0),
               "arm64-16k-47": (14, 47, 0), "arm64-16k-52": (14, 52, 1),
               "arm64-64k-42": (16, 42, 0), "arm64-64k-48": (16, 48, 0),
               "arm64-64k-52": (16, 52, 1)}
    param_pa = 0x40400000
    table_base = 0x41000000         # tables up to PA_LO (240 MiB: 64K granule tables)
    pa_lo = 0x50000000              # test targets: [0x50000000, 0x100000000) of the RAM
    pa_hi = 0x100000000             # (-m 3G: RAM is 0x40000000..0x100000000)
    ram = "3G"
    va_reserved = (0x08000000, 0x50000000)  # UART, DTB, probe, params, tables
    exec_off = 0xFF8
    fixed_maps = [
        (0x09000000, 0x10000, "r,w,device"),  # PL011 UART
        (0x40200000, 0x100000, "r,w,x"),      # kernel text/data/bss/stacks (see link.ld)
        (0x40300000, 0x10000, "r,x,user"),    # user text
        (0x40310000, 0x10000, "r,w,user"),    # user stack
        (0x40400000, 0x400000, "r"),          # parameter blob
    ]
    ops = ["kl", "ks", "kx", "ul", "us", "ux"]
    spec_class = Arm64Spec
    exit_ok = 0                     # PSCI SYSTEM_OFF; success is the DONE line
    AF = 1 << 10
    AP2 = 1 << 7
    DBM = 1 << 51
    SW_DIRTY = 1 << 56
    A_BIT, D_BIT = AF, DBM          # not used by compare (check_ad / ad_flags below)
    root1 = None

    def __init__(self, fmt):
        self.fmt = fmt
        self.gshift, self.vabits, self.pa52 = self.formats[fmt]
        self.page = 1 << self.gshift
        self.stride = self.gshift - 3
        self.levels = (self.vabits - self.gshift + self.stride - 1) // self.stride
        g = self.gshift
        # Leaf and contiguous-group sizes (src/fmt/arm64.h, Arm ARM D8.3 and "The Contiguous
        # bit"); weights favour the small ones.
        sizes = {12: [4 * K, 64 * K, 2 * M, 32 * M, 1 * G, 16 * G] + ([512 * G] if self.pa52 else []),
                 14: [16 * K, 2 * M, 32 * M, 1 * G] + ([64 * G] if self.pa52 else []),
                 16: [64 * K, 2 * M, 512 * M, 16 * G] + ([4 << 40] if self.pa52 else [])}[g]
        self.leaf_sizes = sizes     # [2] is the smallest block: the edge maps use it
        self.leaf_weights = [0.35, 0.15, 0.2, 0.1, 0.1, 0.05, 0.05][:len(sizes)]
        self.inject_size = human(self.page)
        self.inject_bits = {"pa": self.page, "perm": self.AP2}

    def canonical(self, va):
        n = 1 << self.vabits
        return va < n or va >= (1 << 64) - n

    def build_probe(self, outdir):
        return build_probe(self.name, outdir, "elf")

    def params(self, root, stamps, tests):
        config = self.gshift | self.vabits << 8 | self.pa52 << 16
        blob = b"PTKPRM01" + struct.pack("<7Q", 1, config, root, len(stamps), len(tests),
                                         self.root1 or 0, 0)
        for pa, ln in stamps:
            blob += struct.pack("<2Q", pa, ln)
        for va, epa in tests:
            blob += struct.pack("<3Q", va, epa, 0x3F)
        if len(blob) > 0x400000:
            raise Fail("parameter blob too large: lower --count")
        return blob

    def qemu_cmd(self, accel, probe, image, params):
        if accel != "tcg":
            raise Fail("aarch64 runs under TCG only (no KVM for a foreign architecture)")
        qemu = shutil.which("qemu-system-aarch64")
        if not qemu:
            raise Fail("qemu-system-aarch64 not found (scripts/install-deps.sh installs "
                       "qemu-system-arm)")
        return [qemu, "-machine", "virt", "-accel", "tcg", "-cpu", "max", "-m", self.ram,
                "-smp", "1", "-nodefaults", "-display", "none", "-no-reboot",
                "-serial", "stdio", "-kernel", probe,
                "-device", "loader,file=%s,addr=0x%x,force-raw=on" % (image, self.table_base),
                "-device", "loader,file=%s,addr=0x%x,force-raw=on" % (params, self.param_pa)]

    def skip_reason(self, text):
        for line in text.splitlines():
            if line.startswith("UNSUPPORTED "):
                return "QEMU -cpu max lacks " + line[12:]
        return None

    def check_info(self, info):
        tcr = int(info.get("tcr", "0"), 16)
        tg0 = {12: 0, 14: 2, 16: 1}[self.gshift]
        ds = 1 if self.pa52 and self.gshift != 16 else 0
        if tcr & 0x3F != 64 - self.vabits or tcr >> 14 & 3 != tg0 or tcr >> 59 & 1 != ds:
            raise Fail("probe ran with TCR_EL1 0x%x: does not match %s" % (tcr, self.fmt))

    def _fault_level(self, addr):
        page = addr & ~0xFFF
        if getattr(self, "_fl_n", -1) != len(faults):
            self._fl = {va & ~0xFFF: f[0] for va, f in faults.items()}
            self._fl_n = len(faults)
        return self._fl[page]

    @staticmethod
    def _lvl(name):
        return int(name[1:])       # "L3" -> 3, "L-1" -> -1

    def expect(self, op, addr, tr, info):
        """Return ("ok", value-or-None) or ("fault", EC, ESR & 0x020007ff, FAR). Arm ARM D8.4
        with PSTATE.PAN = 0, SCTLR_EL1.WXN = 0, HA = HD = 0: EL0 needs AP[1] (`user`); a store
        needs AP[2] = 0 (`w`); a fetch needs UXN = 0 at EL0, PXN = 0 at EL1. ptkit's `x` is
        execution at the leaf's own privilege: user leaves always have PXN = 1 (and a leaf
        writable at EL0 is PXN anyway), so EL1 never executes a `user` leaf."""
        user = op[0] == "u"
        kind = op[1]
        ec = {"l": 0x24, "s": 0x24, "x": 0x20}[kind] + (0 if user else 1)
        syn = 1 << 25 | (0x40 if kind == "s" else 0)     # IL, WnR
        if tr is None:
            lvl = self._lvl(self._fault_level(addr))
            return ("fault", ec, syn | (0x2B if lvl == -1 else 0x4 + lvl), addr)
        flags = tr["flags"]
        leaf_lvl = self._lvl(tr["trace"][-1].split()[0])
        if "accessed" not in flags:         # AF = 0 and no hardware AF update: D8.5
            return ("fault", ec, syn | 0x8 + leaf_lvl, addr)
        if user:
            ok = "user" in flags and (kind != "s" or "w" in flags) and \
                (kind != "x" or "x" in flags)
        else:
            ok = (kind != "s" or "w" in flags) and \
                (kind != "x" or ("x" in flags and "user" not in flags))
        if not ok:
            return ("fault", ec, syn | 0xC + leaf_lvl, addr)
        return ("ok", tr["pa"] if kind == "l" else None)

    clear_af_fraction = 0.2         # leaves whose AF is cleared before the run

    def prepare_image(self, run, rng):
        """Clear AF in a share of the leaves the test VAs go through (ptkit builds every leaf
        with AF = 1) and translate them again: ptkit must still map them, without
        `accessed`, and with TCR_EL1.HA = 0 every access must take an Access flag fault at
        the leaf's level (D8.5). Members of contiguous groups are left alone (a group whose
        entries differ in AF is CONSTRAINED UNPREDICTABLE)."""
        by_epa = {}
        for va in run.vas:
            t = run.tr[va]
            if t is not None and not t["entry"] & self.CONT:
                by_epa.setdefault(t["epa"], []).append(va)
        skip = run.injected[1] if run.injected else None
        chosen = [epa for epa in sorted(by_epa)
                  if epa != skip and rng.random() < self.clear_af_fraction]
        with open(run.image, "r+b") as f:
            for epa in chosen:
                f.seek(epa - self.table_base)
                e = struct.unpack("<Q", f.read(8))[0] & ~self.AF
                f.seek(epa - self.table_base)
                f.write(struct.pack("<Q", e))
        vas = [va for epa in chosen for va in by_epa[epa]]
        tr2 = translate(run.ptkit, run.args.format, run.image, self.table_base, run.root, vas,
                        root1=run.root1)
        for va in vas:
            if tr2[va] is None or tr2[va]["pa"] != run.tr[va]["pa"]:
                raise Fail("VA 0x%x: with AF = 0 ptkit translates it to %s instead of PA 0x%x"
                           % (va, tr2[va], run.tr[va]["pa"]))
            run.tr[va] = tr2[va]
        print("%s: cleared AF in %d of %d leaf entries the test VAs go through" %
              (self.fmt, len(chosen), len(by_epa)))

    CONT = 1 << 52

    def check_ad(self, op, t, got, entry):
        """TCR_EL1.HA = HD = 0: the MMU never writes a descriptor (D8.5)."""
        if entry != t["entry"]:
            return "descriptor changed from 0x%x to 0x%x with HA = HD = 0" % (t["entry"], entry)
        return None

    def ad_flags(self, e):
        """What translate must report: `accessed` = AF, `dirty` = DBM with AP[2] = 0 (a
        writable-dirty leaf) or the software dirty bit 56 (src/fmt/arm64.h)."""
        return ({"accessed"} if e & self.AF else set()) | \
            ({"dirty"} if (e & self.DBM and not e & self.AP2) or e & self.SW_DIRTY else set())


ARCHES.append(Arm64)


# --- ppc64 radix (tests/mmu/ppc64) -----------------------------------------------------------
class Ppc64Spec(Arm64Spec):
    """Spec for ppc64-radix-4k/64k: Arm64Spec's generator (base-page maps and mutations,
    edge cases, test VAs only where a map reaches the stamped window) over the two quadrants
    ptkit builds: quadrant 0 (EA 0x0000..., `root`) and quadrant 3 (EA 0xc000..., `root1`),
    2^52 bytes each."""

    def __init__(self, arch, rng, count):
        Arm64Spec.__init__(self, arch, rng, count)
        n = 1 << arch.vabits
        self.halves = [(0, n), (0xC000000000000000, 0xC000000000000000 + n)]


class Ppc64:
    """tests/mmu/ppc64: bare-metal probe booted as the firmware of QEMU `powernv9` (POWER9,
    hypervisor mode, -bios): it owns the partition table (PTCR) and process table; quadrant 0
    goes through PID 1 (`root`), quadrant 3 through PID 0 (`root1`). Accesses with MSR[PR]=0
    and PR=1. See tests/mmu/ppc64/probe.h and docs/VERIFICATION.md."""

    name = "ppc64"
    formats = {"ppc64-radix-4k": 12, "ppc64-radix-64k": 16}
    vabits = 52
    levels = 4
    gshift, stride = 12, 9          # for Arm64Spec's hole VAs: level shifts 12/21/30/39
    param_pa = 0x400000
    table_base = 0x2000000          # 32 MiB (QEMU puts the device tree at 16 MiB)
    pa_lo = 0x8000000               # test targets: [128 MiB, 2 GiB) (-m 2G)
    pa_hi = 0x80000000
    ram = "2G"
    va_reserved = (0x10000, 0x8000000)  # probe, params, tables (identity mapped, quadrant 0)
    exec_off = 0xFF8
    fixed_maps = [
        (0x10000, 0xE0000, "r,w,x"),        # text/data/bss/stacks (see link.ld)
        (0xF0000, 0x10000, "r,x,user"),     # user text
        (0x400000, 0x400000, "r"),          # parameter blob
    ]
    ops = ["kl", "ks", "kx", "ul", "us", "ux"]
    spec_class = Ppc64Spec
    exit_ok = 0                     # ib700 watchdog poweroff; success is the DONE line
    # Leaf bits (host numbering, src/fmt/ppc64_radix.h) and interrupt causes (ISA 3.0B
    # 6.5.3/6.5.5: DSISR, SRR1 of an ISI).
    R_BIT, C_BIT, EAA_RW = 1 << 8, 1 << 7, 1 << 1
    A_BIT, D_BIT = R_BIT, C_BIT     # not used by compare (check_ad / ad_flags below)
    NOPTE, GUARD, PROT, STORE, RC = 0x40000000, 0x10000000, 0x08000000, 0x02000000, 0x00040000

    @staticmethod
    def _protnone(addr):
        """Where translate faulted: did it stop on a leaf (V = L = 1, the last --trace
        line's entry)? ptkit's PROT_NONE leaf on radix is one with no EAA right."""
        for va, (_, trace) in faults.items():
            if va & ~0xFFF == addr & ~0xFFF and trace:
                e = int(trace[-1].split()[4], 16)
                return e >> 62 == 3
        return False
    root1 = None
    clear_r_fraction = 0.15         # leaves whose R bit is cleared before the run
    clear_c_fraction = 0.15         # writable leaves whose C bit is cleared

    def __init__(self, fmt):
        self.fmt = fmt
        self.gs = self.formats[fmt]
        self.page = 1 << self.gs
        # Leaf sizes; Arm64Spec uses [2] as the block size of its edge maps and [-1] as the
        # largest leaf.
        self.leaf_sizes = [self.page, 2 * M, 2 * M, 1 * G]
        self.leaf_weights = [0.5, 0.15, 0.15, 0.2]
        self.inject_size = human(self.page)
        # --inject: RPN bit = PA bit of the page size; EAA read/write.
        self.inject_bits = {"pa": 1 << self.gs, "perm": self.EAA_RW}

    entry_struct = ">Q"             # entries are big-endian (Run.inject, check_ad_decode)

    def canonical(self, va):
        q = va >> 62
        return (q == 0 or q == 3) and not va & 0x3FF0000000000000

    def build_probe(self, outdir):
        return build_probe(self.name, outdir, "bin")

    def params(self, root, stamps, tests):
        blob = b"PTKPRM01" + struct.pack(">7Q", 1, self.gs, root, len(stamps), len(tests),
                                         self.root1 or 0, 0)
        for pa, ln in stamps:
            blob += struct.pack(">2Q", pa, ln)
        for va, epa in tests:
            blob += struct.pack(">3Q", va, epa, 0x3F)
        if len(blob) > 0x400000:
            raise Fail("parameter blob too large: lower --count")
        return blob

    def qemu_cmd(self, accel, probe, image, params):
        if accel != "tcg":
            raise Fail("ppc64 runs under TCG only (no KVM for a foreign architecture)")
        qemu = shutil.which("qemu-system-ppc64")
        if not qemu:
            raise Fail("qemu-system-ppc64 not found (scripts/install-deps.sh installs "
                       "qemu-system-ppc)")
        return [qemu, "-machine", "powernv9", "-accel", "tcg", "-m", self.ram, "-smp", "1",
                "-nodefaults", "-display", "none", "-no-reboot", "-serial", "stdio",
                "-bios", probe, "-device", "ib700", "-action", "watchdog=poweroff",
                "-device", "loader,file=%s,addr=0x%x,force-raw=on" % (image, self.table_base),
                "-device", "loader,file=%s,addr=0x%x,force-raw=on" % (params, self.param_pa)]

    def check_info(self, info):
        pvr = int(info.get("pvr", "0"), 16)
        lpcr = int(info.get("lpcr", "0"), 16)
        msr = int(info.get("msr", "0"), 16)
        if pvr >> 16 != 0x004E:
            raise Fail("probe ran on PVR 0x%x, not a POWER9" % pvr)
        if not lpcr & (1 << 20) or not lpcr & (1 << 22):
            raise Fail("LPCR 0x%x: HR/UPRT did not stick" % lpcr)
        if msr & 0x30 != 0x30 or not msr >> 60 & 1:
            raise Fail("probe ran with MSR 0x%x: not HV with IR/DR on" % msr)
        if int(info.get("config", "0"), 16) != self.gs:
            raise Fail("probe got config %s for %s" % (info.get("config"), self.fmt))

    def expect(self, op, addr, tr, info):
        """Return ("ok", value-or-None) or ("fault", vector, cause, address): vector 768
        (DSI, cause = DSISR, address = DAR) or 1024 (ISI, cause = SRR1 bits 33:36,42:47,
        address = SRR0). Power ISA 3.0B 6.7.10.3 (radix EAA) with AMR = IAMR = 0, as QEMU
        7.2 implements it: PR=1 needs a non-privileged page (`user`); a load needs EAA read
        (`r`), a store read/write (`w`), a fetch execute (`x`) and not the non-idempotent
        I/O attribute (`device`: guarded); privileged accesses may use `user` pages. A denied
        load/store sets DSISR bit 36 (0x08000000), a denied fetch SRR1 bit 35 (0x10000000,
        "no-execute or guarded"), whatever the reason. R and C never fault: the MMU sets them
        (check_ad)."""
        user = op[0] == "u"
        kind = op[1]
        vec = 1024 if kind == "x" else 768
        st = self.STORE if kind == "s" else 0
        if tr is None:
            if self._protnone(addr):    # V = L = 1, no EAA right: denied, not untranslated
                return ("fault", vec, self.GUARD if kind == "x" else self.PROT | st, addr)
            return ("fault", vec, self.NOPTE | st, addr)
        flags = tr["flags"]
        ok = (not user or "user" in flags) and {"l": "r", "s": "w", "x": "x"}[kind] in flags
        if kind == "x" and (not ok or "device" in flags):
            return ("fault", vec, self.GUARD, addr)
        if not ok:
            return ("fault", vec, self.PROT | st, addr)
        return ("ok", tr["pa"] if kind == "l" else None)

    def prepare_image(self, run, rng):
        """Clear R in a share of the leaves the test VAs go through and C in a share of the
        writable ones (ptkit builds leaves with R = 1, and C = 1 when writable), then
        translate them again: ptkit must still map them, without `accessed` / `dirty`, and
        the MMU must set R on the first successful access and C on the first successful
        store (check_ad), never on a denied one."""
        def rd(f, epa):
            f.seek(epa - self.table_base)
            return struct.unpack(">Q", f.read(8))[0]

        by_epa = {}
        for va in run.vas:
            t = run.tr[va]
            if t is not None:
                by_epa.setdefault(t["epa"], []).append(va)
        skip = run.injected[1] if run.injected else None
        nr = nc = 0
        with open(run.image, "r+b") as f:
            chosen = []
            for epa in sorted(by_epa):
                if epa == skip:
                    continue
                e = rd(f, epa)
                x = rng.random()
                if x < self.clear_r_fraction:
                    e &= ~(self.R_BIT | self.C_BIT) if rng.random() < 0.5 else ~self.R_BIT
                    nr += 1
                elif x < self.clear_r_fraction + self.clear_c_fraction and e & self.C_BIT:
                    e &= ~self.C_BIT
                    nc += 1
                else:
                    continue
                f.seek(epa - self.table_base)
                f.write(struct.pack(">Q", e))
                chosen.append(epa)
        vas = [va for epa in chosen for va in by_epa[epa]]
        tr2 = translate(run.ptkit, run.args.format, run.image, self.table_base, run.root, vas,
                        root1=run.root1)
        for va in vas:
            if tr2[va] is None or tr2[va]["pa"] != run.tr[va]["pa"]:
                raise Fail("VA 0x%x: with R/C cleared ptkit translates it to %s instead of "
                           "PA 0x%x" % (va, tr2[va], run.tr[va]["pa"]))
            run.tr[va] = tr2[va]
        self.cleared = (nr, nc)
        print("%s: cleared R (and maybe C) in %d and only C in %d of %d leaf entries the test "
              "VAs go through" % (self.fmt, nr, nc, len(by_epa)))

    def check_ad(self, op, t, got, entry):
        """R/C (ISA 3.0B 6.7.12 "Reference and Change Recording"): QEMU 7.2 sets them in the
        leaf itself (no fault): R after a permitted access, C after a permitted store, never
        after a denied one. No other bit of the entry may change."""
        if not hasattr(self, "_used"):
            self._used, self._stored = set(), set()
        epa, R, C = t["epa"], self.R_BIT, self.C_BIT
        if got[0] == "ok":
            self._used.add(epa)
            if op[1] == "s":
                self._stored.add(epa)
            if not entry & R:
                return "R not set after a successful access"
            if op[1] == "s" and not entry & C:
                return "C not set after a successful store"
        if entry & R and not t["entry"] & R and epa not in self._used:
            return "R set without a successful access"
        if entry & C and not t["entry"] & C and epa not in self._stored:
            return "C set without a successful store"
        if (entry ^ t["entry"]) & ~(R | C):
            return "leaf entry changed from 0x%x to 0x%x" % (t["entry"], entry)
        return None

    def ad_flags(self, e):
        return ({"accessed"} if e & self.R_BIT else set()) | \
            ({"dirty"} if e & self.C_BIT else set())


ARCHES.append(Ppc64)


# --- ptkit ----------------------------------------------------------------------------------
def run(cmd, **kw):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
    if p.returncode != 0:
        raise Fail("%s failed (%d): %s" % (" ".join(cmd[:2]), p.returncode, p.stderr.strip()))
    return p.stdout


def translate(ptkit, fmt, image, base, root, vas, trace=True, root1=None):
    """VA -> {"pa", "size", "flags", "epa", "entry", "trace"} or None (fault)."""
    out = {}
    for i in range(0, len(vas), 400):
        chunk = vas[i:i + 400]
        cmd = [ptkit, "translate", "--format", fmt, "--image", image, "--base", hex(base),
               "--root", hex(root)] + (["--root1", hex(root1)] if root1 is not None else []) + \
              (["--trace"] if trace else []) + [hex(v) for v in chunk]
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
    except Skip as e:
        print("verify %s: SKIPPED: %s" % (args.format, e))
        return SKIP
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
        spec = getattr(a, "spec_class", Spec)(a, rng, args.count)
        spec.generate()
        self.vas = vas = spec.test_vas()
        self.none_vas = set(spec.none_vas)
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
        roots = dict(l.split()[:2] for l in out.splitlines() if l.startswith("root"))
        self.root = root = int(roots["root"], 16)
        # arm64/ppc64: `root1` (TTBR1 / quadrant 3) is always printed; the probe gets it via a.root1.
        self.root1 = a.root1 = int(roots["root1"], 16) if "root1" in roots else None
        self.tr = tr = translate(ptkit, args.format, self.image, a.table_base, root, vas,
                                 root1=self.root1)
        for va in vas:
            t = tr[va]
            if t is not None and not (a.pa_lo <= t["pa"] < a.pa_hi):
                raise Fail("VA 0x%x translates to PA 0x%x outside the stamped window" %
                           (va, t["pa"]))
        stamps = stamp_ranges([t["pa"] & ~0xFFF for t in tr.values() if t is not None])
        self.injected = None
        if args.inject:
            self.inject(args.inject, rng)
        if hasattr(a, "prepare_image"):   # e.g. riscv: clear A/D bits of some leaves
            a.prepare_image(self, rng)
        self.params = os.path.join(work, "params.bin")
        with open(self.params, "wb") as f:
            f.write(a.params(root, stamps, [(va, tr[va]["epa"] if tr[va] else 0)
                                            for va in vas]))
        self.probe = a.build_probe(os.path.join(work, "probe"))

    def inject(self, kind, rng):
        """Corrupt one mapped test VA's leaf entry in the image (translate already ran)."""
        a = self.a
        cands = [va for va in self.vas if self.tr[va] and
                 self.tr[va]["size"] == getattr(a, "inject_size", "4K")]
        if kind == "perm":
            cands = [va for va in self.vas if self.tr[va]]
        va = rng.choice(cands)
        t = self.tr[va]
        bit = 1 << 12 if kind == "pa" else 1 << 1   # PA bit 12 / R/W
        bit = getattr(a, "inject_bits", {}).get(kind, bit)
        fmt = getattr(a, "entry_struct", "<Q")   # ppc64: big-endian entries
        with open(self.image, "r+b") as f:
            f.seek(t["epa"] - a.table_base)
            e = struct.unpack(fmt, f.read(8))[0] ^ bit
            f.seek(t["epa"] - a.table_base)
            f.write(struct.pack(fmt, e))
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
        why = a.skip_reason(text) if hasattr(a, "skip_reason") else None
        if why:
            raise Skip(why)
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
                if t and hasattr(a, "check_ad"):
                    why = a.check_ad(op, t, got, entry)
                    if why:
                        bad.append((va, op, exp, got, why))
                    self.final_entry[epa] = entry
                elif t:
                    # Accessed/dirty: the MMU sets A on use and D on a write; never a fault.
                    if got[0] == "ok" and not entry & a.A_BIT:
                        bad.append((va, op, exp, got, "A bit not set after a successful access"))
                    if got[0] == "ok" and op[1] == "s":
                        dirty_ok.add(epa)
                        if not entry & a.D_BIT:
                            bad.append((va, op, exp, got, "D bit not set after a store"))
                    if entry & a.D_BIT and epa not in dirty_ok and not t["entry"] & a.D_BIT:
                        bad.append((va, op, exp, got, "D bit set without a successful store"))
                    self.final_entry[epa] = entry
        if hasattr(a, "compare_extra"):   # per-architecture checks (riscv: exact A bit)
            bad += a.compare_extra(self, res)
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
                f.write(struct.pack(getattr(a, "entry_struct", "<Q"), e))
        mapped = [va for va in self.vas if self.tr[va]]
        tr2 = translate(self.ptkit, self.args.format, img2, a.table_base, self.root, mapped,
                        root1=self.root1)
        bad, n = [], 0
        for va in mapped:
            e = self.final_entry.get(self.tr[va]["epa"])
            if e is None:
                continue
            n += 1
            want = a.ad_flags(e) if hasattr(a, "ad_flags") else \
                ({"accessed"} if e & a.A_BIT else set()) | \
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
        k = ("leaf " + r.tr[va]["size"]) if r.tr[va] else \
            ("PROT_NONE range, fault at " if va in r.none_vas else "hole at ") + faults[va][0]
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
