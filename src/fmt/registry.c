/* SPDX-License-Identifier: MIT */
/* The formats ptkit knows, looked up by name: one NULL-terminated list per family. */
#include <ptkit/format.h>

/*
 * A firmware or kernel build that needs one architecture compiles only that family's
 * src/fmt files and leaves the others out with -DPTKIT_NO_FAMILY_X86 / _ARM64 / _RISCV /
 * _PPC64 (tests/mmu/common/fs-build.sh does this for each bare-metal probe).
 */
#ifndef PTKIT_NO_FAMILY_X86
extern const struct pt_format *const pt_family_x86[];
#endif
#ifndef PTKIT_NO_FAMILY_ARM64
extern const struct pt_format *const pt_family_arm64[];
#endif
#ifndef PTKIT_NO_FAMILY_RISCV
extern const struct pt_format *const pt_family_riscv[];
#endif
#ifndef PTKIT_NO_FAMILY_PPC64
extern const struct pt_format *const pt_family_ppc64[];
#endif

static const struct pt_format *const *const families[] = {
#ifndef PTKIT_NO_FAMILY_X86
	pt_family_x86,
#endif
#ifndef PTKIT_NO_FAMILY_ARM64
	pt_family_arm64,
#endif
#ifndef PTKIT_NO_FAMILY_RISCV
	pt_family_riscv,
#endif
#ifndef PTKIT_NO_FAMILY_PPC64
	pt_family_ppc64,
#endif
	0,
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
	for (unsigned f = 0; families[f]; f++) {
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
