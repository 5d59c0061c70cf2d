/*
 * fuzz_authenticode.c - libFuzzer target for authenticode_verify_cab
 * (common/authenticode_verify.c, with the cabinet rules of common/cab.c).
 *
 * Every input is tried twice and traps on any broken contract of
 * authenticode.h:
 *
 *   1. as a whole file, copied to a buffer of exactly its size (ASan sees
 *      any read past it);
 *   2. when FUZZ_AUTHENTICODE_SEED names a signed cabinet: the input's
 *      first 4 bytes pick an offset into that cabinet and the rest is
 *      XORed in there, so mutations reach the PKCS#7 parser, the
 *      signature check and the digest with everything else intact.
 *
 * Contracts: the result is 0 or -1; reason is NUL-terminated inside its
 * buffer and non-empty on -1; the signer fields are NUL-terminated; the
 * same input gives the same answer twice; a mutation of the seed's
 * cabinet bytes never verifies (see the comment at the check).
 *
 * Trust stores: FUZZ_AUTHENTICODE_PUB and FUZZ_AUTHENTICODE_ROOT
 * (directories of certificates; unset = none, so nothing is trusted and
 * every input ends in -1 - the parser is what is being fuzzed).
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE \
 *       -iquote server -iquote conf -iquote store -iquote webservices \
 *       tests/fuzz/fuzz_authenticode.c common/authenticode_verify.c \
 *       common/cab.c common/crypto.c common/log.c \
 *       -lmbedtls -lmbedx509 -lmbedcrypto -lz -o /tmp/fuzz_authenticode
 *   FUZZ_AUTHENTICODE_SEED=signed.cab /tmp/fuzz_authenticode CORPUS/
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authenticode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ASSERT(c) do { if (!(c)) __builtin_trap(); } while (0)
#define FUZZ_SEED_MAX  (4u << 20)   /* seed cabinet read into memory */

static const char *fuzz_pub, *fuzz_root;
static uint8_t    *fuzz_seed;
static size_t      fuzz_seedlen;
static int         fuzz_ready, fuzz_seed_ok;

/* Read the seed cabinet named by the environment, once. */
static void
fuzz_init(void)
{
	const char *path = getenv("FUZZ_AUTHENTICODE_SEED");
	char reason[256];
	FILE *f;
	long n;

	fuzz_ready = 1;
	fuzz_pub = getenv("FUZZ_AUTHENTICODE_PUB");
	fuzz_root = getenv("FUZZ_AUTHENTICODE_ROOT");
	if (path == NULL || (f = fopen(path, "rb")) == NULL)
		return;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 &&
	    (unsigned long)n <= FUZZ_SEED_MAX && fseek(f, 0, SEEK_SET) == 0 &&
	    (fuzz_seed = malloc((size_t)n)) != NULL &&
	    fread(fuzz_seed, 1, (size_t)n, f) == (size_t)n)
		fuzz_seedlen = (size_t)n;
	fclose(f);
	if (fuzz_seedlen == 0) {
		fprintf(stderr, "fuzz_authenticode: cannot read %s\n", path);
		abort();
	}
	fuzz_seed_ok = authenticode_verify_cab(fuzz_seed, fuzz_seedlen, fuzz_pub,
	    fuzz_root, NULL, reason, sizeof(reason)) == 0;
	fprintf(stderr, "fuzz_authenticode: seed %s (%zu bytes) %s%s\n", path,
	    fuzz_seedlen, fuzz_seed_ok ? "verifies" : "does not verify: ",
	    fuzz_seed_ok ? "" : reason);
}

/* One call with the contracts checked; returns its result. */
static int
fuzz_verify(const uint8_t *p, size_t n)
{
	struct authenticode_signer who;
	char reason[128];
	int rc, rc2;

	memset(reason, 0x55, sizeof(reason));
	memset(&who, 0x55, sizeof(who));
	rc = authenticode_verify_cab(p, n, fuzz_pub, fuzz_root, &who, reason,
	    sizeof(reason));
	FUZZ_ASSERT(rc == 0 || rc == -1);
	FUZZ_ASSERT(memchr(reason, '\0', sizeof(reason)) != NULL);
	FUZZ_ASSERT(rc == 0 || reason[0] != '\0');
	FUZZ_ASSERT(memchr(who.subject, '\0', sizeof(who.subject)) != NULL);
	FUZZ_ASSERT(memchr(who.issuer, '\0', sizeof(who.issuer)) != NULL);
	FUZZ_ASSERT(memchr(who.sha1, '\0', sizeof(who.sha1)) != NULL);
	rc2 = authenticode_verify_cab(p, n, fuzz_pub, fuzz_root, NULL, NULL, 0);
	FUZZ_ASSERT(rc2 == rc);
	return rc;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf;
	size_t off, changed = 0;

	if (!fuzz_ready)
		fuzz_init();
	if ((buf = malloc(size ? size : 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	(void)fuzz_verify(buf, size);
	free(buf);

	if (fuzz_seedlen == 0 || size < 4)
		return 0;
	if ((buf = malloc(fuzz_seedlen)) == NULL)
		return 0;
	memcpy(buf, fuzz_seed, fuzz_seedlen);
	off = ((size_t)data[0] | (size_t)data[1] << 8 | (size_t)data[2] << 16 |
	    (size_t)data[3] << 24) % fuzz_seedlen;
	for (size_t i = 4; i < size && off < fuzz_seedlen; i++, off++) {
		buf[off] ^= data[i];
		changed |= data[i];
	}
	/*
	 * A mutation may still verify only if the cabinet proper (everything
	 * before the signature) differs from the seed in bytes the digest
	 * skips and nothing else reads: iCabinet (34..35) and reserve bytes
	 * 12..15 (52..55).  Inside the signature, unsigned fields have
	 * equivalent spellings (rsaEncryption or sha256WithRSAEncryption as
	 * digestEncryptionAlgorithm), so a change there that still verifies
	 * is not a forgery: the signed attributes, the key and the stores
	 * pin everything that matters.
	 */
	if (fuzz_verify(buf, fuzz_seedlen) == 0 && fuzz_seed_ok && changed) {
		size_t sigpos = (size_t)fuzz_seed[44] | (size_t)fuzz_seed[45] << 8 |
		    (size_t)fuzz_seed[46] << 16 | (size_t)fuzz_seed[47] << 24;

		for (size_t i = 0; i < sigpos && i < fuzz_seedlen; i++)
			FUZZ_ASSERT(buf[i] == fuzz_seed[i] || i == 34 || i == 35 ||
			    (i >= 52 && i <= 55));
	}
	free(buf);
	return 0;
}
