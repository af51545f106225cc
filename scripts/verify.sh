#!/bin/sh
# SPDX-License-Identifier: MIT
# scripts/verify.sh FORMAT [COUNT] [SEED] [-- extra scripts/verify.py options]
# Check ptkit-built tables for FORMAT against QEMU's MMU (see docs/VERIFICATION.md).
# FORMAT "all" runs every format that has a probe. Exit 0: no disagreement.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
fmt=${1:?usage: verify.sh FORMAT|all [COUNT] [SEED] [-- verify.py options]}
shift
count=200
seed=
if [ $# -gt 0 ] && [ "$1" != "--" ]; then count=$1; shift; fi
if [ $# -gt 0 ] && [ "$1" != "--" ]; then seed=$1; shift; fi
[ "${1:-}" = "--" ] && shift
if [ "$fmt" = all ]; then
	# every format `ptkit formats` lists (each has a probe)
	set -- $("$here/../build/ptkit" formats | awk '{print $1}') -- "$@"
else
	set -- "$fmt" -- "$@"
fi
fmts=
while [ "$1" != "--" ]; do fmts="$fmts $1"; shift; done
shift
rc=0
for f in $fmts; do
	python3 "$here/verify.py" --format "$f" --count "$count" ${seed:+--seed "$seed"} "$@" || rc=1
done
exit $rc
