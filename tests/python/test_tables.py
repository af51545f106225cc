# SPDX-License-Identifier: MIT
"""Tables.build / translate / leaves against the CLI on the same spec, for every format:
the image bytes, the roots, each translation and the dump, as JSON and as text."""
import ptkit
from ptkit.text import coalesce

from conftest import BASE, SIZE, cli, cli_build, cli_json, make_spec, root_args


def probe_vas(t):
    """Each leaf's first, middle and last byte and the pages just around each leaf (in a
    half: the CLI refuses the whole command for a non-canonical VA)."""
    vas = []
    for lf in t.leaves():
        vas += [lf.va, lf.va + lf.size // 2 + 8, lf.va + lf.size - 1]
        vas += [v for v in (lf.va - 4096, lf.va + lf.size) if t.format.half_of(v) is not None]
    return vas


def test_build_matches_cli(fmt, tmp_path):
    spec = make_spec(fmt)
    with ptkit.Tables.build(fmt, spec, base=BASE, size=SIZE) as t:
        img, roots, path = cli_build(tmp_path, fmt, spec)
        assert t.base == BASE
        assert t.image() == img, f"{fmt.name}: image differs from ptkit build's"
        assert t.roots == (roots[0], roots[1] if fmt.two_roots else roots[0])
        leaves = list(t.leaves())
        assert len(leaves) >= len(spec.splitlines()) - 2
        vas = probe_vas(t)
        common = ["--format", fmt.name, "--image", path, "--base", hex(BASE), *root_args(t)]
        answers = cli_json("translate", *common, "--json", *map(hex, vas))
        assert len(answers) == len(vas)
        mapped = 0
        for va, a in zip(vas, answers):
            assert int(a["va"], 16) == va
            if "error" in a:
                try:
                    t.translate(va)
                except ptkit.NotMapped:
                    raise AssertionError(f"{va:#x}: CLI error {a}, Python NotMapped")
                except ptkit.Error as e:
                    assert a["error"] in str(e)
                    continue
                raise AssertionError(f"{va:#x}: CLI error {a}, Python translated")
            if "fault" in a:
                try:
                    tr = t.translate(va)
                except ptkit.NotMapped as e:
                    assert e.va == va and e.level_name == a["fault"]
                    continue
                raise AssertionError(f"{va:#x}: CLI faults at {a['fault']}, Python gives {tr}")
            tr = t.translate(va)
            mapped += 1
            assert (tr.pa, max(tr.size, tr.group), tr.level_name) == \
                (int(a["pa"], 16), a["size"], a["level"]), f"{va:#x}: {tr} vs {a}"
            assert tr.flags.split(",") == a["flags"] or (tr.flags == "-" and a["flags"] == [])
            assert tr.leaf_va <= va < tr.leaf_va + tr.size and tr.pa - va == tr.leaf_pa - tr.leaf_va
        assert mapped >= len(leaves)

        # leaves, coalesced, are `ptkit dump --json`; format_leaves is `ptkit dump`.
        dump = cli_json("dump", *common, "--json")
        runs = coalesce(leaves)
        assert [(int(d["start"], 16), int(d["end"], 16), int(d["pa"], 16), d["level"], d["flags"])
                for d in dump] == \
            [(r["start"], r["end"] & (1 << 64) - 1, r["pa"], r["level_name"],
              [] if r["flags"] == "-" else r["flags"].split(",")) for r in runs]
        assert ptkit.format_leaves(t.leaves()) == cli("dump", *common).stdout

        # format_translation is `ptkit translate`'s line for a mapped VA.
        first = leaves[0].va + 0x10
        assert ptkit.format_translation(t.translate(first)) + "\n" == \
            cli("translate", *common, hex(first)).stdout


def test_leaves_range(fmt):
    with ptkit.Tables.build(fmt, make_spec(fmt, seed=1)) as t:
        every = list(t.leaves())
        mid = every[len(every) // 2]
        after = list(t.leaves(start=mid.va))
        assert after == every[len(every) // 2:]
        inside = list(t.leaves(start=mid.va + 1, end=mid.va + 2))
        assert inside == [mid]
        assert list(t.leaves(end=every[0].va)) == []


def test_open_raw_image_is_the_built_tree(fmt, tmp_path):
    spec = make_spec(fmt, seed=2)
    with ptkit.Tables.build(fmt, spec) as t:
        path = tmp_path / "img"
        path.write_bytes(t.image())
        root1 = t.roots[1] if fmt.two_roots else None
        with ptkit.Tables.open_dump(path, fmt.name, root=t.roots[0], root1=root1,
                                    base=t.base) as d:
            assert d.format == fmt
            assert list(d.leaves()) == list(t.leaves())
        if fmt.two_roots:  # without root1 the upper half has no tree: its VAs fault at the root
            upper = [lf for lf in t.leaves() if lf.half == 1]
            with ptkit.Tables.open_dump(path, fmt, root=t.roots[0], base=t.base) as d:
                assert d.roots == (t.roots[0], None)
                assert all(lf.half == 0 for lf in d.leaves())
                if upper:
                    try:
                        d.translate(upper[0].va)
                    except ptkit.NotMapped as e:
                        assert e.level == fmt.levels - 1
                    else:
                        raise AssertionError("upper half translated without root1")
