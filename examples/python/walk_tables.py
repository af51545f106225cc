#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Build arm64 page tables from a spec, translate an address, list the mappings, then read
the same tree back through a callback, as a debugger would (docs/PYTHON.md)."""
import ptkit

SPEC = """
map 0x400000 0x80000000 2M r,x,user      # text: one 2M block
map 0x600000 0x80200000 64K r,w,user     # data: a contiguous 64K group of 4K pages
map 0xffff000000000000 0x40000000 4K r,w # kernel half: TTBR1's tree
"""

with ptkit.Tables.build("arm64-4k-48", SPEC, base=0x100000, size=1 << 20) as t:
    print(ptkit.format_translation(t.translate(0x401234)))
    print(ptkit.format_leaves(t.leaves()), end="")

    image, base = t.image(), t.base

    def read(pa, n):  # physical memory, as gdb's `monitor xp` or a dump would give it
        off = pa - base
        return image[off:off + n] if 0 <= off and off + n <= len(image) else None

    with ptkit.Tables.from_reader(t.format, read, root=t.roots[0], root1=t.roots[1]) as r:
        tr = r.translate(0x600000 + 0x1008)
        print(f"read back: {tr.va:#x} -> {tr.pa:#x} ({tr.level_name}, group {tr.group:#x})")
        try:
            r.translate(0x800000)
        except ptkit.NotMapped as e:
            print(f"{e.va:#x}: not mapped, the walk stopped at {e.level_name}")
