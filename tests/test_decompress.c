// SPDX-License-Identifier: MIT
/*
 * src/mem/decompress.c as a build without any codec library sees it: it is compiled into
 * this test with none of PTKIT_HAVE_ZLIB/LZO/SNAPPY/ZSTD defined (tests/test_kdumpfile.c
 * covers the codecs a build has). A page compressed with a codec that was not built in must
 * be an error naming the codec and the Debian package that brings it, never a page.
 */
#include <string.h>

#include "check.h"
#include "mem/decompress.c"

int main(void)
{
	static const struct {
		unsigned codec;
		const char *name, *package;
	} codecs[] = { { KDUMP_ZLIB, "zlib", "zlib1g-dev" },
		       { KDUMP_LZO, "lzo", "liblzo2-dev" },
		       { KDUMP_SNAPPY, "snappy", "libsnappy-dev" },
		       { KDUMP_ZSTD, "zstd", "libzstd-dev" } };
	uint8_t in[64] = { 0x78, 0x9c }, out[4096];

	for (size_t i = 0; i < sizeof(codecs) / sizeof(codecs[0]); i++) {
		char why[256] = "";

		memset(out, 0x5a, sizeof(out));
		CHECK(!strcmp(kdump_codec_name(codecs[i].codec), codecs[i].name));
		CHECK_EQ(kdump_decompress(codecs[i].codec, in, sizeof(in), out, sizeof(out), why,
					  sizeof(why)),
			 -1);
		if (!CHECK(strstr(why, codecs[i].name) && strstr(why, codecs[i].package) &&
			   strstr(why, "built without")))
			fprintf(stderr, "  %s: '%s'\n", codecs[i].name, why);
		CHECK_EQ(out[0], 0x5a); /* nothing written */
	}
	return CHECK_DONE();
}
