# SPDX-License-Identifier: MIT
"""ptkit.Format: one hardware page-table format, and ptkit.formats()."""
import collections
import ctypes

from . import _lib
from ._errors import Error


class Format:
    """A page-table format, by name ("x86_64", "arm64-4k-48", "riscv-sv39", ...).

    >>> f = Format("x86_64"); f.levels, f.va_bits, f.page_sizes[:2]
    (4, 48, [4096, 2097152])
    """

    def __init__(self, name):
        if isinstance(name, Format):
            name = name.name
        ptr = _lib.lib.pt_format_find(str(name).encode())
        if not ptr:
            known = ", ".join(f.name for f in formats())
            raise Error(f"unknown format '{name}' (known: {known})", code=_lib.EINVAL)
        self._init(ptr)

    @classmethod
    def _from_ptr(cls, ptr):
        f = cls.__new__(cls)
        f._init(ptr)
        return f

    def _init(self, ptr):
        info = _lib.FormatInfo()
        _lib.lib.pt_format_describe(ptr, ctypes.byref(info))
        self._ptr = ptr
        self.name = _lib.text(info.name)
        self.description = _lib.text(info.description)
        self.levels = info.levels
        self.va_bits = info.va_bits
        self.pa_bits = info.pa_bits
        self.entry_size = info.entry_size
        self.big_endian = bool(info.big_endian)
        self.two_roots = bool(info.two_roots)
        self.page_sizes = [1 << b for b in range(64) if info.page_sizes >> b & 1]
        self.half_bits = info.half_bits
        self.half_base = (info.half_base[0], info.half_base[1])
        self.level_names = [_lib.text(info.level_name[i]) or "?" for i in range(self.levels)]
        own = ctypes.c_uint64()
        reg = _lib.lib.pt_format_mem_attr_reg(ptr, ctypes.byref(own))
        # (name, value ptkit assumes) of the memory attribute register leaves' types go
        # through (arm64 MAIR_EL1, x86 IA32_PAT); None where leaves hold their type.
        self.mem_attr_reg = (_lib.text(reg), own.value) if reg else None

    def level_name(self, level):
        """The name of level (0: smallest pages), "?" outside the format."""
        return self.level_names[level] if 0 <= level < self.levels else "?"

    def halves(self):
        """The VA ranges translated: [(first, last), (first, last)] (lower, upper half)."""
        span = 1 << self.half_bits
        return [(b, b + span - 1) for b in self.half_base]

    def half_of(self, va):
        """0 or 1, the half holding va, or None for a non-canonical address."""
        for h, (first, last) in enumerate(self.halves()):
            if first <= va <= last:
                return h
        return None

    def root_of_reg(self, value):
        """The root table's physical address in a value of the root register (CR3 with a
        PCID, TTBRn with an ASID, satp, a radix process-table entry). Error if it does not
        fit the format."""
        root = ctypes.c_uint64()
        err = _lib.errbuf()
        _lib.check(_lib.lib.pt_root_of_reg(self._ptr, value, ctypes.byref(root), err,
                                           _lib.ERR_LEN), err)
        return root.value

    def roots_of_table_reg(self, ptcr, lpid, pid, read):
        """Both roots (the PID's lower half, PID 0's upper half) from a register pointing at
        tables of roots (ppc64 PTCR), those tables read by read(pa, n) -> bytes or None.
        Error elsewhere, or when the tables are wrong."""
        def cb(_ctx, pa, buf, n):
            try:
                data = read(pa, n)
            except Exception:  # noqa: BLE001 - reported as memory that cannot be read
                return -1
            if data is None or len(data) != n:
                return -1
            ctypes.memmove(buf, bytes(data), n)
            return 0
        roots = (ctypes.c_uint64 * 2)()
        err = _lib.errbuf()
        _lib.check(_lib.lib.pt_roots_of_table_reg(self._ptr, ptcr, lpid, pid, _lib.READ_FN(cb),
                                                  None, roots, err, _lib.ERR_LEN), err)
        return roots[0], roots[1]

    def roots_of_cpu(self, reg, read=None):
        """Whether a CPU whose registers reg(name) -> int (None: not available) gives
        translates with this format: its CpuRoots, else Error saying which register or field
        decided (code ENOENT: translation off or a register missing; EINVAL: another
        format). read(pa, n) -> bytes or None reads tables of roots (ppc64 PTCR)."""
        return _cpu_call("pt_roots_of_cpu", [self._ptr], reg, read)[0]

    def __eq__(self, other):
        return isinstance(other, Format) and other.name == self.name

    def __hash__(self):
        return hash(self.name)

    def __repr__(self):
        return f"ptkit.Format({self.name!r})"


