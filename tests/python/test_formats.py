# SPDX-License-Identifier: MIT
"""ptkit.formats() and Format's facts are what `ptkit formats` lists; the version is the
library's and the CLI's."""
import ptkit
from ptkit.text import size_str

from conftest import cli


def test_formats_as_the_cli_lists_them():
    rows = [line.split() for line in cli("formats").stdout.splitlines() if line.strip()]
    got = ptkit.formats()
    assert [r[0] for r in rows] == [f.name for f in got]
    for r, f in zip(rows, got):
        col = dict(zip(r[1:7:2], r[2:7:2]))  # levels N va N pa N
        assert (int(col["levels"]), int(col["va"]), int(col["pa"])) == \
            (f.levels, f.va_bits, f.pa_bits)
        assert r[8] == "/".join(size_str(s) for s in f.page_sizes)
        assert " ".join(r[9:]) == f.description
        assert f == ptkit.Format(f.name) and hash(f) == hash(ptkit.Format(f.name))
        assert len(f.level_names) == f.levels and all(n != "?" for n in f.level_names)
        assert f.page_sizes == sorted(f.page_sizes)
    two = {f.name for f in got if f.two_roots}
    assert two and all(n.startswith(("arm64", "ppc64")) for n in two)
    assert {f.name for f in got if f.big_endian} <= {f.name for f in got if "ppc64" in f.name}


def test_version():
    assert cli("--version").stdout.strip() == f"ptkit {ptkit.__version__}"
    assert ptkit.__version__.count(".") == 2


def test_halves():
    f = ptkit.Format("x86_64")
    assert f.halves() == [(0, (1 << 47) - 1), (0xffff800000000000, (1 << 64) - 1)]
    assert f.half_of(1 << 47) is None and f.half_of(0xffff800000000000) == 1
