# SPDX-License-Identifier: MIT
"""Errors name what is wrong, in the CLI's words: bad spec lines, unknown formats, faults
and their level, non-canonical VAs, corrupt trees."""
import struct

import pytest

import ptkit

from conftest import BASE, cli


def build_error(fmt, spec):
    with pytest.raises(ptkit.Error) as e:
        ptkit.Tables.build(fmt, spec)
    return str(e.value)


@pytest.mark.parametrize("line", [
    "map 0x1000 0x2000",
    "map 0x1000 0x2000 4K r,q",
    "map 0x1001 0x2000 4K",
    "map 0x1000 0x2000 0",
    "map 0x1000 0x2000 4K r pagesize=3K",
    "mop 0x1000",
    "map zz 0x2000 4K",
    "protect 0x1000 4K r",
    "map 0x1000 0x2000 4K\nmap 0x1000 0x3000 4K",
    "map 0x800000000000 0x1000 4K",
])
def test_bad_spec_line_as_the_cli_says(line, tmp_path):
    spec = "# a comment\n\n" + line + "\n"
    msg = build_error("x86_64", spec)
    n = spec.count("\n")  # the last line is the bad one
    assert msg.startswith(f"line {n}: "), msg
    sp = tmp_path / "spec"
    sp.write_text(spec)
    p = cli("build", "--format", "x86_64", "--base", hex(BASE), "--size", "16M", "-o",
            tmp_path / "img", sp, check=False)
    assert p.returncode == 1
    assert p.stderr.strip() == f"ptkit build: {sp}:{n}: {msg[len(f'line {n}: '):]}"


def test_too_small():
    # 4096 ptes: 8 page tables, 11 tables in all, room in 16M but not in 16K.
    assert len(list(ptkit.Tables.build("x86_64", "map 0 0 16M pagesize=4K\n").leaves())) == 4096
    with pytest.raises(ptkit.Error, match=r"line 1: image too small: the 16K arena"):
        ptkit.Tables.build("x86_64", "map 0 0 16M pagesize=4K\n", size=16 << 10)


def test_unknown_format_lists_the_known_ones():
    with pytest.raises(ptkit.Error) as e:
        ptkit.Format("x86_65")
    assert "unknown format 'x86_65'" in str(e.value)
    for f in ptkit.formats():
        assert f.name in str(e.value)
    with pytest.raises(ptkit.Error):
        ptkit.Tables.build("nonesuch", "")


def test_bad_arguments():
    with pytest.raises(ptkit.Error, match="base 0x1800: not aligned to the 4K granule"):
        ptkit.Tables.build("x86_64", "", base=0x1800)
    with pytest.raises(ptkit.Error, match="beyond the 52-bit PA limit"):
        ptkit.Tables.build("x86_64", "", base=1 << 52)


def test_not_mapped_level_and_va():
    t = ptkit.Tables.build("x86_64", "map 0x200000 0x0 4K\n")
    with pytest.raises(ptkit.NotMapped) as e:
        t.translate(0x201000)  # same page table: the pte is empty
    assert (e.value.va, e.value.level, e.value.level_name) == (0x201000, 0, "pte")
    with pytest.raises(ptkit.NotMapped) as e:
        t.translate(0x40000000)  # another pud entry: empty
    assert (e.value.level, e.value.level_name) == (2, "pud")
    with pytest.raises(ptkit.Error, match="not a canonical address for x86_64"):
        t.translate(0x0000800000000000)
    t.close()
    with pytest.raises(ptkit.Error, match="closed"):
        t.translate(0)


def test_prot_none_is_not_mapped():
    t = ptkit.Tables.build("x86_64", "map 0x200000 0x0 4K none,user\n")
    with pytest.raises(ptkit.NotMapped):
        t.translate(0x200000)
    (lf,) = t.leaves()
    assert lf.flags.startswith("none") and lf.va == 0x200000


def test_corrupt_tree_names_the_entry(tmp_path):
    t = ptkit.Tables.build("x86_64", "map 0x200000 0x0 4K\n", size=1 << 20)
    img = bytearray(t.image())
    tr = t.translate(0x200000)
    # PS (bit 7) in a PML4 entry is reserved (Intel SDM vol. 3 4.5, table 4-15).
    root = t.roots[0] - t.base
    pgd_entry = struct.unpack_from("<Q", img, root)[0]
    struct.pack_into("<Q", img, root, pgd_entry | 1 << 7)  # PS in a pml4e: reserved
    path = tmp_path / "bad.img"
    path.write_bytes(img)
    with ptkit.Tables.open_dump(path, "x86_64", root=t.roots[0], base=t.base) as d:
        with pytest.raises(ptkit.Error) as e:
            d.translate(0x200000)
        assert not isinstance(e.value, ptkit.NotMapped)
        assert f"bad entry 0x{pgd_entry | 1 << 7:016x}" in str(e.value)
        assert "at pgd" in str(e.value)
        with pytest.raises(ptkit.Error, match="bad entry"):
            list(d.leaves())
    p = cli("translate", "--format", "x86_64", "--image", path, "--base", hex(t.base), "--root",
            hex(t.roots[0]), "0x200000", check=False)
    assert p.stderr.strip() == f"ptkit translate: {e.value}"
    assert tr.pa == 0


def test_leaves_go_on_after_a_corrupt_entry(tmp_path):
    spec = "map 0x200000 0x0 4K\nmap 0x8000000000 0x1000 4K\nmap 0x10000000000 0x2000 4K\n"
    t = ptkit.Tables.build("x86_64", spec, size=1 << 20)
    img = bytearray(t.image())
    slot = t.roots[0] - t.base + 8  # the pml4e of 0x8000000000
    entry = struct.unpack_from("<Q", img, slot)[0]
    struct.pack_into("<Q", img, slot, entry | 1 << 7)  # PS in a pml4e: reserved
    path = tmp_path / "bad.img"
    path.write_bytes(img)
    with ptkit.Tables.open_dump(path, "x86_64", root=t.roots[0], base=t.base) as d:
        with pytest.raises(ptkit.Corrupt) as e:
            d.translate(0x8000001000)
        assert (e.value.va, e.value.end, e.value.level_name) == (0x8000001000, 0x10000000000,
                                                                 "pgd")
        items = list(d.leaves(errors="yield"))
        assert [type(i).__name__ for i in items] == ["Leaf", "Corrupt", "Leaf"]
        bad = items[1]
        assert (bad.va, bad.end, bad.level, bad.half) == (0x8000000000, 0x10000000000, 3, 0)
        assert bad.why.startswith(f"bad entry 0x{entry | 1 << 7:016x}")
        assert str(bad) == f"0x8000000000: {bad.why} at pgd"
        assert [i.va for i in items] == [0x200000, 0x8000000000, 0x10000000000]
        with pytest.raises(ptkit.Corrupt):
            list(d.leaves())
        text = ptkit.format_leaves(items)
    p = cli("dump", "--format", "x86_64", "--image", path, "--base", hex(t.base), "--root",
            hex(t.roots[0]), check=False)
    assert p.returncode == 1
    assert text == p.stdout
