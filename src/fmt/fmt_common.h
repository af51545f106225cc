/* SPDX-License-Identifier: MIT */
/* Helpers every format header uses: whole-entry loads and stores in a given byte order. */
#ifndef PTKIT_FMT_COMMON_H
#define PTKIT_FMT_COMMON_H

#include <ptkit/types.h>

/* One single-copy-atomic access per entry, so lockless readers never see a torn entry. */
static inline uint64_t pt_load_raw64(const uint8_t *p)
{
	return __atomic_load_n((const uint64_t *)(const void *)p, __ATOMIC_RELAXED);
}
static inline void pt_store_raw64(uint8_t *p, uint64_t v)
{
	__atomic_store_n((uint64_t *)(void *)p, v, __ATOMIC_RELEASE);
}

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
static inline uint64_t pt_load_le64(const uint8_t *p) { return pt_load_raw64(p); }
static inline void pt_store_le64(uint8_t *p, uint64_t v) { pt_store_raw64(p, v); }
static inline uint64_t pt_load_be64(const uint8_t *p) { return __builtin_bswap64(pt_load_raw64(p)); }
static inline void pt_store_be64(uint8_t *p, uint64_t v) { pt_store_raw64(p, __builtin_bswap64(v)); }
#else
static inline uint64_t pt_load_be64(const uint8_t *p) { return pt_load_raw64(p); }
static inline void pt_store_be64(uint8_t *p, uint64_t v) { pt_store_raw64(p, v); }
static inline uint64_t pt_load_le64(const uint8_t *p) { return __builtin_bswap64(pt_load_raw64(p)); }
static inline void pt_store_le64(uint8_t *p, uint64_t v) { pt_store_raw64(p, __builtin_bswap64(v)); }
#endif

#endif
