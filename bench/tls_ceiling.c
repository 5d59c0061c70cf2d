/*
 * tls_ceiling.c - what one core can do with mbedTLS public-key crypto, the
 * bound on full TLS 1.2 handshakes per second for an mbedTLS server.
 *
 * A full ECDHE-ECDSA handshake costs the server one ECDSA sign (the
 * ServerKeyExchange signature) and one ECDHE: a fresh group, a key pair,
 * the shared secret from the client's point.  Each is measured the way
 * ssl_srv.c does it (mbedtls_ecdh_setup + make_params + read_public +
 * calc_secret on a fresh context; sign with a persistent MBEDTLS_PK_ECDSA
 * key, as server/tls.c re-wraps it), for SECONDS (default 2.5) each,
 * reporting the best of five slices.
 *
 * Build: cc -O2 -o tls_ceiling tls_ceiling.c -lmbedtls -lmbedx509 -lmbedcrypto
 * Usage: tls_ceiling [SECONDS]
 * Last line, for scripts:
 *   CEILING x25519=N p256=N sign=N hs_x25519=N hs_p256=N
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecdh.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>
#include <mbedtls/version.h>

/* Each figure is the best of SLICES equal slices of the time: other work
 * on the machine can only lower a rate, so the best slice is the ceiling. */
#define SLICES 5

static mbedtls_entropy_context  entropy;
static mbedtls_ctr_drbg_context drbg;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
die(const char *what, int rc)
{
	fprintf(stderr, "tls_ceiling: %s failed: -0x%04x\n", what, (unsigned)-rc);
	exit(1);
}

/* The client's ECDHE public value for group gid, in TLS ECPoint form. */
static size_t
peer_point(mbedtls_ecp_group_id gid, unsigned char *buf, size_t cap)
{
	mbedtls_ecdh_context c;
	size_t olen = 0;
	int rc;

	mbedtls_ecdh_init(&c);
	if ((rc = mbedtls_ecdh_setup(&c, gid)) != 0)
		die("ecdh_setup (peer)", rc);
	if ((rc = mbedtls_ecdh_make_public(&c, &olen, buf, cap,
	    mbedtls_ctr_drbg_random, &drbg)) != 0)
		die("ecdh_make_public (peer)", rc);
	mbedtls_ecdh_free(&c);
	return olen;
}

/* One server-side ECDHE as in a handshake; returns 0. */
static void
ecdhe_once(mbedtls_ecp_group_id gid, const unsigned char *peer, size_t peer_len)
{
	mbedtls_ecdh_context c;
	unsigned char params[256], secret[80];
	size_t olen;
	int rc;

	mbedtls_ecdh_init(&c);
	if ((rc = mbedtls_ecdh_setup(&c, gid)) != 0)
		die("ecdh_setup", rc);
	if ((rc = mbedtls_ecdh_make_params(&c, &olen, params, sizeof(params),
	    mbedtls_ctr_drbg_random, &drbg)) != 0)
		die("ecdh_make_params", rc);
	if ((rc = mbedtls_ecdh_read_public(&c, peer, peer_len)) != 0)
		die("ecdh_read_public", rc);
	if ((rc = mbedtls_ecdh_calc_secret(&c, &olen, secret, sizeof(secret),
	    mbedtls_ctr_drbg_random, &drbg)) != 0)
		die("ecdh_calc_secret", rc);
	mbedtls_ecdh_free(&c);
}

static double
bench_ecdhe(mbedtls_ecp_group_id gid, double secs)
{
	unsigned char peer[256];
	size_t peer_len = peer_point(gid, peer, sizeof(peer));
	double t0, t;
	long n = 0;

	double best = 0;

	ecdhe_once(gid, peer, peer_len);     /* warm up */
	for (int s = 0; s < SLICES; s++) {
		n = 0;
		t0 = now();
		do {
			ecdhe_once(gid, peer, peer_len);
			n++;
		} while ((t = now()) - t0 < secs / SLICES);
		if ((double)n / (t - t0) > best)
			best = (double)n / (t - t0);
	}
	return best;
}

