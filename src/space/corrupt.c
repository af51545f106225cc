/* SPDX-License-Identifier: MIT */
/* ptkit: why a walk of a corrupt tree stopped, in words (include/ptkit/space.h). */
#include <stdio.h>

#include "ptkit/dump.h"
#include "ptkit/space.h"
#include "ptkit/walk.h"

void pt_corrupt_reason(const struct mm_walk_state *st, int err, const struct pt_dump *d, char *buf,
		       size_t len)
{
	struct pt_entry_info info = { 0 };
	bool have = st->err == err && st->level >= 0 && st->level < st->fmt->levels;
	char why[256];

	if (have)
		pt_format_decode(st->fmt, st->entry, st->level, &info);
	switch (err) {
	case -PT_EFAULT:
		if (have && info.kind == PT_ENTRY_TABLE && st->level > 0 && d &&
		    pt_dump_explain(d, info.pa, pt_table_bytes(st->fmt, st->level - 1), why,
				    sizeof(why)))
			snprintf(buf, len, "table pointer 0x%llx: %s", (unsigned long long)info.pa,
				 why);
		else if (have && info.kind == PT_ENTRY_TABLE)
			snprintf(buf, len, "table pointer 0x%llx outside the image",
				 (unsigned long long)info.pa);
		else
			snprintf(buf, len, "table pointer outside the image");
		break;
	case -PT_ELOOP:
		if (have && info.kind == PT_ENTRY_TABLE)
			snprintf(buf, len, "table loop: 0x%llx is already on the walk",
				 (unsigned long long)info.pa);
		else
			snprintf(buf, len, "table loop");
		break;
	case -PT_EBADENT:
		if (have)
			snprintf(buf, len, "bad entry 0x%016llx (%s)",
				 (unsigned long long)st->entry,
				 info.why ? info.why : "reserved encoding");
		else
			snprintf(buf, len, "bad entry (reserved encoding)");
		break;
	default:
		snprintf(buf, len, "%s", pt_strerror(err));
	}
}
