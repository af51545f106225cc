# SPDX-License-Identifier: MIT
# bash completion for ptkit: commands, each command's options and format names. Everything is
# read from ptkit itself at completion time (its global usage, `ptkit CMD --help`, `ptkit
# formats`), so it follows the binary it completes for.

# The commands: the indented first words of the global usage.
_ptkit_commands()
{
	"$1" --help 2>/dev/null | sed -n 's/^  \([a-z][a-z0-9-]*\) .*/\1/p'
}

# One line per option of CMD's usage synopsis (up to its first blank line):
# "OPT" for a switch, "OPT VALUE" for an option taking VALUE (e.g. "--accel tcg|kvm").
_ptkit_options()
{
	local usage
	usage=$("$1" "$2" --help 2>/dev/null) || return 0
	sed '/^$/q' <<<"$usage" | tr -s ' \t\n' '\n' | awk '
		function flush(v) { for (i = 1; i <= n; i++) print pend[i] (v == "" ? "" : " " v); n = 0 }
		{
			t = $0
			if (n) {
				if (t ~ /^[[|-]/) flush("")
				else { v = t; gsub(/[][]/, "", v); flush(v); next }
			}
			sub(/^\[+/, "", t)
			if (t !~ /^-/) next
			closed = (t ~ /\]$/)
			sub(/\]+$/, "", t)
			k = split(t, alt, "|")
			for (j = 1; j <= k; j++)
				if (alt[j] ~ /^--?[a-z0-9]/) pend[++n] = alt[j]
			if (closed) flush("")
		}
		END { flush("") }'
	echo --help
}

_ptkit()
{
	local ptkit=${COMP_WORDS[0]} cur=${COMP_WORDS[COMP_CWORD]-} prev="" cmd="" w
	COMPREPLY=()
	[ "$COMP_CWORD" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD - 1]}
	# bash splits --opt=VAL at '=': complete VAL as the value of --opt.
	if [ "$cur" = "=" ]; then
		cur=""
	elif [ "$prev" = "=" ] && [ "$COMP_CWORD" -gt 1 ]; then
		prev=${COMP_WORDS[COMP_CWORD - 2]}
	fi
	ptkit=$(type -P -- "${ptkit/#\~/$HOME}") || return 0

	if [ "$COMP_CWORD" -le 1 ]; then
		w="$(_ptkit_commands "$ptkit") help --help --version"
		mapfile -t COMPREPLY < <(compgen -W "$w" -- "$cur")
		return 0
	fi
	cmd=${COMP_WORDS[1]}
	if [ "$cmd" = help ]; then
		[ "$COMP_CWORD" -eq 2 ] &&
			mapfile -t COMPREPLY < <(compgen -W "$(_ptkit_commands "$ptkit")" -- "$cur")
		return 0
	fi

	local opts
	opts=$(_ptkit_options "$ptkit" "$cmd")
	[ -n "$opts" ] || return 0
	# The value of an option: format names, the literal choices of its usage, or files for
	# an upper-case placeholder (IMAGE, DIR); numbers and addresses have nothing to offer.
	if [[ $prev == -* ]]; then
		local value
		value=$(awk -v o="$prev" '$1 == o { print $2 }' <<<"$opts")
		if [ "$prev" = --format ]; then
			w=$("$ptkit" formats 2>/dev/null | awk '{ print $1 }')
			mapfile -t COMPREPLY < <(compgen -W "$w" -- "$cur")
			return 0
		fi
		if [ -n "$value" ]; then
			local choices=""
			for w in ${value//|/ }; do
				case $w in
				*[a-z]*) [[ $w == *[A-Z]* ]] || choices+=" $w" ;;
				esac
			done
			if [ -n "$choices" ]; then
				mapfile -t COMPREPLY < <(compgen -W "$choices" -- "$cur")
			fi
			case $value in
			DIR*) w=-d ;;
			IMAGE* | FILE* | SPEC*) w=-f ;;
			*) w="" ;;
			esac
			if [ -n "$w" ]; then
				compopt -o filenames 2>/dev/null || true
				mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen "$w" -- "$cur")
			fi
			return 0
		fi
	fi
	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$(awk '{ print $1 }' <<<"$opts")" -- "$cur")
		return 0
	fi
	# Positional arguments: build's SPEC is a file; translate's VAs are numbers.
	if [ "$cmd" = build ]; then
		compopt -o filenames 2>/dev/null || true
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
	fi
	return 0
}

complete -F _ptkit ptkit
