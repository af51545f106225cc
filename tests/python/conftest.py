# SPDX-License-Identifier: MIT
"""Shared by the Python package's tests: the CLI to compare with, specs, ELF cores."""
import json
import os
import random
import struct
import subprocess

import pytest

import ptkit

CLI = os.environ.get("PTKIT_CLI")
BASE = 0x100000
SIZE = 16 << 20
FLAGS = ["r,w", "r", "r,x", "r,w,x", "r,w,user", "r,x,user", "r,user,global"]


def cli(*args, check=True):
    """Run the CLI (PTKIT_CLI); the tests that need it skip without it."""
    if not CLI:
        pytest.skip("PTKIT_CLI not set (CTest sets it)")
    p = subprocess.run([CLI, *map(str, args)], capture_output=True, text=True, check=False)
    if check and p.returncode:
        raise AssertionError(f"ptkit {' '.join(map(str, args))}: exit {p.returncode}\n{p.stderr}")
    return p


def make_spec(fmt, seed=0):
    """A spec that maps leaves of every size up to 1G of fmt in both halves (one 1G slot
    each), then protects part of one mapping and unmaps part of another: splits included."""
    rnd = random.Random(f"{fmt.name}/{seed}")
    sizes = [s for s in fmt.page_sizes if s <= 1 << 30]
    lines, maps = [], []
    slots = rnd.sample(range(1, min(1 << (fmt.half_bits - 30), 1 << 10)), 2 * len(sizes) + 2)
    pa_limit = min(1 << fmt.pa_bits, 1 << 40)
    for i, slot in enumerate(slots):
        size = sizes[i % len(sizes)]
        half = i % 2
        count = min(rnd.choice([1, 2, 3]), (1 << 30) // size)
        va = fmt.half_base[half] + (slot << 30) + rnd.randrange(0, (1 << 30) // size - count + 1) * size
        pa = rnd.randrange(1, pa_limit // size - count) * size
        flags = rnd.choice(FLAGS)
        lines.append(f"map {va:#x} {pa:#x} {size * count:#x} {flags} pagesize={size}")
        maps.append((va, size, count))
    small = min(fmt.page_sizes)
    big = [(va, size, count) for va, size, count in maps if size > small]
    if big:
        va, size, count = big[0]
        lines.append(f"protect {va:#x} {small:#x} r  # split")
        if len(big) > 1:
            va, size, count = big[1]
            lines.append(f"unmap {va + size - small:#x} {small:#x}")
    return "\n".join(lines) + "\n"


def cli_build(tmp_path, fmt, spec, size=SIZE, base=BASE):
    """`ptkit build` of spec: (image bytes, roots as the CLI printed them, image path)."""
    sp, img = tmp_path / "spec", tmp_path / f"{fmt.name}.img"
    sp.write_text(spec)
    out = cli("build", "--format", fmt.name, "--base", hex(base), "--size", size, "-o", img,
              sp).stdout
    roots = dict(line.split() for line in out.splitlines())
    return img.read_bytes(), (int(roots["root"], 16), int(roots.get("root1", roots["root"]), 16)), img


def root_args(t):
    args = ["--root", hex(t.roots[0])]
    if t.format.two_roots and t.roots[1] is not None:
        args += ["--root1", hex(t.roots[1])]
    return args


def cli_json(*args):
    p = cli(*args, check=False)
    assert p.stdout, f"ptkit {' '.join(map(str, args))}: exit {p.returncode}, no output\n{p.stderr}"
    return json.loads(p.stdout)


def elf_core(path, machine, segments, notes=()):
    """A minimal little-endian ELF64 core: PT_NOTE (notes: (name, type, desc bytes)) and one
    PT_LOAD per (paddr, bytes) segment."""
    def note(name, ntype, desc):
        n = name.encode() + b"\0"
        pad = lambda b: b + b"\0" * (-len(b) % 4)  # noqa: E731
        return struct.pack("<III", len(n), len(desc), ntype) + pad(n) + pad(desc)
    note_data = b"".join(note(*n) for n in notes)
    phnum = len(segments) + (1 if notes else 0)
    start = 64 + 56 * phnum
    phdrs, body = [], bytearray()
    if notes:
        phdrs.append(struct.pack("<IIQQQQQQ", 4, 0, start, 0, 0, len(note_data),
                                 len(note_data), 4))
        body += note_data
    for paddr, data in segments:
        body += b"\0" * (-(start + len(body)) % 4096)
        phdrs.append(struct.pack("<IIQQQQQQ", 1, 6, start + len(body), 0xffff800000000000 + paddr,
                                 paddr, len(data), len(data), 4096))
        body += data
    ident = b"\x7fELF" + bytes([2, 1, 1, 0]) + b"\0" * 8
    hdr = ident + struct.pack("<HHIQQQIHHHHHH", 4, machine, 1, 0, 64, 0, 0, 64, 56, phnum, 64,
                              0, 0)
    path.write_bytes(hdr + b"".join(phdrs) + bytes(body))
    return path


@pytest.fixture(params=[f.name for f in ptkit.formats()])
def fmt(request):
    return ptkit.Format(request.param)
