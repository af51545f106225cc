# SPDX-License-Identifier: MIT
"""ptkit.Tables: one page-table tree (built, in a dump, or read through a callback)."""
import ctypes
from dataclasses import dataclass

from . import _lib
from ._errors import Corrupt, Error, NotMapped
from .format import Format, as_format
from .text import prot_str


@dataclass(frozen=True)
class Translation:
    """Where va goes: pa, the leaf (leaf_va, leaf_pa, size; group: its contiguous group's
    size, == size if none), its level, the effective rights (prot: PT_* bits; flags: the
    CLI's words) and the raw leaf entry."""
    va: int
    pa: int
    leaf_va: int
    leaf_pa: int
    size: int
    group: int
    level: int
    level_name: str
    prot: int
    flags: str
    entry: int


@dataclass(frozen=True)
class Leaf:
    """One leaf entry: the VA range [va, va + size) it maps to pa, in half 0 / 1."""
    va: int
    pa: int
    size: int
    group: int
    level: int
    level_name: str
    prot: int
    flags: str
    entry: int
    half: int


@dataclass(frozen=True)
class SelfMap:
    """A table entry pointing at a table of its own walk (a recursive self-map, as Windows
    keeps one): the VAs [va, end) it covers (end 2**64 at the top), its level, the table's
    physical address and the level that table is walked at. Listed, not walked again."""
    va: int
    end: int
    level: int
    level_name: str
    table: int
    table_level: int
    table_level_name: str
    half: int


@dataclass(frozen=True)
class Shared:
    """A table entry pointing at a table listed before (two entries sharing one table, as
    kernels share fixmap tables): the VAs [va, end) it covers, its level, the table's
    physical address and listed_at, the VA where it was listed first. Not walked again."""
    va: int
    end: int
    level: int
    level_name: str
    table: int
    listed_at: int
    half: int


