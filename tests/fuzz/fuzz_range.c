/*
 * fuzz_range.c - libFuzzer target for range_parse (server/content.c).
 *
 * Feeds the raw input, never NUL-terminated, against a few file sizes and
 * range limits, and traps on any broken invariant of the contract in
 * server.h: the result is -1, 0 or 1..max; every returned range has
 * first <= last < size; the same input gives the same answer twice; and a
 * header over LIMIT_RANGE_HEADER_BYTES is always invalid.
 *
 *   clang -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Iserver \
 *       -Iconf -Istore -Iwebservices tests/fuzz/fuzz_range.c \
 *       server/content.c common/log.c -o /tmp/fuzz_range
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint64_t fuzz_sizes[] = {
	0, 1, 2, 10, 1000, 918944, UINT64_C(1) << 32, UINT64_MAX - 1,
	UINT64_MAX
};
static const int fuzz_max[] = { 1, 2, CONTENT_MAX_RANGES };

#define FUZZ_ASSERT(c) do { if (!(c)) __builtin_trap(); } while (0)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct byte_range out[CONTENT_MAX_RANGES], again[CONTENT_MAX_RANGES];
	const char *v = (const char *)data;
	size_t i, m;
	int n, n2, k;

	for (i = 0; i < sizeof(fuzz_sizes) / sizeof(fuzz_sizes[0]); i++) {
		uint64_t fsize = fuzz_sizes[i];

		for (m = 0; m < sizeof(fuzz_max) / sizeof(fuzz_max[0]); m++) {
			int max = fuzz_max[m];

			memset(out, 0, sizeof(out));
			n = range_parse(v, size, fsize, out, max);
			FUZZ_ASSERT(n >= -1 && n <= max);
			if (size > LIMIT_RANGE_HEADER_BYTES)
				FUZZ_ASSERT(n == 0);
			for (k = 0; k < n; k++) {
				FUZZ_ASSERT(out[k].first <= out[k].last);
				FUZZ_ASSERT(out[k].last < fsize);
			}
			/* a zero-length file never yields a range */
			if (fsize == 0)
				FUZZ_ASSERT(n <= 0);
			memset(again, 0, sizeof(again));
			n2 = range_parse(v, size, fsize, again, max);
			FUZZ_ASSERT(n2 == n);
			FUZZ_ASSERT(n <= 0 ||
			    memcmp(out, again, sizeof(out[0]) * (size_t)n) == 0);
		}
	}
	/* content_valid_name is the other pure parser of the file */
	n = content_valid_name(v, size);
	FUZZ_ASSERT(n == 0 || n == 1);
	return 0;
}
