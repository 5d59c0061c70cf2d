/*
 * fuzz_cookie.c - libFuzzer target for cookie_open (webservices/cookie.c).
 *
 * Once per process: cookie_init() on a fresh temporary data directory
 * (removed at exit) and one genuine cookie of each kind sealed under it.
 * Then every input is tried three ways and traps on any broken contract
 * of cookie.h:
 *
 *   1. as the base64 text a client sent (never NUL-terminated): the
 *      status is one of the enum, an input over COOKIE_B64_MAX or a
 *      wrong length is COOKIE_INVALID, COOKIE_INVALID leaves *out zeroed,
 *      and the same input gives the same answer twice;
 *   2. as the raw blob, base64-encoded first, so the fuzzer reaches the
 *      checks after decoding (version, reserved, key id, tag) directly;
 *   3. XORed into a genuine cookie: anything but an all-zero mask is
 *      COOKIE_INVALID (forgery), an all-zero mask is COOKIE_OK.
 *
 *   clang -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -iquote server \
 *       -iquote conf -iquote store -iquote webservices \
 *       tests/fuzz/fuzz_cookie.c webservices/cookie.c common/crypto.c \
 *       common/log.c -lmbedtls -lmbedx509 -lmbedcrypto -o /tmp/fuzz_cookie
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cookie.h"
#include "crypto.h"
#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ASSERT(c) do { if (!(c)) __builtin_trap(); } while (0)
#define FUZZ_NOW       INT64_C(1790000000)
#define FUZZ_GEN       7
#define FUZZ_BLOB      108   /* decoded length of a cookie (cookie.c layout) */

static const uint8_t fuzz_server[16] = {
	0x5e, 0x1f, 0xf0, 0x0d, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12
};
static char    fuzz_dir[64];
static char    fuzz_b64[2][COOKIE_B64_LEN + 1];   /* [0] auth, [1] client */
static uint8_t fuzz_blob[2][FUZZ_BLOB];

static void
fuzz_cleanup(void)
{
	char path[128];

	cookie_shutdown();
	snprintf(path, sizeof(path), "%s/cookie.key", fuzz_dir);
	unlink(path);
	rmdir(fuzz_dir);
}

/* Key, directory and the two genuine cookies; aborts if any fails. */
static void
fuzz_setup(void)
{
	static int    done;
	struct cookie c;
	int           k;

	if (done)
		return;
	done = 1;
	log_init(0, LOG_LVL_ERR, "fuzz_cookie");
	snprintf(fuzz_dir, sizeof(fuzz_dir), "/tmp/fuzz_cookie.XXXXXX");
	if (mkdtemp(fuzz_dir) == NULL || cookie_init(fuzz_dir) == -1)
		abort();
	atexit(fuzz_cleanup);
	for (k = 0; k < 2; k++) {
		memset(&c, 0, sizeof(c));
		c.kind = k == 0 ? COOKIE_AUTH : COOKIE_CLIENT;
		memset(c.computer_id, 0xc1, 16);
		memcpy(c.server_id, fuzz_server, 16);
		c.issued = FUZZ_NOW - 10;
		c.expires = FUZZ_NOW + 3600;
		c.config_gen = FUZZ_GEN;
		if (cookie_seal(&c, fuzz_b64[k], sizeof(fuzz_b64[k])) == -1 ||
		    crypto_b64_decode(fuzz_b64[k], COOKIE_B64_LEN, fuzz_blob[k],
		    FUZZ_BLOB) != FUZZ_BLOB)
			abort();
	}
}

static int
fuzz_zero(const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t         i;

	for (i = 0; i < n; i++)
		if (b[i])
			return 0;
	return 1;
}

/* cookie_open with the invariants that hold for any input. */
static enum cookie_status
fuzz_open(const char *b64, size_t len, enum cookie_kind want)
{
	struct cookie      out, again;
	enum cookie_status st, st2;

	memset(&out, 0x5a, sizeof(out));
	st = cookie_open(b64, len, want, fuzz_server, FUZZ_GEN, FUZZ_NOW, &out);
	FUZZ_ASSERT(st == COOKIE_OK || st == COOKIE_INVALID ||
	    st == COOKIE_SERVER_CHANGED || st == COOKIE_EXPIRED ||
	    st == COOKIE_CONFIG_CHANGED);
	if (len > COOKIE_B64_MAX || len != COOKIE_B64_LEN)
		FUZZ_ASSERT(st == COOKIE_INVALID);
	if (st == COOKIE_INVALID)
		FUZZ_ASSERT(fuzz_zero(&out, sizeof(out)));
	else
		FUZZ_ASSERT(out.kind == want);
	st2 = cookie_open(b64, len, want, fuzz_server, FUZZ_GEN, FUZZ_NOW,
	    &again);
	FUZZ_ASSERT(st2 == st && memcmp(&out, &again, sizeof(out)) == 0);
	return st;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char               enc[4 * 1024 / 3 + 8];
	uint8_t            mod[FUZZ_BLOB];
	enum cookie_kind   want;
	enum cookie_status st;
	size_t             i;
	long               n;
	int                k;

	fuzz_setup();
	want = (size > 0 && (data[0] & 1)) ? COOKIE_CLIENT : COOKIE_AUTH;
	k = want == COOKIE_AUTH ? 0 : 1;

	/* 1. the text as sent; a copy on the heap so ASan sees overreads */
	{
		char *copy = malloc(size ? size : 1);

		if (copy == NULL)
			abort();
		memcpy(copy, data, size);
		fuzz_open(copy, size, want);
		free(copy);
	}

	/* 2. the bytes as a blob */
	if (size <= 1024) {
		n = crypto_b64_encode(data, size, enc, sizeof(enc));
		FUZZ_ASSERT(n >= 0);
		st = fuzz_open(enc, (size_t)n, want);
		/* only a genuine cookie opens */
		if (st != COOKIE_INVALID)
			FUZZ_ASSERT(size == FUZZ_BLOB &&
			    memcmp(data, fuzz_blob[k], FUZZ_BLOB) == 0);
	}

	/* 3. a genuine cookie with the input XORed in */
	memcpy(mod, fuzz_blob[k], FUZZ_BLOB);
	for (i = 0; i < size && i < FUZZ_BLOB; i++)
		mod[i] ^= data[i];
	n = crypto_b64_encode(mod, FUZZ_BLOB, enc, sizeof(enc));
	FUZZ_ASSERT(n == COOKIE_B64_LEN);
	st = fuzz_open(enc, (size_t)n, want);
	if (memcmp(mod, fuzz_blob[k], FUZZ_BLOB) == 0)
		FUZZ_ASSERT(st == COOKIE_OK);
	else
		FUZZ_ASSERT(st == COOKIE_INVALID);
	return 0;
}
