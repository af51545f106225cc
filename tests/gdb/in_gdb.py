# SPDX-License-Identifier: MIT
"""Run inside `gdb -batch -x` by tests/gdb/gdb_pt_test.py: source the `pt` command, attach to
the QEMU probe, stop it after its MMU is on, run the pt commands and read memory the MMU's way
(virtual) and the table way (physical). Everything goes to the JSON file $PT_OUT; the
comparing is the driver's. Environment: PT_SCRIPT (ptkit-gdb.py), PT_SOCKET (QEMU's gdbstub),
PT_ELF (the probe, for its symbols), PT_STOP (symbol to stop at), PT_VAS (hex VAs, one per
line), PT_LIVE (file for QEMU's pmemsave of PT_LIVE_RANGE "base size"), PT_SHARED ("entry-pa
bytes old-bytes": a root entry's copy, written and taken back), PT_CORRUPT ("va entry-pa
bytes": an entry to corrupt at the end), PT_OTHER_FORMAT (a format of another
architecture: its register is missing), PT_MONITOR_REG (a register to read through `monitor
info registers` too), PT_INJECT (self-test: `read`: pt reads the tables a page off; `root`:
the root register a page off (ppc64: PIDR 1 -> 0); `virt`: pt never switches QEMU to
physical addresses)."""
import json
import os

import gdb

env = os.environ
out = {"errors": {}}


def run(cmd):
    """(output, None) or (None, error message)."""
    try:
        return gdb.execute(cmd, to_string=True), None
    except gdb.error as e:
        return None, str(e)


def read(addr, n=8):
    try:
        return bytes(gdb.selected_inferior().read_memory(addr, n)).hex()
    except gdb.MemoryError:
        return None


def save():
    with open(env["PT_OUT"], "w") as f:
        json.dump(out, f, indent=1)


gdb.execute("set pagination off")
gdb.execute("set confirm off")
gdb.execute("source " + env["PT_SCRIPT"])
main = __import__("__main__")
if not hasattr(main, "PtCommand"):
    raise SystemExit("in_gdb: sourcing %s did not define the pt command (see above)" %
                     env["PT_SCRIPT"])
out["package"] = [main.ptkit.__file__, main.ptkit._lib.lib._name]
out["complete"] = run("complete pt format arm64-4k")[0]
# Errors: before any target, then at reset (every probe starts with its MMU off).
out["errors"]["no target"] = run("pt translate 0")[1]
gdb.execute("file " + env["PT_ELF"])
out["errors"]["no target, file loaded"] = run("pt translate 0")[1]
gdb.execute("target remote " + env["PT_SOCKET"])
out["errors"]["at reset"] = run("pt translate 0")[1]
out["errors"]["bad format"] = run("pt --format nosuch translate 0")[1]

gdb.execute("tbreak " + env["PT_STOP"])
gdb.execute("continue")
# Another family's root register, which this CPU does not have.
out["errors"]["register"] = run("pt --format %s translate 0" %
                                 env["PT_OTHER_FORMAT"])[1]
# The fallback to `monitor info registers`: a name gdb does not know (upper case) that
# QEMU's monitor lists, against gdb's own register.
if env.get("PT_MONITOR_REG"):
    name = env["PT_MONITOR_REG"]
    out["monitor_reg"] = [main.read_register(name.upper()),
                          int(gdb.parse_and_eval("$" + name)) & ((1 << 64) - 1)]
out["stopped_at"] = int(gdb.parse_and_eval("$pc")) & ((1 << 64) - 1)

inject = env.get("PT_INJECT")
if inject == "read":
    real_read = main.PhysMem.read
    tables = int(env["PT_LIVE_RANGE"].split()[0], 16)   # the tree (not ppc64's PATB/PRTB)
    main.PhysMem.read = lambda self, pa, n: real_read(self, pa + 4096 if pa >= tables else pa,
                                                      n)
elif inject == "virt":        # never switch to physical addresses
    main.PhysMem._set = lambda self, mode: None
elif inject == "root":
    real_reg = main.read_register

    def shifted(name):     # a page up (satp: the PPN); ppc64 PIDR 1 -> 0
        v = real_reg(name)
        if name in ("cr3", "TTBR0_EL1", "TTBR1_EL1"):
            return v + 4096
        return v + 1 if name == "satp" else v ^ 1 if name == "pid" else v
    main.read_register = shifted

vas = [int(x, 16) for x in open(env["PT_VAS"]).read().split()]
out["info"], out["info_error"] = run("pt info")
out["translate"], out["translate_error"] = run("pt translate " +
                                               " ".join("0x%x" % v for v in vas))
out["dump"], out["dump_error"] = run("pt dump")
out["mode_after"] = run("maintenance packet qqemu.PhyMemMode")[0]    # back to 0

# The tables as they are now, before QEMU's own walks below can set accessed bits (RISC-V).
base, size = env["PT_LIVE_RANGE"].split()
out["pmemsave"] = run('monitor pmemsave %s %s "%s"' % (base, size, env["PT_LIVE"]))[1]
# The MMU's answer: gdb's ordinary (virtual) read of each VA, QEMU walking the tables.
out["virt"] = {"0x%x" % v: read(v) for v in vas}
# The bytes at the PAs pt printed, read as physical memory.
pas = {}
for line in (out["translate"] or "").splitlines():
    f = line.split()
    if len(f) >= 2 and f[1].startswith("0x"):
        pas[f[0]] = int(f[1], 16)
run("maintenance packet Qqemu.PhyMemMode:1")
out["phys"] = {va: read(pa) for va, pa in pas.items()}
run("pt translate 0x%x" % vas[0])      # the user's mode 1 is left as it was
out["mode_kept"] = run("maintenance packet qqemu.PhyMemMode")[0]
run("maintenance packet Qqemu.PhyMemMode:0")

# A root entry copied into an empty slot of its table (PT_SHARED: entry PA, new bytes, old
# bytes): pt dump must list the slot as shared, as ptkit dump does; then the slot is emptied.
spa, sbytes, sold = env["PT_SHARED"].split()
run("maintenance packet Qqemu.PhyMemMode:1")
gdb.selected_inferior().write_memory(int(spa, 16), bytes.fromhex(sbytes))
run("maintenance packet Qqemu.PhyMemMode:0")
out["shared_dump"], out["shared_dump_error"] = run("pt dump")
run("maintenance packet Qqemu.PhyMemMode:1")
gdb.selected_inferior().write_memory(int(spa, 16), bytes.fromhex(sold))
run("maintenance packet Qqemu.PhyMemMode:0")

# Corrupt one entry (PT_CORRUPT: va, entry PA, new bytes) in the live tables: pt must name it.
cva, cpa, cbytes = env["PT_CORRUPT"].split()
run("maintenance packet Qqemu.PhyMemMode:1")
gdb.selected_inferior().write_memory(int(cpa, 16), bytes.fromhex(cbytes))
run("maintenance packet Qqemu.PhyMemMode:0")
out["corrupt_translate"], out["corrupt_translate_error"] = run("pt translate " + cva)
out["corrupt_dump"], out["corrupt_dump_error"] = run("pt dump")
save()
gdb.execute("kill")
