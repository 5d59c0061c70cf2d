/*
 * pki.c - the update server's certificates for the Updates Publisher role:
 * the signing certificate (current and retired) and the server's own
 * certificate stores, TrustedPublisher and Root (layout in pki.h).
 *
 * Owns: making a self-signed code-signing certificate and its key;
 * importing a CA-issued one from a PEM pair or a PKCS#12 (.pfx/.p12) file,
 * after checking that it may sign updates (codeSigning EKU, within its
 * validity, an RSA key of 2048 bits or more that matches); retiring the
 * certificate it replaces; exporting the current one as DER (.cer, what
 * the Windows certificate import wizard takes); describing it; adding,
 * listing and removing certificates in the two stores; and the seed's
 * publishing rule (pki_trust_check_signer): the signing certificate must
 * be in TrustedPublisher and, when self-signed, in Root too.
 *
 * Never does: logging or printing, except pki_signing_show and
 * pki_trust_list whose job it is (failures come back as one sentence in
 * the caller's buffer); signing anything (authenticode.c); talking to the
 * daemon or the SQL store; leaving a half-written file behind: every file
 * is written under a mkstemp name beside its final one, fsynced and
 * renamed into place.
 *
 * Why RSA-2048 for the generated key: Windows Authenticode and WSUS local
 * publishing accept RSA signing certificates of 2048 bits everywhere
 * (WSUS since KB2720211 refuses shorter ones), whereas ECDSA code-signing
 * certificates are not accepted by older Windows Update Agent and WSUS
 * components, and a publisher's certificate must work on every client it
 * is deployed to.  For the same reason an imported certificate must carry
 * an RSA key of at least 2048 bits.
 *
 * Why 3 years by default: it is what WSUS gives its own "WSUS Publishers
 * Self-signed" certificate, so operators renew on the schedule they know;
 * a self-signed certificate cannot be revoked and ends up in every
 * client's Root store, so a short life limits the damage of a leaked key.
 * wsusutil takes --years 1..PKI_YEARS_MAX.
 *
 * PKCS#12: mbedTLS 2.28 has no PFX container parser, so pki_p12_parse()
 * below is a bounded DER reader over mbedtls_asn1_get_*.  It reads the
 * certificate bags (plain or inside EncryptedData), the shrouded key bag
 * (or a plain key bag), and checks the MAC when there is one.  Supported
 * encryptions are those `openssl pkcs12 -export` writes, with and without
 * -legacy, and those Windows' export wizard writes:
 *   - PBES2 with PBKDF2 (HMAC-SHA1/224/256/384/512) and AES-128/192/256-CBC
 *     or DES-EDE3-CBC (OpenSSL 3's default: AES-256-CBC, HMAC-SHA256);
 *   - pbeWithSHAAnd3-KeyTripleDES-CBC, pbeWithSHAAnd2-KeyTripleDES-CBC;
 *   - pbeWithSHAAnd40BitRC2-CBC and pbeWithSHAAnd128BitRC2-CBC (-legacy
 *     and older Windows encrypt the certificate bag this way).
 * The mbedTLS 2.28 helpers for these fall short, so the reader builds on
 * its primitives instead: mbedtls_pkcs5_pbes2() knows only DES/3DES (its
 * OID table has no AES) and returns no plaintext length;
 * mbedtls_pkcs12_pbe() and mbedtls_pkcs12_derivation() turn the password
 * into a BMPString byte by byte (ASCII only, where PKCS#12 and OpenSSL use
 * UTF-16 of the UTF-8 password), cap password and salt at 64 bytes (31
 * characters), and have no RC2, which mbedTLS lacks altogether.  So: the
 * PKCS#12 key derivation (RFC 7292 appendix B) is pki_p12_kdf() over
 * mbedtls_md; PBKDF2 is mbedtls_pkcs5_pbkdf2_hmac(); 3DES and AES are
 * mbedtls_cipher; RC2 decryption (RFC 2268) is pki_rc2_*().  Not
 * supported (each refused with a message naming it): BER indefinite
 * lengths, public-key privacy or integrity modes, RC4 and other
 * encryptions, PBMAC1.
 *
 * Secrets: private keys, passwords and every derived key or decrypted bag
 * pass through buffers that are wiped with mbedtls_platform_zeroize()
 * before they are freed; key files are created 0600 (mkstemp) and never
 * widened; a key or password file that group or others can read is
 * refused (config_check_secrecy); directories are created 0700.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/asn1.h>
#include <mbedtls/bignum.h>
#include <mbedtls/cipher.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/md.h>
#include <mbedtls/oid.h>
#include <mbedtls/pem.h>
#include <mbedtls/pk.h>
#include <mbedtls/pkcs5.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/rsa.h>
#include <mbedtls/x509_crt.h>

#include "config.h"
#include "crypto.h"
#include "admin.h"

/*
 * Bounds.  These limit operator-supplied files (wsusutil arguments and
 * what is under data_dir), not peer input, so they live here rather than
 * in limits.h; they still keep a hostile file from exhausting memory or
 * pinning the CPU.
 */
#define PKI_FILE_MAX_BYTES   (1u << 20)  /* certificate, key or PKCS#12 file */
#define PKI_PASSWORD_MAX     1024        /* bytes of a PKCS#12 password */
#define PKI_SUBJECT_MAX      256         /* bytes of a --subject DN */
#define PKI_YEARS_MAX        20          /* validity of a generated certificate */
#define PKI_RSA_BITS         2048        /* generated key; also the import minimum */
#define PKI_RSA_EXPONENT     65537
#define PKI_BACKDATE_SECS    3600        /* notBefore = now - 1 h, for clock skew */
#define PKI_KEY_PEM_BYTES    16384       /* PEM of a key up to RSA-8192 (~6.5 KB) */
#define PKI_CERT_PEM_BYTES   8192        /* PEM of the generated certificate */
#define PKI_CHAIN_MAX        16          /* certificates in an imported file */
#define PKI_P12_BAGS_MAX     64          /* safe bags in a PKCS#12 file, all told */
#define PKI_P12_SALT_MAX     256         /* bytes of a KDF or MAC salt */
#define PKI_KDF_ITER_MAX     2000000     /* PBKDF2 / PKCS#12 KDF iterations */
#define PKI_STORE_MAX        4096        /* entries read from one store directory */
#define PKI_SHA1_HEX         40          /* a thumbprint: 40 upper-case hex digits */

static const char pki_pers[] = "wsusd pki_signing_create";

/* OIDs mbedtls/oid.h does not spell out. */
#define PKI_OID_P7_DATA       MBEDTLS_OID_PKCS "\x07\x01"       /* 1.2.840.113549.1.7.1 */
#define PKI_OID_P7_ENCRYPTED  MBEDTLS_OID_PKCS "\x07\x06"       /* 1.2.840.113549.1.7.6 */
#define PKI_OID_BAG_KEY       MBEDTLS_OID_PKCS12 "\x0a\x01\x01" /* keyBag */
#define PKI_OID_BAG_SHROUDED  MBEDTLS_OID_PKCS12 "\x0a\x01\x02" /* pkcs8ShroudedKeyBag */
#define PKI_OID_BAG_CERT      MBEDTLS_OID_PKCS12 "\x0a\x01\x03" /* certBag */
#define PKI_OID_CERT_X509     MBEDTLS_OID_PKCS9 "\x16\x01"      /* x509Certificate */
#define PKI_OID_AES128_CBC    MBEDTLS_OID_AES "\x02"
#define PKI_OID_AES192_CBC    MBEDTLS_OID_AES "\x16"
#define PKI_OID_AES256_CBC    MBEDTLS_OID_AES "\x2a"

#define PKI_OID_EQ(lit, buf) \
	((buf)->len == MBEDTLS_OID_SIZE(lit) && \
	 memcmp((buf)->p, (lit), MBEDTLS_OID_SIZE(lit)) == 0)

/* --- small helpers -------------------------------------------------------- */

/*
 * pki_path - "a/b" (or "a/b/c" when c is not NULL) into out
 * (PKI_PATH_MAX).  Returns 0, or -1 with a message (and out = "") when it
 * does not fit or a is empty.
 */
static int
pki_path(char out[PKI_PATH_MAX], const char *a, const char *b, const char *c,
    char *err, size_t errlen)
{
	int n;

	/* An empty base would turn "a/b" into "/b": never join onto it. */
	if (a == NULL || a[0] == '\0') {
		out[0] = '\0';
		crypto_errf(err, errlen, "no data directory");
		return -1;
	}
	if (c != NULL)
		n = snprintf(out, PKI_PATH_MAX, "%s/%s/%s", a, b, c);
	else
		n = snprintf(out, PKI_PATH_MAX, "%s/%s", a, b);
	if (n < 0 || n >= PKI_PATH_MAX) {
		out[0] = '\0';
		crypto_errf(err, errlen, "path under %s is longer than %d bytes",
		    a, PKI_PATH_MAX - 1);
		return -1;
	}
	return 0;
}

/* Upper-case hex of (in, n) into out (2n + 1 bytes), no separators. */
static void
pki_hex(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0x0f];
	}
	out[2 * n] = '\0';
}

/* The SHA-1 thumbprint of a certificate as Windows shows it. */
static void
pki_crt_sha1(const mbedtls_x509_crt *crt, char out[PKI_SHA1_HEX + 1])
{
	uint8_t d[20];

	crypto_sha1(crt->raw.p, crt->raw.len, d);
	pki_hex(d, sizeof(d), out);
}

/* A certificate's subject DN as text; cut with "..." when too long. */
static void
pki_crt_subject(const mbedtls_x509_crt *crt, char *buf, size_t len)
{
	if (mbedtls_x509_dn_gets(buf, len, &crt->subject) < 0) {
		buf[len - 1] = '\0';
		if (len >= 4)
			memcpy(buf + len - 4, "...", 4);
	}
}

static void
pki_time_text(const mbedtls_x509_time *t, char *buf, size_t len)
{
	snprintf(buf, len, "%04d-%02d-%02d %02d:%02d:%02d UTC",
	    t->year, t->mon, t->day, t->hour, t->min, t->sec);
}

/*
 * pki_thumb_norm - a thumbprint as typed (any case; ':' and ' ' between
 * digits allowed, as certutil and the MMC show it) into 40 upper-case hex
 * digits.  Returns 0, or -1 when it is not 20 bytes of hex.
 */
static int
pki_thumb_norm(const char *in, char out[PKI_SHA1_HEX + 1])
{
	size_t n = 0;
	char   ch;

	if (in == NULL)
		return -1;
	for (; *in != '\0'; in++) {
		ch = *in;
		if (ch == ':' || ch == ' ')
			continue;
		if (ch >= 'a' && ch <= 'f')
			ch = (char)(ch - 'a' + 'A');
		if (!((ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'F')))
			return -1;
		if (n == PKI_SHA1_HEX)
			return -1;
		out[n++] = ch;
	}
	out[n] = '\0';
	return n == PKI_SHA1_HEX ? 0 : -1;
}

/*
 * pki_mkdir - create dir with mode 0700 unless it exists; an existing
 * non-directory is an error.  Returns 0 or -1 with the reason in err.
 */