class Tables:
    """A page-table tree and the memory it lives in. Make one with build(), open_dump() or
    from_reader(); close() (or a with block) frees it."""

    def __init__(self, handle, fmt, keep=None):
        self._h = ctypes.c_void_p(handle)
        self.format = fmt
        self._keep = keep  # the read callback, alive as long as the tree
        self.base = None
        roots = (ctypes.c_uint64 * 2)()
        trees = _lib.lib.pt_space_roots(self._h, roots)
        self.roots = (roots[0] if trees & 1 else None, roots[1] if trees & 2 else None)
        self.notes = [n for n in _lib.text(_lib.lib.pt_space_notes(self._h)).split("\n") if n]

    # --- making one ------------------------------------------------------------------------
    @classmethod
    def build(cls, fmt, spec, base=0x100000, size=16 << 20):
        """Tables built from spec (the `ptkit build` language: map / unmap / protect /
        collapse lines) in size bytes of simulated memory at physical base (size 0: 1G, the
        image ending after the last table). Error naming the bad line."""
        fmt = as_format(fmt)
        out, err = ctypes.c_void_p(), _lib.errbuf()
        _lib.check(_lib.lib.pt_space_build(ctypes.byref(out), fmt._ptr, spec.encode(), base,
                                           size, err, _lib.ERR_LEN), err)
        t = cls(out.value, fmt)
        data = ctypes.POINTER(ctypes.c_uint8)()
        b, n = ctypes.c_uint64(), ctypes.c_uint64()
        _lib.lib.pt_space_image(t._h, ctypes.byref(data), ctypes.byref(b), ctypes.byref(n))
        t.base = b.value
        t._image = (data, n.value)
        return t

    @classmethod
    def open_dump(cls, path, format=None, root=None, root1=None, base=None):
        """The tree in a dump file (ELF core, kdump), or with base, in raw physical memory
        starting at base. format None: the dump chooses. root: an int (a root register's
        value), "kernel" (the kernel's, from VMCOREINFO) or None (the dump's CPU state, else
        its kernel); root1: a two-root format's upper-half root. What was chosen for you is
        in .notes."""
        fmt = as_format(format) if format is not None else None
        out, err = ctypes.c_void_p(), _lib.errbuf()

        def arg(r):
            return None if r is None else (r if isinstance(r, str) else hex(r)).encode()
        _lib.check(_lib.lib.pt_space_open_dump(
            ctypes.byref(out), str(path).encode(), fmt._ptr if fmt else None, base is not None,
            base or 0, arg(root), arg(root1), err, _lib.ERR_LEN), err)
        return cls(out.value, fmt or Format._from_ptr(_lib.lib.pt_space_format(out.value)))

    @classmethod
    def from_reader(cls, fmt, read, root, root1=None):
        """The tree at root (a table address) in memory read by read(pa, n) -> n bytes, or
        None where there is no memory (a walk that needs it stops with an Error naming the
        PA). root1: a two-root format's upper-half root (None: that half has no tree)."""
        fmt = as_format(fmt)
        state = {"exc": None}

        def cb(_ctx, pa, buf, n):
            try:
                data = read(pa, n)
            except Exception as e:  # noqa: BLE001 - re-raised by the call that read
                state["exc"] = e
                return -1
            if data is None:
                return -1
            if len(data) != n:
                state["exc"] = Error(f"read(0x{pa:x}, {n}) returned {len(data)} bytes")
                return -1
            ctypes.memmove(buf, bytes(data), n)
            return 0
        fn = _lib.READ_FN(cb)
        out, err = ctypes.c_void_p(), _lib.errbuf()
        ret = _lib.lib.pt_space_from_reader(ctypes.byref(out), fmt._ptr, fn, None, root,
                                            root1 is not None, root1 or 0, err, _lib.ERR_LEN)
        _raise_with(state, ret, err)
        t = cls(out.value, fmt, keep=(fn, state))
        return t

    # --- reading it --------------------------------------------------------------------------
    def translate(self, va):
        """Translate va as the MMU would: a Translation, NotMapped (with .level) when it
        faults, Error for a non-canonical VA or a corrupt tree (naming the entry)."""
        tr, err = _lib.CTranslation(), _lib.errbuf()
        ret = _lib.lib.pt_space_translate(self._live(), va, ctypes.byref(tr), err, _lib.ERR_LEN)
        if ret == -_lib.ENOENT:
            self._reraise()
            raise NotMapped(_lib.text(err.value), va, tr.level, self.format.level_name(tr.level))
        if ret < 0:
            bad = self._corrupt(ret, err)
            if bad is not None:
                raise bad
        self._check(ret, err)
        return Translation(va=va, pa=tr.pa, leaf_va=tr.leaf_va, leaf_pa=tr.leaf_pa, size=tr.size,
                           group=tr.group, level=tr.level,
                           level_name=self.format.level_name(tr.level), prot=tr.prot,
                           flags=prot_str(tr.prot), entry=tr.entry)

    def leaves(self, start=None, end=None, errors="raise"):
        """Every leaf overlapping [start, end) (default: everything), in address order, in
        the halves that have a tree. Where the tree is corrupt: raise Corrupt (naming the
        entry), or with errors="yield" yield the Corrupt in the listing and go on after the
        entry's VAs, as `ptkit dump` does."""
        if errors not in ("raise", "yield"):
            raise Error(f"leaves(errors={errors!r}): 'raise' or 'yield'")
        va = ctypes.c_uint64(start or 0)
        stop = (end or 0) & (1 << 64) - 1
        lf, err = _lib.CLeaf(), _lib.errbuf()
        while True:
            ret = _lib.lib.pt_space_next_leaf(self._live(), ctypes.byref(va), stop,
                                              ctypes.byref(lf), err, _lib.ERR_LEN)
            if ret < 0:
                bad = self._corrupt(ret, err)
                if bad is None:
                    self._check(ret, err)
                if errors == "raise":
                    raise bad
                yield bad
                if bad.end >= 1 << 64 or (stop and bad.end >= stop):
                    return
                va.value = bad.end
                continue
            if ret == 0:
                return
            yield Leaf(va=lf.va, pa=lf.pa, size=lf.size, group=lf.group, level=lf.level,
                       level_name=self.format.level_name(lf.level), prot=lf.prot,
                       flags=prot_str(lf.prot), entry=lf.entry,
                       half=self.format.half_of(lf.va))
            if lf.va + lf.size >= 1 << 64:
                return

    def dump(self, start=None, end=None):
        """What `ptkit dump` lists over [start, end) (default: everything), in its order,
        leaves not coalesced: a Leaf per leaf entry, a Corrupt per entry the MMU cannot use
        (the listing goes on after its VAs), a SelfMap per table entry pointing at a table
        of its own walk and a Shared per table entry pointing at a table already listed
        (neither walked again; each half walks afresh). format_leaves() prints it as `ptkit
        dump` does. One listing at a time: a dump() resumed after another listing began
        on the same Tables goes on from where it stood as a new listing (tables listed
        before are walked again). Error only when the library runs out of memory."""
        va = ctypes.c_uint64(start or 0)
        stop = (end or 0) & (1 << 64) - 1
        it, err = _lib.CItem(), _lib.errbuf()
        _lib.lib.pt_space_list_reset(self._live())  # a new listing, whatever came before
        while True:
            ret = _lib.lib.pt_space_next_item(self._live(), ctypes.byref(va), stop,
                                              ctypes.byref(it), err, _lib.ERR_LEN)
            if ret <= 0:
                self._check(ret, err)
                return
            if it.kind == _lib.ITEM_CORRUPT:
                self._reraise()
            yield self._item(it)
            if not va.value:  # the item ended at 2**64
                return

    def _item(self, it):
        """The Leaf / Corrupt / SelfMap / Shared for a struct pt_space_item."""
        name = self.format.level_name(it.level)
        end = it.va + it.size
        if it.kind == _lib.ITEM_LEAF:
            return Leaf(va=it.va, pa=it.pa, size=it.size, group=it.group, level=it.level,
                        level_name=name, prot=it.prot, flags=prot_str(it.prot),
                        entry=it.entry, half=it.half)
        if it.kind == _lib.ITEM_SELF_MAP:
            return SelfMap(va=it.va, end=end, level=it.level, level_name=name, table=it.pa,
                           table_level=it.table_level,
                           table_level_name=self.format.level_name(it.table_level),
                           half=it.half)
        if it.kind == _lib.ITEM_SHARED:
            return Shared(va=it.va, end=end, level=it.level, level_name=name, table=it.pa,
                          listed_at=it.first_va, half=it.half)
        why = _lib.text(it.why)
        bad = Corrupt(f"0x{it.va:x}: {why} at {name}", it.va, end, it.level, name, why,
                      -it.code)
        bad.half = it.half
        return bad

    def _corrupt(self, ret, err):
        """The Corrupt for a failed translate / next_leaf, or None when not a corrupt tree."""
        first, end, level = ctypes.c_uint64(), ctypes.c_uint64(), ctypes.c_int()
        self._reraise()
        if not _lib.lib.pt_space_corrupt_span(self._h, ctypes.byref(first), ctypes.byref(end),
                                              ctypes.byref(level)):
            return None
        msg, name = _lib.text(err.value), self.format.level_name(level.value)
        why = msg
        head, tail = f"0x{first.value:x}: ", f" at {name}"
        if why.startswith(head):
            why = why[len(head):]
        if why.endswith(tail):
            why = why[:-len(tail)]
        bad = Corrupt(msg, first.value, end.value or 1 << 64, level.value, name, why, -ret)
        bad.half = self.format.half_of(first.value)
        return bad

    @property
    def mem_attr(self):
        """The memory attribute register value (format.mem_attr_reg: arm64 MAIR_EL1, x86
        IA32_PAT) leaves' memory types (device, nocache) are read through: the value set, or
        None for the one ptkit assumes (format.mem_attr_reg[1])."""
        return getattr(self, "_mem_attr", None)

    @mem_attr.setter
    def mem_attr(self, value):
        err = _lib.errbuf()
        self._check(_lib.lib.pt_space_set_mem_attr(self._live(), value & (1 << 64) - 1, err,
                                                   _lib.ERR_LEN), err)
        self._mem_attr = value

    def image(self):
        """The built tables' memory, byte i at physical address self.base + i."""
        if self.base is None:
            raise Error("image(): only built tables have an image")
        self._live()
        data, n = self._image
        return ctypes.string_at(data, n)

    # --- lifetime ----------------------------------------------------------------------------
    def close(self):
        if self._h:
            _lib.lib.pt_space_close(self._h)
            self._h = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        if getattr(self, "_h", None) and _lib is not None:
            self.close()

    def _live(self):
        if not self._h:
            raise Error("the tables were closed")
        return self._h

    def _reraise(self):
        if self._keep and self._keep[1]["exc"] is not None:
            e, self._keep[1]["exc"] = self._keep[1]["exc"], None
            raise Error(f"the read callback failed: {e}") from e

    def _check(self, ret, err):
        if ret < 0:
            self._reraise()
        _lib.check(ret, err)

    def __repr__(self):
        return f"<ptkit.Tables {self.format.name} roots {self.roots}>"


def _raise_with(state, ret, err):
    if ret < 0 and state["exc"] is not None:
        raise Error(f"{_lib.text(err.value)} (the read callback failed: {state['exc']})") \
            from state["exc"]
    _lib.check(ret, err)
