# SPDX-License-Identifier: MIT
"""examples/python/*.py run, and walk_tables.py prints what the CLI prints for its spec."""
import pathlib
import runpy

import pytest

from conftest import cli

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples" / "python"


@pytest.mark.parametrize("script", sorted(p.name for p in EXAMPLES.glob("*.py")))
def test_example_runs(script, capsys):
    runpy.run_path(str(EXAMPLES / script), run_name="__main__")
    assert capsys.readouterr().out


def test_walk_tables_prints_what_the_cli_prints(capsys, tmp_path):
    g = runpy.run_path(str(EXAMPLES / "walk_tables.py"), run_name="__main__")
    out = capsys.readouterr().out.splitlines(keepends=True)
    spec = tmp_path / "spec"
    spec.write_text(g["SPEC"])
    img = tmp_path / "img"
    roots = cli("build", "--format", "arm64-4k-48", "--base", "0x100000", "--size", "1M", "-o",
                img, spec).stdout.split()
    args = ["--format", "arm64-4k-48", "--image", img, "--base", "0x100000", "--root",
            roots[3], "--root1", roots[1]]
    assert roots[0] == "root1" and roots[2] == "root"
    dump = cli("dump", *args).stdout
    assert "".join(out[:1]) == cli("translate", *args, "0x401234").stdout
    assert "".join(out[1:1 + dump.count("\n")]) == dump
