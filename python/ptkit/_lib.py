# SPDX-License-Identifier: MIT
"""Loading libptkit.so.0 and declaring the C functions the package calls (ctypes)."""
import ctypes
import ctypes.util
import os

from ._errors import Error

MAX_LEVELS = 6  # PT_MAX_LEVELS, include/ptkit/types.h
ERR_LEN = 512

# enum pt_error (include/ptkit/types.h), negated by the library.
EINVAL, ENOMEM, EEXIST, ENOENT, ERANGE, EFAULT, ELOOP, EBADENT, EROFS, EBUSY = range(1, 11)


class FormatInfo(ctypes.Structure):
    """struct pt_format_info (include/ptkit/space.h)."""
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("description", ctypes.c_char_p),
        ("levels", ctypes.c_int),
        ("va_bits", ctypes.c_int),
        ("pa_bits", ctypes.c_int),
        ("entry_size", ctypes.c_int),
        ("half_bits", ctypes.c_int),
        ("big_endian", ctypes.c_bool),
        ("two_roots", ctypes.c_bool),
        ("page_sizes", ctypes.c_uint64),
        ("half_base", ctypes.c_uint64 * 2),
        ("level_name", ctypes.c_char_p * MAX_LEVELS),
    ]


class CTranslation(ctypes.Structure):
    """struct pt_translation (include/ptkit/ops.h)."""
    _fields_ = [
        ("pa", ctypes.c_uint64),
        ("leaf_va", ctypes.c_uint64),
        ("leaf_pa", ctypes.c_uint64),
        ("size", ctypes.c_uint64),
        ("group", ctypes.c_uint64),
        ("level", ctypes.c_int),
        ("prot", ctypes.c_uint32),
        ("pkey", ctypes.c_uint32),
        ("entry", ctypes.c_uint64),
    ]


class CLeaf(ctypes.Structure):
    """struct pt_space_leaf (include/ptkit/space.h)."""
    _fields_ = [
        ("va", ctypes.c_uint64),
        ("pa", ctypes.c_uint64),
        ("size", ctypes.c_uint64),
        ("group", ctypes.c_uint64),
        ("entry", ctypes.c_uint64),
        ("prot", ctypes.c_uint32),
        ("level", ctypes.c_int),
    ]


class CItem(ctypes.Structure):
    """struct pt_space_item (include/ptkit/space.h)."""
    _fields_ = [
        ("kind", ctypes.c_int),
        ("half", ctypes.c_int),
        ("level", ctypes.c_int),
        ("table_level", ctypes.c_int),
        ("va", ctypes.c_uint64),
        ("size", ctypes.c_uint64),
        ("pa", ctypes.c_uint64),
        ("group", ctypes.c_uint64),
        ("entry", ctypes.c_uint64),
        ("first_va", ctypes.c_uint64),
        ("prot", ctypes.c_uint32),
        ("code", ctypes.c_int),
        ("why", ctypes.c_char * 256),
    ]


# enum pt_item_kind (include/ptkit/space.h)
ITEM_LEAF, ITEM_CORRUPT, ITEM_SELF_MAP, ITEM_SHARED = range(1, 5)

# pt_seg_read_fn / pt_phys_read_fn: int (*)(void *ctx, uint64_t pa, void *buf, uint64_t n)
READ_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_uint64, ctypes.c_void_p,
                           ctypes.c_uint64)

_u64, _p, _s, _int = ctypes.c_uint64, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int
_sz, _pu64 = ctypes.c_size_t, ctypes.POINTER(ctypes.c_uint64)

_SIGNATURES = {
    "pt_version": (_s, []),
    "pt_strerror": (_s, [_int]),
    "pt_format_at": (_p, [ctypes.c_uint]),
    "pt_format_find": (_p, [_s]),
    "pt_format_describe": (None, [_p, ctypes.POINTER(FormatInfo)]),
    "pt_root_of_reg": (_int, [_p, _u64, _pu64, _s, _sz]),
    "pt_roots_of_table_reg": (_int, [_p, _u64, _u64, _u64, READ_FN, _p, _pu64, _s, _sz]),
    "pt_prot_str": (_s, [ctypes.c_uint32, _s]),
    "pt_size_str": (_s, [_u64, _s]),
    "pt_space_build": (_int, [ctypes.POINTER(_p), _p, _s, _u64, _u64, _s, _sz]),
    "pt_space_open_dump": (_int, [ctypes.POINTER(_p), _s, _p, ctypes.c_bool, _u64, _s, _s,
                                  _s, _sz]),
    "pt_space_from_reader": (_int, [ctypes.POINTER(_p), _p, READ_FN, _p, _u64, ctypes.c_bool,
                                    _u64, _s, _sz]),
    "pt_space_close": (None, [_p]),
    "pt_space_format": (_p, [_p]),
    "pt_space_roots": (ctypes.c_uint, [_p, _pu64]),
    "pt_space_image": (_int, [_p, ctypes.POINTER(ctypes.POINTER(ctypes.c_uint8)), _pu64,
                              _pu64]),
    "pt_space_notes": (_s, [_p]),
    "pt_space_translate": (_int, [_p, _u64, ctypes.POINTER(CTranslation), _s, _sz]),
    "pt_space_next_leaf": (_int, [_p, _pu64, _u64, ctypes.POINTER(CLeaf), _s, _sz]),
    "pt_space_next_item": (_int, [_p, _pu64, _u64, ctypes.POINTER(CItem), _s, _sz]),
    "pt_space_list_reset": (None, [_p]),
    "pt_space_set_mem_attr": (_int, [_p, _u64, _s, _sz]),
    "pt_format_mem_attr_reg": (_s, [_p, _pu64]),
    "pt_space_corrupt_span": (ctypes.c_bool, [_p, _pu64, _pu64, ctypes.POINTER(ctypes.c_int)]),
}


def _candidates():
    env = os.environ.get("PTKIT_LIBRARY")
    if env:
        yield env
        return
    here = os.path.dirname(os.path.abspath(__file__))
    try:  # written by `make install`: where the library went, relative to the package
        from ._installed import LIBRARY_DIR
        yield os.path.normpath(os.path.join(here, LIBRARY_DIR, "libptkit.so.0"))
    except ImportError:
        pass
    yield os.path.join(here, "libptkit.so.0")
    found = ctypes.util.find_library("ptkit")
    if found:
        yield found
    yield "libptkit.so.0"


def _load():
    tried = []
    for path in _candidates():
        try:
            lib = ctypes.CDLL(path)
        except OSError as e:
            tried.append(f"{path}: {e}")
            continue
        missing = [n for n in _SIGNATURES if not hasattr(lib, n)]
        if missing:
            tried.append(f"{path}: lacks {', '.join(missing)} (an older libptkit?)")
            continue
        for name, (res, args) in _SIGNATURES.items():
            fn = getattr(lib, name)
            fn.restype = res
            fn.argtypes = args
        return lib
    raise ImportError("ptkit: cannot load libptkit.so.0 (set PTKIT_LIBRARY to its path): "
                      + "; ".join(tried))


lib = _load()


def errbuf():
    return ctypes.create_string_buffer(ERR_LEN)


def text(b):
    return b.decode("utf-8", "replace") if b is not None else None


def check(ret, err):
    """Raise Error(err's message) for a negative return code."""
    if ret < 0:
        raise Error(text(err.value) or text(lib.pt_strerror(ret)), code=-ret)
    return ret
