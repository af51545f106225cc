# SPDX-License-Identifier: MIT
"""ptkit's `pt` command for gdb: walk the live page tables of a QEMU guest through gdb's
connection to QEMU's gdbstub (docs/GDB.md).

    (gdb) source /usr/local/share/ptkit/gdb/ptkit-gdb.py
    (gdb) pt translate $pc 0xffff800000000000
    (gdb) pt dump [START [END]]
    (gdb) pt format [FORMAT|auto]        (gdb) pt info        (gdb) help pt

The roots come from the CPU registers gdb shows (CR3, TTBR0_EL1/TTBR1_EL1, satp, PTCR + PIDR;
QEMU's `monitor info registers` when gdb lacks one) and the tables are read as physical
memory (QEMU's Qqemu.PhyMemMode packet, set back afterwards). The walk itself is libptkit's,
through the ptkit Python package.
"""
import os
import re
import sys

import gdb

MASK64 = (1 << 64) - 1


# Where `make install` put the ptkit package, relative to this file (tools/gdb/gdb.cmake);
# left as is in the source tree.
INSTALLED_PYDIR = "@PTKIT_GDB_PYDIR@"


def _import_ptkit():
    """The ptkit package: $PTKIT_PYTHONPATH, where make install put it, the source tree next
    to this file (tools/gdb -> python/), or wherever Python finds it."""
    # This file's directory: its code's, as __file__ may be another sourced script's.
    here = os.path.dirname(os.path.abspath(_import_ptkit.__code__.co_filename))
    cands = [p for p in os.environ.get("PTKIT_PYTHONPATH", "").split(os.pathsep) if p]
    if not INSTALLED_PYDIR.startswith("@"):
        cands.append(os.path.join(here, INSTALLED_PYDIR))
    cands.append(os.path.join(here, "..", "..", "python"))
    found = None
    for p in cands:
        if os.path.isfile(os.path.join(p, "ptkit", "__init__.py")):
            found = os.path.abspath(p)
            sys.path.insert(0, found)
            break
    try:
        import ptkit
        return ptkit
    except ImportError as e:
        where = "from %s" % found if found else \
            "(set PTKIT_PYTHONPATH to the directory holding ptkit/; looked in %s)" % \
            ", ".join(cands)
        raise gdb.GdbError("pt: cannot import the ptkit Python package %s: %s" % (where, e))


ptkit = _import_ptkit()


class PtError(Exception):
    """Said to the user as `pt: <message>`."""


# --- the target: QEMU's gdbstub ------------------------------------------------------------
def _connection():
    inf = gdb.selected_inferior()
    conn = getattr(inf, "connection", None)
    if conn is None or inf.pid == 0:
        raise PtError("no target: start QEMU with -s (or -gdb tcp::PORT) and connect with "
                      "`target remote :1234`")
    if getattr(conn, "type", "remote") not in ("remote", "extended-remote"):
        raise PtError("the target is %s, not QEMU's gdbstub (`target remote :1234`)" %
                      conn.type)
    return conn


def _packet(conn, text):
    """Send one remote packet and return the reply as a string."""
    if hasattr(conn, "send_packet"):
        r = conn.send_packet(text)      # None for an empty reply (unsupported)
        return r.decode("latin-1") if isinstance(r, (bytes, bytearray)) else str(r or "")
    out = gdb.execute("maintenance packet " + text, to_string=True)
    m = re.search(r'received: "(.*)"', out)
    return m.group(1) if m else ""


class PhysMem:
    """Guest physical memory while in a `with` block: QEMU's gdbstub in PhyMemMode 1 (gdb's
    memory accesses go to physical addresses), set back to what it was on leaving. Reads are
    cached per page for the one command."""

    PAGE = 4096

    def __init__(self):
        self.conn = _connection()
        self.old = None
        self.cache = {}

    def __enter__(self):
        old = _packet(self.conn, "qqemu.PhyMemMode")
        if old not in ("0", "1"):
            raise PtError("the remote stub is not QEMU's gdbstub: it does not know "
                          "qqemu.PhyMemMode%s, and pt reads the tables as physical memory "
                          "through it" % (" (reply %r)" % old if old else ""))
        self.old = old
        if old != "1":
            self._set("1")
        return self

    def __exit__(self, *exc):
        if self.old is not None and self.old != "1":
            self._set(self.old)
        return False

    def _set(self, mode):
        r = _packet(self.conn, "Qqemu.PhyMemMode:" + mode)
        if r != "OK":
            raise PtError("QEMU refused Qqemu.PhyMemMode:%s (reply %r)" % (mode, r))

    def _raw(self, pa, n):
        try:
            return bytes(gdb.selected_inferior().read_memory(pa, n))
        except gdb.MemoryError:
            return None

    def read(self, pa, n):
        """n bytes at physical address pa, or None where the guest has no memory."""
        page = pa & ~(self.PAGE - 1)
        if pa + n > page + self.PAGE:
            return self._raw(pa, n)
        if page not in self.cache:
            self.cache[page] = self._raw(page, self.PAGE)
        data = self.cache[page]
        if data is None:
            return self._raw(pa, n)
        return data[pa - page:pa - page + n]


