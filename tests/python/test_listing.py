# SPDX-License-Identifier: MIT
"""Tables.dump: what `ptkit dump` lists, item by item (the library's listing, src/space/
listing.c): leaves, bad entries, tables on their own walk (self-maps) and tables reached a
second time (shared), printed by format_leaves / format_leaves_json byte for byte as the
CLI prints them. The corrupt images are made as tests/cli/corrupt.sh makes them."""
import struct

import pytest

import ptkit

from conftest import BASE, SIZE, cli, cli_build, make_spec, root_args

SPEC = "map 0x1000 0x0 4K\nmap 0x40000000 0x80000000 1G r,w pagesize=1G\n"
OA = 0x000ffffffffff000  # x86-64 table address bits (Intel SDM vol. 3 4.5, table 4-15)


def x86_tree(tmp_path, patch, spec=SPEC):
    """spec built for x86_64; patch(img, pgd, pud, pmd) changes entries (offsets in img);
    returns (path of the patched image, root, (pgd, pud, pmd) table addresses)."""
    t = ptkit.Tables.build("x86_64", spec, base=BASE, size=1 << 20)
    img = bytearray(t.image())
    pgd = t.roots[0]
    pud = struct.unpack_from("<Q", img, pgd - BASE)[0] & OA
    pmd = struct.unpack_from("<Q", img, pud - BASE)[0] & OA
    patch(img, pgd - BASE, pud - BASE, pmd - BASE)
    path = tmp_path / "bad.img"
    path.write_bytes(img)
    t.close()
    return path, pgd, (pgd, pud, pmd)


def cli_dump(path, root, *more):
    return cli("dump", "--format", "x86_64", "--image", path, "--base", hex(BASE), "--root",
               hex(root), *more, check=False)


def kinds(items):
    return [type(i).__name__ for i in items]


def test_self_map_listed_as_the_cli_lists_it(tmp_path):
    # The pmd entry of 0x0 points back at the pud: a table on its own walk.
    def loop(img, pgd, pud, pmd):
        struct.pack_into("<Q", img, pmd, (pud + BASE) | 0x7)
    path, root, (pgd, pud, pmd) = x86_tree(tmp_path, loop)
    with ptkit.Tables.open_dump(path, "x86_64", root=root, base=BASE) as d:
        items = list(d.dump())
        with pytest.raises(ptkit.Corrupt, match="loop"):  # leaves() still refuses the loop
            list(d.leaves())
    assert kinds(items) == ["SelfMap", "Leaf"]
    sm = items[0]
    assert (sm.va, sm.end, sm.level_name, sm.table, sm.table_level_name, sm.half) == \
        (0, 0x200000, "pmd", pud, "pud", 0)
    assert (items[1].va, items[1].pa, items[1].size) == (0x40000000, 0x80000000, 1 << 30)
    p = cli_dump(path, root)
    assert p.returncode == 0
    assert ptkit.format_leaves(items) == p.stdout
    assert f"self-map: table {pud:#x} (pud) is on its own walk" in p.stdout
    assert ptkit.format_leaves_json(items) == cli_dump(path, root, "--json").stdout


def test_recursive_root_from_a_reader(tmp_path):
    # The first pgd entry points at the pgd itself (Windows' recursive self-map).
    def loop(img, pgd, pud, pmd):
        struct.pack_into("<Q", img, pgd, (pgd + BASE) | 0x7)
    path, root, (pgd, _, _) = x86_tree(tmp_path, loop)
    data = path.read_bytes()

    def read(pa, n):
        off = pa - BASE
        return data[off:off + n] if 0 <= off and off + n <= len(data) else None
    with ptkit.Tables.from_reader("x86_64", read, root) as r:
        items = list(r.dump())
    assert kinds(items) == ["SelfMap"]
    assert (items[0].table, items[0].table_level_name, items[0].end) == (pgd, "pgd", 1 << 39)
    assert ptkit.format_leaves(items) == cli_dump(path, root).stdout


