// SPDX-License-Identifier: MIT
/* pt_version: the library's own version (include/ptkit/version.h). Freestanding. */
#include "ptkit/version.h"

const char *pt_version(void)
{
	return PTKIT_VERSION_STRING;
}