# --- registers ------------------------------------------------------------------------------
class RegisterMissing(PtError):
    """The selected CPU has no register of that name."""


def read_register(name):
    """A register of the selected thread's CPU (QEMU: a thread per CPU) by gdb's name (QEMU
    exposes system registers under their own names), or else from QEMU's `monitor info
    registers`; RegisterMissing when neither has it."""
    try:
        frame = gdb.newest_frame()     # an outer frame has no system registers
    except gdb.error as e:
        raise PtError("no registers (%s): is gdb connected to QEMU and the guest stopped?" % e)
    try:
        return int(frame.read_register(name)) & MASK64
    except (ValueError, gdb.error):
        pass
    try:
        text = gdb.execute("monitor info registers", to_string=True)
    except gdb.error:
        text = ""
    m = re.search(r"(?<![A-Za-z0-9_])%s\s*[=:]?\s*(?:0x)?([0-9a-fA-F]+)\b" % re.escape(name),
                  text, re.IGNORECASE)
    if m:
        return int(m.group(1), 16)
    raise RegisterMissing("register %s is not available: gdb does not show it and QEMU's "
                          "`monitor info registers` does not list it" % name)


def _gdb_arch():
    try:
        return gdb.newest_frame().architecture().name()
    except gdb.error:
        return gdb.selected_inferior().architecture().name()


# --- the format and the roots: libptkit decides from the registers ------------------------
# gdb's architecture -> its ELF e_machine, which names ptkit's formats for that CPU; which of
# them the CPU is using, and its roots, the library reads from the registers
# (ptkit.formats_of_cpu: the register names are QEMU gdbstub's).
MACHINES = [("i386:x86-64", 62), ("aarch64", 183), ("riscv:rv64", 243), ("powerpc", 21)]


def _reg_fn(opts, missing):
    """The register callback: --pid's value for the PID register, else read_register; None
    (and the name added to missing) for a register the CPU does not have."""
    def reg(name):
        if opts.get("pid") is not None and name.lower() in ("pid", "pidr"):
            return opts["pid"]
        try:
            return read_register(name)
        except RegisterMissing:
            missing.append(name)
            return None
    return reg


def _cpu_error(e, missing, hint=""):
    """PtError for the library's answer e, saying where a missing register was looked for."""
    msg = str(e)
    if any("register %s is not available" % n in msg for n in missing):
        msg += " (gdb does not show it and QEMU's `monitor info registers` does not list it)"
    return PtError(msg + hint)


def _walks_cleanly(m, mem):
    """Whether m's tree walks to a smallest-page leaf, or to its end, without a corrupt
    entry (a format of the wrong geometry meets one in the first table it misreads)."""
    root, root1 = (m.root, m.root1) if m.root is not None else (m.root1, None)
    try:
        with ptkit.Tables.from_reader(m.format, mem.read, root, root1) as t:
            # The listing, not leaves(): a recursive self-map or a shared table is fine.
            for item in t.dump():
                if isinstance(item, ptkit.Corrupt):
                    return False
                if isinstance(item, ptkit.Leaf) and item.level == 0:
                    break
        return True
    except ptkit.Error:
        return False


