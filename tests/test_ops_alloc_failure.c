/* SPDX-License-Identifier: MIT */
/*
 * Atomicity: every random map/unmap/protect step is first run with its 1st, 2nd, ...
 * table allocation failing; each failure must return -PT_ENOMEM and leave the tables
 * byte for byte as they were (and no table leaked), then the step runs for real.
 */
#include "diff_engine.h"

int main(void)
{
	unsigned long steps =
		getenv("PTKIT_DIFF_STEPS") ? strtoul(getenv("PTKIT_DIFF_STEPS"), 0, 0) : 120;

	for (unsigned i = 0; pt_format_at(i); i++) {
		struct diff d;
		diff_init(&d, pt_format_at(i), 42, true);
		for (unsigned long k = 0; k < steps; k++)
			if (!diff_step(&d))
				break;
		CHECK(d.injected >= steps / 10); /* big-page formats need fewer tables */
		CHECK(diff_drain(&d));
		printf("%s: %lu steps, %lu injected allocation failures, all left the tables "
		       "unchanged\n",
		       d.f->name, d.steps, d.injected);
		diff_fini(&d);
	}
	return CHECK_DONE();
}
