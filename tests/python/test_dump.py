# SPDX-License-Identifier: MIT
"""Tables.open_dump on ELF cores written here: the tree as built, the format and the root
from the dump's VMCOREINFO as `ptkit dump` takes them, and what a dump cannot give."""
import pytest

import ptkit
from ptkit.text import coalesce

from conftest import cli_json, elf_core, make_spec

EM_X86_64, EM_AARCH64 = 62, 183
START_KERNEL_MAP = 0xffffffff80000000  # x86-64 Linux: the kernel image's VA of PA phys_base


@pytest.mark.parametrize("name,machine", [("x86_64", EM_X86_64), ("arm64-4k-48", EM_AARCH64)])
def test_elf_core_with_root(name, machine, tmp_path):
    fmt = ptkit.Format(name)
    with ptkit.Tables.build(fmt, make_spec(fmt, seed=3)) as t:
        core = elf_core(tmp_path / "core", machine, [(t.base, t.image())])
        root1 = t.roots[1] if fmt.two_roots else None
        with ptkit.Tables.open_dump(core, name, root=t.roots[0], root1=root1) as d:
            assert list(d.leaves()) == list(t.leaves())
            lf = next(iter(t.leaves()))
            assert d.translate(lf.va + 5) == t.translate(lf.va + 5)
        with pytest.raises(ptkit.Error, match="no VMCOREINFO note nor CPU state"):
            ptkit.Tables.open_dump(core, name)
        with pytest.raises(ptkit.Error, match="no format given"):
            ptkit.Tables.open_dump(core)
        with pytest.raises(ptkit.Error, match="another architecture"):
            ptkit.Tables.open_dump(core, "riscv-sv39", root=t.roots[0])
        if machine == EM_X86_64:  # CR3: bits 11:0 are the PCID, dropped (and said)
            with ptkit.Tables.open_dump(core, name, root=t.roots[0] + 8) as d:
                assert d.roots[0] == t.roots[0]
                assert "register value ignored" in d.notes[0]
        else:  # TTBR: BADDR's bits below the table's size must be 0
            with pytest.raises(ptkit.Error, match=f"root 0x{t.roots[0] + 8:x}: not aligned"):
                ptkit.Tables.open_dump(core, name, root=t.roots[0] + 8)
        with pytest.raises(ptkit.Error, match="does not hold the 4096-byte root table"):
            ptkit.Tables.open_dump(core, name, root=t.base + len(t.image()) + (1 << 20))


def test_elf_core_kernel_root_from_vmcoreinfo(tmp_path):
    fmt = ptkit.Format("x86_64")
    with ptkit.Tables.build(fmt, make_spec(fmt, seed=4)) as t:
        info = (f"SYMBOL(init_top_pgt)={START_KERNEL_MAP + t.roots[0]:x}\n"
                "NUMBER(phys_base)=0\nNUMBER(pgtable_l5_enabled)=0\n").encode()
        core = elf_core(tmp_path / "vmcore", EM_X86_64, [(t.base, t.image())],
                        notes=[("VMCOREINFO", 0, info)])
        with ptkit.Tables.open_dump(core) as d:  # format and root: the dump's
            assert d.format.name == "x86_64" and d.roots[0] == t.roots[0]
            assert any("VMCOREINFO" in n for n in d.notes), d.notes
            leaves = list(d.leaves())
            assert leaves == list(t.leaves())
        with ptkit.Tables.open_dump(core, "x86_64", root="kernel") as d:
            assert d.roots[0] == t.roots[0]
        with pytest.raises(ptkit.Error, match="the kernel uses 4-level paging"):
            ptkit.Tables.open_dump(core, "x86_64-la57", root="kernel")
        dump = cli_json("dump", "--core", core, "--json")  # the CLI chooses the same
        assert [int(x["start"], 16) for x in dump] == [r["start"] for r in coalesce(leaves)]


def test_missing_file():
    with pytest.raises(ptkit.Error, match="nonexistent"):
        ptkit.Tables.open_dump("/nonexistent/core", "x86_64", root=0x1000)