def _select(opts, mem):
    """(format, why chosen, root, root1, how) of the live tree: --format / `pt format` or
    else the formats of gdb's architecture that the registers select (several: the first
    whose tree walks cleanly); the roots from --root/--root1 or else the registers."""
    name = opts.get("format") or _override[0]
    given = opts.get("root") is not None
    if name:
        fmt = _format(name)
        why = "set" if not opts.get("format") else "--format"
        if given:
            return (fmt, why) + _given_roots(fmt, opts)
        missing = []
        try:
            m = fmt.roots_of_cpu(_reg_fn(opts, missing), mem.read)
        except ptkit.Error as e:
            raise _cpu_error(e, missing, "; give --root to walk this format anyway"
                             if e.code == 1 else "")
        return fmt, why, m.root, m.root1, m.how
    arch = _gdb_arch()
    machine = next((em for prefix, em in MACHINES if arch.startswith(prefix)), None)
    if machine is None:
        raise PtError("gdb architecture %s: no automatic format; pick one with `pt format F`"
                      " (%s)" % (arch, " ".join(_format_names())))
    missing = []
    try:
        matches = ptkit.formats_of_cpu(machine, _reg_fn(opts, missing), mem.read)
    except ptkit.Error as e:
        raise _cpu_error(e, missing)
    m = matches[0]
    if len(matches) > 1:
        m = next((c for c in matches if _walks_cleanly(c, mem)), m)
    why = "auto, gdb architecture %s" % arch
    if given:
        return (m.format, why) + _given_roots(m.format, opts)
    return m.format, why, m.root, m.root1, m.how


def _given_roots(fmt, opts):
    r0 = fmt.root_of_reg(opts["root"])
    r1 = fmt.root_of_reg(opts["root1"]) if opts.get("root1") is not None else None
    return r0, r1, "--root 0x%x" % opts["root"]


# --- the command ----------------------------------------------------------------------------
_override = [None]      # `pt format F`


def _format_names():
    return [f.name for f in ptkit.formats()]


def _format(name):
    try:
        return ptkit.Format(name)
    except ptkit.Error as e:
        raise PtError(str(e))


def _value(text):
    try:
        return int(gdb.parse_and_eval(text)) & MASK64
    except gdb.error as e:
        raise PtError("%s: %s" % (text, e))


USAGE = """Walk the live page tables of a QEMU guest (ptkit; docs/GDB.md).
Usage: pt [OPTIONS] translate VA...    one line per VA, as `ptkit translate` prints it
       pt [OPTIONS] dump [START [END]] every mapping of [START, END), as `ptkit dump`
       pt [OPTIONS] info               the format, the registers and the roots used
       pt format [FORMAT|auto]         show or set the format (auto: from the gdb
                                       architecture and the CPU's registers)
       pt formats                      ptkit's formats
OPTIONS: --format F      this command only
         --root VALUE    walk this root (a PA or the root register's value) instead of the
         --root1 VALUE   CPU's; --root1: the upper half (arm64 TTBR1, ppc64 quadrant 3)
         --pid N         ppc64: the process-table entry of the lower half (default: PIDR)
         --memattr VALUE the memory attribute register leaves' memory types go through
                         (arm64 MAIR_EL1, x86 IA32_PAT; default: the CPU's if gdb or QEMU
                         shows it, else the value ptkit assumes)
VA, START, END and VALUE are gdb expressions ($pc, symbols); quote ones with spaces.
The tables are read as guest physical memory (QEMU's gdbstub, Qqemu.PhyMemMode)."""


