/*
 * fuzz_xpress.c - libFuzzer target for common/xpress.c.
 *
 * The first input byte picks the mode, the rest is the payload:
 *   even: decode hostile bytes - xpress_decode with a 1 MiB max_out, and
 *         xpress_lz77_decompress into a heap buffer of exactly cap bytes
 *         (cap from the mode byte, so tiny and large outputs both occur;
 *         ASan catches a single byte written past it);
 *   odd:  round trip - xpress_encode then xpress_decode must give the
 *         payload back, and so must raw xpress_lz77_compress/decompress.
 * Any broken invariant aborts so libFuzzer keeps the input.
 *
 *   clang -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -iquote server \
 *       -iquote common tests/fuzz/fuzz_xpress.c common/xpress.c \
 *       common/log.c -o /tmp/fuzz_xpress
 *   /tmp/fuzz_xpress -max_total_time=120 corpus/
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xpress.h"

#define FUZZ_MAX_OUT (1024 * 1024)   /* xpress_decode bound, bytes */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_decode(uint8_t mode, const uint8_t *p, size_t n)
{
	uint8_t *out = NULL, *buf;
	size_t outlen = 0;
	/* 0, 1..64, or up to ~64 KiB: exercises exact-fit and overflow. */
	size_t cap = (mode >> 1) < 64 ? (size_t)(mode >> 1) :
	    (size_t)(mode >> 1) * 1021;
	long r;

	if (xpress_decode(p, n, FUZZ_MAX_OUT, &out, &outlen) == 0) {
		if (outlen > FUZZ_MAX_OUT || out == NULL)
			abort();
	} else if (out != NULL || outlen != 0)
		abort();
	free(out);

	if ((buf = malloc(cap ? cap : 1)) == NULL)
		return;
	r = xpress_lz77_decompress(p, n, buf, cap);
	if (r < -1 || r > (long)cap)
		abort();
	free(buf);
}

static void
fuzz_roundtrip(const uint8_t *p, size_t n)
{
	uint8_t *enc = NULL, *dec = NULL, *c, *d;
	size_t elen = 0, dlen = 0;
	/* Plain LZ77 never needs more than the input plus its flag words. */
	size_t cap = n + 4 * (n / 32) + 8;
	long cl, dl;

	if (xpress_encode(p, n, &enc, &elen) == -1)
		abort();
	/* Each block is at most its original size plus an 8-byte header. */
	if (elen > n + 8 * (n / XPRESS_BLOCK + 1))
		abort();
	if (xpress_decode(enc, elen, n, &dec, &dlen) == -1 || dlen != n ||
	    (n > 0 && memcmp(dec, p, n) != 0))
		abort();
	free(enc);
	free(dec);

	if ((c = malloc(cap)) == NULL || (d = malloc(n ? n : 1)) == NULL) {
		free(c);
		return;
	}
	cl = xpress_lz77_compress(p, n, c, cap);
	if (cl < 4)
		abort();
	dl = xpress_lz77_decompress(c, (size_t)cl, d, n);
	if (dl != (long)n || (n > 0 && memcmp(d, p, n) != 0))
		abort();
	free(c);
	free(d);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	if (data[0] & 1)
		fuzz_roundtrip(data + 1, size - 1);
	else
		fuzz_decode(data[0], data + 1, size - 1);
	return 0;
}
