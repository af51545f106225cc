#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Check gdb's `pt` command (tools/gdb/ptkit-gdb.py) against a live QEMU guest.

    tests/gdb/gdb_pt_test.py --format x86_64 --ptkit build/ptkit [--inject read|root]

scripts/verify.py's machinery builds a spec, the tables (`ptkit build`), the parameter blob and
the bare-metal probe of the format's architecture (tests/mmu/<arch>); QEMU boots it with its
gdbstub on a Unix socket, stopped. gdb (tests/gdb/in_gdb.py) sources the command, checks its
errors before the target and at reset (MMU off), stops the probe at probe_run_tests (MMU on,
no test access made yet), runs `pt info`, `pt translate` of the test VAs (mapped and not) and
`pt dump`, reads every VA through QEMU's MMU (gdb's virtual read) and every PA pt printed as
physical memory, and has QEMU save the tables as they are (pmemsave). Then:
  (a) pt's translate and dump lines must equal `ptkit translate --json` / `dump --json` of
      the saved live tables, and of the built image but for accessed/dirty;
  (b) the MMU: a VA pt maps must read the same 8 bytes as its PA (the probe stamped every
      word of the test pages with its own PA), a VA pt calls a fault must not be readable.
The tables' own VAs are unmapped in the image (the probe reads them only after the stop), so
reading them through the MMU instead of as physical memory cannot go unnoticed.
--inject read|root|virt: the command reads the tables a page off / takes a root a page off
(ppc64: PIDR 1 -> 0) / never switches QEMU to physical addresses; the test then passes only
if (a) catches it, and (b) or pt's own errors do.
Exit 0: all agree (inject: caught); 1: disagreements or a broken run; 77: no gdb with Python
for the architecture."""
import argparse
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import types

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
sys.dont_write_bytecode = True      # nothing written into the source tree
import verify  # noqa: E402

SKIP = 77
GDB_ARCH = {"x86_64": "i386:x86-64", "aarch64": "aarch64", "riscv64": "riscv:rv64",
            "ppc64": "powerpc:common64"}
UNITS = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
AD = {"accessed", "dirty"}


class Skip(Exception):
    pass


def find_gdb(arch):
    """A gdb with Python that knows arch: gdb (Debian's: x86 only), then gdb-multiarch."""
    why = []
    for g in ("gdb", "gdb-multiarch"):
        path = shutil.which(g)
        if not path:
            why.append("%s: not installed" % g)
            continue
        p = subprocess.run([path, "-nx", "-batch", "-ex", "python print('py-ok')",
                            "-ex", "set architecture " + GDB_ARCH[arch]],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if "py-ok" in p.stdout and p.returncode == 0 and "Undefined" not in p.stdout \
                and "Requires an argument" not in p.stdout:
            return path
        why.append("%s: %s" % (g, p.stdout.strip().splitlines()[-1] if p.stdout.strip()
                               else "exit %d" % p.returncode))
    raise Skip("no gdb with Python for %s (%s; scripts/install-deps.sh installs "
               "gdb-multiarch)" % (arch, "; ".join(why)))


def asan_env():
    """PTKIT_SANITIZE=ON: libptkit.so is an ASan build. Preloading libasan into gdb deadlocks
    (Debian 12's gdb 13.1: in its first setlocale), so the runtime comes in with the library
    when the package loads it, which ASan allows once told not to check the link order; leak
    checks off (gdb's allocations are not ours)."""
    if os.environ.get("PTKIT_SANITIZE") != "ON":
        return {}
    opts = os.environ.get("ASAN_OPTIONS")
    return {"ASAN_OPTIONS": "detect_leaks=0:verify_asan_link_order=0" +
            (":" + opts if opts else "")}


def size_bytes(s):
    return int(s[:-1]) * UNITS[s[-1]] if s[-1] in UNITS else int(s)


def flagset(s):
    return set() if s == "-" else set(s.split(","))


def parse_translate(text):
    """pt translate lines -> {va: (pa, size, flags) | ("fault", level) | ("error", why)}."""
    res = {}
    for line in text.splitlines():
        f = line.split()
        if len(f) < 3:
            continue
        va = int(f[0], 16)
        if f[1] == "fault":
            res[va] = ("fault", f[2])
        elif f[1] == "error:":      # "0x<va> error: <why> at <level>"
            res[va] = ("error", " ".join(f[2:]))
        else:
            res[va] = (int(f[1], 16), size_bytes(f[2]), flagset(f[3] if len(f) > 3 else "-"))
    return res


def parse_dump(text):
    """pt dump lines -> [(start, end, level, flags, pa)] (headers skipped); a corrupt entry's
    line ("... error: why"), a self-map's or a shared table's ("... self-map: ...", "...
    shared: ...") has flags {its text} and pa -1, which no CLI run on good tables lists."""
    res = []
    for line in text.splitlines():
        f = line.split()
        if not f or f[0].startswith("---") or f[0] == "pt:":  # pt: the summary of errors
            continue
        s, e = f[0].split("-")
        if f[3] in ("error:", "self-map:", "shared:"):
            res.append((int(s, 16), int(e, 16), f[2], {" ".join(f[3:])}, -1))
            continue
        res.append((int(s, 16), int(e, 16), f[2], flagset(f[3]), int(f[5], 16)))
    return res


def cli_json(ptkit, cmd, fmt, image, base, root, root1, extra):
    c = [ptkit, cmd, "--format", fmt, "--image", image, "--base", hex(base), "--root", hex(root),
         "--json"] + (["--root1", hex(root1)] if root1 is not None else []) + extra
    p = subprocess.run(c, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode not in (0, 1) or not p.stdout.strip():
        raise verify.Fail("%s failed (%d): %s" % (" ".join(c[:2]), p.returncode, p.stderr))
    return json.loads(p.stdout)


def expect_translate(js, strip_ad):
    res = {}
    for e in js:
        va = int(e["va"], 16)
        if "fault" in e:
            res[va] = ("fault", e["fault"])
        elif "error" in e:
            res[va] = ("error", "%s at %s" % (e["error"], e["level"]))
        else:
            fl = set(e["flags"]) - (AD if strip_ad else set())
            res[va] = (int(e["pa"], 16), e["size"], fl)
    return res


def expect_dump(js, strip_ad):
    return [(int(e["start"], 16), int(e["end"], 16), e["level"],
             set(e["flags"]) - (AD if strip_ad else set()), int(e["pa"], 16)) for e in js]


def merge(runs):
    """Dump runs re-coalesced as the CLI does (after dropping accessed/dirty)."""
    out = []
    for s, e, lv, fl, pa in runs:
        if out and out[-1][1] == s and out[-1][2] == lv and out[-1][3] == fl and \
                out[-1][4] + (out[-1][1] - out[-1][0]) == pa:
            out[-1] = (out[-1][0], e, lv, fl, out[-1][4])
        else:
            out.append((s, e, lv, fl, pa))
    return out


def strip(tr):
    return {va: (t[0], t[1], t[2] - AD) if isinstance(t[0], int) else t for va, t in tr.items()}


def compare_cli(name, got_tr, got_dump, want_tr, want_dump):
    bad = []
    for va, w in want_tr.items():
        g = got_tr.get(va)
        if g != w:
            bad.append("%s: translate 0x%x: pt %s, ptkit CLI %s" % (name, va, g, w))
    if got_dump != want_dump:
        n = sum(1 for a, b in zip(got_dump, want_dump) if a != b)
        n += abs(len(got_dump) - len(want_dump))
        first = next((i for i, (a, b) in enumerate(zip(got_dump, want_dump)) if a != b),
                     min(len(got_dump), len(want_dump)))
        bad.append("%s: dump: %d of %d/%d lines differ; first at %d: pt %s, ptkit CLI %s" %
                   (name, n, len(got_dump), len(want_dump), first,
                    got_dump[first] if first < len(got_dump) else None,
                    want_dump[first] if first < len(want_dump) else None))
    return bad


def compare_mmu(tr, virt, phys):
    """(b): QEMU's own walk (gdb's virtual read) against the PA pt printed."""
    bad, n = [], 0
    for va, t in tr.items():
        v = virt.get("0x%x" % va)
        if isinstance(t[0], int):
            p = phys.get("0x%x" % va)
            if v is None and "r" not in t[2]:
                continue    # execute-only (RISC-V): QEMU's debug read is a load, it faults
            n += 1
            if v is None or p is None or v != p:
                bad.append("MMU: VA 0x%x reads %s through the MMU, PA 0x%x (pt) holds %s" %
                           (va, v, t[0], p))
        else:
            n += 1
            if v is not None:
                bad.append("MMU: VA 0x%x reads %s through the MMU, pt says %s %s" %
                           (va, v, t[0], t[1]))
    return n, bad


def hide_tables(args, a, r):
    """Unmap the tables' own VAs in the image (the spec maps them at their PA for the probe,
    which reads them only after the stop): a command that read the tables through the MMU
    instead of as physical memory would then not find them. Zeroes every leaf entry of
    [table_base, table_base + size) (all formats: not present)."""
    size = os.path.getsize(r.image)
    vas = list(range(a.table_base, a.table_base + size, 4096))
    tr = verify.translate(args.ptkit, args.format, r.image, a.table_base, r.root, vas,
                          root1=r.root1)
    epas = sorted({t["epa"] for t in tr.values() if t is not None})
    with open(r.image, "r+b") as img:
        for epa in epas:
            img.seek(epa - a.table_base)
            img.write(bytes(8))
    return len(epas)


def find_corruption(args, a, r, work):
    """A one-bit change of one entry on the walk of a mapped test VA that the CLI reports as
    a corrupt entry (not a fault, not another mapping): (va, entry PA, new entry bytes, the
    CLI's error). Levels from the root down; bits of the low and high attribute fields."""
    fmt = getattr(a, "entry_struct", "<Q")
    bad = os.path.join(work, "corrupt.img")
    for va in r.vas:
        t = r.tr[va]
        if t is None:
            continue
        for line in t["trace"]:
            f = line.split()    # <level> index N entry 0x.. table 0x..
            epa = int(f[6], 16) + int(f[2], 0) * 8
            entry = int(f[4], 16)
            for bit in list(range(1, 12)) + list(range(52, 63)):
                new = struct.pack(fmt, entry ^ (1 << bit))
                shutil.copyfile(r.image, bad)
                with open(bad, "r+b") as img:
                    img.seek(epa - a.table_base)
                    img.write(new)
                js = cli_json(args.ptkit, "translate", args.format, bad, a.table_base,
                              r.root, r.root1, ["0x%x" % va])
                if "error" in js[0]:
                    return va, epa, new, js[0]
        break       # the first mapped VA's walk only
    raise verify.Fail("no one-bit change of the walk of a mapped VA is a corrupt entry")


def find_shared(args, a, r, work):
    """A root-table slot near the first mapped test VA's root entry, empty in the image, that
    a copy of that entry makes a shared table for the CLI: (slot PA, the entry's bytes, the
    slot's bytes, the CLI's "shared:" lines of the image so patched)."""
    size = struct.calcsize(getattr(a, "entry_struct", "<Q"))
    with open(r.image, "rb") as f:
        img = f.read()
    shared = os.path.join(work, "shared.img")
    for va in r.vas:
        if r.tr[va] is None:
            continue
        f = r.tr[va]["trace"][0].split()    # <root level> index N entry 0x.. table 0x..
        table, i = int(f[6], 16) - a.table_base, int(f[2], 0)
        entry = img[table + i * size:table + (i + 1) * size]
        for j in (i + 1, i - 1, i + 2, i - 2, i + 3, i - 3):
            old = img[table + j * size:table + (j + 1) * size]
            if j < 0 or table + (j + 1) * size > len(img) or any(old):
                continue
            with open(shared, "wb") as out:
                out.write(img[:table + j * size] + entry + img[table + (j + 1) * size:])
            c = [args.ptkit, "dump", "--format", args.format, "--image", shared, "--base",
                 hex(a.table_base), "--root", hex(r.root)] + \
                (["--root1", hex(r.root1)] if r.root1 is not None else [])
            p = subprocess.run(c, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            lines = [ln for ln in p.stdout.splitlines() if " shared: table " in ln]
            if lines:
                return a.table_base + table + j * size, entry, old, lines
        break       # the first mapped VA's root entry only
    raise verify.Fail("no empty root slot next to the first mapped VA's makes a shared table")


def free_name(work):
    return os.path.join(work, "gdb.sock")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--format")
    ap.add_argument("--not-qemu", action="store_true",
                    help="only: pt against gdbserver (not QEMU) must refuse clearly")
    ap.add_argument("--ptkit", required=True, help="the CLI (build/ptkit)")
    ap.add_argument("--script", default=os.path.join(ROOT, "tools/gdb/ptkit-gdb.py"))
    ap.add_argument("--count", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--inject", choices=["read", "root", "virt"])
    ap.add_argument("--install", metavar="BUILD_DIR",
                    help="cmake --install BUILD_DIR into a temporary prefix and use the "
                    "installed command, package and library (nothing from the tree)")
    ap.add_argument("--workdir")
    ap.add_argument("--timeout", type=float, default=30, help="for gdb (seconds)")
    args = ap.parse_args()
    if args.not_qemu:
        return not_qemu(args)
    if not args.format:
        ap.error("--format is needed")
    try:
        return run(args)
    except Skip as e:
        print("gdb pt %s: SKIPPED: %s" % (args.format, e))
        return SKIP
    except verify.Skip as e:
        print("gdb pt %s: SKIPPED: %s" % (args.format, e))
        return SKIP
    except verify.Fail as e:
        print("gdb pt %s: %s" % (args.format, e), file=sys.stderr)
        return 1


def not_qemu(args):
    """`pt` attached to gdbserver (a remote stub that is not QEMU's) must say so."""
    gdbexe, server = shutil.which("gdb"), shutil.which("gdbserver")
    if not gdbexe or not server:
        print("gdb pt not-qemu: SKIPPED: no gdb or gdbserver (scripts/install-deps.sh "
              "installs them)")
        return SKIP
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", **asan_env())
    p = subprocess.run([gdbexe, "-nx", "-batch", "-ex", "source " + args.script,
                        "-ex", "target remote | %s - /bin/sleep 30" % server,
                        "-ex", "pt info", "-ex", "kill"], env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=30)
    err = [ln for ln in p.stdout.splitlines() if ln.startswith("pt: ")]
    print("\n".join(err) or p.stdout)
    if err and "not QEMU's gdbstub" in err[0]:
        return 0
    print("gdb pt not-qemu: expected `pt: the remote stub is not QEMU's gdbstub ...`")
    return 1


def run(args):
    t0 = time.time()
    a = verify.arch_for(args.format)
    gdbexe = find_gdb(a.name)
    work = args.workdir or tempfile.mkdtemp(prefix="ptkit-gdb-")
    os.makedirs(work, exist_ok=True)
    vargs = types.SimpleNamespace(format=args.format, count=args.count, seed=args.seed,
                                  ptkit=args.ptkit, inject=None, timeout=args.timeout,
                                  workdir=work, accel="tcg")
    r = verify.Run(vargs, a, args.seed, work)
    hidden = hide_tables(args, a, r)
    elf = r.probe + "64" if a.name == "x86_64" else r.probe
    if a.name == "ppc64":
        elf = r.probe[:-len(".bin")] + ".elf"
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    if args.install:
        prefix = os.path.join(work, "prefix")
        p = subprocess.run([os.environ.get("CMAKE", "cmake"), "--install", args.install,
                            "--prefix", prefix], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
        if p.returncode:
            raise verify.Fail("cmake --install %s failed:\n%s" % (args.install, p.stdout))
        args.script = os.path.join(prefix, os.environ.get("DATADIR", "share"),
                                   "ptkit/gdb/ptkit-gdb.py")
        args.prefix = os.path.realpath(prefix)
        for k in ("PTKIT_LIBRARY", "PTKIT_PYTHONPATH", "PYTHONPATH"):
            env.pop(k, None)
    sock = free_name(work)
    cmd = a.qemu_cmd("tcg", r.probe, r.image, r.params)
    i = cmd.index("-serial")
    cmd[i + 1] = "file:" + os.path.join(work, "serial.txt")
    cmd += ["-S", "-gdb", "unix:%s,server=on,wait=off" % sock]
    qemu = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _ in range(200):
            if os.path.exists(sock) or qemu.poll() is not None:
                break
            time.sleep(0.02)
        if not os.path.exists(sock):
            raise verify.Fail("QEMU did not open its gdbstub: %s" %
                              qemu.communicate(timeout=5)[1].decode(errors="replace"))
        cva, cpa, cbytes, cerr = find_corruption(args, a, r, work)
        spa, sbytes, sold, slines = find_shared(args, a, r, work)
        with open(os.path.join(work, "vas.txt"), "w") as f:
            f.write("\n".join("%x" % v for v in r.vas) + "\n")
        live = os.path.join(work, "live.img")
        tsize = os.path.getsize(r.image)
        env.update(PT_SCRIPT=os.path.abspath(args.script), PT_SOCKET=sock,
                   PT_ELF=elf, PT_STOP="probe_run_tests",
                   PT_VAS=os.path.join(work, "vas.txt"), PT_OUT=os.path.join(work, "gdb.json"),
                   PT_LIVE=live, PT_LIVE_RANGE="0x%x %d" % (a.table_base, tsize),
                   PT_INJECT=args.inject or "",
                   PT_CORRUPT="0x%x 0x%x %s" % (cva, cpa, cbytes.hex()),
                   PT_SHARED="0x%x %s %s" % (spa, sbytes.hex(), sold.hex()),
                   PT_OTHER_FORMAT="riscv-sv39" if a.name == "x86_64" else "x86_64",
                   PT_MONITOR_REG={"x86_64": "cr3", "riscv64": "satp"}.get(a.name, ""))
        env.update(asan_env())
        t1 = time.time()
        try:
            g = subprocess.run([gdbexe, "-nx", "-batch", "-x", os.path.join(HERE, "in_gdb.py")],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, timeout=args.timeout)
        except subprocess.TimeoutExpired as e:
            out = e.stdout.decode(errors="replace") if isinstance(e.stdout, bytes) else \
                e.stdout or ""
            raise verify.Fail("gdb timed out after %ds (work dir %s):\n%s" %
                              (args.timeout, work, "\n".join(out.splitlines()[-15:])))
        tg = time.time() - t1
        with open(os.path.join(work, "gdb.log"), "w") as f:
            f.write(g.stdout)
        if not os.path.exists(env["PT_OUT"]):
            raise verify.Fail("gdb did not finish (exit %d):\n%s" %
                              (g.returncode, "\n".join(g.stdout.splitlines()[-15:])))
    finally:
        if qemu.poll() is None:
            qemu.kill()
        qemu.wait()
    with open(env["PT_OUT"]) as f:
        res = json.load(f)
    print("the tables' own VAs unmapped: %d leaf entries zeroed" % hidden)
    return judge(args, a, r, res, live, work, time.time() - t0, tg, (cva, cerr), slines)


def judge(args, a, r, res, live, work, total, tg, corrupt, shared):
    bad = []
    # A root entry copied into an empty slot: pt dump lists the slot as ptkit dump does.
    got = [ln for ln in (res.get("shared_dump") or "").splitlines() if " shared: " in ln]
    print("shared table: pt dump: %s" % got)
    if not args.inject and got != shared:
        bad.append("shared table: pt dump listed %r, ptkit dump %r (%s)" %
                   (got, shared, res.get("shared_dump_error")))
    # A corrupt entry, written into the live tables: named as the CLI names it.
    cva, cerr = corrupt
    want = "0x%x error: %s at %s" % (cva, cerr["error"], cerr["level"])
    got = (res.get("corrupt_translate") or "").strip()
    print("corrupt entry: pt translate: %s" % got)
    print("corrupt entry: pt dump: %s" % [line for line in (res.get("corrupt_dump") or "").splitlines()
                                          if " error: " in line])
    if not args.inject and got != want:
        bad.append("corrupt entry: pt translate printed %r, expected %r" % (got, want))
    listed = "error: %s" % cerr["error"]
    if not args.inject and not any(line.endswith(listed)
                                   for line in (res.get("corrupt_dump") or "").splitlines()):
        bad.append("corrupt entry: pt dump listed no line ending in %r" % listed)
    # The errors the user sees without a usable target: `pt: ` and what is missing.
    want_err = {"no target": "no target", "no target, file loaded": "no target",
                "at reset": {"x86_64": "CR0", "aarch64": "SCTLR_EL1", "riscv64": "satp",
                             "ppc64": "PTCR"}[a.name],
                "bad format": "nosuch",
                "register": "register %s is not available" %
                            ("satp" if a.name == "x86_64" else "cr3")}
    for k, w in want_err.items():
        e = res["errors"].get(k)
        print("error %-22s %s" % (k + ":", e))
        if not e or not e.startswith("pt: ") or w not in e:
            bad.append("error %s: expected a `pt: ...%s...` error, got %r" % (k, w, e))
    want = "".join("pt format arm64-4k-%d\n" % v for v in (39, 48, 52))
    if res.get("complete") != want:
        bad.append("complete pt format arm64-4k: %r, expected %r" % (res.get("complete"), want))
    pkg, lib = res.get("package") or ["?", "?"]
    print("package %s, library %s" % (pkg, lib))
    if args.install and not all(os.path.realpath(f).startswith(args.prefix + os.sep)
                                for f in (pkg, lib)):
        bad.append("the installed command used ptkit from outside %s: %s, %s" %
                   (args.prefix, pkg, lib))
    if "monitor_reg" in res:
        mon, reg = res["monitor_reg"]
        print("register from `monitor info registers`: 0x%x, from gdb: 0x%x" % (mon, reg))
        if mon != reg:
            bad.append("monitor info registers gave 0x%x, gdb 0x%x" % (mon, reg))
    for k in ("info", "translate", "dump"):
        if res.get(k + "_error"):
            bad.append("pt %s failed: %s" % (k, res[k + "_error"]))
    print((res.get("info") or "").strip())
    if not args.inject and "format %s (auto" % args.format not in (res.get("info") or ""):
        bad.append("pt info: the automatic format is not %s" % args.format)
    # arm64: leaves' memory types go through the MAIR_EL1 the probe set (ptkit's own), read
    # from the CPU; x86 (QEMU shows no IA32_PAT) says it assumes ptkit's.
    if not args.inject and args.format.startswith("arm64"):
        if "memory types: MAIR_EL1 0x40044ffff" not in (res.get("info") or ""):
            bad.append("pt info: MAIR_EL1 not read from the CPU as the probe set it")
    elif not args.inject and args.format.startswith("x86"):
        if "memory types: IA32_PAT not shown" not in (res.get("info") or ""):
            bad.append("pt info: says nothing of IA32_PAT")
    for k, mode in (("mode_after", "0"), ("mode_kept", "1")):
        if 'received: "%s"' % mode not in (res.get(k) or ""):
            bad.append("PhyMemMode after pt is not the user's %s: %r" % (mode, res.get(k)))
    if res.get("pmemsave"):
        raise verify.Fail("monitor pmemsave failed: %s" % res["pmemsave"])
    got_tr = parse_translate(res.get("translate") or "")
    got_dump = parse_dump(res.get("dump") or "")
    vas = ["0x%x" % v for v in r.vas]
    # (a) the CLI on the tables as QEMU holds them now, and on the image as built.
    cli = []
    for name, image, strip_ad in (("live tables", live, False), ("built image", r.image, True)):
        wt = expect_translate(cli_json(args.ptkit, "translate", args.format, image,
                                       a.table_base, r.root, r.root1, vas), strip_ad)
        wd = expect_dump(cli_json(args.ptkit, "dump", args.format, image, a.table_base, r.root,
                                  r.root1, []), strip_ad)
        wd = merge(wd) if strip_ad else wd
        cli += compare_cli(name, strip(got_tr) if strip_ad else got_tr,
                           merge([(s, e, lv, fl - AD, pa) for s, e, lv, fl, pa in got_dump])
                           if strip_ad else got_dump, wt, wd)
    # (b) the MMU.
    nmmu, mmu = compare_mmu(got_tr, res.get("virt", {}), res.get("phys", {}))
    mapped = sum(1 for t in got_tr.values() if isinstance(t[0], int))
    summary = ("gdb pt %s: %d VAs (%d mapped), %d dump lines; %d CLI disagreements, %d of %d "
               "MMU reads disagree; gdb %.1fs, total %.1fs" %
               (args.format, len(got_tr), mapped, len(got_dump), len(cli), len(mmu), nmmu,
                tg, total))
    if len(got_tr) != len(r.vas):
        bad.append("pt translate answered %d of %d VAs" % (len(got_tr), len(r.vas)))
    if args.inject:
        # Caught: pt's answers differ from the CLI's, and the MMU disagrees with them or pt
        # itself reported the tree corrupt.
        errs = [t for t in got_tr.values() if t[0] == "error"] + \
            [res[k + "_error"] for k in ("info", "translate", "dump") if res.get(k + "_error")]
        for d in (cli[:2] + mmu[:2] + [str(e) for e in errs[:2]]):
            print("CAUGHT " + d)
        print(summary)
        if cli and (mmu or errs):
            print("inject %s: caught (%d CLI and %d MMU disagreements, %d pt errors)" %
                  (args.inject, len(cli), len(mmu), len(errs)))
            if not args.workdir:
                shutil.rmtree(work, ignore_errors=True)
            return 0
        print("inject %s: NOT caught (%d CLI, %d MMU disagreements, %d pt errors)" %
              (args.inject, len(cli), len(mmu), len(errs)))
        return 1
    for d in (bad + cli + mmu)[:30]:
        print("DISAGREE " + d)
    print(summary)
    if bad or cli or mmu or not mapped or not nmmu:
        print("work dir kept: %s" % work)
        return 1
    if not args.workdir:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
