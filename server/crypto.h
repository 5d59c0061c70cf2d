/*
 * crypto.h - the one wrapper over mbedTLS for everything but TLS itself:
 * certificates, keys, hashes, AEAD, base64 and the CSPRNG.  Used by the
 * daemon, wsusutil, webservices/ (cookies) and the client tools, so it
 * carries no other project types.
 */
#ifndef WSUSD_CRYPTO_H
#define WSUSD_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#define CRYPTO_DN_MAX   512
#define CRYPTO_SANS_MAX 1024

struct cert_info {
	char    subject[CRYPTO_DN_MAX];    /* "CN=wsus.example.com, O=..." */
	char    issuer[CRYPTO_DN_MAX];
	char    sans[CRYPTO_SANS_MAX];     /* "DNS:a, DNS:b" ("" if none) */
	char    not_before[32];            /* "2026-11-21 22:00:00 UTC" */
	char    not_after[32];
	long    days_left;                 /* whole days until not_after (negative when expired) */
	char    sha256[96];                /* "AB:CD:..." fingerprint of the DER */
	char    sha1[64];                  /* thumbprint, upper hex, no colons (as Windows shows it) */
	char    key_desc[64];              /* "EC P-256", "RSA 2048" */
	int     server_auth;               /* EKU absent (any) or contains serverAuth */
	int     self_signed;
	int     chain_len;                 /* certificates in the PEM file */
};

/*
 * crypto_cert_info - parse the first certificate of a PEM file (a chain
 * may follow) into *ci.  Returns 0, or -1 with the reason in err.
 */
int crypto_cert_info(const char *pem_path, struct cert_info *ci,
    char *err, size_t errlen);

/*
 * crypto_cert_check_name - whether the first certificate of pem_path is
 * fit to serve fqdn: a SAN dNSName matches (wildcards in the leftmost
 * label only), or, when the certificate has no SAN dNSName, the CN does;
 * the EKU allows serverAuth; now is within validity.  Returns 0 when all
 * hold, or -1 with every failing requirement in reason (one sentence).
 */
int crypto_cert_check_name(const char *pem_path, const char *fqdn,
    char *reason, size_t reasonlen);

/*
 * crypto_key_matches - 0 when the PEM private key at key_path is the key
 * of the first certificate of cert_path; -1 with the reason otherwise.
 */
int crypto_key_matches(const char *cert_path, const char *key_path,
    char *err, size_t errlen);

/*
 * crypto_selfsigned - make a P-256 key and a self-signed server
 * certificate: subject CN=fqdn, SAN dNSName fqdn and each of the nsans
 * names in sans, EKU serverAuth, KU digitalSignature, basicConstraints
 * CA:FALSE, valid from now-1h for days days, SHA-256 signature.  Writes
 * cert_path (0644) and key_path (created 0600, never wider).  Returns 0 or
 * -1 after removing what it wrote, with the reason in err.
 */
int crypto_selfsigned(const char *fqdn, const char *const *sans, int nsans,
    int days, const char *cert_path, const char *key_path,
    char *err, size_t errlen);

/* crypto_random - fill buf with len bytes from the OS CSPRNG; 0 or -1. */
int crypto_random(void *buf, size_t len);

/* Digests of (p, n) into out. */
void crypto_sha1(const void *p, size_t n, uint8_t out[20]);
void crypto_sha256(const void *p, size_t n, uint8_t out[32]);

/*
 * crypto_aead_seal - AES-256-GCM: encrypt (pt, n) under key with a fresh
 * random 12-byte nonce, authenticating aad too.  Writes nonce || ciphertext
 * || 16-byte tag to out (n + 28 bytes; outcap must allow).  Returns the
 * length written or -1.
 */
long crypto_aead_seal(const uint8_t key[32], const void *aad, size_t aadlen,
    const void *pt, size_t n, uint8_t *out, size_t outcap);

/*
 * crypto_aead_open - undo crypto_aead_seal on (in, n): returns the
 * plaintext length (n - 28) written to out, or -1 when the input is short,
 * was altered, or was sealed under another key or aad.  The tag is checked
 * in constant time (by mbedTLS) and out is wiped on failure.
 */
long crypto_aead_open(const uint8_t key[32], const void *aad, size_t aadlen,
    const uint8_t *in, size_t n, uint8_t *out, size_t outcap);

/* Base64 (RFC 4648, with padding).  Return the length written (excluding
 * the NUL that encode adds) or -1 if out is too small or the input is not
 * canonical base64. */
long crypto_b64_encode(const void *in, size_t n, char *out, size_t outcap);
long crypto_b64_decode(const char *in, size_t n, uint8_t *out, size_t outcap);

/* crypto_ct_equal - 1 if (a, b, n) are equal, in time independent of the data. */
int crypto_ct_equal(const void *a, const void *b, size_t n);

/* crypto_wipe - zeroise a secret (not optimised away). */
void crypto_wipe(void *p, size_t n);

/* --- certwatch.c (wsusd only): the pin-safe rotation reminder ---------- */

/*
 * certwatch_poll - called once a second from the main loop; at most once
 * a day (and on the first call) re-reads cert_path and, from 30 days
 * before it expires, warns and names the certificate staged in
 * next_cert_path ("" when none), checking that one covers fqdn.  Logs
 * only; never fails.  Main thread only (keeps static state).
 */
void certwatch_poll(const char *cert_path, const char *next_cert_path,
    const char *fqdn);

#endif
