/* SPDX-License-Identifier: MIT */
/* The formats ptkit knows, looked up by name: one NULL-terminated list per family. */
#include <ptkit/format.h>

extern const struct pt_format *const pt_family_x86[], *const pt_family_arm64[],
	*const pt_family_riscv[], *const pt_family_ppc64[];

static const struct pt_format *const *const families[] = {
	pt_family_x86,
	pt_family_arm64,
	pt_family_riscv,
	pt_family_ppc64,
};

static bool name_eq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

const struct pt_format *pt_format_at(unsigned i)
{
	for (unsigned f = 0; f < sizeof(families) / sizeof(families[0]); f++) {
		for (const struct pt_format *const *p = families[f]; *p; p++)
			if (i-- == 0)
				return *p;
	}
	return 0;
}

const struct pt_format *pt_format_find(const char *name)
{
	const struct pt_format *f;
	for (unsigned i = 0; (f = pt_format_at(i)); i++)
		if (name_eq(f->name, name))
			return f;
	return 0;
}