def formats():
    """Every format ptkit knows, in `ptkit formats` order."""
    out = []
    i = 0
    while True:
        ptr = _lib.lib.pt_format_at(i)
        if not ptr:
            return out
        out.append(Format._from_ptr(ptr))
        i += 1


def as_format(f):
    return f if isinstance(f, Format) else Format(f)


# --- the format and roots a CPU's registers select (pt_roots_of_cpu, pt_formats_of_cpu) ---
CpuRoots = collections.namedtuple("CpuRoots", "format root root1 how")
CpuRoots.__doc__ = """What a CPU's registers select: format, the roots of its lower and
upper half (None where that half is not translated), and how (the registers they came
from, e.g. "CR3 0x1000")."""


class _CCpuRoots(ctypes.Structure):
    """struct pt_cpu_roots (include/ptkit/format.h)."""
    _fields_ = [("root", ctypes.c_uint64 * 2), ("halves", ctypes.c_uint),
                ("missing", ctypes.c_char_p), ("how", ctypes.c_char * 96),
                ("regs", ctypes.c_char * 224)]


# pt_reg_fn: bool (*)(void *ctx, const char *name, uint64_t *value)
_REG_FN = ctypes.CFUNCTYPE(ctypes.c_bool, ctypes.c_void_p, ctypes.c_char_p,
                           ctypes.POINTER(ctypes.c_uint64))
_MAX_MATCHES = 16


def _cpu_call(name, head, reg, read):
    """Call pt_roots_of_cpu(fmt, ...) (head [fmt]) or pt_formats_of_cpu(machine, ...) (head
    [machine]) with Python callbacks; a callback's exception is raised after the call."""
    raised = []

    def reg_cb(_ctx, cname, value):
        try:
            v = reg(cname.decode())
        except Exception as e:  # noqa: BLE001 - raised again below
            raised.append(e)
            return False
        if v is None:
            return False
        value[0] = int(v) & ((1 << 64) - 1)
        return True

    def read_cb(_ctx, pa, buf, n):
        try:
            data = read(pa, n)
        except Exception as e:  # noqa: BLE001 - raised again below
            raised.append(e)
            return -1
        if data is None or len(data) != n:
            return -1
        ctypes.memmove(buf, bytes(data), n)
        return 0

    fn = getattr(_lib.lib, name)
    many = name == "pt_formats_of_cpu"
    p = ctypes.c_void_p
    fn.restype = ctypes.c_int
    roots = (_CCpuRoots * (_MAX_MATCHES if many else 1))()
    fmts = (p * _MAX_MATCHES)()
    n = ctypes.c_uint(_MAX_MATCHES)
    err = _lib.errbuf()
    cbs = [_REG_FN(reg_cb), _lib.READ_FN(read_cb) if read else _lib.READ_FN()]
    if many:
        fn.argtypes = [ctypes.c_uint16, _REG_FN, p, _lib.READ_FN, p, ctypes.POINTER(p),
                       ctypes.POINTER(_CCpuRoots), ctypes.POINTER(ctypes.c_uint),
                       ctypes.c_char_p, ctypes.c_size_t]
        ret = fn(head[0], cbs[0], None, cbs[1], None, fmts, roots, ctypes.byref(n), err,
                 _lib.ERR_LEN)
    else:
        fn.argtypes = [p, _REG_FN, p, _lib.READ_FN, p, ctypes.POINTER(_CCpuRoots),
                       ctypes.c_char_p, ctypes.c_size_t]
        ret = fn(head[0], cbs[0], None, cbs[1], None, roots, err, _lib.ERR_LEN)
        fmts[0], n.value = head[0], 1
    if raised:
        raise raised[0]
    _lib.check(ret, err)
    out = []
    for i in range(n.value):
        r = roots[i]
        out.append(CpuRoots(Format._from_ptr(fmts[i]), r.root[0] if r.halves & 1 else None,
                            r.root[1] if r.halves & 2 else None, _lib.text(r.how)))
    return out


def formats_of_cpu(machine, reg, read=None):
    """The formats of ELF machine `machine` (62 x86-64, 183 aarch64, 243 riscv, 21 ppc64)
    that a CPU whose registers reg(name) -> int (None: not available) gives translates with,
    as a list of CpuRoots: one, or several when no register tells them apart (ppc64 radix
    4K / 64K pages: take the first whose tree walks cleanly). Error when none does, naming
    the register or field. read(pa, n) -> bytes or None reads tables of roots (ppc64)."""
    return _cpu_call("pt_formats_of_cpu", [int(machine)], reg, read)
