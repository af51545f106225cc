#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# PROT_NONE (flag `none`, no r/w/x): `protect` keeps the leaf but translate says it faults;
# dump lists it as `none,...` with its PA; protecting it back maps it again; `none` with
# r, w or x is an error, and so is `none,global` where G is the mark (x86, RISC-V).
. "$(dirname "$0")/lib.sh"

# FORMAT LEVEL-NAME-OF-A-4K-LEAF GLOBAL-OK
for f in "x86_64 pte no" "x86_64-la57 pte no" "arm64-4k-48 L3 yes" "riscv-sv39 L0 no" \
	"ppc64-radix-4k pte yes"; do
	read -r fmt pte global_ok <<<"$f"
	cat >spec <<'SPEC'
map 0x400000 0x200000 16K r,w,user pagesize=4K
protect 0x401000 8K none,user
SPEC
	run "$PTKIT" build --format "$fmt" --base 0x100000 -o img spec
	expect_rc 0
	ROOT=$(awk '$1 == "root" { print $2 }' out)
	TR=("$PTKIT" translate --format "$fmt" --image img --base 0x100000 --root "$ROOT")
	run "${TR[@]}" 0x400000 0x401000 0x402fff 0x403000
	expect_rc 0
	expect_no_stderr
	expect_line "0x401000 fault $pte"
	expect_line "0x402fff fault $pte"
	grep -q '^0x400000 0x200000 4K r,w,user' out || fail "$fmt: 0x400000 should translate"
	grep -q '^0x403000 0x203000 4K r,w,user' out || fail "$fmt: 0x403000 should translate"

	run "$PTKIT" dump --format "$fmt" --image img --base 0x100000 --root "$ROOT"
	expect_rc 0
	expect_no_stderr
	grep -Eq "^0x0*401000-0x0*403000 +8K $pte none,user[a-z,]* pa 0x201000\$" out ||
		fail "$fmt: dump does not list the PROT_NONE pages"
	run "$PTKIT" dump --format "$fmt" --image img --base 0x100000 --root "$ROOT" --json
	expect_rc 0
	grep -q '"flags": \["none","user"' out || fail "$fmt: --json lacks \"none\""

	# Back to read-write: the same frames again.
	printf 'protect 0x401000 8K r,w,user\n' >>spec
	run "$PTKIT" build --format "$fmt" --base 0x100000 -o img2 spec
	expect_rc 0
	ROOT=$(awk '$1 == "root" { print $2 }' out)
	run "$PTKIT" translate --format "$fmt" --image img2 --base 0x100000 --root "$ROOT" 0x402fff
	expect_rc 0
	grep -q '^0x402fff 0x202fff 4K r,w,user' out || fail "$fmt: not mapped again"

	printf 'map 0x400000 0x200000 4K none,r\n' >bad.spec
	run "$PTKIT" build --format "$fmt" --base 0x100000 -o img3 bad.spec
	expect_rc 1
	expect_one_error "none"
	printf 'map 0x400000 0x200000 4K none,global\n' >g.spec
	run "$PTKIT" build --format "$fmt" --base 0x100000 -o img3 g.spec
	if [ "$global_ok" = yes ]; then expect_rc 0; else expect_rc 1; fi
done
echo "cli_protnone: ok"
