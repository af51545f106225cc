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
    prot, flags, half); end is exclusive (2**64 at the top). The other items of
    Tables.dump() (or leaves(errors="yield")) are dicts of their own that end a run: a
    Corrupt has error (its why), a SelfMap self_map (the table) and table_level_name, a
    Shared shared_table and listed_at."""
    runs = []
    for lf in leaves:
        common = dict(start=lf.va, level=lf.level, level_name=lf.level_name, half=lf.half)
        if getattr(lf, "why", None) is not None:  # a Corrupt
            runs.append(dict(common, end=lf.end, error=lf.why))
            continue
        if hasattr(lf, "table_level"):  # a SelfMap
            runs.append(dict(common, end=lf.end, self_map=lf.table,
                             table_level_name=lf.table_level_name))
            continue
        if hasattr(lf, "listed_at"):  # a Shared
            runs.append(dict(common, end=lf.end, shared_table=lf.table, listed_at=lf.listed_at))
            continue
        last = runs[-1] if runs else None
        if last and "pa" not in last:
            last = None
        if (last and last["half"] == lf.half and last["level"] == lf.level and
                last["prot"] == lf.prot and last["end"] == lf.va and
                last["pa"] + (last["end"] - last["start"]) == lf.pa):
            last["end"] = lf.va + lf.size
            continue
        runs.append(dict(common, end=lf.va + lf.size, pa=lf.pa, prot=lf.prot, flags=lf.flags))
    return runs


def _what(r):
    """The text after a dump line's level: flags and pa, or what the entry is."""
    if "error" in r:
        return f"error: {r['error']}"
    if "self_map" in r:
        return f"self-map: table {r['self_map']:#x} ({r['table_level_name']}) is on its own walk"
    if "shared_table" in r:
        return f"shared: table {r['shared_table']:#x}, listed at {r['listed_at']:#x}"
    return f"{r['flags']} pa {r['pa']:#x}"


def format_leaves(leaves):
    """`ptkit dump` text of Tables.dump() (or leaves()): both halves' headers, then a line
    per coalesced run of leaves, "0x<start>-0x<end> <size> <level> <flags> pa 0x<pa>", and
    per other item, "... error: <why>", "... self-map: table 0x<pa> (<level>) is on its own
    walk" or "... shared: table 0x<pa>, listed at 0x<va>"."""
    runs = coalesce(leaves)
    out = []
    for h, name in enumerate(("lower half", "upper half")):
        out.append(f"---[ {name} ]---")
        for r in runs:
            if r["half"] != h:
                continue
            end = r["end"] & (1 << 64) - 1
            out.append(f"0x{r['start']:016x}-0x{end:016x} {size_str(r['end'] - r['start']):>5} "
                       f"{r['level_name']} {_what(r)}")
    return "\n".join(out) + "\n"


def format_leaves_json(leaves):
    """`ptkit dump --json` of Tables.dump() (or leaves()): a list of objects, one per
    coalesced run or other item, byte for byte as the CLI prints it."""
    objs = []
    for r in coalesce(leaves):
        head = (f'{{"start": "{r["start"]:#x}", "end": "{r["end"] & (1 << 64) - 1:#x}", '
                f'"size": {r["end"] - r["start"]}, "level": "{r["level_name"]}", ')
        if "error" in r:
            tail = f'"error": "{r["error"]}"}}'
        elif "self_map" in r:
            tail = f'"self_map": "{r["self_map"]:#x}"}}'
        elif "shared_table" in r:
            tail = f'"shared_table": "{r["shared_table"]:#x}", "listed_at": "{r["listed_at"]:#x}"}}'
        else:
            flags = "" if r["flags"] == "-" else ",".join(f'"{f}"' for f in r["flags"].split(","))
            tail = f'"pa": "{r["pa"]:#x}", "flags": [{flags}]}}'
        objs.append("  " + head + tail)
    return "[" + ("\n" + ",\n".join(objs) + "\n" if objs else "") + "]\n"
