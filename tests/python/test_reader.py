# SPDX-License-Identifier: MIT
"""Tables.from_reader: a tree in memory read through a Python callback (a debugger's), the
same answers as the built tree, and holes named by their physical address."""
import pytest

import ptkit

from conftest import make_spec


def reader(t, holes=(), log=None):
    img, base = t.image(), t.base

    def read(pa, n):
        if log is not None:
            log.append((pa, n))
        if any(pa <= h < pa + n for h in holes) or pa < base or pa + n > base + len(img):
            return None
        return img[pa - base:pa - base + n]
    return read


def test_reader_gives_the_built_tree(fmt):
    with ptkit.Tables.build(fmt, make_spec(fmt, seed=5)) as t:
        log = []
        root1 = t.roots[1] if fmt.two_roots else None
        with ptkit.Tables.from_reader(fmt, reader(t, log=log), t.roots[0], root1) as r:
            leaves = list(r.leaves())
            assert leaves == list(t.leaves())
            for lf in leaves[:8]:
                assert r.translate(lf.va + lf.size - 1) == t.translate(lf.va + lf.size - 1)
        assert log and all(n >= fmt.entry_size for _, n in log)
        assert len(set(log)) == len(log), "a table was read twice"


def test_reader_hole_names_the_pa():
    fmt = ptkit.Format("riscv-sv48")
    with ptkit.Tables.build(fmt, "map 0x40000000 0x80000000 4K r,w\n") as t:
        tr = t.translate(0x40000000)
        # the table the leaf is in: its entry's PA is in no Translation; find it by a walk
        # of the reader that refuses every table but the root.
        with ptkit.Tables.from_reader(fmt, reader(t, holes=[]), t.roots[0]) as r:
            assert r.translate(0x40000000) == tr
        root_only = lambda pa, n: t.image()[pa - t.base:pa - t.base + n] if pa == t.roots[0] else None  # noqa: E731
        with ptkit.Tables.from_reader(fmt, root_only, t.roots[0]) as r:
            with pytest.raises(ptkit.Error) as e:
                r.translate(0x40000000)
            assert not isinstance(e.value, ptkit.NotMapped)
            msg = str(e.value)
            assert msg.startswith("0x40000000: table pointer 0x") and "no memory there" in msg
            pa = int(msg.split("table pointer ")[1].split(":")[0], 16)
            assert t.base <= pa < t.base + len(t.image()) and pa != t.roots[0]
            # The listing says the same of the entry, in the same words.
            bad = [i for i in r.dump() if isinstance(i, ptkit.Corrupt)]
            assert len(bad) == 1 and bad[0].why == f"table pointer {pa:#x}: the reader has no memory there"
        with pytest.raises(ptkit.Error, match=f"root 0x{t.roots[0]:x}: the 4096-byte root table cannot be read"):
            ptkit.Tables.from_reader(fmt, lambda pa, n: None, t.roots[0])


def test_reader_exception_is_raised():
    with ptkit.Tables.build("x86_64", "map 0x200000 0 4K\n") as t:
        calls = []

        def read(pa, n):
            calls.append(pa)
            if len(calls) > 1:
                raise RuntimeError("gdb: cannot access memory")
            return t.image()[pa - t.base:pa - t.base + n]
        with ptkit.Tables.from_reader("x86_64", read, t.roots[0]) as r:
            with pytest.raises(ptkit.Error, match="cannot access memory"):
                r.translate(0x200000)
        with pytest.raises(ptkit.Error, match="returned 3 bytes"):
            ptkit.Tables.from_reader("x86_64", lambda pa, n: b"abc", t.roots[0])


def test_one_root_format_refuses_another_root1():
    with ptkit.Tables.build("x86_64", "") as t:
        with pytest.raises(ptkit.Error, match="one root for both halves"):
            ptkit.Tables.from_reader("x86_64", reader(t), t.roots[0], t.roots[0] + 4096)


def test_root_of_reg():
    x86 = ptkit.Format("x86_64")
    assert x86.root_of_reg(0x1234000 | 0x5) == 0x1234000  # PCID dropped
    sv39 = ptkit.Format("riscv-sv39")
    assert sv39.root_of_reg(8 << 60 | 0x80200) == 0x80200000  # MODE Sv39, PPN
    with pytest.raises(ptkit.Error, match="riscv-sv39"):
        sv39.root_of_reg(9 << 60 | 0x80200)  # MODE Sv48
    with pytest.raises(ptkit.Error, match="not supported"):
        x86.roots_of_table_reg(0, 0, 0, lambda pa, n: None)


def test_roots_of_table_reg_ppc64():
    """PTCR -> partition-table entry 0 -> process table -> entries PID and 0 (laid out as
    tests/cli/ptcr.sh does, big-endian), then the tree of each read back."""
    import struct
    f = ptkit.Format("ppc64-radix-64k")
    spec = "map 0x10000 0x50000 64K r,w,user\nmap 0xc000000000000000 0x60000 64K r,w,x\n"
    with ptkit.Tables.build(f, spec, base=0x100000, size=4 << 20) as t:
        mem = bytearray(t.image())
        rts52, hr, patb, prtb, pid = (2 << 61) | (5 << 5), 1 << 63, 0x400000, 0x410000, 42
        r0, r1 = t.roots

        def poke(pa, v):
            struct.pack_into(">Q", mem, pa - t.base, v)
        poke(patb, hr | rts52 | r1 | 13)
        poke(patb + 8, hr | prtb)
        poke(prtb, rts52 | r1 | 13)
        poke(prtb + 16 * pid, rts52 | r0 | 13)

        def read(pa, n):
            off = pa - t.base
            return bytes(mem[off:off + n]) if 0 <= off and off + n <= len(mem) else None
        assert f.roots_of_table_reg(patb, 0, pid, read) == (r0, r1)
        assert f.roots_of_table_reg(patb, 0, 0, read) == (r1, r1)
        with pytest.raises(ptkit.Error, match="PID 7 at 0x410070"):
            f.roots_of_table_reg(patb, 0, 7, read)
        roots = f.roots_of_table_reg(patb, 0, pid, read)
        with ptkit.Tables.from_reader(f, read, *roots) as r:
            assert r.translate(0x10000).pa == 0x50000
            assert r.translate(0xc000000000000000).pa == 0x60000
