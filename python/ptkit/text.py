# SPDX-License-Identifier: MIT
"""Text as the CLI prints it: `ptkit translate` lines and `ptkit dump` listings."""
import ctypes

from . import _lib

# enum pt_prot_bits (include/ptkit/types.h)
R, W, X, USER, GLOBAL, DEVICE, NOCACHE, YOUNG, DIRTY, SPECIAL, CONTIG = (1 << i for i in range(11))


def prot_str(prot):
    """PT_* bits as the CLI's flag list: "r,w,user", "none,user" (PROT_NONE), "-"."""
    buf = ctypes.create_string_buffer(128)
    return _lib.text(_lib.lib.pt_prot_str(prot, buf))


def size_str(n):
    """A byte count as the largest exact unit: 4096 -> "4K", 3 << 30 -> "3G"."""
    buf = ctypes.create_string_buffer(32)
    return _lib.text(_lib.lib.pt_size_str(n & (1 << 64) - 1, buf))


def format_translation(tr):
    """One `ptkit translate` answer line (no newline): "0x<va> 0x<pa> <size> <flags>"."""
    return f"{tr.va:#x} {tr.pa:#x} {size_str(max(tr.group, tr.size))} {tr.flags}"


def coalesce(leaves):
    """Runs of leaves as `ptkit dump` lists them: consecutive leaves of one half and level,
    with the same flags and contiguous PAs, as one dict(start, end, pa, level, level_name,
    prot, flags, half); end is exclusive (2**64 at the top)."""
    runs = []
    for lf in leaves:
        if getattr(lf, "why", None) is not None:  # a Corrupt, from leaves(errors="yield")
            runs.append(dict(start=lf.va, end=lf.end, level=lf.level, level_name=lf.level_name,
                             half=lf.half, error=lf.why))
            continue
        last = runs[-1] if runs else None
        if last and "error" in last:
            last = None
        if (last and last["half"] == lf.half and last["level"] == lf.level and
                last["prot"] == lf.prot and last["end"] == lf.va and
                last["pa"] + (last["end"] - last["start"]) == lf.pa):
            last["end"] = lf.va + lf.size
            continue
        runs.append(dict(start=lf.va, end=lf.va + lf.size, pa=lf.pa, level=lf.level,
                         level_name=lf.level_name, prot=lf.prot, flags=lf.flags, half=lf.half))
    return runs


def format_leaves(leaves):
    """`ptkit dump` text of leaves (from Tables.leaves()): both halves' headers, then one line
    per coalesced run: "0x<start>-0x<end> <size> <level> <flags> pa 0x<pa>"."""
    runs = coalesce(leaves)
    out = []
    for h, name in enumerate(("lower half", "upper half")):
        out.append(f"---[ {name} ]---")
        for r in runs:
            if r["half"] != h:
                continue
            end = r["end"] & (1 << 64) - 1
            what = (f"error: {r['error']}" if "error" in r else f"{r['flags']} pa {r['pa']:#x}")
            out.append(f"0x{r['start']:016x}-0x{end:016x} {size_str(r['end'] - r['start']):>5} "
                       f"{r['level_name']} {what}")
    return "\n".join(out) + "\n"
