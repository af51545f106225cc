/* SPDX-License-Identifier: MIT */
/*
 * Randomized differential test of pt_map / pt_unmap / pt_protect against the interval
 * model, for every format: thousands of steps per seed, the whole tree compared after
 * each one. PTKIT_DIFF_STEPS and PTKIT_DIFF_SEEDS scale it.
 */
#include "diff_engine.h"

int main(void)
{
	unsigned long steps =
		getenv("PTKIT_DIFF_STEPS") ? strtoul(getenv("PTKIT_DIFF_STEPS"), 0, 0) : 600;
	unsigned long seeds =
		getenv("PTKIT_DIFF_SEEDS") ? strtoul(getenv("PTKIT_DIFF_SEEDS"), 0, 0) : 1;
	unsigned long total = 0;

	for (unsigned i = 0; pt_format_at(i); i++) {
		for (unsigned long seed = 1; seed <= seeds; seed++) {
			struct diff d;
			diff_init(&d, pt_format_at(i), seed, false);
			for (unsigned long k = 0; k < steps; k++) {
				/* Start a new episode now and then, so trees stay comparable per
				 * step. */
				if (k % 250 == 249 && !CHECK(diff_drain(&d)))
					break;
				if (!diff_step(&d)) {
					fprintf(stderr, "%s seed %lu failed at step %lu\n",
						d.f->name, seed, d.steps);
					break;
				}
			}
			CHECK(diff_drain(&d));
			printf("%s seed %lu: %lu steps, %lu succeeded, %lu refused as the model "
			       "predicted (of them %lu split / collapse / age edits, %lu done), "
			       "%llu tables peak\n",
			       d.f->name, seed, d.steps, d.ok, d.expected_fail, d.edits,
			       d.edits_done, (unsigned long long)d.a.allocs);
			total += d.steps;
			diff_fini(&d);
		}
	}
	printf("differential: %lu steps in all\n", total);
	return CHECK_DONE();
}
