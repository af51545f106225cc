// SPDX-License-Identifier: MIT
/*
 * The page codecs of kdump-compressed files (makedumpfile's DUMP_DH_COMPRESSED_* flags),
 * each present only when CMake found its library: PTKIT_HAVE_ZLIB (zlib1g-dev),
 * PTKIT_HAVE_LZO (liblzo2-dev), PTKIT_HAVE_SNAPPY (libsnappy-dev), PTKIT_HAVE_ZSTD
 * (libzstd-dev). A page needs its whole page back: any other size is corrupt data.
 */
#include <stdio.h>

#include "dump_internal.h"

#ifdef PTKIT_HAVE_ZLIB
#include <zlib.h>
#endif
#ifdef PTKIT_HAVE_LZO
#include <lzo/lzo1x.h>
#endif
#ifdef PTKIT_HAVE_SNAPPY
#include <snappy-c.h>
#endif
#ifdef PTKIT_HAVE_ZSTD
#include <zstd.h>
#endif

const char *kdump_codec_name(unsigned codec)
{
	switch (codec) {
	case KDUMP_ZLIB:
		return "zlib";
	case KDUMP_LZO:
		return "lzo";
	case KDUMP_SNAPPY:
		return "snappy";
	case KDUMP_ZSTD:
		return "zstd";
	}
	return "?";
}

static const char *codec_package(unsigned codec)
{
	switch (codec) {
	case KDUMP_ZLIB:
		return "zlib1g-dev";
	case KDUMP_LZO:
		return "liblzo2-dev";
	case KDUMP_SNAPPY:
		return "libsnappy-dev";
	}
	return "libzstd-dev";
}

/* Bytes produced, or -1 when the codec says the data is corrupt, -2 when not built in. */
static long long run(unsigned codec, const void *in, size_t in_n, void *out, size_t out_n)
{
	switch (codec) {
#ifdef PTKIT_HAVE_ZLIB
	case KDUMP_ZLIB: {
		uLongf n = (uLongf)out_n;
		return uncompress(out, &n, in, (uLong)in_n) == Z_OK ? (long long)n : -1;
	}
#endif
#ifdef PTKIT_HAVE_LZO
	case KDUMP_LZO: {
		lzo_uint n = out_n;
		if (lzo_init() != LZO_E_OK)
			return -1;
		return lzo1x_decompress_safe(in, in_n, out, &n, NULL) == LZO_E_OK ? (long long)n
										  : -1;
	}
#endif
#ifdef PTKIT_HAVE_SNAPPY
	case KDUMP_SNAPPY: {
		size_t n = out_n;
		return snappy_uncompress(in, in_n, out, &n) == SNAPPY_OK ? (long long)n : -1;
	}
#endif
#ifdef PTKIT_HAVE_ZSTD
	case KDUMP_ZSTD: {
		size_t n = ZSTD_decompress(out, out_n, in, in_n);
		return ZSTD_isError(n) ? -1 : (long long)n;
	}
#endif
	default:
		(void)in;
		(void)in_n;
		(void)out;
		(void)out_n;
		return -2;
	}
}

int kdump_decompress(unsigned codec, const void *in, size_t in_n, void *out, size_t out_n,
		     char *why, size_t why_n)
{
	long long got = run(codec, in, in_n, out, out_n);

	if (got == (long long)out_n)
		return 0;
	if (got == -2)
		snprintf(why, why_n,
			 "compressed with %s, which this ptkit was built without (install %s and "
			 "rebuild)",
			 kdump_codec_name(codec), codec_package(codec));
	else if (got < 0)
		snprintf(why, why_n,
			 "%s data of %zu bytes does not decompress (corrupt, or more than a page "
			 "of %zu)",
			 kdump_codec_name(codec), in_n, out_n);
	else
		snprintf(why, why_n,
			 "%s data of %zu bytes decompresses to %lld bytes, not a page of %zu",
			 kdump_codec_name(codec), in_n, got, out_n);
	return -1;
}
