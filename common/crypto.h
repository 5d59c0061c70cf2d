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
#include <time.h>

#include "limits_common.h"

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
 * crypto_md4 - MD4 (RFC 1320), for the NT hash only.
 * crypto_nt_hash - NTLM's password hash: MD4 of the password (pw, len,
 * UTF-8, at most CRYPTO_PASSWORD_MAX bytes) as UTF-16LE.  Returns 0, or -1
 * for text that is not UTF-8 or too long (out is then zero).  Its
 * buffers are wiped; out is a secret too (password-equivalent for NTLM).
 */
#define CRYPTO_PASSWORD_MAX LIMIT_PASSWORD_BYTES
void crypto_md4(const void *p, size_t n, uint8_t out[16]);
int crypto_nt_hash(const char *pw, size_t len, uint8_t out[16]);

/*
 * crypto_pbkdf2_sha256 - PBKDF2 (RFC 8018) with HMAC-SHA256 over (pw, len)
 * and (salt, saltlen), iterations rounds, outlen bytes into out.  Returns
 * 0 or -1 (out is then zero).
 */
int crypto_pbkdf2_sha256(const void *pw, size_t len, const uint8_t *salt,
    size_t saltlen, unsigned iterations, uint8_t *out, size_t outlen);

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

/* --- shared by the other mbedTLS users of server/ ------------------------
 * certreq.c, pki.c, cab.c and authenticode_*.c build on these rather than
 * keep copies: the error sentence, bounded file reading, atomic file
 * writing, the DNS-name rule and the two X.509 extensions mbedTLS 2.28
 * cannot write itself.  mbedTLS types appear only as incomplete structs,
 * so including this header still pulls in no mbedTLS header. */

struct mbedtls_ctr_drbg_context;
struct mbedtls_entropy_context;
struct mbedtls_pk_context;
struct mbedtls_x509_crt;
struct mbedtls_x509write_cert;

