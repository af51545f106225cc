#!/bin/sh
# SPDX-License-Identifier: MIT
# CTest python_pytest (cmake/python.cmake): the pytest suite of the Python package, over the
# build's libptkit.so (PTKIT_LIBRARY) and CLI (PTKIT_CLI). Python runs from the source tree
# (python/ on PYTHONPATH). With PTKIT_SANITIZE=ON the library is built with ASan, whose
# runtime must come first in the process: it is preloaded into python (leak checks off:
# the interpreter's own allocations are not ours).
# usage: run_pytest.sh SOURCE_DIR; exit 77 (skipped) when no python3 has pytest.
set -eu

src=$1
py=
for p in ${PTKIT_PYTHON:-} /usr/bin/python3 python3; do
	if "$p" -c 'import pytest' >/dev/null 2>&1; then
		py=$p
		break
	fi
done
if [ -z "$py" ]; then
	echo "python_pytest: no python3 with pytest (scripts/install-deps.sh installs python3-pytest): skipped"
	exit 77
fi

if [ "${PTKIT_SANITIZE:-OFF}" = ON ]; then
	asan=$(${CC:-cc} -print-file-name=libasan.so)
	[ -e "$asan" ] || { echo "python_pytest: libasan.so not found ($asan)" >&2; exit 1; }
	export LD_PRELOAD="$asan"
	export ASAN_OPTIONS="detect_leaks=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
fi
export PYTHONPATH="$src/python${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONDONTWRITEBYTECODE=1
exec "$py" -m pytest -q -p no:cacheprovider "$src/tests/python" "$@"