static double
bench_sign(double secs)
{
	mbedtls_pk_context pk;
	unsigned char hash[32], sig[MBEDTLS_ECDSA_MAX_LEN];
	size_t slen;
	double t0, t, best = 0;
	long n = 0;
	int rc;

	mbedtls_pk_init(&pk);
	if ((rc = mbedtls_pk_setup(&pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECDSA))) != 0)
		die("pk_setup", rc);
	if ((rc = mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(pk),
	    mbedtls_ctr_drbg_random, &drbg)) != 0)
		die("ecp_gen_key", rc);
	memset(hash, 0x5a, sizeof(hash));
	/* warm up: the first sign builds the comb table for G */
	if ((rc = mbedtls_pk_sign(&pk, MBEDTLS_MD_SHA256, hash, sizeof(hash), sig,
	    &slen, mbedtls_ctr_drbg_random, &drbg)) != 0)
		die("pk_sign", rc);
	for (int s = 0; s < SLICES; s++) {
		n = 0;
		t0 = now();
		do {
			hash[0]++;
			if ((rc = mbedtls_pk_sign(&pk, MBEDTLS_MD_SHA256, hash, sizeof(hash),
			    sig, &slen, mbedtls_ctr_drbg_random, &drbg)) != 0)
				die("pk_sign", rc);
			n++;
		} while ((t = now()) - t0 < secs / SLICES);
		if ((double)n / (t - t0) > best)
			best = (double)n / (t - t0);
	}
	mbedtls_pk_free(&pk);
	return best;
}

static double
min2(double a, double b)
{
	return a < b ? a : b;
}

int
main(int argc, char *argv[])
{
	static const char pers[] = "tls_ceiling";
	char ver[32];
	double secs = argc > 1 ? atof(argv[1]) : 2.5;
	double x25519, p256, sign, hs_x, hs_p;
	int rc;

	if (secs <= 0)
		secs = 2.5;
	mbedtls_entropy_init(&entropy);
	mbedtls_ctr_drbg_init(&drbg);
	if ((rc = mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy,
	    (const unsigned char *)pers, sizeof(pers) - 1)) != 0)
		die("ctr_drbg_seed", rc);
	mbedtls_version_get_string(ver);

	printf("mbedTLS %s, one core, %.1f s each (best of %d slices):\n", ver, secs, SLICES);
	fflush(stdout);
	p256 = bench_ecdhe(MBEDTLS_ECP_DP_SECP256R1, secs);
	printf("  ECDHE P-256  (fresh group + keygen + shared secret): %8.1f /s  (%6.0f us)\n",
	    p256, 1e6 / p256);
	fflush(stdout);
	x25519 = bench_ecdhe(MBEDTLS_ECP_DP_CURVE25519, secs);
	printf("  ECDHE X25519 (fresh group + keygen + shared secret): %8.1f /s  (%6.0f us)\n",
	    x25519, 1e6 / x25519);
	fflush(stdout);
	sign = bench_sign(secs);
	printf("  ECDSA P-256 sign (SHA-256, persistent key):          %8.1f /s  (%6.0f us)\n",
	    sign, 1e6 / sign);

	/* One sign + one ECDHE per full handshake: their times add up. */
	hs_x = 1.0 / (1.0 / sign + 1.0 / x25519);
	hs_p = 1.0 / (1.0 / sign + 1.0 / p256);
	printf("mbedTLS ceiling: full handshakes/s <= %.0f with X25519 "
	    "(1/(1/sign + 1/ecdhe); looser min(sign, ecdhe) = %.0f)\n",
	    hs_x, min2(sign, x25519));
	printf("mbedTLS ceiling: full handshakes/s <= %.0f with P-256 "
	    "(1/(1/sign + 1/ecdhe); looser min(sign, ecdhe) = %.0f)\n",
	    hs_p, min2(sign, p256));
	printf("CEILING x25519=%.1f p256=%.1f sign=%.1f hs_x25519=%.1f hs_p256=%.1f\n",
	    x25519, p256, sign, hs_x, hs_p);
	mbedtls_ctr_drbg_free(&drbg);
	mbedtls_entropy_free(&entropy);
	return 0;
}
