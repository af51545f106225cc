#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The API reference: Doxygen over include/ptkit/*.h (docs/Doxyfile.in), into OUT/html.

    scripts/docs.py [--check] SRC OUT

Fails (exit 1) when Doxygen or the comment filter (docs/doxygen-filter.awk) fails or
warns. --check (the test docs_build) also fails when a public function has no comment:
neither its own nor the one over the block of declarations it belongs to. Exit 77 when
doxygen is not installed (make docs installs it).
"""
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET


def fail(msg):
    print(f"docs: {msg}", file=sys.stderr)
    sys.exit(1)


def text(elem):
    return "".join(elem.itertext()).strip() if elem is not None else ""


def version(src):
    with open(os.path.join(src, "include/ptkit/version.h")) as f:
        v = dict(re.findall(r"^#define PTKIT_VERSION_(MAJOR|MINOR|PATCH) (\d+)$", f.read(), re.M))
    return f"{v['MAJOR']}.{v['MINOR']}.{v['PATCH']}"


def check_filter(awk, filt, headers):
    """The filter must succeed and keep every line where it was (warnings cite lines)."""
    for h in headers:
        r = subprocess.run([awk, "-f", filt, h], capture_output=True, text=True)
        if r.returncode != 0 or r.stderr:
            fail(f"{filt} on {h}: exit {r.returncode}: {r.stderr.strip()}")
        with open(h) as f:
            want = f.read().count("\n")
        if r.stdout.count("\n") != want:
            fail(f"{filt} on {h}: {r.stdout.count(chr(10))} lines out of {want}")


def functions(xmldir):
    """(name, file:line, documented) of every function of the headers, from Doxygen's XML."""
    out = []
    for name in sorted(os.listdir(xmldir)):
        if not name.endswith("_8h.xml"):
            continue
        root = ET.parse(os.path.join(xmldir, name)).getroot()
        for sec in root.iter("sectiondef"):
            # A member group: the comment over a block of declarations (the filter's @name).
            group = sec.get("kind") == "user-defined" and text(sec.find("description"))
            for m in sec.findall("memberdef"):
                if m.get("kind") != "function":
                    continue
                own = text(m.find("briefdescription")) or text(m.find("detaileddescription"))
                loc = m.find("location")
                where = f"{os.path.basename(loc.get('file'))}:{loc.get('line')}"
                out.append((m.findtext("name"), where, bool(own or group)))
    return out


def main():
    args = sys.argv[1:]
    check = "--check" in args
    args = [a for a in args if a != "--check"]
    if len(args) != 2:
        print(__doc__.strip(), file=sys.stderr)
        sys.exit(2)
    src, out = (os.path.abspath(a) for a in args)
    doxygen = shutil.which("doxygen")
    if not doxygen:
        print("docs: doxygen not found (Debian package doxygen; make docs installs it)")
        sys.exit(77)
    awk = shutil.which("awk") or fail("awk not found")
    filt = os.path.join(src, "docs/doxygen-filter.awk")
    incdir = os.path.join(src, "include/ptkit")
    headers = sorted(os.path.join(incdir, h) for h in os.listdir(incdir) if h.endswith(".h"))
    check_filter(awk, filt, headers)

    # A fresh output directory: nothing left from an older run can hide a failure.
    for d in ("html", "xml"):
        shutil.rmtree(os.path.join(out, d), ignore_errors=True)
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(src, "docs/Doxyfile.in")) as f:
        conf = f.read()
    for k, v in {"PROJECT_VERSION": version(src), "PTKIT_DOCS_OUT": out,
                 "PROJECT_SOURCE_DIR": src, "PTKIT_AWK": awk}.items():
        conf = conf.replace(f"@{k}@", v)
    doxyfile = os.path.join(out, "Doxyfile")
    with open(doxyfile, "w") as f:
        f.write(conf)
    r = subprocess.run([doxygen, doxyfile], capture_output=True, text=True, cwd=out)
    with open(os.path.join(out, "warnings.log")) as f:
        warnings = f.read().strip()
    problems = "\n".join(s for s in (r.stderr.strip(), warnings) if s)
    if r.returncode != 0 or problems:
        fail(f"doxygen (exit {r.returncode}):\n{problems}")

    funcs = functions(os.path.join(out, "xml"))
    # static.h defines again, per format, functions that other headers declare and document.
    documented = {n for n, _, d in funcs if d}
    missing = sorted({(w, n) for n, w, d in funcs if not d and n not in documented})
    print(f"docs: {os.path.join(out, 'html', 'index.html')}: {len(documented)} functions"
          f" of include/ptkit documented")
    if check and missing:
        for w, n in missing:
            print(f"docs: {w}: public function {n} has no comment", file=sys.stderr)
        fail(f"{len(missing)} public functions without a comment (docs/ABI.md, 'API reference')")
    if check and len(documented) == 0:
        fail("no documented function found: the filter or the Doxyfile is broken")


if __name__ == "__main__":
    main()
