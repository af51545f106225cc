#!/bin/sh
# SPDX-License-Identifier: MIT
# make bench: build build/ with -O2 (RelWithDebInfo, no sanitizers), run bench/ptkit_bench
# (ptkit vs hand-written per-level reference walkers vs the plain-loop limit), optionally
# count instructions per workload under callgrind, and refresh the generated part of
# docs/PERFORMANCE.md (and docs/perf_ratios.png when gnuplot is available).
#
#   BENCH_QUICK=1      reduced sizes (< 1 minute)
#   BENCH_CALLGRIND=0  skip the callgrind pass (default: on for the full run, off with
#                      BENCH_QUICK=1; needs valgrind, installed when missing)
#   BENCH_DOCS=0       do not touch docs/
#   BENCH_INSTALL=0    do not apt-get install valgrind / gnuplot-nox when missing
#   BUILD=dir          build directory (default build)
set -eu

cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
OUT=$BUILD/bench
JOBS=$(nproc 2>/dev/null || echo 2)
QUICK=${BENCH_QUICK:-0}
[ "$QUICK" = 0 ] && QUICK=
SIZE=--full
[ -n "$QUICK" ] && SIZE=--quick

# --- tools the bench (not make test) wants: best effort --------------------------------
want_pkg() { # command package
	command -v "$1" >/dev/null 2>&1 && return 0
	[ "${BENCH_INSTALL:-1}" = 1 ] || return 0
	command -v apt-get >/dev/null 2>&1 || return 0
	sudo=
	[ "$(id -u)" -ne 0 ] && sudo=sudo
	echo "bench: installing $2" >&2
	$sudo apt-get install -y -q "$2" >/dev/null 2>&1 ||
		{ $sudo apt-get update -q >/dev/null 2>&1 && $sudo apt-get install -y -q "$2" >/dev/null 2>&1; } ||
		echo "bench: could not install $2 (continuing without it)" >&2
}
CALLGRIND_DEFAULT=1
[ -n "$QUICK" ] && CALLGRIND_DEFAULT=0
CALLGRIND=${BENCH_CALLGRIND:-$CALLGRIND_DEFAULT}
[ "$CALLGRIND" = 1 ] && want_pkg valgrind valgrind
[ "${BENCH_DOCS:-1}" = 1 ] && want_pkg gnuplot gnuplot-nox

# --- build: -O2, no sanitizers ----------------------------------------------------------
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPTKIT_SANITIZE=OFF >/dev/null
cmake --build "$BUILD" -j "$JOBS" --target ptkit_bench >/dev/null
BIN=$BUILD/bench/ptkit_bench
mkdir -p "$OUT"

# --- instruction counts: one callgrind run per format, one dump per measured segment ----
IR=$OUT/ir.tsv
: >"$IR"
if [ "$CALLGRIND" = 1 ] && command -v valgrind >/dev/null 2>&1; then
	rm -rf "$OUT/callgrind"
	mkdir -p "$OUT/callgrind"
	for f in $("$BIN" --list); do
		echo "bench: callgrind $f (reduced sizes)" >&2
		valgrind --tool=callgrind --callgrind-out-file="$OUT/callgrind/$f.out" \
			"$BIN" --small --reps 1 --format "$f" >/dev/null 2>"$OUT/callgrind/$f.log" ||
			{ echo "bench: callgrind run for $f failed, see $OUT/callgrind/$f.log" >&2; continue; }
		# desc: Trigger: Client Request: <workload>/<impl>/<ops>   then   summary: <Ir>
		for d in "$OUT/callgrind/$f.out".*; do
			awk -v fmt="$f" '
				/^desc: Trigger: Client Request: / { split($5, a, "/"); w = a[1]; i = a[2]; n = a[3] }
				/^summary: / { if (w != "" && n > 0) printf "%s\t%s\t%s\t%.3f\n", fmt, w, i, $2 / n }
			' "$d" >>"$IR"
		done
	done
fi

# --- the timed run ------------------------------------------------------------------------
echo "bench: timing ($SIZE)" >&2
set +e
"$BIN" $SIZE --json "$OUT/results.json" --ir "$IR" | tee "$OUT/table.txt"
rc=$?
set -e
[ "$rc" -eq 0 ] || { echo "bench: ptkit and the reference disagree (exit $rc)" >&2; exit "$rc"; }

# --- docs -------------------------------------------------------------------------------
[ "${BENCH_DOCS:-1}" = 1 ] || exit 0
python3 bench/report.py "$OUT/results.json" docs/PERFORMANCE.md "$OUT/ratios.dat"
if command -v gnuplot >/dev/null 2>&1; then
	gnuplot <<EOF
set terminal pngcairo size 1200,700 noenhanced
set output "docs/perf_ratios.png"
set title "ptkit / hand-written reference, median time (1.0 = as fast; log scale)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set logscale y
set yrange [0.3:*]
set grid ytics
set xtics rotate by -40 scale 0
set key top left
set bmargin 9
plot "$OUT/ratios.dat" using 2:xtic(1) title columnheader(2), '' using 3 title columnheader(3), 1 with lines lc rgb "black" dt 2 notitle
EOF
	echo "bench: wrote docs/perf_ratios.png" >&2
else
	echo "bench: gnuplot not available, no docs/perf_ratios.png" >&2
fi
