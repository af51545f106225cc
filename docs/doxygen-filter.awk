# SPDX-License-Identifier: MIT
# Doxygen's INPUT_FILTER for include/ptkit/*.h (docs/Doxyfile.in). The headers' comments are
# plain C comments; this makes them Doxygen's, line for line (warnings keep their lines):
#   the first comment after the SPDX line              the file's (@file)
#   a comment that opens a line outside a function     the declaration after it (/**); over
#   body, not followed by a blank line                 a block of declarations (up to the
#                                                      next blank line) the block's: a member
#                                                      group named after them (@name)
#   a comment after code on its line                   the member or enumerator's (/**<)
# Comments in function bodies, and those followed by a blank line (section titles), stay
# plain. "#word" in a doc comment is text, not a Doxygen link (@#word).

# Brace depth after line s (comments and literals left out).
function braces(s) {
	gsub(/\/\*.*\*\//, "", s)
	gsub(/"([^"\\]|\\.)*"/, "", s)
	gsub(/'([^'\\]|\\.)*'/, "", s)
	depth += gsub(/\{/, "{", s) - gsub(/\}/, "}", s)
}
function doc(s) {
	gsub(/#[A-Za-z]/, "@&", s)
	return s
}
function is_comment_start(s) {
	return s ~ /^[ \t]*\/\*([^*@]|$)/
}
# One line that is not part of a held file-level comment: member and trailing comments.
function conv(s) {
	if (incomm) {
		incomm = s !~ /\*\//
		if (docomm)
			s = doc(s)
	} else if (!infn && depth > 0 && is_comment_start(s)) {
		sub(/\/\*/, "/**", s)
		s = doc(s)
		incomm = s !~ /\*\//
		docomm = 1
	} else if (!infn && s ~ /[^ \t].*\/\*([^*]|$)/ && s !~ /^[ \t]*\*/) {
		sub(/\/\*/, "/**<", s)
		incomm = s !~ /\*\/[ \t]*$/
		docomm = 1
	} else if (s ~ /\/\*/ && s !~ /\*\//) {
		incomm = 1
		docomm = 0
	}
	# A function body: "{" at column 0 to "}" at column 0 (the style's static inline ones).
	if (s ~ /^\{/)
		infn = 1
	else if (s ~ /^\}/)
		infn = 0
	braces(s)
	return s
}
# A file-level declaration starts on this line (depth 0 before it): count it and its name.
function count_decl(s, name) {
	if (depth != 0 || infn || incomm || !ended || s ~ /^[ \t{}]/ || s == "")
		return
	if (s ~ /^#/) {
		if (s !~ /^#[ \t]*define[ \t]/)
			return
		name = s
		sub(/^#[ \t]*define[ \t]+/, "", name)
		sub(/[^A-Za-z0-9_].*/, "", name)
	} else if (match(s, /[A-Za-z_][A-Za-z0-9_]*[ \t]*\(/)) {
		name = substr(s, RSTART, RLENGTH)
		sub(/[ \t]*\($/, "", name)
	} else if (match(s, /(struct|enum|union)[ \t]+[A-Za-z_][A-Za-z0-9_]*/)) {
		name = substr(s, RSTART, RLENGTH)
	} else {
		name = "?"
	}
	ndecl++
	if (name !~ /_$/) # the headers' internals (EXCLUDE_SYMBOLS)
		names = names (names == "" ? "" : ", ") name
}
# Whether the line just converted ends a declaration (the next one can start).
function note_end(s) {
	if (depth == 0 && !infn && !incomm)
		ended = s ~ /(;|\}|\*\/)[ \t]*$/ || (s ~ /^#/ && s !~ /\\$/)
}
# Print the held comment (cbuf) and the block after it (dbuf).
function flush(i, last) {
	if (nc == 0)
		return
	if (!seen) {
		sub(/\/\*/, "/** @file " fname, cbuf[1])
	} else if (nd > 0) {
		sub(/\/\*/, "/**", cbuf[1])
		if (ndecl >= 2) {
			sub(/\*\/[ \t]*$/, "@name " names " */ /**@{*/", cbuf[nc])
			close_group = 1 # on the line after the block (a blank one, or a comment)
		}
	}
	if (nd > 0 || !seen)
		for (i = 1; i <= nc; i++)
			cbuf[i] = doc(cbuf[i])
	if (close_first)
		cbuf[1] = "/**@}*/ " cbuf[1]
	close_first = 0
	seen = 1
	for (i = 1; i <= nc; i++)
		print cbuf[i]
	for (i = 1; i <= nd; i++)
		print dbuf[i]
	nc = nd = ndecl = 0
	names = ""
}
FNR == 1 {
	n = split(FILENAME, p, "/")
	fname = p[n]
	ended = 1
}
/SPDX-License-Identifier/ { print; next }
{
	line = $0
	if (holding && !cclosed) { # inside the held comment
		cbuf[++nc] = line
		cclosed = line ~ /\*\//
		next
	}
	if (holding && (line ~ /^[ \t]*$/ || (!infn && depth == 0 && is_comment_start(line)))) {
		# the block ends: a blank line or the next file-level comment
		flush()
		holding = 0
		if (close_group && line ~ /^[ \t]*$/) {
			print "/**@}*/"
			close_group = 0
			next
		}
	}
	if (!holding && !infn && depth == 0 && !incomm && is_comment_start(line)) {
		holding = 1
		nc = 1
		cbuf[1] = line
		close_first = close_group # the group before ends on this line
		close_group = 0
		cclosed = line ~ /\*\//
		ended = 1
		next
	}
	if (holding) {
		count_decl(line)
		dbuf[++nd] = conv(line)
		note_end(dbuf[nd])
		next
	}
	line = conv(line)
	note_end(line)
	print line
}
END {
	flush()
	if (close_group || close_first)
		print "/**@}*/"
}