def test_shared_table_listed_once(tmp_path):
    # Two pgd entries share one pud table: the second is listed as shared, not walked.
    def share(img, pgd, pud, pmd):
        struct.pack_into("<Q", img, pgd + 8, struct.unpack_from("<Q", img, pgd)[0])
    path, root, (_, pud, _) = x86_tree(tmp_path, share)
    with ptkit.Tables.open_dump(path, "x86_64", root=root, base=BASE) as d:
        items = list(d.dump())
        walked = [lf.va for lf in d.leaves()]  # leaves() walks every entry, shared or not
        later = list(d.dump(start=0x8000000000))  # a listing from there walks it afresh
    assert kinds(items) == ["Leaf", "Leaf", "Shared"]
    sh = items[2]
    assert (sh.va, sh.end, sh.level_name, sh.table, sh.listed_at) == \
        (0x8000000000, 0x10000000000, "pgd", pud, 0)
    assert 0x8000001000 in walked
    assert kinds(later) == ["Leaf", "Leaf"] and later[0].va == 0x8000001000
    p = cli_dump(path, root)
    assert p.returncode == 0
    assert ptkit.format_leaves(items) == p.stdout
    assert f"shared: table {pud:#x}, listed at 0x0" in p.stdout
    assert ptkit.format_leaves_json(items) == cli_dump(path, root, "--json").stdout


def test_a_new_listing_starts_afresh(tmp_path):
    # As above, with the last 1G of the first pgd entry mapped: a listing left off there
    # stands where the shared entry begins.
    def share(img, pgd, pud, pmd):
        struct.pack_into("<Q", img, pgd + 8, struct.unpack_from("<Q", img, pgd)[0])
    spec = "map 0x1000 0x0 4K\nmap 0x7fc0000000 0x80000000 1G r,w pagesize=1G\n"
    path, root, _ = x86_tree(tmp_path, share, spec)
    with ptkit.Tables.open_dump(path, "x86_64", root=root, base=BASE) as d:
        assert kinds(d.dump()) == ["Leaf", "Leaf", "Shared"]
        left = d.dump()
        assert [next(left).va, next(left).va] == [0x1000, 0x7fc0000000]
        # A new listing where the one left off stands: afresh, not the old one going on.
        assert [i.va for i in d.dump(start=0x8000000000)] == [0x8000001000, 0xffc0000000]


def test_bad_entry_listed_in_place(tmp_path):
    # Reserved bits in the pud entry of 0x0: an error line, the 1G leaf after it listed.
    def bad(img, pgd, pud, pmd):
        e = struct.unpack_from("<Q", img, pud)[0]
        struct.pack_into("<Q", img, pud, e | 0x2000 | 0x80)
    path, root, _ = x86_tree(tmp_path, bad)
    with ptkit.Tables.open_dump(path, "x86_64", root=root, base=BASE) as d:
        items = list(d.dump())
    assert kinds(items) == ["Corrupt", "Leaf"]
    assert (items[0].va, items[0].end, items[0].level_name) == (0, 1 << 30, "pud")
    assert items[0].why.startswith("bad entry ")
    p = cli_dump(path, root)
    assert p.returncode == 1
    assert p.stderr == f"ptkit dump: {items[0]}\n"
    assert ptkit.format_leaves(items) == p.stdout
    assert ptkit.format_leaves_json(items) == cli_dump(path, root, "--json").stdout


def test_dump_matches_cli(fmt, tmp_path):
    spec = make_spec(fmt, seed=1)
    _, _, path = cli_build(tmp_path, fmt, spec)
    with ptkit.Tables.build(fmt, spec, base=BASE, size=SIZE) as t:
        items = list(t.dump())
        assert items == list(t.leaves())  # no corrupt entry, no shared table: the leaves
        common = ["--format", fmt.name, "--image", path, "--base", hex(BASE), *root_args(t)]
        assert ptkit.format_leaves(items) == cli("dump", *common).stdout
        assert ptkit.format_leaves_json(items) == cli("dump", *common, "--json").stdout
        mid = items[len(items) // 2]
        part = list(t.dump(mid.va + 1, mid.va + mid.size + 1))
        assert part[0] == mid and all(i.va <= mid.va + mid.size for i in part)
        assert ptkit.format_leaves(part) == cli("dump", *common, "--start", hex(mid.va + 1),
                                                "--end", hex(mid.va + mid.size + 1)).stdout


def test_listing_again_after_the_top_of_the_va_space():
    with ptkit.Tables.build("x86_64", "map 0xfffffffffffff000 0x5000 4K\n") as t:
        first = list(t.dump())
        assert [(i.va, i.va + i.size) for i in first] == [(0xfffffffffffff000, 1 << 64)]
        assert list(t.dump()) == first
        assert ptkit.format_leaves(first).splitlines()[-1] == \
            "0xfffffffffffff000-0x0000000000000000    4K pte r,w pa 0x5000"
