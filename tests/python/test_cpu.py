# SPDX-License-Identifier: MIT
"""ptkit.formats_of_cpu / Format.roots_of_cpu: the format and roots a CPU's registers
select (the register encodings are the manuals', as in tests/test_cpu_roots.c)."""
import struct

import pytest

import ptkit

CR0_PG, CR4_PAE, CR4_LA57 = 1 << 31, 1 << 5, 1 << 12


def test_x86_la57_selects_the_5_level_format():
    regs = {"cr3": 0x1234005, "cr0": CR0_PG | 1, "cr4": CR4_PAE | CR4_LA57}
    (m,) = ptkit.formats_of_cpu(62, regs.get)
    assert (m.format.name, m.root, m.root1, m.how) == ("x86_64-la57", 0x1234000, None,
                                                       "CR3 0x1234005")
    with pytest.raises(ptkit.Error, match=r"CR4.LA57 = 1: 5-level paging") as e:
        ptkit.Format("x86_64").roots_of_cpu(regs.get)
    assert e.value.code == 1    # PT_EINVAL: another format
    regs["cr4"] = CR4_PAE
    assert ptkit.Format("x86_64").roots_of_cpu(regs.get).format.name == "x86_64"


def test_off_and_missing_registers_are_named():
    with pytest.raises(ptkit.Error, match=r"CR0.PG = 0: paging is off") as e:
        ptkit.formats_of_cpu(62, {"cr3": 0, "cr0": 0x10, "cr4": 0}.get)
    assert e.value.code == 4    # PT_ENOENT
    with pytest.raises(ptkit.Error, match=r"register cr3 is not available"):
        ptkit.formats_of_cpu(62, {"satp": 0}.get)
    with pytest.raises(ptkit.Error, match=r"satp.MODE = 0 \(Bare\)"):
        ptkit.formats_of_cpu(243, {"satp": 0}.get)


def test_callback_exception_is_raised():
    def reg(name):
        raise KeyError(name)
    with pytest.raises(KeyError, match="cr3"):
        ptkit.formats_of_cpu(62, reg)


def test_arm64_tcr_selects_granule_and_va_size():
    tsz = 64 - 47
    tcr = tsz | 2 << 14 | tsz << 16 | 1 << 30          # TG0 16K, TG1 16K
    regs = {"SCTLR": 1, "TCR_EL1": tcr, "TTBR0_EL1": 0x40000000, "TTBR1_EL1": 0x80000000}
    (m,) = ptkit.formats_of_cpu(183, regs.get)
    assert (m.format.name, m.root, m.root1) == ("arm64-16k-47", 0x40000000, 0x80000000)
    regs["TCR_EL1"] |= 1 << 7                            # EPD0: no lower-half walks
    (m,) = ptkit.formats_of_cpu(183, regs.get)
    assert (m.root, m.root1) == (None, 0x80000000)
    regs["SCTLR"] = 0
    with pytest.raises(ptkit.Error, match=r"MMU is off"):
        ptkit.formats_of_cpu(183, regs.get)


def test_riscv_mode():
    (m,) = ptkit.formats_of_cpu(243, {"satp": 10 << 60 | 0x80200}.get)
    assert (m.format.name, m.root) == ("riscv-sv57", 0x80200000)


def test_ppc64_both_page_sizes_match_through_ptcr():
    rts52 = 2 << 61 | 5 << 5
    mem = {0x1000: struct.pack(">QQ", 1 << 63 | rts52 | 0x40000 | 13, 0x2000),
           0x2000: struct.pack(">QQ", rts52 | 0x40000 | 13, 0),
           0x2010: struct.pack(">QQ", rts52 | 0x50000 | 13, 0)}

    def read(pa, n):
        return mem.get(pa, bytes(16))[:n]
    got = ptkit.formats_of_cpu(21, {"ptcr": 0x1000, "pid": 1}.get, read)
    assert [m.format.name for m in got] == ["ppc64-radix-4k", "ppc64-radix-64k"]
    assert {(m.root, m.root1, m.how) for m in got} == {(0x50000, 0x40000, "PTCR 0x1000, PIDR 1")}
    with pytest.raises(ptkit.Error, match=r"no tree for this PID"):
        ptkit.formats_of_cpu(21, {"ptcr": 0x1000, "pid": 2}.get, read)
