#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# completions/ptkit.bash: sourced in bash, its function completes commands, options (read from
# `ptkit CMD --help`), format names (from `ptkit formats`) and option choices, with the ptkit
# under test found on PATH as an installed one would be.
script=$(cd "$(dirname "$0")/../../completions" && pwd)/ptkit.bash
. "$(dirname "$0")/lib.sh"
PTKIT=$(cd "$(dirname "$PTKIT")" && pwd)/$(basename "$PTKIT")
PATH=$(dirname "$PTKIT"):$PATH
[ "$(basename "$PTKIT")" = ptkit ] || fail "the binary under test is not named ptkit: $PTKIT"

# shellcheck source=../../completions/ptkit.bash
. "$script"
complete -p ptkit | grep -q -- '-F _ptkit' || fail "ptkit.bash does not register _ptkit for ptkit"

# expect_completion 'WANTED...' WORD...: completing the last WORD of `ptkit WORD...` gives
# exactly WANTED (sorted, space-separated).
expect_completion() {
	local want=$1 got
	shift
	COMP_WORDS=(ptkit "$@")
	COMP_CWORD=$#
	COMPREPLY=()
	set +e
	_ptkit ptkit "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
	set -e
	got=$(printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ')
	# shellcheck disable=SC2086 # $want is a word list
	[ "$got" = "$(printf '%s\n' $want | sort | tr '\n' ' ')" ] ||
		fail "'ptkit $*<TAB>' gives '$got', not '$want'"
}

expect_completion "translate" tr
expect_completion "--format" translate --fo
expect_completion "x86_64 x86_64-la57" dump --format x86
expect_completion "x86_64 x86_64-la57" dump --format = x86 # --format=x86, as bash splits it
expect_completion "riscv-sv39 riscv-sv48 riscv-sv57" build --format riscv
expect_completion "dump demo" help d
expect_completion "dump demo" d
expect_completion "--halves --help" formats --
expect_completion "--root --root1" translate --roo
expect_completion "kernel" dump --root k
expect_completion "tcg" verify --accel t
expect_completion "--workdir" verify --w
expect_completion "" dump --base 0x
expect_completion "" nosuch --

# Every command of the global usage completes, and every format name.
run "$PTKIT" --help
cmds=$(sed -n 's/^  \([a-z][a-z0-9-]*\) .*/\1/p' out)
expect_completion "$cmds help --help --version" ""
run "$PTKIT" formats
formats=$(awk '{ print $1 }' out)
[ "$(echo "$formats" | wc -w)" -ge 10 ] || fail "ptkit formats lists only: $formats"
expect_completion "$formats" dump --format ""
# Each command's options are the ones its --help shows.
for cmd in $cmds; do
	run "$PTKIT" "$cmd" --help
	for opt in $(sed '/^$/q' out | grep -oE -- '--[a-z0-9][a-z0-9-]*' | sort -u); do
		COMP_WORDS=(ptkit "$cmd" --)
		COMP_CWORD=2
		_ptkit
		printf '%s\n' "${COMPREPLY[@]}" | grep -qxF -- "$opt" ||
			fail "'ptkit $cmd --<TAB>' lacks $opt"
	done
done

# Files for IMAGE and SPEC, directories for DIR.
touch tables.img spec.txt
mkdir tables.d
expect_completion "tables.d tables.img" dump --image tab
expect_completion "spec.txt" build --format x86_64 spe
expect_completion "tables.d" verify --workdir tab

echo "PASS [$TEST_NAME]"
