#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# QEMU's own kdump-compressed files against its ELF dump (docs/DUMPS.md): start an idle q35
# guest (no kernel: memory is mostly zeros, firmware included), take dump-guest-memory as an
# ELF core and in every kdump-* format this QEMU offers (QEMU 7.2 writes them flattened),
# make a plain kdump file with `makedumpfile -R` when makedumpfile is installed, then run
# test_kdumpfile with PTKIT_QEMU_DUMPS pointing there: every page of the ELF dump must read
# the same through each kdump file (and through libkdumpfile, when the test has it).
#
# usage: scripts/kdump-qemu.sh TEST_KDUMPFILE    Exit 77 (skipped) without QEMU or python3.
set -euo pipefail

TEST=$1
command -v qemu-system-x86_64 >/dev/null || { echo "kdump-qemu: SKIP: no qemu-system-x86_64"; exit 77; }
command -v python3 >/dev/null || { echo "kdump-qemu: SKIP: no python3"; exit 77; }
W=$(mktemp -d /tmp/ptkit-kdump-qemu.XXXXXX)
QPID=
cleanup() {
	[ -z "$QPID" ] || kill "$QPID" 2>/dev/null || true
	rm -rf "$W"
}
trap cleanup EXIT

qemu-system-x86_64 -M q35 -m 64 -display none -S -nodefaults \
	-qmp "unix:$W/qmp.sock,server=on,wait=off" >"$W/qemu.log" 2>&1 &
QPID=$!
for _ in $(seq 100); do [ -S "$W/qmp.sock" ] && break; sleep 0.1; done

python3 - "$W" <<'PY'
import json, socket, sys
w = sys.argv[1]
s = socket.socket(socket.AF_UNIX)
s.connect(w + "/qmp.sock")
f = s.makefile("rw")

def reply():
    while True:
        m = json.loads(f.readline())
        if "event" not in m:
            return m

def cmd(name, args=None):
    f.write(json.dumps({"execute": name, "arguments": args or {}}) + "\n")
    f.flush()
    r = reply()
    if "error" in r:
        sys.exit("kdump-qemu: %s: %s" % (name, r["error"]["desc"]))
    return r["return"]

reply()
cmd("qmp_capabilities")
formats = cmd("query-dump-guest-memory-capability")["formats"]
cmd("dump-guest-memory", {"paging": False, "protocol": "file:%s/g.elf" % w})
names = {"kdump-zlib": "z.flat", "kdump-lzo": "lzo.flat", "kdump-snappy": "snappy.flat",
         "kdump-zstd": "zstd.flat"}
for fmt in formats:
    if fmt in names:
        cmd("dump-guest-memory", {"paging": False, "format": fmt,
                                  "protocol": "file:%s/%s" % (w, names[fmt])})
        print("kdump-qemu: QEMU wrote %s (%s)" % (names[fmt], fmt))
cmd("quit")
PY
wait "$QPID" || true
QPID=
[ -f "$W/z.flat" ] || { echo "kdump-qemu: QEMU wrote no kdump-zlib file"; exit 1; }
head -c 12 "$W/z.flat" | grep -q makedumpfile && echo "kdump-qemu: z.flat is in the flattened form"
if command -v makedumpfile >/dev/null; then
	makedumpfile -R "$W/z.kdump" <"$W/z.flat" >/dev/null
	echo "kdump-qemu: makedumpfile -R wrote z.kdump"
else
	echo "kdump-qemu: no makedumpfile: z.kdump (plain form) not checked"
fi
PTKIT_QEMU_DUMPS=$W "$TEST"