class PtCommand(gdb.Command):
    __doc__ = USAGE

    def __init__(self):
        super().__init__("pt", gdb.COMMAND_DATA)

    def complete(self, text, word):
        words = gdb.string_to_argv(text)
        token = ""
        if text and not text[-1].isspace():
            words, token = words[:-1], words[-1]
        if words and words[-1] in ("--format", "format"):
            # gdb replaces only `word`, which ends the token after its last '-'.
            cut = len(token) - len(word)
            names = _format_names() + (["auto"] if words[-1] == "format" else [])
            return [n[cut:] for n in names if n.startswith(token)]
        if not any(w in ("translate", "dump", "info", "format", "formats") for w in words):
            return [c for c in ("translate", "dump", "info", "format", "formats", "--format",
                                "--root", "--root1", "--pid", "--memattr")
                    if c.startswith(word)]
        return gdb.COMPLETE_EXPRESSION

    def invoke(self, arg, from_tty):
        try:
            self.run(gdb.string_to_argv(arg))
        except PtError as e:
            raise gdb.GdbError("pt: %s" % e)
        except ptkit.Error as e:
            raise gdb.GdbError("pt: %s" % e)

    def run(self, argv):
        opts = {}
        while argv and argv[0].startswith("--"):
            opt = argv.pop(0)
            if opt not in ("--format", "--root", "--root1", "--pid", "--memattr") or not argv:
                raise PtError("%s: unknown option or missing value (see `help pt`)" % opt)
            val = argv.pop(0)
            opts[opt[2:]] = val if opt == "--format" else _value(val)
        if opts.get("root1") is not None and opts.get("root") is None:
            raise PtError("--root1 needs --root")
        if not argv:
            raise PtError("a subcommand is needed: translate, dump, info, format, formats "
                          "(see `help pt`)")
        cmd, args = argv[0], argv[1:]
        if cmd == "formats":
            for f in ptkit.formats():
                gdb.write("%-16s %s\n" % (f.name, f.description))
        elif cmd == "format":
            self.set_format(args)
        elif cmd in ("translate", "dump", "info"):
            getattr(self, cmd)(opts, args)
        else:
            raise PtError("unknown subcommand %r (translate, dump, info, format, formats)" % cmd)

    def set_format(self, args):
        if len(args) > 1:
            raise PtError("usage: pt format [FORMAT|auto]")
        if args and args[0] == "auto":
            _override[0] = None
        elif args:
            _override[0] = _format(args[0]).name
        if _override[0]:
            gdb.write("pt: format %s (set; `pt format auto` to choose from the CPU)\n" %
                      _override[0])
        else:
            gdb.write("pt: format auto (from the gdb architecture and the CPU's registers)\n")

    def tables(self, opts, mem):
        fmt, why, root, root1, how = _select(opts, mem)
        if root is None and root1 is None:
            raise PtError("%s: no half of the address space is translated" % how)
        if root is None:        # arm64 with TTBR0 walks disabled: an empty lower half
            raise PtError("%s: the lower half is disabled; give --root to walk a tree anyway"
                          % how)
        t = ptkit.Tables.from_reader(fmt, mem.read, root, root1)
        desc = "format %s (%s); %s -> root 0x%x%s" % (
            fmt.name, why, how, root, "" if root1 is None else ", root1 0x%x" % root1)
        return t, desc + self.mem_attr(t, fmt, opts)

    @staticmethod
    def mem_attr(t, fmt, opts):
        """Read leaves' memory types through the CPU's memory attribute register (MAIR_EL1,
        IA32_PAT) or --memattr; what was used, for `pt info`."""
        if not fmt.mem_attr_reg:
            if opts.get("memattr") is not None:
                t.mem_attr = opts["memattr"]    # raises the library's "has no ..." error
            return ""
        name, own = fmt.mem_attr_reg
        if opts.get("memattr") is not None:
            t.mem_attr = opts["memattr"]
            return "; memory types: %s 0x%x (--memattr)" % (name, opts["memattr"])
        try:
            t.mem_attr = read_register(name)
        except RegisterMissing:
            return "; memory types: %s not shown, ptkit's 0x%x assumed" % (name, own)
        return "; memory types: %s 0x%x" % (name, t.mem_attr)

    def info(self, opts, args):
        if args:
            raise PtError("usage: pt info")
        with PhysMem() as mem:
            t, desc = self.tables(opts, mem)
            t.close()
        gdb.write("pt: %s\n" % desc)

    def translate(self, opts, args):
        if not args:
            raise PtError("usage: pt translate VA...")
        vas = [_value(a) for a in args]
        out = []
        with PhysMem() as mem:
            t, _ = self.tables(opts, mem)
            try:
                for va in vas:
                    try:
                        out.append(ptkit.format_translation(t.translate(va)))
                    except ptkit.NotMapped as e:
                        out.append("0x%x fault %s" % (va, e.level_name))
                    except ptkit.Error as e:    # "<va>: bad entry ... at <level>"
                        why = str(e)
                        if why.startswith("%#x: " % va):
                            why = why[len("%#x: " % va):]
                        out.append("%#x error: %s" % (va, why))
            finally:
                t.close()
        gdb.write("".join(s if s.endswith("\n") else s + "\n" for s in out))

    def dump(self, opts, args):
        if len(args) > 2:
            raise PtError("usage: pt dump [START [END]]")
        rng = [_value(a) for a in args] + [None] * (2 - len(args))
        with PhysMem() as mem:
            t, _ = self.tables(opts, mem)
            try:
                # The library's listing, as `ptkit dump` lists it: a corrupt entry is
                # listed ("error: ...") and the walk goes on after it; a table on its own
                # walk (a recursive self-map) or reached twice (shared) is listed as such.
                items = list(t.dump(rng[0], rng[1]))
            finally:
                t.close()
        gdb.write(ptkit.format_leaves(items))
        bad = [i for i in items if isinstance(i, ptkit.Corrupt)]
        if bad:  # said, not raised: an exception would take the listing with it
            gdb.write("pt: %d corrupt entr%s listed (error: lines)\n" %
                      (len(bad), "y" if len(bad) == 1 else "ies"), gdb.STDERR)


PtCommand()
