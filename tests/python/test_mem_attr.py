# SPDX-License-Identifier: MIT
"""Leaf memory types through the memory attribute register: Format.mem_attr_reg and
Tables.mem_attr (arm64 MAIR_EL1, x86 IA32_PAT), against the manuals' encodings (see
tests/test_mem_attr.c) and against the CLI's --memattr."""
import pytest

import ptkit

from conftest import BASE, SIZE, cli, root_args

# arm64: Linux's MAIR_EL1 before v5.10 (nGnRnE 0, nGnRE 1, GRE 2, NC 3, NORMAL 4, WT 5):
# AttrIndx 4 (ptkit's device) is Normal there, 2 (ptkit's nocache) Device-nGRE, 0 (ptkit's
# normal) Device-nGnRnE.
OLD_LINUX_MAIR = 0x0000BBFF440C0400
# x86: IA32_PAT with WC in entry 2 (PCD: ptkit's nocache) and WB in entry 3 (ptkit's device).
PAT = 0x0007040606010406


def spec(fmt):
    pg = min(fmt.page_sizes)
    return (f"map 0x200000 0x200000 {pg} r,w,device\n"
            f"map {0x200000 + pg:#x} {0x200000 + pg:#x} {pg} r,w,nocache\n"
            f"map {0x200000 + 2 * pg:#x} {0x200000 + 2 * pg:#x} {pg} r,w\n")


def types(t, fmt):
    pg = min(fmt.page_sizes)
    tr = [t.translate(0x200000 + k * pg).flags for k in range(3)]
    lv = [lf.flags for lf in t.leaves(0x200000, 0x200000 + 3 * pg)]
    assert tr == lv
    return ["device" if "device" in f else "nocache" if "nocache" in f else "-" for f in tr]


@pytest.mark.parametrize("name,value,want", [
    ("arm64-4k-48", OLD_LINUX_MAIR, ["-", "device", "device"]),
    ("arm64-16k-47", OLD_LINUX_MAIR, ["-", "device", "device"]),
    ("arm64-64k-52", OLD_LINUX_MAIR, ["-", "device", "device"]),
    ("x86_64", PAT, ["-", "nocache", "-"]),
    ("x86_64-la57", 0, ["device", "device", "device"]),   # UC everywhere
])
def test_mem_attr(name, value, want, tmp_path):
    fmt = ptkit.Format(name)
    t = ptkit.Tables.build(fmt, spec(fmt), BASE, SIZE)
    assert t.mem_attr is None
    assert types(t, fmt) == ["device", "nocache", "-"]
    t.mem_attr = value
    assert t.mem_attr == value
    assert types(t, fmt) == want
    # The CLI says the same with --memattr.
    img = tmp_path / "img"
    img.write_bytes(t.image())
    p = cli("dump", "--format", name, "--image", img, "--base", BASE, *root_args(t),
            "--memattr", hex(value))
    assert p.stdout == ptkit.format_leaves(t.leaves())
    assert p.stdout == ptkit.format_leaves(t.dump())
    t.close()


def test_registers():
    assert ptkit.Format("x86_64").mem_attr_reg == ("IA32_PAT", 0x0007040600070406)
    assert ptkit.Format("arm64-4k-39").mem_attr_reg == ("MAIR_EL1", 0x000000040044FFFF)
    for name in ("riscv-sv39", "ppc64-radix-4k"):
        assert ptkit.Format(name).mem_attr_reg is None


def test_no_register():
    fmt = ptkit.Format("riscv-sv48")
    with ptkit.Tables.build(fmt, spec(fmt), BASE, SIZE) as t:
        with pytest.raises(ptkit.Error, match="riscv-sv48 has no memory attribute register"):
            t.mem_attr = 0
        assert types(t, fmt) == ["device", "nocache", "-"]
