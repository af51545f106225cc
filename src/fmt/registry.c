/* SPDX-License-Identifier: MIT */
/* The formats ptkit knows, looked up by name. */
#include <ptkit/format.h>

extern const struct pt_format pt_format_x86_64, pt_format_x86_64_la57;

static const struct pt_format *const formats[] = {
	&pt_format_x86_64,
	&pt_format_x86_64_la57,
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
	return i < sizeof(formats) / sizeof(formats[0]) ? formats[i] : 0;
}

const struct pt_format *pt_format_find(const char *name)
{
	for (unsigned i = 0; pt_format_at(i); i++)
		if (name_eq(formats[i]->name, name))
			return formats[i];
	return 0;
}