/* crypto_errf - snprintf into err unless err is NULL or errlen is 0. */
void crypto_errf(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* crypto_strerror - an mbedTLS error code as "text (-0xNNNN)" into buf. */
void crypto_strerror(int rc, char *buf, size_t len);

/*
 * crypto_read_file - read the whole regular file path, of at most max
 * bytes, into a new heap buffer followed by two NUL bytes (never
 * following a FIFO or device: only S_ISREG is read).  *len is the size,
 * plus one when the text holds "-----BEGIN " (the NUL that mbedTLS's PEM
 * parsers count), so it can be handed to mbedtls_*_parse as is.  An empty
 * file is an error.  Ownership: on success the caller owns *buf and
 * releases it with crypto_free_file(*buf, *len), which wipes it (the bytes
 * may be a key); on failure *buf is NULL, *len 0, anything read has been
 * wiped and freed, and err holds the reason.  Returns 0 or -1.
 */
int crypto_read_file(const char *path, size_t max, unsigned char **buf,
    size_t *len, char *err, size_t errlen);

/* crypto_free_file - wipe and free a crypto_read_file() buffer (len as it
 * returned; the wipe covers len + 1 bytes).  Accepts NULL. */
void crypto_free_file(unsigned char *buf, size_t len);

/* crypto_write_* flags. */
#define CRYPTO_WRITE_NOREPLACE 0x1   /* link(2) into place: fail if path exists */

#define CRYPTO_TMP_MAX 4096          /* a temporary name: path + ".XXXXXX" */

/*
 * crypto_write_tmp - write (data, len) to a new file beside path, named
 * "<path>.XXXXXX" by mkstemp (O_EXCL: nothing planted under that name is
 * written through), with exactly mode whatever the umask (created 0600,
 * then fchmod, so it is never wider on the way), then fsync.  Its name goes
 * to tmp (tmplen bytes, CRYPTO_TMP_MAX is enough for any path) for
 * crypto_place_file() or unlink.  Returns 0, or -1 with the reason in err,
 * tmp = "" and nothing left behind.
 */
int crypto_write_tmp(const char *path, const void *data, size_t len,
    unsigned mode, char *tmp, size_t tmplen, char *err, size_t errlen);

/*
 * crypto_place_file - put the temporary file tmp in place as path:
 * rename(2) over whatever is there, or with CRYPTO_WRITE_NOREPLACE link(2),
 * which fails when path exists, then unlink tmp.  Returns 0 (tmp is gone),
 * or -1 with the reason in err (tmp is left for the caller to unlink).
 * Does not sync the directory: crypto_sync_dir() after the last one.
 */
int crypto_place_file(const char *tmp, const char *path, int flags,
    char *err, size_t errlen);

/*
 * crypto_write_file - crypto_write_tmp + crypto_place_file + crypto_sync_dir:
 * path holds (data, len) with exactly mode, or (on -1, reason in err) is
 * as it was and no temporary file is left.
 */
int crypto_write_file(const char *path, const void *data, size_t len,
    unsigned mode, int flags, char *err, size_t errlen);

/* crypto_sync_dir - best effort: fsync the directory holding path, so
 * that a rename or unlink in it survives a crash. */
void crypto_sync_dir(const char *path);

/*
 * crypto_dns_ok - whether name may go into a certificate or request:
 * 1..LIMIT_FQDN_BYTES of letters, digits, '-' and '.', labels of 1..63
 * bytes, no trailing dot; with wildcard set the leftmost label may be
 * exactly "*" when two or more labels follow.  This also keeps "CN=%s"
 * free of the ',', '=' and '\\' that mbedTLS's DN parser interprets.
 */
int crypto_dns_ok(const char *name, int wildcard);

/*
 * The extension writers below follow mbedtls_asn1_write_*: they write
 * backwards ending at buf + size, and *der, *derlen locate the result
 * inside buf (owned by the caller).  Each returns 0, or -1 when buf is too
 * small.  They give the extension's value, for
 * mbedtls_x509write_{crt,csr}_set_extension.
 */

/* extendedKeyUsage purposes for crypto_ext_eku (a set: OR them). */
#define CRYPTO_EKU_SERVER_AUTH  0x1u  /* 1.3.6.1.5.5.7.3.1 */
#define CRYPTO_EKU_CODE_SIGNING 0x2u  /* 1.3.6.1.5.5.7.3.3 */
#define CRYPTO_EKU_DER_MAX      32    /* buffer that holds any set of them */

/* crypto_ext_eku - SEQUENCE OF KeyPurposeId for the purposes in ekus
 * (serverAuth before codeSigning); ekus must not be 0. */
int crypto_ext_eku(unsigned ekus, unsigned char *buf, size_t size,
    unsigned char **der, size_t *derlen);

/*
 * crypto_ext_san - subjectAltName: SEQUENCE OF GeneralName with one
 * dNSName ([2] IA5String) for fqdn and then each of sans[0..nsans) not
 * already listed (names compared ASCII case-insensitively).  The names
 * are written as given: check them with crypto_dns_ok() first.
 * crypto_ext_san_size() is a buffer size that always suffices.
 */
size_t crypto_ext_san_size(const char *fqdn, const char *const *sans,
    int nsans);
int crypto_ext_san(const char *fqdn, const char *const *sans, int nsans,
    unsigned char *buf, size_t size, unsigned char **der, size_t *derlen);

/*
 * crypto_crt_load - parse every certificate of a PEM file, or the one of
 * a DER file, of at most 1 MiB, into chain (an mbedtls_x509_crt the caller
 * has initialised and frees).  A file in which any PEM certificate fails
 * to parse is refused.  *count is the number parsed.  Returns 0, or -1
 * with the reason in err.
 */
int crypto_crt_load(const char *path, struct mbedtls_x509_crt *chain,
    int *count, char *err, size_t errlen);

/*
 * crypto_keygen_ec_p256 - seed drbg from entropy with the personalisation
 * string pers, then make a new P-256 key in key.  All three are
 * initialised and freed by the caller; key must not be set up yet.
 * Returns 0, or -1 with the reason in err.
 */
int crypto_keygen_ec_p256(struct mbedtls_entropy_context *entropy,
    struct mbedtls_ctr_drbg_context *drbg, const char *pers,
    struct mbedtls_pk_context *key, char *err, size_t errlen);

/*
 * crypto_crt_setup - the fields every self-signed certificate made here
 * shares, into crt (initialised and freed by the caller): version 3, a
 * positive 16-byte serial from drbg, validity from..until (UTC), subject =
 * issuer = the DN subject, subject key = issuer key = key, SHA-256,
 * basicConstraints CA:FALSE, keyUsage digitalSignature and the subject
 * and authority key identifiers.  The extendedKeyUsage and any
 * subjectAltName are the caller's.  Returns 0, or -1 with the reason in
 * err.
 */
int crypto_crt_setup(struct mbedtls_x509write_cert *crt,
    struct mbedtls_pk_context *key, struct mbedtls_ctr_drbg_context *drbg,
    const char *subject, time_t from, time_t until, char *err, size_t errlen);

/* crypto_crt_self_signed - 1 when crt's issuer DN is byte for byte its
 * subject DN and its signature verifies with its own key, else 0. */
int crypto_crt_self_signed(const struct mbedtls_x509_crt *crt);

#endif