static int
pki_mkdir(const char *dir, char *err, size_t errlen)
{
	struct stat st;

	if (mkdir(dir, 0700) == 0)
		return 0;
	if (errno == EEXIST && stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	crypto_errf(err, errlen, "cannot create directory %s: %s", dir,
	    errno == EEXIST ? "a file is in the way" : strerror(errno));
	return -1;
}

/* Wipe and free n bytes at p; accepts NULL. */
static void
pki_free(void *p, size_t n)
{
	if (p == NULL)
		return;
	mbedtls_platform_zeroize(p, n);
	free(p);
}

/* --- certificates and keys -------------------------------------------------- */

/*
 * pki_crt_load - parse every certificate of a PEM file, or the one of a
 * DER file, into chain (initialised and freed by the caller).  A PEM file
 * in which any certificate fails to parse, or with more than
 * PKI_CHAIN_MAX, is refused.  *count gets the number parsed.  Returns 0,
 * or -1 with the reason in err.
 */
static int
pki_crt_load(const char *path, mbedtls_x509_crt *chain, int *count,
    char *err, size_t errlen)
{
	const mbedtls_x509_crt *c;
	unsigned char *buf = NULL;
	size_t         len = 0;
	char           why[200];
	int            r, rc = -1;

	*count = 0;
	if (crypto_read_file(path, PKI_FILE_MAX_BYTES, &buf, &len, err, errlen) == -1)
		goto out;
	r = mbedtls_x509_crt_parse(chain, buf, len);
	if (r < 0) {
		crypto_strerror(r, why, sizeof(why));
		crypto_errf(err, errlen, "%s holds no certificate mbedTLS can "
		    "parse (PEM or DER expected): %s", path, why);
		goto out;
	}
	if (r > 0) {
		crypto_errf(err, errlen, "%s: %d certificate%s could not be "
		    "parsed", path, r, r == 1 ? "" : "s");
		goto out;
	}
	for (c = chain; c != NULL && c->version != 0; c = c->next)
		(*count)++;
	if (*count == 0) {
		crypto_errf(err, errlen, "%s holds no certificate", path);
		goto out;
	}
	if (*count > PKI_CHAIN_MAX) {
		crypto_errf(err, errlen, "%s holds more than %d certificates",
		    path, PKI_CHAIN_MAX);
		goto out;
	}
	rc = 0;
out:
	crypto_free_file(buf, len);
	return rc;
}

/*
 * pki_key_load - parse the unencrypted private key (PEM or DER, PKCS#1,
 * SEC1 or PKCS#8) in path into key, after refusing a file that group or
 * others can read.  Returns 0, or -1 with the reason in err.
 */
static int
pki_key_load(const char *path, mbedtls_pk_context *key, char *err,
    size_t errlen)
{
	unsigned char *buf = NULL;
	size_t         len = 0;
	char           why[200];
	int            r, rc = -1;

	if (config_check_secrecy(path, err, errlen) == -1)
		goto out;
	if (crypto_read_file(path, PKI_FILE_MAX_BYTES, &buf, &len, err, errlen) == -1)
		goto out;
	r = mbedtls_pk_parse_key(key, buf, len, NULL, 0);
	if (r == MBEDTLS_ERR_PK_PASSWORD_REQUIRED) {
		crypto_errf(err, errlen, "the private key in %s is encrypted: "
		    "decrypt it (openssl pkey -in %s -out plain.key) or import "
		    "a PKCS#12 file with --password-file", path, path);
		goto out;
	}
	if (r != 0) {
		crypto_strerror(r, why, sizeof(why));
		crypto_errf(err, errlen, "%s holds no private key mbedTLS can "
		    "parse: %s", path, why);
		goto out;
	}
	rc = 0;
out:
	crypto_free_file(buf, len);
	return rc;
}

/* Whether crt lists codeSigning in an extendedKeyUsage extension. */
static int
pki_crt_code_signing(const mbedtls_x509_crt *crt)
{
	const mbedtls_x509_sequence *s;

	if (!(crt->ext_types & MBEDTLS_X509_EXT_EXTENDED_KEY_USAGE))
		return 0;
	for (s = &crt->ext_key_usage; s != NULL; s = s->next)
		if (s->buf.p != NULL && PKI_OID_EQ(MBEDTLS_OID_CODE_SIGNING,
		    &s->buf))
			return 1;
	return 0;
}

/* "EKU: TLS Web Server Authentication, ..." or "no EKU extension". */
static void
pki_crt_eku_text(const mbedtls_x509_crt *crt, char *buf, size_t len)
{
	const mbedtls_x509_sequence *s;
	const char                  *desc;
	size_t                       off;

	if (!(crt->ext_types & MBEDTLS_X509_EXT_EXTENDED_KEY_USAGE)) {
		snprintf(buf, len, "it has no extendedKeyUsage extension");
		return;
	}
	off = (size_t)snprintf(buf, len, "its EKU lists");
	for (s = &crt->ext_key_usage; s != NULL && off < len; s = s->next) {
		if (s->buf.p == NULL)
			continue;
		if (mbedtls_oid_get_extended_key_usage(&s->buf, &desc) != 0)
			desc = "an unknown purpose";
		off += (size_t)snprintf(buf + off, len - off, "%s %s",
		    s == &crt->ext_key_usage ? "" : ",", desc);
	}
}

/* "RSA 2048", "EC 256" ... */
static void
pki_key_text(const mbedtls_pk_context *pk, char *buf, size_t len)
{
	snprintf(buf, len, "%s %zu",
	    mbedtls_pk_get_type(pk) == MBEDTLS_PK_RSA ? "RSA" :
	    mbedtls_pk_get_name(pk), mbedtls_pk_get_bitlen(pk));
}

/*
 * pki_crt_check_signing - may crt (with key, when not NULL) sign updates?
 * codeSigning EKU, digitalSignature if a keyUsage is present, now within
 * validity, an RSA key of PKI_RSA_BITS or more, and key its private key.
 * Returns 0, or -1 with the first failing requirement in err.
 */
static int
pki_crt_check_signing(const mbedtls_x509_crt *crt, mbedtls_pk_context *key,
    char *err, size_t errlen)
{
	char subject[CRYPTO_DN_MAX], why[256], when[32];
	int  r;

	pki_crt_subject(crt, subject, sizeof(subject));
	if (!pki_crt_code_signing(crt)) {
		pki_crt_eku_text(crt, why, sizeof(why));
		crypto_errf(err, errlen, "%s cannot sign updates: it has no Code "
		    "Signing extended key usage (1.3.6.1.5.5.7.3.3); %s",
		    subject, why);
		return -1;
	}
	if ((crt->ext_types & MBEDTLS_X509_EXT_KEY_USAGE) &&
	    !(crt->key_usage & MBEDTLS_X509_KU_DIGITAL_SIGNATURE)) {
		crypto_errf(err, errlen, "%s cannot sign updates: its key usage "
		    "lacks digitalSignature", subject);
		return -1;
	}
	if (mbedtls_x509_time_is_past(&crt->valid_to)) {
		pki_time_text(&crt->valid_to, when, sizeof(when));
		crypto_errf(err, errlen, "%s has expired: it was valid until %s",
		    subject, when);
		return -1;
	}
	if (mbedtls_x509_time_is_future(&crt->valid_from)) {
		pki_time_text(&crt->valid_from, when, sizeof(when));
		crypto_errf(err, errlen, "%s is not yet valid: it is valid from "
		    "%s", subject, when);
		return -1;
	}
	if (mbedtls_pk_get_type(&crt->pk) != MBEDTLS_PK_RSA ||
	    mbedtls_pk_get_bitlen(&crt->pk) < PKI_RSA_BITS) {
		pki_key_text(&crt->pk, why, sizeof(why));
		crypto_errf(err, errlen, "%s has a %s key; WSUS and the Windows "
		    "Update Agent need an RSA key of %d bits or more", subject,
		    why, PKI_RSA_BITS);
		return -1;
	}
	if (key == NULL)
		return 0;
	r = mbedtls_pk_check_pair(&crt->pk, key);
	if (r != 0) {
		pki_key_text(key, why, sizeof(why));
		crypto_errf(err, errlen, "the private key (%s) does not match "
		    "the certificate %s", why, subject);
		return -1;
	}
	return 0;
}

/*
 * pki_chain_pem - crt (the leaf) and then every other certificate of
 * chain, as concatenated PEM in a new heap string (caller frees).  NULL
 * on failure, with the reason in err.
 */
static char *
pki_chain_pem(const mbedtls_x509_crt *leaf, const mbedtls_x509_crt *chain,
    char *err, size_t errlen)
{
	const mbedtls_x509_crt *c;
	size_t                  cap = 1, off = 0, olen;
	char                   *out = NULL;
	int                     pass, r;

	for (c = chain; c != NULL && c->version != 0; c = c->next)
		cap += c->raw.len * 2 + 128;
	if ((out = malloc(cap)) == NULL) {
		crypto_errf(err, errlen, "out of memory");
		return NULL;
	}
	out[0] = '\0';
	/* Pass 0 writes the leaf, pass 1 the rest in file order. */
	for (pass = 0; pass < 2; pass++) {
		for (c = chain; c != NULL && c->version != 0; c = c->next) {
			if ((pass == 0) != (c == leaf))
				continue;
			r = mbedtls_pem_write_buffer(
			    "-----BEGIN CERTIFICATE-----\n",
			    "-----END CERTIFICATE-----\n", c->raw.p,
			    c->raw.len, (unsigned char *)out + off, cap - off,
			    &olen);
			if (r != 0 || olen == 0) {
				crypto_errf(err, errlen, "cannot encode a "
				    "certificate as PEM");
				free(out);
				return NULL;
			}
			off += olen - 1;   /* olen counts the NUL */
		}
	}
	return out;
}

/* --- RC2-CBC decryption (RFC 2268), for PKCS#12 -legacy files ------------- */

/* RFC 2268 section 2: PITABLE, a permutation of 0..255 from the digits of pi. */
static const uint8_t pki_rc2_pitable[256] = {
	0xd9, 0x78, 0xf9, 0xc4, 0x19, 0xdd, 0xb5, 0xed, 0x28, 0xe9, 0xfd, 0x79,
	0x4a, 0xa0, 0xd8, 0x9d, 0xc6, 0x7e, 0x37, 0x83, 0x2b, 0x76, 0x53, 0x8e,
	0x62, 0x4c, 0x64, 0x88, 0x44, 0x8b, 0xfb, 0xa2, 0x17, 0x9a, 0x59, 0xf5,
	0x87, 0xb3, 0x4f, 0x13, 0x61, 0x45, 0x6d, 0x8d, 0x09, 0x81, 0x7d, 0x32,
	0xbd, 0x8f, 0x40, 0xeb, 0x86, 0xb7, 0x7b, 0x0b, 0xf0, 0x95, 0x21, 0x22,
	0x5c, 0x6b, 0x4e, 0x82, 0x54, 0xd6, 0x65, 0x93, 0xce, 0x60, 0xb2, 0x1c,
	0x73, 0x56, 0xc0, 0x14, 0xa7, 0x8c, 0xf1, 0xdc, 0x12, 0x75, 0xca, 0x1f,
	0x3b, 0xbe, 0xe4, 0xd1, 0x42, 0x3d, 0xd4, 0x30, 0xa3, 0x3c, 0xb6, 0x26,
	0x6f, 0xbf, 0x0e, 0xda, 0x46, 0x69, 0x07, 0x57, 0x27, 0xf2, 0x1d, 0x9b,
	0xbc, 0x94, 0x43, 0x03, 0xf8, 0x11, 0xc7, 0xf6, 0x90, 0xef, 0x3e, 0xe7,
	0x06, 0xc3, 0xd5, 0x2f, 0xc8, 0x66, 0x1e, 0xd7, 0x08, 0xe8, 0xea, 0xde,
	0x80, 0x52, 0xee, 0xf7, 0x84, 0xaa, 0x72, 0xac, 0x35, 0x4d, 0x6a, 0x2a,
	0x96, 0x1a, 0xd2, 0x71, 0x5a, 0x15, 0x49, 0x74, 0x4b, 0x9f, 0xd0, 0x5e,
	0x04, 0x18, 0xa4, 0xec, 0xc2, 0xe0, 0x41, 0x6e, 0x0f, 0x51, 0xcb, 0xcc,
	0x24, 0x91, 0xaf, 0x50, 0xa1, 0xf4, 0x70, 0x39, 0x99, 0x7c, 0x3a, 0x85,
	0x23, 0xb8, 0xb4, 0x7a, 0xfc, 0x02, 0x36, 0x5b, 0x25, 0x55, 0x97, 0x31,
	0x2d, 0x5d, 0xfa, 0x98, 0xe3, 0x8a, 0x92, 0xae, 0x05, 0xdf, 0x29, 0x10,
	0x67, 0x6c, 0xba, 0xc9, 0xd3, 0x00, 0xe6, 0xcf, 0xe1, 0x9e, 0xa8, 0x2c,
	0x63, 0x16, 0x01, 0x3f, 0x58, 0xe2, 0x89, 0xa9, 0x0d, 0x38, 0x34, 0x1b,
	0xab, 0x33, 0xff, 0xb0, 0xbb, 0x48, 0x0c, 0x5f, 0xb9, 0xb1, 0xcd, 0x2e,
	0xc5, 0xf3, 0xdb, 0x47, 0xe5, 0xa5, 0x9c, 0x77, 0x0a, 0xa6, 0x20, 0x68,
	0xfe, 0x7f, 0xc1, 0xad,
};

/*
 * pki_rc2_key - RFC 2268 section 2 key expansion of (key, t) bytes,
 * 1 <= t <= 128, with bits effective key bits (PKCS#12 uses bits = 8t),
 * into the 64 words K.
 */
static void
pki_rc2_key(uint16_t K[64], const uint8_t *key, size_t t, unsigned bits)
{
	uint8_t L[128];
	size_t  i, t8 = (bits + 7) / 8;
	uint8_t tm = (uint8_t)(0xff >> (8 * t8 - bits));

	memcpy(L, key, t);
	for (i = t; i < 128; i++)
		L[i] = pki_rc2_pitable[(L[i - 1] + L[i - t]) & 0xff];
	L[128 - t8] = pki_rc2_pitable[L[128 - t8] & tm];
	for (i = 128 - t8; i-- > 0;)
		L[i] = pki_rc2_pitable[L[i + 1] ^ L[i + t8]];
	for (i = 0; i < 64; i++)
		K[i] = (uint16_t)(L[2 * i] | (L[2 * i + 1] << 8));
	mbedtls_platform_zeroize(L, sizeof(L));
}

/* pki_rc2_decrypt_block - RFC 2268 section 4, one 8-byte block in place. */
static void
pki_rc2_decrypt_block(const uint16_t K[64], uint8_t b[8])
{
	static const unsigned s[4] = { 1, 2, 3, 5 };
	uint16_t R[4];
	int      i, j = 63, round;

	for (i = 0; i < 4; i++)
		R[i] = (uint16_t)(b[2 * i] | (b[2 * i + 1] << 8));
	/* Five r-mixing rounds, r-mash, six, r-mash, five. */
	for (round = 0; round < 16; round++) {
		if (round == 5 || round == 11)
			for (i = 3; i >= 0; i--)
				R[i] = (uint16_t)(R[i] -
				    K[R[(i + 3) & 3] & 63]);
		for (i = 3; i >= 0; i--) {
			R[i] = (uint16_t)((R[i] >> s[i]) |
			    (R[i] << (16 - s[i])));
			R[i] = (uint16_t)(R[i] - K[j] -
			    (R[(i + 3) & 3] & R[(i + 2) & 3]) -
			    ((uint16_t)~R[(i + 3) & 3] & R[(i + 1) & 3]));
			j--;
		}
	}
	for (i = 0; i < 4; i++) {
		b[2 * i] = (uint8_t)R[i];
		b[2 * i + 1] = (uint8_t)(R[i] >> 8);
	}
	mbedtls_platform_zeroize(R, sizeof(R));
}

/*
 * pki_rc2_cbc_decrypt - RC2-CBC decrypt (in, n) with (key, keylen) and an
 * 8-byte iv into out (n bytes), then strip PKCS#7 padding: *outlen.
 * Returns 0, or -1 when n is not a positive multiple of 8 or the padding
 * is wrong (which is what a wrong password looks like).
 */
static int
pki_rc2_cbc_decrypt(const uint8_t *key, size_t keylen, const uint8_t iv[8],
    const uint8_t *in, size_t n, uint8_t *out, size_t *outlen)
{
	uint16_t K[64];
	uint8_t  prev[8], cur[8];
	size_t   off, i;
	unsigned pad;
	int      rc = -1;

	if (n == 0 || n % 8 != 0 || keylen == 0 || keylen > 128)
		return -1;
	pki_rc2_key(K, key, keylen, (unsigned)(keylen * 8));
	memcpy(prev, iv, 8);
	for (off = 0; off < n; off += 8) {
		memcpy(cur, in + off, 8);
		memcpy(out + off, cur, 8);
		pki_rc2_decrypt_block(K, out + off);
		for (i = 0; i < 8; i++)
			out[off + i] ^= prev[i];
		memcpy(prev, cur, 8);
	}
	pad = out[n - 1];
	if (pad == 0 || pad > 8)
		goto out;
	for (i = n - pad; i < n; i++)
		if (out[i] != pad)
			goto out;
	*outlen = n - pad;
	rc = 0;
out:
	mbedtls_platform_zeroize(K, sizeof(K));
	return rc;
}

/* --- PKCS#12 key derivation and password encoding -------------------------- */

/*
 * pki_p12_kdf - RFC 7292 appendix B.2: n bytes of key material for
 * purpose id (1 key, 2 IV, 3 MAC key) from the BMPString password (pw,
 * pwlen; may be empty), salt and iterations, with hash mdt.  Returns 0 or
 * -1.  Every intermediate is wiped.
 */
static int
pki_p12_kdf(mbedtls_md_type_t mdt, const uint8_t *pw, size_t pwlen,
    const uint8_t *salt, size_t saltlen, uint8_t id, unsigned iter,
    uint8_t *out, size_t n)
{
	const mbedtls_md_info_t *md = mbedtls_md_info_from_type(mdt);
	mbedtls_md_context_t     ctx;
	uint8_t                  D[128], A[MBEDTLS_MD_MAX_SIZE], B[128];
	uint8_t                 *I = NULL;
	size_t                   u, v, slen, plen, ilen = 0, i, j, done;
	unsigned                 k, c;
	int                      rc = -1;

	mbedtls_md_init(&ctx);
	if (md == NULL || iter < 1 || n == 0)
		goto out;
	u = mbedtls_md_get_size(md);
	/* v, the hash's block size: 64 up to SHA-256, 128 for SHA-384/512. */
	v = u > 32 ? 128 : 64;
	slen = saltlen == 0 ? 0 : v * ((saltlen + v - 1) / v);
	plen = pwlen == 0 ? 0 : v * ((pwlen + v - 1) / v);
	ilen = slen + plen;
	if (ilen > 0 && (I = malloc(ilen)) == NULL)
		goto out;
	for (i = 0; i < slen; i++)
		I[i] = salt[i % saltlen];
	for (i = 0; i < plen; i++)
		I[slen + i] = pw[i % pwlen];
	memset(D, id, v);
	if (mbedtls_md_setup(&ctx, md, 0) != 0)
		goto out;
	for (done = 0; done < n; done += u) {
		if (mbedtls_md_starts(&ctx) != 0 ||
		    mbedtls_md_update(&ctx, D, v) != 0 ||
		    (ilen > 0 && mbedtls_md_update(&ctx, I, ilen) != 0) ||
		    mbedtls_md_finish(&ctx, A) != 0)
			goto out;
		for (k = 1; k < iter; k++)
			if (mbedtls_md_starts(&ctx) != 0 ||
			    mbedtls_md_update(&ctx, A, u) != 0 ||
			    mbedtls_md_finish(&ctx, A) != 0)
				goto out;
		memcpy(out + done, A, n - done < u ? n - done : u);
		if (done + u >= n)
			break;
		/* I_j = (I_j + B + 1) mod 2^(8v) for each v-byte block. */
		for (i = 0; i < v; i++)
			B[i] = A[i % u];
		for (j = 0; j < ilen; j += v) {
			c = 1;
			for (i = v; i-- > 0;) {
				c += (unsigned)I[j + i] + B[i];
				I[j + i] = (uint8_t)c;
				c >>= 8;
			}
		}
	}
	rc = 0;
out:
	mbedtls_platform_zeroize(A, sizeof(A));
	mbedtls_platform_zeroize(B, sizeof(B));
	pki_free(I, ilen);
	mbedtls_md_free(&ctx);
	return rc;
}

/*
 * pki_bmp_password - the UTF-8 password (pw, n) as the big-endian UTF-16
 * BMPString with a two-byte terminator that the PKCS#12 KDF and MAC take
 * (characters beyond U+FFFF as surrogate pairs, as OpenSSL does).  *out is
 * heap (free with pki_free(*out, *outlen)).  Returns 0, or -1 when pw is
 * not valid UTF-8 or memory runs out.
 */
static int
pki_bmp_password(const uint8_t *pw, size_t n, uint8_t **out, size_t *outlen)
{
	uint8_t *b;
	size_t   i = 0, o = 0, need, k;
	uint32_t cp, hi;

	*out = NULL;
	*outlen = 0;
	if ((b = malloc(4 * n + 2)) == NULL)
		return -1;
	while (i < n) {
		if (pw[i] < 0x80) {
			cp = pw[i];
			need = 0;
		} else if ((pw[i] & 0xe0) == 0xc0) {
			cp = pw[i] & 0x1f;
			need = 1;
		} else if ((pw[i] & 0xf0) == 0xe0) {
			cp = pw[i] & 0x0f;
			need = 2;
		} else if ((pw[i] & 0xf8) == 0xf0) {
			cp = pw[i] & 0x07;
			need = 3;
		} else
			goto bad;
		if (need > n - i - 1)
			goto bad;
		for (k = 1; k <= need; k++) {
			if ((pw[i + k] & 0xc0) != 0x80)
				goto bad;
			cp = (cp << 6) | (pw[i + k] & 0x3f);
		}
		/* No overlong forms, no surrogates, nothing past U+10FFFF. */
		if ((need == 1 && cp < 0x80) || (need == 2 && cp < 0x800) ||
		    (need == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			goto bad;
		i += need + 1;
		if (cp >= 0x10000) {
			cp -= 0x10000;
			hi = 0xd800 | (cp >> 10);
			b[o++] = (uint8_t)(hi >> 8);
			b[o++] = (uint8_t)hi;
			cp = 0xdc00 | (cp & 0x3ff);
		}
		b[o++] = (uint8_t)(cp >> 8);
		b[o++] = (uint8_t)cp;
	}
	b[o++] = 0;
	b[o++] = 0;
	*out = b;
	*outlen = o;
	return 0;
bad:
	pki_free(b, 4 * n + 2);
	return -1;
}

/*
 * pki_read_password - the first line of path, without its "\n" or "\r\n",
 * into pw (PKI_PASSWORD_MAX + 2 bytes) and *len; *cr is set when a "\r"
 * was dropped.  `openssl pkcs12 -passout file:` keeps that "\r" while a
 * password file written on Windows does not mean it, so the caller tries
 * both.  Refuses a file group or others can read.  Returns 0, or -1 with
 * the reason in err.
 */
static int
pki_read_password(const char *path, char *pw, size_t *len, int *cr,
    char *err, size_t errlen)
{
	struct stat    st;
	unsigned char *buf = NULL;
	size_t         n = 0, blen = 0;
	int            rc = -1;

	pw[0] = '\0';
	*len = 0;
	*cr = 0;
	if (config_check_secrecy(path, err, errlen) == -1)
		goto out;
	/* An empty file is an empty password. */
	if (stat(path, &st) == 0 && st.st_size == 0) {
		rc = 0;
		goto out;
	}
	if (crypto_read_file(path, PKI_FILE_MAX_BYTES, &buf, &blen, err, errlen) == -1)
		goto out;
	while (n < blen && buf[n] != '\n' && buf[n] != '\0')
		n++;
	if (n > PKI_PASSWORD_MAX + 1 || (n == PKI_PASSWORD_MAX + 1 &&
	    buf[n - 1] != '\r')) {
		crypto_errf(err, errlen, "the password in %s is longer than %d "
		    "bytes", path, PKI_PASSWORD_MAX);
		goto out;
	}
	memcpy(pw, buf, n);
	pw[n] = '\0';
	if (n > 0 && pw[n - 1] == '\r') {
		pw[--n] = '\0';   /* kept in pw[n] for the second try */
		*cr = 1;
	}
	*len = n;
	rc = 0;
out:
	crypto_free_file(buf, blen);
	return rc;
}

/* --- PKCS#12 (PFX) reader ------------------------------------------------------ */

/*
 * What pki_p12_parse() found, and what it needs: the password as given
 * (UTF-8, for PBES2) and as a BMPString (for the PKCS#12 KDF and MAC).
 * Certificates and the key are heap copies; pki_p12_free() wipes them.
 */
struct pki_p12 {
	const char    *name;              /* the file, for messages */
	const uint8_t *pw;
	size_t         pwlen;
	uint8_t       *bmp;
	size_t         bmplen;
	int            bags;              /* safe bags seen, all told */
	int            ncert;
	uint8_t       *cert[PKI_CHAIN_MAX];
	size_t         certlen[PKI_CHAIN_MAX];
	uint8_t       *key;               /* PKCS#8 PrivateKeyInfo, DER */
	size_t         keylen;
	char          *err;
	size_t         errlen;
};

static void
pki_p12_free(struct pki_p12 *x)
{
	int i;

	for (i = 0; i < x->ncert; i++)
		free(x->cert[i]);
	pki_free(x->key, x->keylen);
	pki_free(x->bmp, x->bmplen);
	x->ncert = 0;
	x->key = x->bmp = NULL;
}

/* Report a structural problem at p (an offset into the file when known). */
static int
pki_p12_bad(struct pki_p12 *x, const char *what)
{
	crypto_errf(x->err, x->errlen, "%s is not a PKCS#12 file this reader "
	    "accepts: %s (DER with definite lengths expected)", x->name, what);
	return -1;
}

/* Read a TLV header with exactly tag; on success *len is its length. */
static int
pki_p12_tag(const uint8_t **p, const uint8_t *end, size_t *len, int tag)
{
	return mbedtls_asn1_get_tag((unsigned char **)p, end, len, tag) == 0 ?
	    0 : -1;
}

/* Bounds shared by every KDF: 1..PKI_KDF_ITER_MAX rounds, a short salt. */
static int
pki_p12_kdf_bounds(struct pki_p12 *x, int iter, size_t saltlen)
{
	if (iter < 1 || iter > PKI_KDF_ITER_MAX) {
		crypto_errf(x->err, x->errlen, "%s asks for %d key-derivation "
		    "iterations; 1..%d are accepted", x->name, iter,
		    PKI_KDF_ITER_MAX);
		return -1;
	}
	if (saltlen > PKI_P12_SALT_MAX)
		return pki_p12_bad(x, "salt longer than 256 bytes");
	return 0;
}

/*
 * pki_p12_decrypt - decrypt (ct, ctlen) as the AlgorithmIdentifier (oid,
 * params) says, for the "what" of the file (messages).  *pt is heap,
 * *ptlen its plaintext length, and it is checked to be exactly one DER
 * SEQUENCE.  The caller frees with pki_free(*pt, ctlen + 16).  Returns 0
 * or -1 with the reason in x->err.
 */
static int
pki_p12_decrypt(struct pki_p12 *x, const mbedtls_asn1_buf *oid,
    const mbedtls_asn1_buf *params, const uint8_t *ct, size_t ctlen,
    const char *what, uint8_t **pt, size_t *ptlen)
{
	const mbedtls_cipher_info_t *ci = NULL;
	mbedtls_cipher_context_t     cc;
	mbedtls_md_context_t         mdc;
	mbedtls_asn1_buf             kdf_oid, kdf_par, enc_oid, enc_par, prf_oid;
	mbedtls_asn1_buf             prf_par;
	mbedtls_md_type_t            prf = MBEDTLS_MD_SHA1;
	mbedtls_cipher_type_t        ctype = MBEDTLS_CIPHER_NONE;
	const uint8_t               *p, *end, *salt = NULL;
	uint8_t                      key[32], iv[16];
	uint8_t                     *out = NULL;
	size_t                       len, saltlen = 0, keylen = 0, ivlen = 0;
	size_t                       olen = 0;
	int                          iter = 0, given = 0, rc2 = 0, r, rc = -1;

	mbedtls_cipher_init(&cc);
	mbedtls_md_init(&mdc);
	*pt = NULL;
	*ptlen = 0;
	if (ctlen == 0 || ctlen > PKI_FILE_MAX_BYTES) {
		pki_p12_bad(x, "empty or oversized encrypted content");
		goto out;
	}
	p = params->p;
	end = params->p + params->len;
	if (oid->len == MBEDTLS_OID_SIZE(MBEDTLS_OID_PKCS12_PBE) + 1 &&
	    memcmp(oid->p, MBEDTLS_OID_PKCS12_PBE,
	    MBEDTLS_OID_SIZE(MBEDTLS_OID_PKCS12_PBE)) == 0) {
		/* pkcs-12PbeParams ::= SEQUENCE { salt OCTET STRING, iterations INTEGER } */
		if (params->tag != (MBEDTLS_ASN1_CONSTRUCTED |
		    MBEDTLS_ASN1_SEQUENCE) ||
		    pki_p12_tag(&p, end, &saltlen, MBEDTLS_ASN1_OCTET_STRING)) {
			pki_p12_bad(x, "bad PKCS#12 PBE parameters");
			goto out;
		}
		salt = p;
		p += saltlen;
		if (mbedtls_asn1_get_int((unsigned char **)&p, end, &iter) != 0 ||
		    p != end) {
			pki_p12_bad(x, "bad PKCS#12 PBE parameters");
			goto out;
		}
		if (pki_p12_kdf_bounds(x, iter, saltlen) == -1)
			goto out;
		if (PKI_OID_EQ(MBEDTLS_OID_PKCS12_PBE_SHA1_DES3_EDE_CBC, oid)) {
			ctype = MBEDTLS_CIPHER_DES_EDE3_CBC;
			keylen = 24;
		} else if (PKI_OID_EQ(MBEDTLS_OID_PKCS12_PBE_SHA1_DES2_EDE_CBC,
		    oid)) {
			ctype = MBEDTLS_CIPHER_DES_EDE_CBC;
			keylen = 16;
		} else if (PKI_OID_EQ(MBEDTLS_OID_PKCS12_PBE_SHA1_RC2_128_CBC,
		    oid)) {
			rc2 = 1;
			keylen = 16;
		} else if (PKI_OID_EQ(MBEDTLS_OID_PKCS12_PBE_SHA1_RC2_40_CBC,
		    oid)) {
			rc2 = 1;
			keylen = 5;
		} else {
			crypto_errf(x->err, x->errlen, "%s: the %s is encrypted "
			    "with an RC4 PKCS#12 PBE, which is not supported; "
			    "re-export it with AES (OpenSSL 3's default) or "
			    "TripleDES", x->name, what);
			goto out;
		}
		ivlen = 8;
		if (pki_p12_kdf(MBEDTLS_MD_SHA1, x->bmp, x->bmplen, salt,
		    saltlen, 1, (unsigned)iter, key, keylen) == -1 ||
		    pki_p12_kdf(MBEDTLS_MD_SHA1, x->bmp, x->bmplen, salt,
		    saltlen, 2, (unsigned)iter, iv, ivlen) == -1) {
			crypto_errf(x->err, x->errlen, "%s: key derivation failed",
			    x->name);
			goto out;
		}
	} else if (PKI_OID_EQ(MBEDTLS_OID_PKCS5_PBES2, oid)) {
		/* PBES2-params ::= SEQUENCE { keyDerivationFunc, encryptionScheme } */
		if (params->tag != (MBEDTLS_ASN1_CONSTRUCTED |
		    MBEDTLS_ASN1_SEQUENCE) ||
		    mbedtls_asn1_get_alg((unsigned char **)&p, end, &kdf_oid,
		    &kdf_par) != 0 ||
		    mbedtls_asn1_get_alg((unsigned char **)&p, end, &enc_oid,
		    &enc_par) != 0 || p != end) {
			pki_p12_bad(x, "bad PBES2 parameters");
			goto out;
		}
		if (!PKI_OID_EQ(MBEDTLS_OID_PKCS5_PBKDF2, &kdf_oid)) {
			crypto_errf(x->err, x->errlen, "%s: the %s uses a PBES2 "
			    "key derivation other than PBKDF2, which is not "
			    "supported", x->name, what);
			goto out;
		}
		/* PBKDF2-params ::= SEQUENCE { salt OCTET STRING, iterationCount
		 * INTEGER, keyLength INTEGER OPTIONAL, prf DEFAULT hmacWithSHA1 } */
		p = kdf_par.p;
		end = kdf_par.p + kdf_par.len;
		if (kdf_par.tag != (MBEDTLS_ASN1_CONSTRUCTED |
		    MBEDTLS_ASN1_SEQUENCE) ||
		    pki_p12_tag(&p, end, &saltlen, MBEDTLS_ASN1_OCTET_STRING)) {
			pki_p12_bad(x, "bad PBKDF2 parameters (only a salt "
			    "OCTET STRING is supported)");
			goto out;
		}
		salt = p;
		p += saltlen;
		if (mbedtls_asn1_get_int((unsigned char **)&p, end, &iter) != 0) {
			pki_p12_bad(x, "bad PBKDF2 iteration count");
			goto out;
		}
		if (p < end && *p == MBEDTLS_ASN1_INTEGER &&
		    mbedtls_asn1_get_int((unsigned char **)&p, end, &given) != 0) {
			pki_p12_bad(x, "bad PBKDF2 key length");
			goto out;
		}
		if (p < end) {
			if (mbedtls_asn1_get_alg((unsigned char **)&p, end,
			    &prf_oid, &prf_par) != 0 || p != end ||
			    mbedtls_oid_get_md_hmac(&prf_oid, &prf) != 0) {
				crypto_errf(x->err, x->errlen, "%s: the %s uses a "
				    "PBKDF2 PRF other than HMAC-SHA-1/2, which "
				    "is not supported", x->name, what);
				goto out;
			}
		}
		if (pki_p12_kdf_bounds(x, iter, saltlen) == -1)
			goto out;
		if (PKI_OID_EQ(PKI_OID_AES128_CBC, &enc_oid)) {
			ctype = MBEDTLS_CIPHER_AES_128_CBC;
			keylen = 16;
		} else if (PKI_OID_EQ(PKI_OID_AES192_CBC, &enc_oid)) {
			ctype = MBEDTLS_CIPHER_AES_192_CBC;
			keylen = 24;
		} else if (PKI_OID_EQ(PKI_OID_AES256_CBC, &enc_oid)) {
			ctype = MBEDTLS_CIPHER_AES_256_CBC;
			keylen = 32;
		} else if (PKI_OID_EQ(MBEDTLS_OID_DES_EDE3_CBC, &enc_oid)) {
			ctype = MBEDTLS_CIPHER_DES_EDE3_CBC;
			keylen = 24;
		} else {
			crypto_errf(x->err, x->errlen, "%s: the %s uses a PBES2 "
			    "cipher other than AES-CBC or DES-EDE3-CBC, which "
			    "is not supported", x->name, what);
			goto out;
		}
		ivlen = ctype == MBEDTLS_CIPHER_DES_EDE3_CBC ? 8 : 16;
		if (given != 0 && (size_t)given != keylen) {
			pki_p12_bad(x, "PBKDF2 key length does not fit the cipher");
			goto out;
		}
		if (enc_par.tag != MBEDTLS_ASN1_OCTET_STRING ||
		    enc_par.len != ivlen) {
			pki_p12_bad(x, "bad PBES2 cipher IV");
			goto out;
		}
		memcpy(iv, enc_par.p, ivlen);
		if ((r = mbedtls_md_setup(&mdc, mbedtls_md_info_from_type(prf),
		    1)) != 0 || (r = mbedtls_pkcs5_pbkdf2_hmac(&mdc, x->pw,
		    x->pwlen, salt, saltlen, (unsigned)iter, (uint32_t)keylen,
		    key)) != 0) {
			crypto_errf(x->err, x->errlen, "%s: PBKDF2 failed",
			    x->name);
			goto out;
		}
	} else {
		crypto_errf(x->err, x->errlen, "%s: the %s is encrypted with an "
		    "algorithm this reader does not support (PBES2 with AES "
		    "or 3DES, and the PKCS#12 3DES and RC2 PBEs, are)",
		    x->name, what);
		goto out;
	}

	if ((out = malloc(ctlen + 16)) == NULL) {
		crypto_errf(x->err, x->errlen, "out of memory");
		goto out;
	}
	if (rc2) {
		r = pki_rc2_cbc_decrypt(key, keylen, iv, ct, ctlen, out, &olen);
	} else {
		ci = mbedtls_cipher_info_from_type(ctype);
		r = ci == NULL ? -1 : mbedtls_cipher_setup(&cc, ci);
		if (r == 0)
			r = mbedtls_cipher_setkey(&cc, key, (int)(keylen * 8),
			    MBEDTLS_DECRYPT);
		if (r == 0)
			r = mbedtls_cipher_set_padding_mode(&cc,
			    MBEDTLS_PADDING_PKCS7);
		if (r == 0)
			r = mbedtls_cipher_crypt(&cc, iv, ivlen, ct, ctlen, out,
			    &olen);
	}
	/* A wrong password shows as bad padding or as garbage, not as DER. */
	p = out;
	if (r != 0 || olen == 0 || pki_p12_tag(&p, out + olen, &len,
	    MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) == -1 ||
	    p + len != out + olen) {
		crypto_errf(x->err, x->errlen, "%s: cannot decrypt the %s: wrong "
		    "password?", x->name, what);
		goto out;
	}
	*pt = out;
	*ptlen = olen;
	out = NULL;
	rc = 0;
out:
	pki_free(out, ctlen + 16);
	mbedtls_platform_zeroize(key, sizeof(key));
	mbedtls_platform_zeroize(iv, sizeof(iv));
	mbedtls_cipher_free(&cc);
	mbedtls_md_free(&mdc);
	return rc;
}

/* Keep a copy of one DER certificate. */
static int
pki_p12_add_cert(struct pki_p12 *x, const uint8_t *der, size_t len)
{
	if (x->ncert == PKI_CHAIN_MAX) {
		crypto_errf(x->err, x->errlen, "%s holds more than %d "
		    "certificates", x->name, PKI_CHAIN_MAX);
		return -1;
	}
	if ((x->cert[x->ncert] = malloc(len)) == NULL) {
		crypto_errf(x->err, x->errlen, "out of memory");
		return -1;
	}
	memcpy(x->cert[x->ncert], der, len);
	x->certlen[x->ncert++] = len;
	return 0;
}

/* Keep a copy of the one PrivateKeyInfo. */
static int
pki_p12_add_key(struct pki_p12 *x, const uint8_t *der, size_t len)
{
	if (x->key != NULL) {
		crypto_errf(x->err, x->errlen, "%s holds more than one private "
		    "key; export the signing certificate alone", x->name);
		return -1;
	}
	if ((x->key = malloc(len)) == NULL) {
		crypto_errf(x->err, x->errlen, "out of memory");
		return -1;
	}
	memcpy(x->key, der, len);
	x->keylen = len;
	return 0;
}

/*
 * pki_p12_bag - one SafeBag's value (the contents of its [0], vp..vend)
 * of type oid.  Certificate bags holding an X.509 certificate and key
 * bags (plain or shrouded) are kept; CRL, secret and nested bags are
 * skipped.  Returns 0 or -1.
 */
static int
pki_p12_bag(struct pki_p12 *x, const mbedtls_asn1_buf *oid, const uint8_t *vp,
    const uint8_t *vend)
{
	mbedtls_asn1_buf alg, params;
	const uint8_t   *p = vp, *end;
	uint8_t         *pt = NULL;
	size_t           len, ptlen = 0, ctlen = 0;
	int              rc = -1;

	if (PKI_OID_EQ(PKI_OID_BAG_CERT, oid)) {
		/* CertBag ::= SEQUENCE { certId, certValue [0] EXPLICIT OCTET STRING } */
		if (pki_p12_tag(&p, vend, &len, MBEDTLS_ASN1_CONSTRUCTED |
		    MBEDTLS_ASN1_SEQUENCE) == -1)
			return pki_p12_bad(x, "bad certificate bag");
		end = p + len;
		if (pki_p12_tag(&p, end, &len, MBEDTLS_ASN1_OID) == -1)
			return pki_p12_bad(x, "bad certificate bag");
		if (len != MBEDTLS_OID_SIZE(PKI_OID_CERT_X509) ||
		    memcmp(p, PKI_OID_CERT_X509, len) != 0)
			return 0;   /* an SDSI certificate: not ours */
		p += len;
		if (pki_p12_tag(&p, end, &len, MBEDTLS_ASN1_CONTEXT_SPECIFIC |
		    MBEDTLS_ASN1_CONSTRUCTED | 0) == -1 ||
		    pki_p12_tag(&p, end, &len, MBEDTLS_ASN1_OCTET_STRING) == -1)
			return pki_p12_bad(x, "bad certificate bag");
		return pki_p12_add_cert(x, p, len);
	}
	if (PKI_OID_EQ(PKI_OID_BAG_KEY, oid))
		return pki_p12_add_key(x, vp, (size_t)(vend - vp));
	if (!PKI_OID_EQ(PKI_OID_BAG_SHROUDED, oid))
		return 0;
	/* EncryptedPrivateKeyInfo ::= SEQUENCE { AlgorithmIdentifier, OCTET STRING } */
	if (pki_p12_tag(&p, vend, &len, MBEDTLS_ASN1_CONSTRUCTED |
	    MBEDTLS_ASN1_SEQUENCE) == -1)
		return pki_p12_bad(x, "bad shrouded key bag");
	end = p + len;
	if (mbedtls_asn1_get_alg((unsigned char **)&p, end, &alg, &params) != 0 ||
	    pki_p12_tag(&p, end, &ctlen, MBEDTLS_ASN1_OCTET_STRING) == -1 ||
	    p + ctlen != end)
		return pki_p12_bad(x, "bad shrouded key bag");
	if (pki_p12_decrypt(x, &alg, &params, p, ctlen, "private key", &pt,
	    &ptlen) == -1)
		goto out;
	rc = pki_p12_add_key(x, pt, ptlen);
out:
	pki_free(pt, ctlen + 16);
	return rc;
}

/* pki_p12_safecontents - SafeContents ::= SEQUENCE OF SafeBag in (p, n). */
static int
pki_p12_safecontents(struct pki_p12 *x, const uint8_t *p, size_t n)
{
	mbedtls_asn1_buf oid;
	const uint8_t   *end = p + n, *bend, *vp;
	size_t           len;

	if (pki_p12_tag(&p, end, &len, MBEDTLS_ASN1_CONSTRUCTED |
	    MBEDTLS_ASN1_SEQUENCE) == -1 || p + len != end)
		return pki_p12_bad(x, "bad SafeContents");
	while (p < end) {
		if (++x->bags > PKI_P12_BAGS_MAX) {
			crypto_errf(x->err, x->errlen, "%s holds more than %d "
			    "safe bags", x->name, PKI_P12_BAGS_MAX);
			return -1;
		}
		/* SafeBag ::= SEQUENCE { bagId, bagValue [0] EXPLICIT, bagAttributes SET OPTIONAL } */
		if (pki_p12_tag(&p, end, &len, MBEDTLS_ASN1_CONSTRUCTED |
		    MBEDTLS_ASN1_SEQUENCE) == -1)
			return pki_p12_bad(x, "bad SafeBag");
		bend = p + len;
		if (pki_p12_tag(&p, bend, &len, MBEDTLS_ASN1_OID) == -1)
			return pki_p12_bad(x, "bad SafeBag type");
		oid.tag = MBEDTLS_ASN1_OID;
		oid.p = (unsigned char *)p;
		oid.len = len;
		p += len;
		if (pki_p12_tag(&p, bend, &len, MBEDTLS_ASN1_CONTEXT_SPECIFIC |
		    MBEDTLS_ASN1_CONSTRUCTED | 0) == -1)
			return pki_p12_bad(x, "bad SafeBag value");
		vp = p;
		p += len;
		if (pki_p12_bag(x, &oid, vp, p) == -1)
			return -1;
		p = bend;   /* the attributes (friendlyName, localKeyId) are not needed */
	}
	return 0;
}

/*
 * pki_p12_mac_check - MacData ::= SEQUENCE { mac DigestInfo, macSalt
 * OCTET STRING, iterations INTEGER DEFAULT 1 } over the authSafe content
 * (as, aslen).  An empty password is tried both as an empty BMPString
 * (two zero bytes) and as no bytes at all, as OpenSSL does; the one that
 * verifies is kept for decryption.  Returns 0, or -1 with "wrong
 * password" or the structural problem in x->err.
 */
static int
pki_p12_mac_check(struct pki_p12 *x, const uint8_t *p, const uint8_t *end,
    const uint8_t *as, size_t aslen)
{
	const mbedtls_md_info_t *md;
	mbedtls_asn1_buf         alg, params;
	mbedtls_md_type_t        mdt;
	const uint8_t           *digest, *salt, *dend;
	uint8_t                  key[MBEDTLS_MD_MAX_SIZE], mac[MBEDTLS_MD_MAX_SIZE];
	size_t                   len, dlen, saltlen, u;
	int                      iter = 1, attempt, rc = -1;

	if (pki_p12_tag(&p, end, &len, MBEDTLS_ASN1_CONSTRUCTED |
	    MBEDTLS_ASN1_SEQUENCE) == -1 || p + len != end)
		return pki_p12_bad(x, "bad MacData");
	if (pki_p12_tag(&p, end, &len, MBEDTLS_ASN1_CONSTRUCTED |
	    MBEDTLS_ASN1_SEQUENCE) == -1)
		return pki_p12_bad(x, "bad MAC DigestInfo");
	dend = p + len;
	if (mbedtls_asn1_get_alg((unsigned char **)&p, dend, &alg, &params) != 0 ||
	    pki_p12_tag(&p, dend, &dlen, MBEDTLS_ASN1_OCTET_STRING) == -1 ||
	    p + dlen != dend)
		return pki_p12_bad(x, "bad MAC DigestInfo");
	digest = p;
	p = dend;
	if (pki_p12_tag(&p, end, &saltlen, MBEDTLS_ASN1_OCTET_STRING) == -1)
		return pki_p12_bad(x, "bad MAC salt");
	salt = p;
	p += saltlen;
	if (p < end && mbedtls_asn1_get_int((unsigned char **)&p, end,
	    &iter) != 0)
		return pki_p12_bad(x, "bad MAC iteration count");
	if (p != end)
		return pki_p12_bad(x, "trailing bytes after the MAC");
	if (mbedtls_oid_get_md_alg(&alg, &mdt) != 0 ||
	    (md = mbedtls_md_info_from_type(mdt)) == NULL ||
	    (mdt != MBEDTLS_MD_SHA1 && mdt != MBEDTLS_MD_SHA224 &&
	    mdt != MBEDTLS_MD_SHA256 && mdt != MBEDTLS_MD_SHA384 &&
	    mdt != MBEDTLS_MD_SHA512)) {
		crypto_errf(x->err, x->errlen, "%s uses a MAC this reader does not "
		    "support (HMAC with SHA-1 or SHA-2 is)", x->name);
		return -1;
	}
	if (pki_p12_kdf_bounds(x, iter, saltlen) == -1)
		return -1;
	u = mbedtls_md_get_size(md);
	if (dlen != u)
		return pki_p12_bad(x, "MAC of the wrong length");
	for (attempt = 0; attempt < 2 && rc == -1; attempt++) {
		if (attempt == 1) {
			if (x->pwlen != 0)
				break;
			x->bmplen = 0;   /* the other reading of "" */
		}
		if (pki_p12_kdf(mdt, x->bmp, x->bmplen, salt, saltlen, 3,
		    (unsigned)iter, key, u) == -1 ||
		    mbedtls_md_hmac(md, key, u, as, aslen, mac) != 0)
			break;
		if (crypto_ct_equal(mac, digest, u))
			rc = 0;
	}
	mbedtls_platform_zeroize(key, sizeof(key));
	mbedtls_platform_zeroize(mac, sizeof(mac));
	if (rc == -1)
		crypto_errf(x->err, x->errlen, "wrong password for %s (its "
		    "PKCS#12 MAC does not verify)", x->name);
	return rc;
}

/*
 * pki_p12_parse - read the PFX (der, len) into x (name, pw, pwlen, err and
 * errlen set by the caller; the rest zero).  Keeps every X.509
 * certificate and the one private key.  Returns 0, or -1 with the reason
 * in x->err; pki_p12_free() either way.
 */
static int
pki_p12_parse(struct pki_p12 *x, const uint8_t *der, size_t len)
{
	mbedtls_asn1_buf oid, alg, params;
	const uint8_t   *p = der, *end = der + len, *pend, *as, *asend, *cend;
	uint8_t         *pt = NULL;
	size_t           n, aslen, ctlen = 0, ptlen = 0;
	int              version = 0, rc = -1;

	if (pki_bmp_password(x->pw, x->pwlen, &x->bmp, &x->bmplen) == -1) {
		crypto_errf(x->err, x->errlen, "the password for %s is not valid "
		    "UTF-8", x->name);
		goto out;
	}
	/* PFX ::= SEQUENCE { version INTEGER {v3(3)}, authSafe ContentInfo, macData OPTIONAL } */
	if (pki_p12_tag(&p, end, &n, MBEDTLS_ASN1_CONSTRUCTED |
	    MBEDTLS_ASN1_SEQUENCE) == -1 || p + n != end) {
		pki_p12_bad(x, "no PFX SEQUENCE spanning the file");
		goto out;
	}
	pend = p + n;
	if (mbedtls_asn1_get_int((unsigned char **)&p, pend, &version) != 0 ||
	    version != 3) {
		pki_p12_bad(x, "PFX version is not 3");
		goto out;
	}
	if (pki_p12_tag(&p, pend, &n, MBEDTLS_ASN1_CONSTRUCTED |
	    MBEDTLS_ASN1_SEQUENCE) == -1) {
		pki_p12_bad(x, "bad authSafe ContentInfo");
		goto out;
	}
	cend = p + n;
	if (pki_p12_tag(&p, cend, &n, MBEDTLS_ASN1_OID) == -1 ||
	    n != MBEDTLS_OID_SIZE(PKI_OID_P7_DATA) ||
	    memcmp(p, PKI_OID_P7_DATA, n) != 0) {
		crypto_errf(x->err, x->errlen, "%s uses public-key integrity "
		    "protection, which is not supported (password integrity "
		    "is)", x->name);
		goto out;
	}
	p += n;
	if (pki_p12_tag(&p, cend, &n, MBEDTLS_ASN1_CONTEXT_SPECIFIC |
	    MBEDTLS_ASN1_CONSTRUCTED | 0) == -1 ||
	    pki_p12_tag(&p, cend, &aslen, MBEDTLS_ASN1_OCTET_STRING) == -1 ||
	    p + aslen != cend) {
		pki_p12_bad(x, "bad authSafe content");
		goto out;
	}
	as = p;
	p = cend;
	if (p < pend) {
		if (pki_p12_mac_check(x, p, pend, as, aslen) == -1)
			goto out;
	}

	/* AuthenticatedSafe ::= SEQUENCE OF ContentInfo */
	p = as;
	asend = as + aslen;
	if (pki_p12_tag(&p, asend, &n, MBEDTLS_ASN1_CONSTRUCTED |
	    MBEDTLS_ASN1_SEQUENCE) == -1 || p + n != asend) {
		pki_p12_bad(x, "bad AuthenticatedSafe");
		goto out;
	}
	while (p < asend) {
		if (pki_p12_tag(&p, asend, &n, MBEDTLS_ASN1_CONSTRUCTED |
		    MBEDTLS_ASN1_SEQUENCE) == -1) {
			pki_p12_bad(x, "bad ContentInfo");
			goto out;
		}
		cend = p + n;
		if (pki_p12_tag(&p, cend, &n, MBEDTLS_ASN1_OID) == -1) {
			pki_p12_bad(x, "bad ContentInfo type");
			goto out;
		}
		oid.tag = MBEDTLS_ASN1_OID;
		oid.p = (unsigned char *)p;
		oid.len = n;
		p += n;
		if (pki_p12_tag(&p, cend, &n, MBEDTLS_ASN1_CONTEXT_SPECIFIC |
		    MBEDTLS_ASN1_CONSTRUCTED | 0) == -1 || p + n != cend) {
			pki_p12_bad(x, "bad ContentInfo content");
			goto out;
		}
		if (PKI_OID_EQ(PKI_OID_P7_DATA, &oid)) {
			if (pki_p12_tag(&p, cend, &n,
			    MBEDTLS_ASN1_OCTET_STRING) == -1 || p + n != cend) {
				pki_p12_bad(x, "bad data ContentInfo");
				goto out;
			}
			if (pki_p12_safecontents(x, p, n) == -1)
				goto out;
		} else if (PKI_OID_EQ(PKI_OID_P7_ENCRYPTED, &oid)) {
			/* EncryptedData ::= SEQUENCE { version, EncryptedContentInfo ::=
			 * SEQUENCE { contentType, AlgorithmIdentifier, [0] IMPLICIT OCTET STRING } } */
			if (pki_p12_tag(&p, cend, &n, MBEDTLS_ASN1_CONSTRUCTED |
			    MBEDTLS_ASN1_SEQUENCE) == -1 ||
			    mbedtls_asn1_get_int((unsigned char **)&p, cend,
			    &version) != 0 ||
			    pki_p12_tag(&p, cend, &n, MBEDTLS_ASN1_CONSTRUCTED |
			    MBEDTLS_ASN1_SEQUENCE) == -1 ||
			    pki_p12_tag(&p, cend, &n, MBEDTLS_ASN1_OID) == -1) {
				pki_p12_bad(x, "bad EncryptedData");
				goto out;
			}
			p += n;
			if (mbedtls_asn1_get_alg((unsigned char **)&p, cend,
			    &alg, &params) != 0 || pki_p12_tag(&p, cend, &ctlen,
			    MBEDTLS_ASN1_CONTEXT_SPECIFIC | 0) == -1 ||
			    p + ctlen != cend) {
				pki_p12_bad(x, "bad EncryptedData content "
				    "(constructed BER content is not supported)");
				goto out;
			}
			if (pki_p12_decrypt(x, &alg, &params, p, ctlen,
			    "certificate bag", &pt, &ptlen) == -1 ||
			    pki_p12_safecontents(x, pt, ptlen) == -1)
				goto out;
			pki_free(pt, ctlen + 16);
			pt = NULL;
		} else {
			crypto_errf(x->err, x->errlen, "%s uses public-key privacy "
			    "protection (EnvelopedData), which is not "
			    "supported", x->name);
			goto out;
		}
		p = cend;
	}
	if (x->key == NULL) {
		crypto_errf(x->err, x->errlen, "%s holds no private key; export "
		    "the certificate with its private key", x->name);
		goto out;
	}
	if (x->ncert == 0) {
		crypto_errf(x->err, x->errlen, "%s holds no certificate", x->name);
		goto out;
	}
	rc = 0;
out:
	pki_free(pt, ctlen + 16);
	return rc;
}

/* --- the signing certificate --------------------------------------------------- */

void
pki_signing_paths(const char *data_dir, char cert[PKI_PATH_MAX],
    char key[PKI_PATH_MAX])
{
	/* On overflow the paths are "", which every later open refuses. */
	(void)pki_path(cert, data_dir, "signing", "current.crt", NULL, 0);
	(void)pki_path(key, data_dir, "signing", "current.key", NULL, 0);
}

/*
 * pki_signing_dirs - data_dir, data_dir/signing and signing/retired,
 * created 0700 where missing; retired (PKI_PATH_MAX) gets the last.
 */
static int
pki_signing_dirs(const char *data_dir, char retired[PKI_PATH_MAX], char *err,
    size_t errlen)
{
	char dir[PKI_PATH_MAX];

	if (pki_mkdir(data_dir, err, errlen) == -1 ||
	    pki_path(dir, data_dir, "signing", NULL, err, errlen) == -1 ||
	    pki_mkdir(dir, err, errlen) == -1 ||
	    pki_path(retired, data_dir, "signing", "retired", err,
	    errlen) == -1 || pki_mkdir(retired, err, errlen) == -1)
		return -1;
	return 0;
}

/*
 * pki_signing_install - make (certpem, keypem) the current signing pair.
 * The current certificate, if any and if it is another one, is first
 * copied to signing/retired/<SHA1>.crt; its key is not kept (a retired
 * signing key can only do harm).  Both new files are written under
 * temporary names first; the old key is hard-linked to current.key.prev
 * so that a failure between the two renames can put it back.  Returns 0,
 * or -1 with the reason in err and the previous state in place.
 */
static int
pki_signing_install(const char *data_dir, const char *certpem,
    const char *keypem, char *err, size_t errlen)
{
	struct cert_info ci;
	unsigned char   *old = NULL;
	size_t           oldlen = 0;
	char             cur_crt[PKI_PATH_MAX], cur_key[PKI_PATH_MAX];
	char             prev_key[PKI_PATH_MAX], retired[PKI_PATH_MAX];
	char             rpath[PKI_PATH_MAX], name[sizeof(ci.sha1) + 8];
	char             ktmp[PKI_PATH_MAX] = "", ctmp[PKI_PATH_MAX] = "";
	char             new_sha1[PKI_SHA1_HEX + 1];
	mbedtls_x509_crt crt;
	int              have_prev = 0, retired_made = 0, key_placed = 0;
	int              rc = -1;

	mbedtls_x509_crt_init(&crt);
	if (mbedtls_x509_crt_parse(&crt, (const unsigned char *)certpem,
	    strlen(certpem) + 1) != 0) {
		crypto_errf(err, errlen, "internal error: new certificate does "
		    "not parse");
		goto out;
	}
	pki_crt_sha1(&crt, new_sha1);
	pki_signing_paths(data_dir, cur_crt, cur_key);
	if (cur_crt[0] == '\0' || pki_path(prev_key, data_dir, "signing",
	    "current.key.prev", err, errlen) == -1) {
		crypto_errf(err, errlen, "data_dir %s is too long", data_dir);
		goto out;
	}
	if (pki_signing_dirs(data_dir, retired, err, errlen) == -1)
		goto out;

	/* The certificate being replaced, if any: it must be readable. */
	if (access(cur_crt, F_OK) == 0) {
		if (crypto_cert_info(cur_crt, &ci, err, errlen) == -1 ||
		    crypto_read_file(cur_crt, PKI_FILE_MAX_BYTES, &old, &oldlen, err, errlen) == -1) {
			crypto_errf(err, errlen, "the current signing certificate "
			    "%s cannot be read; move it away first", cur_crt);
			goto out;
		}
	}

	if (crypto_write_tmp(cur_key, keypem, strlen(keypem), 0600, ktmp,
	    sizeof(ktmp), err, errlen) == -1 || crypto_write_tmp(cur_crt,
	    certpem, strlen(certpem), 0644, ctmp, sizeof(ctmp), err,
	    errlen) == -1)
		goto out;
	if (old != NULL && strcmp(ci.sha1, new_sha1) != 0) {
		snprintf(name, sizeof(name), "%s.crt", ci.sha1);
		if (pki_path(rpath, retired, name, NULL, err, errlen) == -1)
			goto out;
		if (access(rpath, F_OK) != 0) {
			if (crypto_write_file(rpath, old, strlen((char *)old),
			    0644, 0, err, errlen) == -1)
				goto out;
			retired_made = 1;
		}
	}
	if (unlink(prev_key) == -1 && errno != ENOENT) {
		crypto_errf(err, errlen, "cannot remove stale %s: %s", prev_key,
		    strerror(errno));
		goto out;
	}
	if (link(cur_key, prev_key) == 0)
		have_prev = 1;
	else if (errno != ENOENT) {
		crypto_errf(err, errlen, "cannot link %s to %s: %s", cur_key,
		    prev_key, strerror(errno));
		goto out;
	}
	if (rename(ktmp, cur_key) == -1) {
		crypto_errf(err, errlen, "cannot rename %s to %s: %s", ktmp,
		    cur_key, strerror(errno));
		goto out;
	}
	ktmp[0] = '\0';
	key_placed = 1;
	if (rename(ctmp, cur_crt) == -1) {
		crypto_errf(err, errlen, "cannot rename %s to %s: %s", ctmp,
		    cur_crt, strerror(errno));
		goto out;
	}
	ctmp[0] = '\0';
	crypto_sync_dir(cur_crt);
	rc = 0;
out:
	if (rc == -1) {
		if (key_placed) {
			if (have_prev)
				(void)rename(prev_key, cur_key);
			else
				(void)unlink(cur_key);
			have_prev = 0;
		}
		if (retired_made)
			(void)unlink(rpath);
	}
	if (have_prev)
		(void)unlink(prev_key);
	if (ktmp[0] != '\0')
		(void)unlink(ktmp);
	if (ctmp[0] != '\0')
		(void)unlink(ctmp);
	crypto_free_file(old, oldlen);
	mbedtls_x509_crt_free(&crt);
	return rc;
}

/* Whether s is 1..PKI_SUBJECT_MAX printable ASCII bytes. */
static int
pki_subject_ok(const char *s)
{
	size_t i, n;

	if (s == NULL || (n = strlen(s)) == 0 || n > PKI_SUBJECT_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return 0;
	return 1;
}

int
pki_signing_create(const char *data_dir, const char *subject, int years,
    char *err, size_t errlen)
{
	mbedtls_entropy_context  entropy;
	mbedtls_ctr_drbg_context drbg;
	mbedtls_pk_context       key;
	mbedtls_x509write_cert   crt;
	mbedtls_x509_crt         check;
	unsigned char            ekubuf[CRYPTO_EKU_DER_MAX];
	unsigned char           *keypem = NULL, *certpem = NULL, *der;
	size_t                   derlen;
	char                     why[200];
	struct tm                tm;
	time_t                   now, until;
	int                      r, rc = -1;

	/* Every handle initialised before the first goto out. */
	mbedtls_entropy_init(&entropy);
	mbedtls_ctr_drbg_init(&drbg);
	mbedtls_pk_init(&key);
	mbedtls_x509write_crt_init(&crt);
	mbedtls_x509_crt_init(&check);

	if (!pki_subject_ok(subject)) {
		crypto_errf(err, errlen, "the subject must be 1..%d printable "
		    "ASCII characters, e.g. \"CN=WSUS Publishers Self-signed\"",
		    PKI_SUBJECT_MAX);
		goto out;
	}
	if (years < 1 || years > PKI_YEARS_MAX) {
		crypto_errf(err, errlen, "validity of %d years is outside 1..%d",
		    years, PKI_YEARS_MAX);
		goto out;
	}
	/* Calendar years from now (29 February rolls to 1 March). */
	now = time(NULL);
	if (gmtime_r(&now, &tm) == NULL) {
		crypto_errf(err, errlen, "cannot read the clock");
		goto out;
	}
	tm.tm_year += years;
	until = timegm(&tm);
	if (until == (time_t)-1) {
		crypto_errf(err, errlen, "cannot format validity dates");
		goto out;
	}
	if ((keypem = calloc(1, PKI_KEY_PEM_BYTES)) == NULL ||
	    (certpem = calloc(1, PKI_CERT_PEM_BYTES)) == NULL) {
		crypto_errf(err, errlen, "out of memory");
		goto out;
	}

	/* RSA-2048, e = 65537: see the top of this file for why RSA. */
	r = mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy,
	    (const unsigned char *)pki_pers, sizeof(pki_pers) - 1);
	if (r == 0)
		r = mbedtls_pk_setup(&key,
		    mbedtls_pk_info_from_type(MBEDTLS_PK_RSA));
	if (r == 0)
		r = mbedtls_rsa_gen_key(mbedtls_pk_rsa(key),
		    mbedtls_ctr_drbg_random, &drbg, PKI_RSA_BITS,
		    PKI_RSA_EXPONENT);
	if (r != 0) {
		crypto_strerror(r, why, sizeof(why));
		crypto_errf(err, errlen, "cannot generate the RSA key: %s", why);
		goto out;
	}
	/* No subjectAltName: a code-signing certificate names no host. */
	if (crypto_crt_setup(&crt, &key, &drbg, subject,
	    now - PKI_BACKDATE_SECS, until, err, errlen) == -1)
		goto out;
	if (crypto_ext_eku(CRYPTO_EKU_CODE_SIGNING, ekubuf, sizeof(ekubuf), &der,
	    &derlen) == -1 || mbedtls_x509write_crt_set_extension(&crt,
	    MBEDTLS_OID_EXTENDED_KEY_USAGE,
	    MBEDTLS_OID_SIZE(MBEDTLS_OID_EXTENDED_KEY_USAGE), 0, der,
	    derlen) != 0) {
		crypto_errf(err, errlen, "cannot add extendedKeyUsage");
		goto out;
	}
	if ((r = mbedtls_x509write_crt_pem(&crt, certpem, PKI_CERT_PEM_BYTES,
	    mbedtls_ctr_drbg_random, &drbg)) != 0 ||
	    (r = mbedtls_pk_write_key_pem(&key, keypem,
	    PKI_KEY_PEM_BYTES)) != 0) {
		crypto_strerror(r, why, sizeof(why));
		crypto_errf(err, errlen, "cannot encode the certificate or key: "
		    "%s", why);
		goto out;
	}
	/* mbedTLS writes some strings it cannot read back ("no equals"). */
	if (mbedtls_x509_crt_parse(&check, certpem,
	    strlen((char *)certpem) + 1) != 0) {
		crypto_errf(err, errlen, "\"%s\" is not a distinguished name "
		    "mbedTLS can parse (write it as \"CN=name, O=org\")",
		    subject);
		goto out;
	}
	if (pki_signing_install(data_dir, (char *)certpem, (char *)keypem,
	    err, errlen) == -1)
		goto out;
	rc = 0;
out:
	pki_free(keypem, PKI_KEY_PEM_BYTES);
	free(certpem);
	mbedtls_x509_crt_free(&check);
	mbedtls_x509write_crt_free(&crt);
	mbedtls_pk_free(&key);
	mbedtls_ctr_drbg_free(&drbg);
	mbedtls_entropy_free(&entropy);
	return rc;
}

/*
 * pki_import_p12 - the certificates and key of the PKCS#12 file path,
 * password in password_file, into chain and key (both initialised by the
 * caller).  Returns 0 or -1 with the reason in err.
 */
static int
pki_import_p12(const char *path, const char *password_file,
    mbedtls_x509_crt *chain, mbedtls_pk_context *key, char *err, size_t errlen)
{
	struct pki_p12 x;
	unsigned char *buf = NULL;
	size_t         len = 0, pwlen = 0;
	char           pw[PKI_PASSWORD_MAX + 2], why[200];
	int            cr = 0, i, r, rc = -1;

	memset(&x, 0, sizeof(x));
	if (pki_read_password(password_file, pw, &pwlen, &cr, err,
	    errlen) == -1 || crypto_read_file(path, PKI_FILE_MAX_BYTES, &buf, &len, err, errlen) == -1)
		goto out;
	if (strstr((char *)buf, "-----BEGIN ") != NULL) {
		crypto_errf(err, errlen, "%s is PEM, not PKCS#12: import it with "
		    "--key FILE", path);
		goto out;
	}
	x.name = path;
	x.pw = (const uint8_t *)pw;
	x.pwlen = pwlen;
	x.err = err;
	x.errlen = errlen;
	if (pki_p12_parse(&x, buf, len) == -1) {
		if (!cr || strstr(err, "wrong password") == NULL)
			goto out;
		/* The line ended in "\r\n": try the password with the "\r". */
		pki_p12_free(&x);
		memset(&x, 0, sizeof(x));
		pw[pwlen] = '\r';
		x.name = path;
		x.pw = (const uint8_t *)pw;
		x.pwlen = pwlen + 1;
		x.err = err;
		x.errlen = errlen;
		if (pki_p12_parse(&x, buf, len) == -1)
			goto out;
	}
	for (i = 0; i < x.ncert; i++) {
		if ((r = mbedtls_x509_crt_parse_der(chain, x.cert[i],
		    x.certlen[i])) != 0) {
			crypto_strerror(r, why, sizeof(why));
			crypto_errf(err, errlen, "%s: certificate %d does not "
			    "parse: %s", path, i + 1, why);
			goto out;
		}
	}
	if ((r = mbedtls_pk_parse_key(key, x.key, x.keylen, NULL, 0)) != 0) {
		crypto_strerror(r, why, sizeof(why));
		crypto_errf(err, errlen, "%s: the private key does not parse: %s",
		    path, why);
		goto out;
	}
	rc = 0;
out:
	pki_p12_free(&x);
	mbedtls_platform_zeroize(pw, sizeof(pw));
	crypto_free_file(buf, len);
	return rc;
}

int
pki_signing_import(const char *data_dir, const char *cert_path,
    const char *key_path, const char *password_file, char *err, size_t errlen)
{
	const mbedtls_x509_crt *c, *leaf = NULL;
	mbedtls_x509_crt        chain;
	mbedtls_pk_context      key;
	unsigned char          *keypem = NULL;
	char                   *certpem = NULL, why[200];
	int                     count = 0, r, rc = -1;

	mbedtls_x509_crt_init(&chain);
	mbedtls_pk_init(&key);
	if (cert_path == NULL) {
		crypto_errf(err, errlen, "no certificate file given");
		goto out;
	}
	if (key_path != NULL && password_file != NULL) {
		crypto_errf(err, errlen, "give --key (a PEM pair) or "
		    "--password-file (a PKCS#12 file), not both");
		goto out;
	}
	if (password_file != NULL) {
		if (pki_import_p12(cert_path, password_file, &chain, &key, err,
		    errlen) == -1)
			goto out;
	} else {
		if (pki_crt_load(cert_path, &chain, &count, err, errlen) == -1) {
			if (access(cert_path, R_OK) == 0)
				crypto_errf(err, errlen, "%s is not a PEM or DER "
				    "certificate; for a PKCS#12 (.pfx, .p12) "
				    "file give --password-file FILE", cert_path);
			goto out;
		}
		/* No --key: the key may follow the certificate in one PEM file. */
		if (pki_key_load(key_path != NULL ? key_path : cert_path, &key,
		    err, errlen) == -1) {
			if (key_path == NULL)
				crypto_errf(err, errlen, "%s holds no usable "
				    "private key: give --key FILE, or "
				    "--password-file FILE for a PKCS#12 file "
				    "(%.200s)", cert_path, err);
			goto out;
		}
	}
	/* The leaf is the certificate of the key; a chain may come with it. */
	for (c = &chain; c != NULL && c->version != 0; c = c->next)
		if (mbedtls_pk_check_pair(&c->pk, &key) == 0) {
			leaf = c;
			break;
		}
	if (leaf == NULL)
		leaf = &chain;
	if (pki_crt_check_signing(leaf, &key, err, errlen) == -1)
		goto out;
	if ((keypem = calloc(1, PKI_KEY_PEM_BYTES)) == NULL) {
		crypto_errf(err, errlen, "out of memory");
		goto out;
	}
	if ((r = mbedtls_pk_write_key_pem(&key, keypem,
	    PKI_KEY_PEM_BYTES)) != 0) {
		crypto_strerror(r, why, sizeof(why));
		crypto_errf(err, errlen, "cannot encode the key: %s", why);
		goto out;
	}
	if ((certpem = pki_chain_pem(leaf, &chain, err, errlen)) == NULL)
		goto out;
	if (pki_signing_install(data_dir, certpem, (char *)keypem, err,
	    errlen) == -1)
		goto out;
	rc = 0;
out:
	pki_free(keypem, PKI_KEY_PEM_BYTES);
	free(certpem);
	mbedtls_pk_free(&key);
	mbedtls_x509_crt_free(&chain);
	return rc;
}

int
pki_signing_export(const char *data_dir, const char *out_path, char *err,
    size_t errlen)
{
	mbedtls_x509_crt chain;
	char             cert[PKI_PATH_MAX], key[PKI_PATH_MAX];
	int              count = 0, rc = -1;

	mbedtls_x509_crt_init(&chain);
	pki_signing_paths(data_dir, cert, key);
	if (access(cert, F_OK) != 0) {
		crypto_errf(err, errlen, "there is no signing certificate: run "
		    "wsusutil signingcert create or signingcert import");
		goto out;
	}
	if (pki_crt_load(cert, &chain, &count, err, errlen) == -1)
		goto out;
	/* The leaf alone, as the Windows import wizard expects a .cer. */
	if (crypto_write_file(out_path, chain.raw.p, chain.raw.len, 0644, 0,
	    err, errlen) == -1)
		goto out;
	rc = 0;
out:
	mbedtls_x509_crt_free(&chain);
	return rc;
}

int
pki_signing_check(const char *data_dir, char *err, size_t errlen)
{
	mbedtls_x509_crt   chain;
	mbedtls_pk_context key;
	char               cert[PKI_PATH_MAX], keyp[PKI_PATH_MAX];
	int                count = 0, rc = -1;

	mbedtls_x509_crt_init(&chain);
	mbedtls_pk_init(&key);
	pki_signing_paths(data_dir, cert, keyp);
	if (access(cert, F_OK) != 0) {
		crypto_errf(err, errlen, "there is no signing certificate: run "
		    "wsusutil signingcert create or signingcert import");
		goto out;
	}
	if (pki_crt_load(cert, &chain, &count, err, errlen) == -1 ||
	    pki_key_load(keyp, &key, err, errlen) == -1 ||
	    pki_crt_check_signing(&chain, &key, err, errlen) == -1)
		goto out;
	rc = 0;
out:
	mbedtls_pk_free(&key);
	mbedtls_x509_crt_free(&chain);
	return rc;
}

/* Names of the entries of dir that are "<40 hex>.<ext>", sorted. */
struct pki_names {
	char (*v)[PKI_SHA1_HEX + 1];
	int   n;
};

static int
pki_names_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/*
 * pki_names_read - the thumbprints of the "<SHA1>.<ext>" files in dir, at
 * most PKI_STORE_MAX, sorted, into *names (free names->v).  A missing
 * directory is an empty list.  Returns 0 or -1 with the reason in err.
 */
static int
pki_names_read(const char *dir, const char *ext, struct pki_names *names,
    char *err, size_t errlen)
{
	struct dirent *e;
	DIR           *d;
	char           t[PKI_SHA1_HEX + 1];
	size_t         el = strlen(ext);
	int            rc = -1;

	names->v = NULL;
	names->n = 0;
	if ((d = opendir(dir)) == NULL) {
		if (errno == ENOENT)
			return 0;
		crypto_errf(err, errlen, "cannot read %s: %s", dir,
		    strerror(errno));
		return -1;
	}
	if ((names->v = calloc(PKI_STORE_MAX, sizeof(*names->v))) == NULL) {
		crypto_errf(err, errlen, "out of memory");
		goto out;
	}
	while ((e = readdir(d)) != NULL) {
		if (strlen(e->d_name) != PKI_SHA1_HEX + 1 + el ||
		    e->d_name[PKI_SHA1_HEX] != '.' ||
		    strcmp(e->d_name + PKI_SHA1_HEX + 1, ext) != 0)
			continue;
		memcpy(t, e->d_name, PKI_SHA1_HEX);
		t[PKI_SHA1_HEX] = '\0';
		if (pki_thumb_norm(t, t) == -1 ||
		    memcmp(t, e->d_name, PKI_SHA1_HEX) != 0)
			continue;
		if (names->n == PKI_STORE_MAX) {
			crypto_errf(err, errlen, "%s holds more than %d "
			    "certificates", dir, PKI_STORE_MAX);
			goto out;
		}
		memcpy(names->v[names->n++], t, sizeof(t));
	}
	qsort(names->v, (size_t)names->n, sizeof(*names->v), pki_names_cmp);
	rc = 0;
out:
	closedir(d);
	if (rc == -1) {
		free(names->v);
		names->v = NULL;
		names->n = 0;
	}
	return rc;
}

int
pki_signing_show(const char *data_dir)
{
	struct pki_names names = { NULL, 0 };
	struct cert_info ci;
	mbedtls_x509_crt chain;
	char             cert[PKI_PATH_MAX], key[PKI_PATH_MAX];
	char             retired[PKI_PATH_MAX], path[PKI_PATH_MAX];
	char             err[1024], name[PKI_SHA1_HEX + 8];
	int              count = 0, i, rc = -1;

	mbedtls_x509_crt_init(&chain);
	pki_signing_paths(data_dir, cert, key);
	if (access(cert, F_OK) != 0) {
		printf("signing certificate: none (run wsusutil signingcert "
		    "create, or signingcert import)\n");
	} else if (crypto_cert_info(cert, &ci, err, sizeof(err)) == -1 ||
	    pki_crt_load(cert, &chain, &count, err, sizeof(err)) == -1) {
		printf("signing certificate: %s is unreadable: %s\n", cert, err);
	} else {
		printf("signing certificate: %s\n", cert);
		printf("  subject:      %s\n", ci.subject);
		printf("  issuer:       %s\n", ci.issuer);
		printf("  not before:   %s\n", ci.not_before);
		printf("  not after:    %s (%ld days left)\n", ci.not_after,
		    ci.days_left);
		printf("  thumbprint:   %s\n", ci.sha1);
		printf("  SHA-256:      %s\n", ci.sha256);
		printf("  key:          %s\n", ci.key_desc);
		printf("  self-signed:  %s\n", ci.self_signed ? "yes" : "no");
		printf("  code signing: %s\n",
		    pki_crt_code_signing(&chain) ? "yes" : "no");
		if (ci.chain_len > 1)
			printf("  chain:        %d more certificate%s\n",
			    ci.chain_len - 1, ci.chain_len == 2 ? "" : "s");
		if (pki_signing_check(data_dir, err, sizeof(err)) == -1)
			printf("  status:       NOT USABLE: %s\n", err);
		else {
			printf("  status:       ok\n");
			rc = 0;
		}
	}
	if (pki_path(retired, data_dir, "signing", "retired", err,
	    sizeof(err)) == -1 || pki_names_read(retired, "crt", &names, err,
	    sizeof(err)) == -1) {
		printf("retired: %s\n", err);
		rc = -1;
		goto out;
	}
	printf("retired:%s\n", names.n == 0 ? " none" : "");
	for (i = 0; i < names.n; i++) {
		snprintf(name, sizeof(name), "%s.crt", names.v[i]);
		if (pki_path(path, retired, name, NULL, err, sizeof(err)) == -1 ||
		    crypto_cert_info(path, &ci, err, sizeof(err)) == -1)
			printf("  %s  (unreadable: %s)\n", names.v[i], err);
		else
			printf("  %s  %s  not after %s\n", ci.sha1, ci.subject,
			    ci.not_after);
	}
out:
	free(names.v);
	mbedtls_x509_crt_free(&chain);
	return rc;
}

/* --- trust stores ----------------------------------------------------------------- */

static const char *const pki_store_names[] = { "TrustedPublisher", "Root" };

void
pki_trust_dir(const char *data_dir, enum pki_store s, char out[PKI_PATH_MAX])
{
	(void)pki_path(out, data_dir, "trust",
	    pki_store_names[s == PKI_STORE_ROOT], NULL, 0);
}

int
pki_trust_add(const char *data_dir, const char *file, enum pki_store s,
    char *err, size_t errlen)
{
	mbedtls_x509_crt chain;
	char             dir[PKI_PATH_MAX], path[PKI_PATH_MAX];
	char             sha1[PKI_SHA1_HEX + 1], name[PKI_SHA1_HEX + 8];
	int              count = 0, rc = -1;

	mbedtls_x509_crt_init(&chain);
	if (s != PKI_STORE_PUBLISHER && s != PKI_STORE_ROOT) {
		crypto_errf(err, errlen, "unknown store");
		goto out;
	}
	if (pki_crt_load(file, &chain, &count, err, errlen) == -1)
		goto out;
	if (count != 1) {
		crypto_errf(err, errlen, "%s holds %d certificates; add them one "
		    "at a time", file, count);
		goto out;
	}
	pki_crt_sha1(&chain, sha1);
	snprintf(name, sizeof(name), "%s.cer", sha1);
	if (pki_mkdir(data_dir, err, errlen) == -1 ||
	    pki_path(dir, data_dir, "trust", NULL, err, errlen) == -1 ||
	    pki_mkdir(dir, err, errlen) == -1 ||
	    pki_path(dir, data_dir, "trust", pki_store_names[s], err,
	    errlen) == -1 || pki_mkdir(dir, err, errlen) == -1 ||
	    pki_path(path, dir, name, NULL, err, errlen) == -1)
		goto out;
	/* Always DER, whatever came in; adding twice rewrites the same bytes. */
	if (crypto_write_file(path, chain.raw.p, chain.raw.len, 0644, 0,
	    err, errlen) == -1)
		goto out;
	rc = 0;
out:
	mbedtls_x509_crt_free(&chain);
	return rc;
}

int
pki_trust_list(const char *data_dir)
{
	struct pki_names names = { NULL, 0 };
	struct cert_info ci;
	char             dir[PKI_PATH_MAX], path[PKI_PATH_MAX];
	char             err[1024], name[PKI_SHA1_HEX + 8];
	int              s, i, rc = 0;

	for (s = 0; s < 2; s++) {
		pki_trust_dir(data_dir, (enum pki_store)s, dir);
		if (pki_names_read(dir, "cer", &names, err, sizeof(err)) == -1) {
			fprintf(stderr, "wsusutil: %s\n", err);
			rc = -1;
			continue;
		}
		for (i = 0; i < names.n; i++) {
			snprintf(name, sizeof(name), "%s.cer", names.v[i]);
			if (pki_path(path, dir, name, NULL, err,
			    sizeof(err)) == -1 || crypto_cert_info(path, &ci,
			    err, sizeof(err)) == -1) {
				fprintf(stderr, "wsusutil: %s: %s\n", path, err);
				rc = -1;
				continue;
			}
			/* store, thumbprint, subject, expiry: tab-separated. */
			printf("%s\t%s\t%s\t%s\n", pki_store_names[s], ci.sha1,
			    ci.subject, ci.not_after);
		}
		free(names.v);
		names.v = NULL;
	}
	return rc;
}

int
pki_trust_remove(const char *data_dir, const char *thumbprint, char *err,
    size_t errlen)
{
	char t[PKI_SHA1_HEX + 1], dir[PKI_PATH_MAX], path[PKI_PATH_MAX];
	char name[PKI_SHA1_HEX + 8];
	int  s, removed = 0;

	if (pki_thumb_norm(thumbprint, t) == -1) {
		crypto_errf(err, errlen, "\"%s\" is not a SHA-1 thumbprint (40 "
		    "hex digits)", thumbprint ? thumbprint : "");
		return -1;
	}
	snprintf(name, sizeof(name), "%s.cer", t);
	for (s = 0; s < 2; s++) {
		pki_trust_dir(data_dir, (enum pki_store)s, dir);
		if (pki_path(path, dir, name, NULL, err, errlen) == -1)
			return -1;
		if (unlink(path) == 0) {
			removed++;
			crypto_sync_dir(path);
		} else if (errno != ENOENT) {
			crypto_errf(err, errlen, "cannot remove %s: %s", path,
			    strerror(errno));
			return -1;
		}
	}
	if (removed == 0) {
		crypto_errf(err, errlen, "no certificate with thumbprint %s in "
		    "the TrustedPublisher or Root store", t);
		return -1;
	}
	return 0;
}

/*
 * Whether the store holds the certificate with thumbprint sha1: a file of
 * that name whose content hashes to it (the name alone proves nothing).
 */
static int
pki_store_has(const char *data_dir, enum pki_store s, const char *sha1)
{
	struct cert_info ci;
	char             dir[PKI_PATH_MAX], path[PKI_PATH_MAX];
	char             name[PKI_SHA1_HEX + 8], err[256];

	pki_trust_dir(data_dir, s, dir);
	snprintf(name, sizeof(name), "%s.cer", sha1);
	if (pki_path(path, dir, name, NULL, NULL, 0) == -1 ||
	    crypto_cert_info(path, &ci, err, sizeof(err)) == -1)
		return 0;
	return strcmp(ci.sha1, sha1) == 0;
}

int
pki_trust_check_signer(const char *data_dir, const char *cert_path,
    char *err, size_t errlen)
{
	struct cert_info ci;
	int              pub, root;

	if (crypto_cert_info(cert_path, &ci, err, errlen) == -1)
		return -1;
	pub = pki_store_has(data_dir, PKI_STORE_PUBLISHER, ci.sha1);
	/* The seed's rule: a self-signed signer must be a trusted root too. */
	root = !ci.self_signed || pki_store_has(data_dir, PKI_STORE_ROOT,
	    ci.sha1);
	if (pub && root)
		return 0;
	if (!pub && !root)
		crypto_errf(err, errlen, "the signing certificate %s (thumbprint "
		    "%s) is self-signed and in neither the update server's "
		    "TrustedPublisher store nor its Root store: run wsusutil "
		    "trust add signing.cer --store TrustedPublisher and "
		    "wsusutil trust add signing.cer --store Root", ci.subject,
		    ci.sha1);
	else if (!pub)
		crypto_errf(err, errlen, "the signing certificate %s (thumbprint "
		    "%s) is not in the update server's TrustedPublisher store: "
		    "run wsusutil trust add signing.cer --store "
		    "TrustedPublisher", ci.subject, ci.sha1);
	else
		crypto_errf(err, errlen, "the signing certificate %s (thumbprint "
		    "%s) is self-signed and not in the update server's Root "
		    "store: run wsusutil trust add signing.cer --store Root",
		    ci.subject, ci.sha1);
	return -1;
}
