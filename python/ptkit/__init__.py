# SPDX-License-Identifier: MIT
"""ptkit: hardware page tables (x86-64, arm64, RISC-V, ppc64 radix) from Python.

ctypes over libptkit.so.0, found through $PTKIT_LIBRARY, next to the package, or the
system's library path. See docs/PYTHON.md.

    import ptkit
    with ptkit.Tables.build("x86_64", "map 0x400000 0x200000 2M r,x,user") as t:
        print(ptkit.format_translation(t.translate(0x401234)))
"""
from . import _lib
from ._errors import Corrupt, Error, NotMapped
from .format import CpuRoots, Format, formats, formats_of_cpu
from .tables import Leaf, SelfMap, Shared, Tables, Translation
from .text import (CONTIG, DEVICE, DIRTY, GLOBAL, NOCACHE, SPECIAL, USER, YOUNG, R, W, X,
                   format_leaves, format_leaves_json, format_translation, prot_str,
                   size_str)

__version__ = _lib.text(_lib.lib.pt_version())

__all__ = ["Error", "NotMapped", "Corrupt", "Format", "formats", "formats_of_cpu", "CpuRoots",
           "Tables", "Translation", "Leaf", "SelfMap", "Shared",
           "format_translation", "format_leaves", "format_leaves_json", "prot_str", "size_str",
           "R", "W", "X", "USER",
           "GLOBAL", "DEVICE", "NOCACHE", "YOUNG", "DIRTY", "SPECIAL", "CONTIG", "__version__"]
