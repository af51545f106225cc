// SPDX-License-Identifier: MIT
/* pt_strerror: text for the PT_E* codes of include/ptkit/types.h. Freestanding. */
#include "ptkit/types.h"

const char *pt_strerror(int err)
{
	/* Negate in unsigned arithmetic: well defined even for INT_MIN. */
	unsigned int e = err < 0 ? 0u - (unsigned int)err : (unsigned int)err;

	switch (e) {
	case PT_OK:
		return "success";
	case PT_EINVAL:
		return "invalid argument";
	case PT_ENOMEM:
		return "out of table memory";
	case PT_EEXIST:
		return "address already mapped";
	case PT_ENOENT:
		return "address not mapped";
	case PT_ERANGE:
		return "address out of range";
	case PT_EFAULT:
		return "table pointer outside memory";
	case PT_ELOOP:
		return "table loop";
	case PT_EBADENT:
		return "reserved entry encoding";
	case PT_EROFS:
		return "read-only memory";
	case PT_EBUSY:
		return "pinned or referenced";
	}
	return "unknown error";
}
