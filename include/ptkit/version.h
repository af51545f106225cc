/* SPDX-License-Identifier: MIT */
/*
 * ptkit's version. CMakeLists.txt reads these three numbers (the project version; the
 * shared library is libptkit.so.PTKIT_VERSION_MAJOR): bump them here. A release whose
 * exported functions or structures change incompatibly bumps the major number.
 */
#ifndef PTKIT_VERSION_H
#define PTKIT_VERSION_H

#define PTKIT_VERSION_MAJOR 0
#define PTKIT_VERSION_MINOR 2
#define PTKIT_VERSION_PATCH 0

#define PTKIT_VERSION_STR_(x) #x
#define PTKIT_VERSION_STR(x) PTKIT_VERSION_STR_(x)
/* "MAJOR.MINOR.PATCH" of the headers being compiled against. */
#define PTKIT_VERSION_STRING                                                                       \
	PTKIT_VERSION_STR(PTKIT_VERSION_MAJOR)                                                     \
	"." PTKIT_VERSION_STR(PTKIT_VERSION_MINOR) "." PTKIT_VERSION_STR(PTKIT_VERSION_PATCH)

/*
 * The version of the library linked at run time, "MAJOR.MINOR.PATCH" (it may differ from
 * PTKIT_VERSION_STRING when a newer shared library of the same major is installed).
 */
const char *pt_version(void);

#endif
