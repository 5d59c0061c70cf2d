/*
 * crypto.c - certificates, keys, hashes, AEAD, base64 and randomness: the
 * project's one wrapper over mbedTLS outside TLS (x509, pk, md, ctr_drbg,
 * asn1write, sha1, sha256, md4, pkcs5, gcm, base64).
 *
 * Owns: reading a certificate file and describing its first certificate
 * (struct cert_info), deciding whether it may serve a given name (SAN or
 * CN per RFC 6125, serverAuth EKU, validity), checking that a private key
 * belongs to a certificate, making a self-signed P-256 server certificate
 * and its key on disk, filling buffers from the OS CSPRNG, SHA-1/SHA-256
 * digests, MD4 and the NT hash of a password, PBKDF2-HMAC-SHA256
 * password verifiers, AES-256-GCM sealing with a random nonce (the cookies of
 * webservices/cookie.c), strict base64, constant-time comparison and
 * wiping; and, for the other mbedTLS users of server/ (certreq.c, pki.c,
 * cab.c, authenticode_*.c), the helpers crypto.h lists as shared: error
 * sentences, bounded file reading, atomic file writing, the DNS-name rule,
 * the EKU and SAN extension writers and loading a certificate chain.
 *
 * Never does: TLS (server/tls.c owns mbedtls/ssl*.h and the live
 * certificate/key pair), logging (every failure comes back as a sentence
 * in the caller's buffer, so wsusutil can print it and wsusd can log it
 * once with its own context), or leaving a half-written file behind.
 *
 * Secrets: private-key bytes read from or written to disk pass through
 * heap or stack buffers that are wiped with mbedtls_platform_zeroize()
 * before they are released; mbedtls_pk_free() and mbedtls_ctr_drbg_free()
 * wipe their own state.  A key file is created 0600 (mkstemp, O_EXCL) under
 * a temporary name and renamed into place, so it is never readable by
 * others, not even for a moment.
 *
 * mbedTLS 2.28 has no writer for extendedKeyUsage or subjectAltName, so
 * crypto_ext_eku() and crypto_ext_san() build their DER with
 * mbedtls_asn1_write_*, which write backwards from the end of a buffer.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/asn1write.h>
#include <mbedtls/base64.h>
#include <mbedtls/bignum.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/gcm.h>
#include <mbedtls/md.h>
#include <mbedtls/md4.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/pkcs5.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/sha1.h>
#include <mbedtls/sha256.h>
#include <mbedtls/x509_crt.h>

#include "crypto.h"
#include "limits_common.h"
#include "log.h"

/*
 * Bounds on local files and on what crypto_selfsigned() accepts.  These
 * bound operator-supplied input (paths in wsusd.conf, wsusutil
 * arguments), not peer input, so they live here rather than in limits.h.
 */
#define CRYPTO_FILE_MAX_BYTES  (1u << 20) /* certificate or key file read into memory */
#define CRYPTO_SAN_NAMES_MAX   64         /* extra SAN names in a generated certificate */
#define CRYPTO_DAYS_MAX        36500      /* validity of a generated certificate, days */
#define CRYPTO_SERIAL_BYTES    16         /* random serial number, bytes (RFC 5280: <= 20) */
#define CRYPTO_KEY_PEM_BYTES   2048       /* PEM of a P-256 private key (~230 bytes) */
#define CRYPTO_CERT_PEM_BYTES  4096       /* PEM of a certificate, plus twice the SAN DER */
#define CRYPTO_DNS_LABEL_MAX   63         /* bytes in one DNS label, RFC 1035 */
#define CRYPTO_SECS_PER_DAY    86400
#define CRYPTO_BACKDATE_SECS   3600       /* notBefore = now - 1 h, for clock skew */

/* AES-256-GCM as crypto_aead_seal() lays it out: nonce || ct || tag. */
#define CRYPTO_AEAD_KEY_BYTES   32
#define CRYPTO_AEAD_NONCE_BYTES 12         /* 96-bit, the GCM fast path */
#define CRYPTO_AEAD_TAG_BYTES   16         /* full tag, never truncated */
#define CRYPTO_AEAD_OVERHEAD    (CRYPTO_AEAD_NONCE_BYTES + CRYPTO_AEAD_TAG_BYTES)

static const char crypto_pers[] = "wsusd crypto_selfsigned";

/* --- small helpers (the first ones shared through crypto.h) -------------- */

void
crypto_errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/*
 * Append one failing requirement to a reason sentence, separated from the
 * previous ones by "; ".  Output that does not fit is cut, never overrun.
 */
static void crypto_addf(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void
crypto_addf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	size_t  off;

	if (buf == NULL || len == 0)
		return;
	off = strnlen(buf, len - 1);
	if (off > 0 && off + 2 < len) {
		memcpy(buf + off, "; ", 3);
		off += 2;
	}
	if (off + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + off, len - off, fmt, ap);
	va_end(ap);
}

void
crypto_strerror(int rc, char *buf, size_t len)
{
	char text[160];

	mbedtls_strerror(rc, text, sizeof(text));
	snprintf(buf, len, "%s (-0x%04x)", text, (unsigned)-rc);
}

/* ASCII case-insensitive equality of n bytes (locale-independent). */
static int
crypto_caseeq(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];

		if (x >= 'A' && x <= 'Z')
			x += 'a' - 'A';
		if (y >= 'A' && y <= 'Z')
			y += 'a' - 'A';
		if (x != y)
			return 0;
	}
	return 1;
}

/*
 * Copy (p, n) bytes from a certificate into buf as printable text: bytes
 * outside 0x21..0x7e become '?', so a hostile name cannot inject control
 * characters into a log line or terminal.  Cuts to fit.
 */
static void
crypto_printable(const unsigned char *p, size_t n, char *buf, size_t len)
{
	size_t i;

	if (len == 0)
		return;
	for (i = 0; i < n && i + 1 < len; i++)
		buf[i] = (p[i] > 0x20 && p[i] < 0x7f) ? (char)p[i] : '?';
	buf[i] = '\0';
}

/* Upper-case hex of in into out, with ':' between bytes if colons. */
static void
crypto_hex(const unsigned char *in, size_t n, int colons, char *out,
    size_t outlen)
{
	static const char digits[] = "0123456789ABCDEF";
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		if (o + 3 + (colons && i > 0) > outlen)
			break;
		if (colons && i > 0)
			out[o++] = ':';
		out[o++] = digits[in[i] >> 4];
		out[o++] = digits[in[i] & 0x0f];
	}
	if (outlen > 0)
		out[o < outlen ? o : outlen - 1] = '\0';
}

/* An mbedTLS time (always UTC in a certificate) as seconds since the epoch. */
static time_t
crypto_time_epoch(const mbedtls_x509_time *t)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = t->year - 1900;
	tm.tm_mon = t->mon - 1;
	tm.tm_mday = t->day;
	tm.tm_hour = t->hour;
	tm.tm_min = t->min;
	tm.tm_sec = t->sec;
	return timegm(&tm);
}

static void
crypto_time_text(const mbedtls_x509_time *t, char *buf, size_t len)
{
	snprintf(buf, len, "%04d-%02d-%02d %02d:%02d:%02d UTC",
	    t->year, t->mon, t->day, t->hour, t->min, t->sec);
}

int
crypto_read_file(const char *path, size_t max, unsigned char **out,
    size_t *len, char *err, size_t errlen)
{
	struct stat    st;
	unsigned char *buf = NULL;
	size_t         size = 0, got = 0;
	ssize_t        n;
	int            fd = -1, rc = -1;

	*out = NULL;
	*len = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		crypto_errf(err, errlen, "cannot open %s: %s", path,
		    strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) == -1) {
		crypto_errf(err, errlen, "cannot stat %s: %s", path,
		    strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		crypto_errf(err, errlen, "%s is not a regular file", path);
		goto out;
	}
	if ((uintmax_t)st.st_size > (uintmax_t)max) {
		crypto_errf(err, errlen, "%s is larger than %zu bytes", path,
		    max);
		goto out;
	}
	size = (size_t)st.st_size;
	/* Two NULs: text for strstr/strtol, and room for the PEM length. */
	if ((buf = malloc(size + 2)) == NULL) {
		crypto_errf(err, errlen, "out of memory reading %s", path);
		goto out;
	}
	/* The file may shrink under us: take what is there. */
	while (got < size) {
		n = read(fd, buf + got, size - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			crypto_errf(err, errlen, "cannot read %s: %s", path,
			    strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (got == 0) {
		crypto_errf(err, errlen, "%s is empty", path);
		goto out;
	}
	buf[got] = '\0';
	buf[got + 1] = '\0';
	*len = got + (strstr((const char *)buf, "-----BEGIN ") != NULL);
	*out = buf;
	buf = NULL;
	rc = 0;
out:
	if (buf != NULL) {
		mbedtls_platform_zeroize(buf, size + 2);
		free(buf);
	}
	if (fd != -1)
		close(fd);
	return rc;
}

void
crypto_free_file(unsigned char *buf, size_t len)
{
	if (buf == NULL)
		return;
	mbedtls_platform_zeroize(buf, len + 1);
	free(buf);
}

/* A server chain with a hole in it is a mistake: refused whole. */
int
crypto_crt_load(const char *path, mbedtls_x509_crt *chain, int *count,
    char *err, size_t errlen)
{
	const mbedtls_x509_crt *c;
	unsigned char *buf = NULL;
	size_t         len = 0;
	char           why[200];
	int            r, rc = -1;

	*count = 0;
	if (crypto_read_file(path, CRYPTO_FILE_MAX_BYTES, &buf, &len, err,
	    errlen) == -1)
		goto out;
	r = mbedtls_x509_crt_parse(chain, buf, len);
	if (r < 0) {
		crypto_strerror(r, why, sizeof(why));
		crypto_errf(err, errlen, "%s: no certificate could be parsed: %s",
		    path, why);
		goto out;
	}
	if (r > 0) {
		crypto_errf(err, errlen, "%s: %d certificate%s could not be parsed",
		    path, r, r == 1 ? "" : "s");
		goto out;
	}
	for (c = chain; c != NULL && c->version != 0; c = c->next)
		(*count)++;
	if (*count == 0) {
		crypto_errf(err, errlen, "%s: no certificate found", path);
		goto out;
	}
	rc = 0;
out:
	crypto_free_file(buf, len);
	return rc;
}

/* "EC P-256", "RSA 2048", ... for the public key of a certificate. */
static void
crypto_key_desc(const mbedtls_pk_context *pk, char *buf, size_t len)
{
	const mbedtls_ecp_curve_info *ci;
	mbedtls_ecp_group_id          gid;

	switch (mbedtls_pk_get_type(pk)) {
	case MBEDTLS_PK_RSA:
	case MBEDTLS_PK_RSASSA_PSS:
		snprintf(buf, len, "RSA %zu", mbedtls_pk_get_bitlen(pk));
		return;
	case MBEDTLS_PK_ECKEY:
	case MBEDTLS_PK_ECKEY_DH:
	case MBEDTLS_PK_ECDSA:
		gid = mbedtls_pk_ec(*pk)->grp.id;
		if (gid == MBEDTLS_ECP_DP_SECP256R1)
			snprintf(buf, len, "EC P-256");
		else if (gid == MBEDTLS_ECP_DP_SECP384R1)
			snprintf(buf, len, "EC P-384");
		else if (gid == MBEDTLS_ECP_DP_SECP521R1)
			snprintf(buf, len, "EC P-521");
		else if ((ci = mbedtls_ecp_curve_info_from_grp_id(gid)) != NULL)
			snprintf(buf, len, "EC %s", ci->name);
		else
			snprintf(buf, len, "EC (unknown curve)");
		return;
	default:
		snprintf(buf, len, "%s %zu", mbedtls_pk_get_name(pk),
		    mbedtls_pk_get_bitlen(pk));
		return;
	}
}

int
crypto_crt_self_signed(const mbedtls_x509_crt *crt)
{
	unsigned char          hash[MBEDTLS_MD_MAX_SIZE];
	const mbedtls_md_info_t *md;

	if (crt->issuer_raw.len != crt->subject_raw.len ||
	    memcmp(crt->issuer_raw.p, crt->subject_raw.p,
	    crt->subject_raw.len) != 0)
		return 0;
	if ((md = mbedtls_md_info_from_type(crt->sig_md)) == NULL)
		return 0;
	if (mbedtls_md(md, crt->tbs.p, crt->tbs.len, hash) != 0)
		return 0;
	/* mbedtls_pk_verify_ext takes a non-const key it does not change. */
	return mbedtls_pk_verify_ext(crt->sig_pk, crt->sig_opts,
	    (mbedtls_pk_context *)&crt->pk, crt->sig_md, hash, mbedtls_md_get_size(md), crt->sig.p,
	    crt->sig.len) == 0;
}

/* Whether a SAN entry (an mbedtls_x509_sequence node) is a dNSName. */
static int
crypto_san_is_dns(const mbedtls_x509_sequence *s)
{
	return s->buf.tag ==
	    (MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_X509_SAN_DNS_NAME);
}

/*
 * "DNS:a, DNS:b" for the dNSName entries of crt's SAN ("" if none).  When
 * the list does not fit, it ends in ", ..." after the last whole entry.
 */
static void
crypto_sans_text(const mbedtls_x509_crt *crt, char *buf, size_t len)
{
	const mbedtls_x509_sequence *s;
	char   name[LIMIT_FQDN_BYTES + 2];
	size_t off = 0, need;

	if (len == 0)
		return;
	buf[0] = '\0';
	for (s = &crt->subject_alt_names; s != NULL; s = s->next) {
		if (s->buf.p == NULL || !crypto_san_is_dns(s))
			continue;
		crypto_printable(s->buf.p, s->buf.len, name, sizeof(name));
		/* separator + "DNS:" + name, leaving room for ", ..." */
		need = (off ? 2 : 0) + 4 + strlen(name);
		if (off + need + 5 + 1 > len) {
			if (off + 5 + 1 <= len)
				memcpy(buf + off, off ? ", ..." : "...", 6);
			return;
		}
		off += (size_t)snprintf(buf + off, len - off, "%sDNS:%s",
		    off ? ", " : "", name);
	}
}

/* The most specific (last) CN of crt's subject, or NULL. */
static const mbedtls_x509_name *
crypto_cn(const mbedtls_x509_crt *crt)
{
	const mbedtls_x509_name *n, *cn = NULL;

	for (n = &crt->subject; n != NULL; n = n->next)
		if (n->oid.p != NULL && MBEDTLS_OID_CMP(MBEDTLS_OID_AT_CN,
		    &n->oid) == 0)
			cn = n;
	return cn;
}

/*
 * mbedtls_x509_dn_gets into buf; a DN too long for buf is cut and marked
 * with "..." rather than treated as an error.
 */
static void
crypto_dn_text(const mbedtls_x509_name *dn, char *buf, size_t len)
{
	if (mbedtls_x509_dn_gets(buf, len, dn) < 0) {
		buf[len - 1] = '\0';
		if (len >= 4)
			memcpy(buf + len - 4, "...", 4);
	}
}

/*
 * crypto_describe - fill *ci from the first certificate of chain (count
 * certificates in all), with days_left computed against now.  Never fails.
 */
static void
crypto_describe(mbedtls_x509_crt *crt, int count, time_t now,
    struct cert_info *ci)
{
	unsigned char          digest[MBEDTLS_MD_MAX_SIZE];
	const mbedtls_md_info_t *md;
	time_t                 diff;

	memset(ci, 0, sizeof(*ci));
	crypto_dn_text(&crt->subject, ci->subject, sizeof(ci->subject));
	crypto_dn_text(&crt->issuer, ci->issuer, sizeof(ci->issuer));
	crypto_sans_text(crt, ci->sans, sizeof(ci->sans));
	crypto_time_text(&crt->valid_from, ci->not_before,
	    sizeof(ci->not_before));
	crypto_time_text(&crt->valid_to, ci->not_after, sizeof(ci->not_after));

	/* Whole days, rounded down: expired by an hour is -1, not 0. */
	diff = crypto_time_epoch(&crt->valid_to) - now;
	ci->days_left = diff >= 0 ? (long)(diff / CRYPTO_SECS_PER_DAY) :
	    -(long)((-diff + CRYPTO_SECS_PER_DAY - 1) / CRYPTO_SECS_PER_DAY);

	if ((md = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256)) != NULL &&
	    mbedtls_md(md, crt->raw.p, crt->raw.len, digest) == 0)
		crypto_hex(digest, mbedtls_md_get_size(md), 1, ci->sha256,
		    sizeof(ci->sha256));
	if ((md = mbedtls_md_info_from_type(MBEDTLS_MD_SHA1)) != NULL &&
	    mbedtls_md(md, crt->raw.p, crt->raw.len, digest) == 0)
		crypto_hex(digest, mbedtls_md_get_size(md), 0, ci->sha1,
		    sizeof(ci->sha1));

	crypto_key_desc(&crt->pk, ci->key_desc, sizeof(ci->key_desc));
	/* 0 when the EKU is absent, lists serverAuth, or lists anyEKU. */
	ci->server_auth = mbedtls_x509_crt_check_extended_key_usage(crt,
	    MBEDTLS_OID_SERVER_AUTH,
	    MBEDTLS_OID_SIZE(MBEDTLS_OID_SERVER_AUTH)) == 0;
	ci->self_signed = crypto_crt_self_signed(crt);
	ci->chain_len = count;
}

/* --- reading certificates -------------------------------------------------- */

int
crypto_cert_info(const char *pem_path, struct cert_info *ci, char *err,
    size_t errlen)
{
	mbedtls_x509_crt chain;
	int              count = 0, rc = -1;

	mbedtls_x509_crt_init(&chain);
	memset(ci, 0, sizeof(*ci));
	if (crypto_crt_load(pem_path, &chain, &count, err, errlen) == -1)
		goto out;
	crypto_describe(&chain, count, time(NULL), ci);
	rc = 0;
out:
	mbedtls_x509_crt_free(&chain);
	return rc;
}

/*
 * crypto_name_match - RFC 6125 §6.4 matching of one presented identifier
 * (pat, plen: a SAN dNSName or CN, not NUL-terminated) against the
 * reference name (name, nlen), ASCII case-insensitively, ignoring one
 * trailing dot on either.  A wildcard is honoured only as the whole
 * leftmost label ("*.example.com") over at least two further labels, and
 * stands for exactly one non-empty label: it matches "a.example.com", not
 * "example.com" nor "a.b.example.com".  Returns 1 on a match.
 */
static int
crypto_name_match(const char *pat, size_t plen, const char *name, size_t nlen)
{
	const char *dot;

	if (plen > 0 && pat[plen - 1] == '.')
		plen--;
	if (nlen > 0 && name[nlen - 1] == '.')
		nlen--;
	if (plen == 0 || nlen == 0 || memchr(pat, '\0', plen) != NULL)
		return 0;
	if (plen > 2 && pat[0] == '*' && pat[1] == '.') {
		/* the suffix ".example.com" must itself have a dot after its first */
		if (memchr(pat + 2, '.', plen - 2) == NULL)
			return 0;
		if ((dot = memchr(name, '.', nlen)) == NULL || dot == name)
			return 0;
		return (size_t)(name + nlen - dot) == plen - 1 &&
		    crypto_caseeq(dot, pat + 1, plen - 1);
	}
	return plen == nlen && crypto_caseeq(pat, name, nlen);
}

int
crypto_cert_check_name(const char *pem_path, const char *fqdn, char *reason,
    size_t reasonlen)
{
	const mbedtls_x509_sequence *s;
	const mbedtls_x509_name     *cn;
	mbedtls_x509_crt             chain;
	struct cert_info             ci;
	char                         cntext[CRYPTO_DN_MAX];
	time_t                       now;
	size_t                       nlen;
	int                          count = 0, has_dns = 0, covered = 0;
	int                          failed = 0, rc = -1;

	mbedtls_x509_crt_init(&chain);
	if (reason != NULL && reasonlen > 0)
		reason[0] = '\0';
	if (fqdn == NULL || (nlen = strlen(fqdn)) == 0) {
		crypto_errf(reason, reasonlen, "no server name to check");
		goto out;
	}
	if (crypto_crt_load(pem_path, &chain, &count, reason, reasonlen) == -1)
		goto out;
	now = time(NULL);
	crypto_describe(&chain, count, now, &ci);

	/* RFC 6125 §6.4.4: the CN counts only when there is no SAN dNSName. */
	for (s = &chain.subject_alt_names; s != NULL; s = s->next) {
		if (s->buf.p == NULL || !crypto_san_is_dns(s))
			continue;
		has_dns = 1;
		if (crypto_name_match((const char *)s->buf.p, s->buf.len, fqdn,
		    nlen))
			covered = 1;
	}
	cn = crypto_cn(&chain);
	if (!has_dns && cn != NULL)
		covered = crypto_name_match((const char *)cn->val.p,
		    cn->val.len, fqdn, nlen);
	if (!covered) {
		failed = 1;
		if (has_dns)
			crypto_addf(reason, reasonlen,
			    "certificate does not cover \"%s\" (SAN: %s)",
			    fqdn, ci.sans);
		else if (cn != NULL) {
			crypto_printable(cn->val.p, cn->val.len, cntext,
			    sizeof(cntext));
			crypto_addf(reason, reasonlen,
			    "certificate does not cover \"%s\" (CN: %s, no SAN "
			    "dNSName)", fqdn, cntext);
		} else
			crypto_addf(reason, reasonlen,
			    "certificate does not cover \"%s\" (no SAN dNSName "
			    "and no CN)", fqdn);
	}
	if (!ci.server_auth) {
		failed = 1;
		crypto_addf(reason, reasonlen,
		    "certificate has no serverAuth EKU");
	}
	if (now < crypto_time_epoch(&chain.valid_from)) {
		failed = 1;
		crypto_addf(reason, reasonlen,
		    "certificate is not valid before %s", ci.not_before);
	}
	if (now > crypto_time_epoch(&chain.valid_to)) {
		failed = 1;
		crypto_addf(reason, reasonlen, "certificate expired on %s",
		    ci.not_after);
	}
	if (failed)
		goto out;
	rc = 0;
out:
	mbedtls_x509_crt_free(&chain);
	return rc;
}

int
crypto_key_matches(const char *cert_path, const char *key_path, char *err,
    size_t errlen)
{
	mbedtls_x509_crt   chain;
	mbedtls_pk_context key;
	unsigned char     *buf = NULL;
	size_t             len = 0;
	char               why[200];
	int                count = 0, r, rc = -1;

	mbedtls_x509_crt_init(&chain);
	mbedtls_pk_init(&key);
	if (crypto_crt_load(cert_path, &chain, &count, err, errlen) == -1)
		goto out;
	if (crypto_read_file(key_path, CRYPTO_FILE_MAX_BYTES, &buf, &len, err,
	    errlen) == -1)
		goto out;
	r = mbedtls_pk_parse_key(&key, buf, len, NULL, 0);
	if (r == MBEDTLS_ERR_PK_PASSWORD_REQUIRED) {
		crypto_errf(err, errlen, "%s is encrypted; wsusd needs an "
		    "unencrypted key", key_path);
		goto out;
	}
	if (r != 0) {
		crypto_strerror(r, why, sizeof(why));
		crypto_errf(err, errlen, "%s: cannot parse private key: %s",
		    key_path, why);
		goto out;
	}
	r = mbedtls_pk_check_pair(&chain.pk, &key);
	if (r == MBEDTLS_ERR_PK_TYPE_MISMATCH) {
		crypto_errf(err, errlen, "%s is a %s key but %s holds a %s key",
		    key_path, mbedtls_pk_get_name(&key), cert_path,
		    mbedtls_pk_get_name(&chain.pk));
		goto out;
	}
	if (r != 0) {
		crypto_errf(err, errlen, "%s is not the key of the certificate "
		    "in %s", key_path, cert_path);
		goto out;
	}
	rc = 0;
out:
	crypto_free_file(buf, len);
	mbedtls_pk_free(&key);
	mbedtls_x509_crt_free(&chain);
	return rc;
}

/* --- making a self-signed certificate ---------------------------------------- */

/* The DNS-name rule of crypto.h (crypto_dns_ok). */
int
crypto_dns_ok(const char *name, int wildcard)
{
	size_t i, n, label = 0, dots = 0;

	if (name == NULL || (n = strlen(name)) == 0 || n > LIMIT_FQDN_BYTES)
		return 0;
	i = 0;
	if (wildcard && n > 2 && name[0] == '*' && name[1] == '.')
		i = 2;
	for (; i < n; i++) {
		char c = name[i];

		if (c == '.') {
			if (label == 0)
				return 0;
			label = 0;
			dots++;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-'))
			return 0;
		if (++label > CRYPTO_DNS_LABEL_MAX)
			return 0;
	}
	if (label == 0)
		return 0;
	if (name[0] == '*' && dots == 0)   /* "*.com" */
		return 0;
	return 1;
}

/* Name k of the SAN list: 0 is fqdn, k >= 1 is sans[k - 1]. */
static const char *
crypto_san_name(const char *fqdn, const char *const *sans, int k)
{
	return k == 0 ? fqdn : sans[k - 1];
}

/* Whether name k repeats (case-insensitively) one of names 0..k-1. */
static int
crypto_san_dup(const char *fqdn, const char *const *sans, int k)
{
	const char *a = crypto_san_name(fqdn, sans, k), *b;
	int         j;

	for (j = 0; j < k; j++) {
		b = crypto_san_name(fqdn, sans, j);
		if (strlen(a) == strlen(b) && crypto_caseeq(a, b, strlen(a)))
			return 1;
	}
	return 0;
}

/* Add an mbedtls_asn1_write_* result to *total; -1 on its error. */
static int
crypto_asn1_add(size_t *total, int r)
{
	if (r < 0)
		return -1;
	*total += (size_t)r;
	return 0;
}

size_t
crypto_ext_san_size(const char *fqdn, const char *const *sans, int nsans)
{
	size_t size = 16;   /* the SEQUENCE's tag and length */
	int    k;

	/* Each name: itself plus a tag and up to three length bytes. */
	for (k = 0; k <= nsans; k++)
		size += strlen(crypto_san_name(fqdn, sans, k)) + 4;
	return size;
}

int
crypto_ext_san(const char *fqdn, const char *const *sans, int nsans,
    unsigned char *buf, size_t size, unsigned char **der, size_t *derlen)
{
	unsigned char *p = buf + size;
	const char    *name;
	size_t         len = 0, n;
	int            k;

	/* Last name first, so that the DER lists fqdn first. */
	for (k = nsans; k >= 0; k--) {
		if (crypto_san_dup(fqdn, sans, k))
			continue;
		name = crypto_san_name(fqdn, sans, k);
		n = strlen(name);
		if (crypto_asn1_add(&len, mbedtls_asn1_write_raw_buffer(&p, buf,
		    (const unsigned char *)name, n)) == -1 ||
		    crypto_asn1_add(&len, mbedtls_asn1_write_len(&p, buf, n)) == -1 ||
		    crypto_asn1_add(&len, mbedtls_asn1_write_tag(&p, buf,
		    MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_X509_SAN_DNS_NAME)) == -1)
			return -1;
	}
	if (crypto_asn1_add(&len, mbedtls_asn1_write_len(&p, buf, len)) == -1 ||
	    crypto_asn1_add(&len, mbedtls_asn1_write_tag(&p, buf,
	    MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE)) == -1)
		return -1;
	*der = p;
	*derlen = len;
	return 0;
}

int
crypto_ext_eku(unsigned ekus, unsigned char *buf, size_t size,
    unsigned char **der, size_t *derlen)
{
	unsigned char *p = buf + size;
	size_t         len = 0;

	if (ekus == 0)
		return -1;
	/* Backwards: the last purpose of the SEQUENCE first. */
	if ((ekus & CRYPTO_EKU_CODE_SIGNING) &&
	    crypto_asn1_add(&len, mbedtls_asn1_write_oid(&p, buf,
	    MBEDTLS_OID_CODE_SIGNING,
	    MBEDTLS_OID_SIZE(MBEDTLS_OID_CODE_SIGNING))) == -1)
		return -1;
	if ((ekus & CRYPTO_EKU_SERVER_AUTH) &&
	    crypto_asn1_add(&len, mbedtls_asn1_write_oid(&p, buf,
	    MBEDTLS_OID_SERVER_AUTH,
	    MBEDTLS_OID_SIZE(MBEDTLS_OID_SERVER_AUTH))) == -1)
		return -1;
	if (crypto_asn1_add(&len, mbedtls_asn1_write_len(&p, buf, len)) == -1 ||
	    crypto_asn1_add(&len, mbedtls_asn1_write_tag(&p, buf,
	    MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE)) == -1)
		return -1;
	*der = p;
	*derlen = len;
	return 0;
}

/* t as the "YYYYMMDDhhmmss" (UTC) that mbedtls_x509write_crt_set_validity takes. */
static int
crypto_validity_text(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(buf, len, "%Y%m%d%H%M%S",
	    &tm) != 14)
		return -1;
	return 0;
}

/* --- writing files ------------------------------------------------------------ */

int
crypto_write_tmp(const char *path, const void *data, size_t len,
    unsigned mode, char *tmp, size_t tmplen, char *err, size_t errlen)
{
	const unsigned char *p = data;
	size_t               off = 0;
	ssize_t              n;
	int                  fd = -1, rc = -1;

	if (tmplen == 0)
		return -1;
	tmp[0] = '\0';
	if ((size_t)snprintf(tmp, tmplen, "%s.XXXXXX", path) >= tmplen) {
		crypto_errf(err, errlen, "path %s is too long", path);
		tmp[0] = '\0';
		return -1;
	}
	/* mkstemp: O_CREAT | O_EXCL, 0600, a name nobody could plant. */
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		crypto_errf(err, errlen, "cannot create a file beside %s: %s",
		    path, strerror(errno));
		tmp[0] = '\0';
		goto out;
	}
	if (fchmod(fd, (mode_t)mode) == -1) {
		crypto_errf(err, errlen, "cannot chmod %s: %s", tmp,
		    strerror(errno));
		goto out;
	}
	while (off < len) {
		n = write(fd, p + off, len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			crypto_errf(err, errlen, "cannot write %s: %s", tmp,
			    strerror(errno));
			goto out;
		}
		off += (size_t)n;
	}
	if (fsync(fd) == -1) {
		crypto_errf(err, errlen, "cannot fsync %s: %s", tmp,
		    strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (fd != -1 && close(fd) == -1 && rc == 0) {
		crypto_errf(err, errlen, "cannot close %s: %s", tmp,
		    strerror(errno));
		rc = -1;
	}
	if (rc == -1 && tmp[0] != '\0') {
		unlink(tmp);
		tmp[0] = '\0';
	}
	return rc;
}

int
crypto_place_file(const char *tmp, const char *path, int flags, char *err,
    size_t errlen)
{
	if (flags & CRYPTO_WRITE_NOREPLACE) {
		/* Unlike rename, link refuses a file that appeared at path. */
		if (link(tmp, path) == -1) {
			crypto_errf(err, errlen, "cannot create %s: %s", path,
			    strerror(errno));
			return -1;
		}
		(void)unlink(tmp);
		return 0;
	}
	if (rename(tmp, path) == -1) {
		crypto_errf(err, errlen, "cannot rename %s to %s: %s", tmp, path,
		    strerror(errno));
		return -1;
	}
	return 0;
}

int
crypto_write_file(const char *path, const void *data, size_t len,
    unsigned mode, int flags, char *err, size_t errlen)
{
	char tmp[CRYPTO_TMP_MAX];

	if (crypto_write_tmp(path, data, len, mode, tmp, sizeof(tmp), err,
	    errlen) == -1)
		return -1;
	if (crypto_place_file(tmp, path, flags, err, errlen) == -1) {
		unlink(tmp);
		return -1;
	}
	crypto_sync_dir(path);
	return 0;
}

void
crypto_sync_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char       *dir = NULL;
	int         fd = -1;

	if (slash == NULL)
		dir = strdup(".");
	else if (slash == path)
		dir = strdup("/");
	else
		dir = strndup(path, (size_t)(slash - path));
	if (dir == NULL)
		goto out;
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		goto out;
	(void)fsync(fd);
out:
	if (fd != -1)
		close(fd);
	free(dir);
}

/*
 * crypto_unlink_stale - remove "<path>.tmp", the temporary name earlier
 * versions wrote under: a crash of one of them left it, and it is ours.
 * Returns 0 or -1 with the reason in err.
 */
static int
crypto_unlink_stale(const char *path, char *err, size_t errlen)
{
	char stale[CRYPTO_TMP_MAX];

	if ((size_t)snprintf(stale, sizeof(stale), "%s.tmp", path) >=
	    sizeof(stale))
		return 0;
	if (unlink(stale) == -1 && errno != ENOENT) {
		crypto_errf(err, errlen, "cannot remove stale %s: %s", stale,
		    strerror(errno));
		return -1;
	}
	return 0;
}

/* --- key and certificate building blocks ------------------------------------- */

int
crypto_keygen_ec_p256(struct mbedtls_entropy_context *entropy,
    struct mbedtls_ctr_drbg_context *drbg, const char *pers,
    struct mbedtls_pk_context *key, char *err, size_t errlen)
{
	char why[200];
	int  r;

	r = mbedtls_ctr_drbg_seed(drbg, mbedtls_entropy_func, entropy,
	    (const unsigned char *)pers, strlen(pers));
	if (r == 0)
		r = mbedtls_pk_setup(key,
		    mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY));
	if (r == 0)
		r = mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1,
		    mbedtls_pk_ec(*key), mbedtls_ctr_drbg_random, drbg);
	if (r != 0) {
		crypto_strerror(r, why, sizeof(why));
		crypto_errf(err, errlen, "cannot generate key: %s", why);
		return -1;
	}
	return 0;
}

int
crypto_crt_setup(struct mbedtls_x509write_cert *crt,
    struct mbedtls_pk_context *key, struct mbedtls_ctr_drbg_context *drbg,
    const char *subject, time_t from, time_t until, char *err, size_t errlen)
{
	mbedtls_mpi   serial;
	unsigned char serialbuf[CRYPTO_SERIAL_BYTES];
	char          nb[16], na[16], why[200];
	int           r, rc = -1;

	mbedtls_mpi_init(&serial);
	if (crypto_validity_text(from, nb, sizeof(nb)) == -1 ||
	    crypto_validity_text(until, na, sizeof(na)) == -1) {
		crypto_errf(err, errlen, "cannot format validity dates");
		goto out;
	}
	mbedtls_x509write_crt_set_version(crt, MBEDTLS_X509_CRT_VERSION_3);
	mbedtls_x509write_crt_set_md_alg(crt, MBEDTLS_MD_SHA256);
	mbedtls_x509write_crt_set_subject_key(crt, key);
	mbedtls_x509write_crt_set_issuer_key(crt, key);
	if (mbedtls_x509write_crt_set_subject_name(crt, subject) != 0 ||
	    mbedtls_x509write_crt_set_issuer_name(crt, subject) != 0) {
		crypto_errf(err, errlen, "\"%s\" is not a distinguished name "
		    "mbedTLS can parse (write it as \"CN=name, O=org\")",
		    subject);
		goto out;
	}
	/* Positive (top bit clear) and exactly CRYPTO_SERIAL_BYTES long. */
	if ((r = mbedtls_ctr_drbg_random(drbg, serialbuf,
	    sizeof(serialbuf))) == 0) {
		serialbuf[0] = (unsigned char)((serialbuf[0] & 0x7f) | 0x40);
		r = mbedtls_mpi_read_binary(&serial, serialbuf,
		    sizeof(serialbuf));
	}
	if (r != 0 ||
	    (r = mbedtls_x509write_crt_set_serial(crt, &serial)) != 0 ||
	    (r = mbedtls_x509write_crt_set_validity(crt, nb, na)) != 0 ||
	    (r = mbedtls_x509write_crt_set_basic_constraints(crt, 0, -1)) != 0 ||
	    (r = mbedtls_x509write_crt_set_key_usage(crt,
	    MBEDTLS_X509_KU_DIGITAL_SIGNATURE)) != 0 ||
	    (r = mbedtls_x509write_crt_set_subject_key_identifier(crt)) != 0 ||
	    (r = mbedtls_x509write_crt_set_authority_key_identifier(crt)) != 0) {
		crypto_strerror(r, why, sizeof(why));
		crypto_errf(err, errlen, "cannot build the certificate: %s", why);
		goto out;
	}
	rc = 0;
out:
	mbedtls_platform_zeroize(serialbuf, sizeof(serialbuf));
	mbedtls_mpi_free(&serial);
	return rc;
}

int
crypto_selfsigned(const char *fqdn, const char *const *sans, int nsans,
    int days, const char *cert_path, const char *key_path, char *err,
    size_t errlen)
{
	mbedtls_entropy_context  entropy;
	mbedtls_ctr_drbg_context drbg;
	mbedtls_pk_context       key;
	mbedtls_x509write_cert   crt;
	unsigned char            keypem[CRYPTO_KEY_PEM_BYTES];
	unsigned char            ekubuf[CRYPTO_EKU_DER_MAX];
	unsigned char           *sanbuf = NULL, *certpem = NULL;
	unsigned char           *der;
	size_t                   sansize = 0, certsize = 0, derlen;
	char                     subject[LIMIT_FQDN_BYTES + 8];
	char                     why[200];
	char                     ktmp[CRYPTO_TMP_MAX] = "";
	char                     ctmp[CRYPTO_TMP_MAX] = "";
	time_t                   now;
	int                      k, r, rc = -1;
	int                      key_placed = 0, cert_placed = 0;

	/* Every handle initialised before the first goto out. */
	mbedtls_entropy_init(&entropy);
	mbedtls_ctr_drbg_init(&drbg);
	mbedtls_pk_init(&key);
	mbedtls_x509write_crt_init(&crt);
	memset(keypem, 0, sizeof(keypem));

	/* --- check the request before touching anything --- */
	if (!crypto_dns_ok(fqdn, 0)) {
		crypto_errf(err, errlen, "\"%s\" is not a valid DNS name",
		    fqdn ? fqdn : "(null)");
		goto out;
	}
	if (nsans < 0 || nsans > CRYPTO_SAN_NAMES_MAX ||
	    (nsans > 0 && sans == NULL)) {
		crypto_errf(err, errlen, "between 0 and %d extra names allowed",
		    CRYPTO_SAN_NAMES_MAX);
		goto out;
	}
	for (k = 0; k < nsans; k++) {
		if (!crypto_dns_ok(sans[k], 1)) {
			crypto_errf(err, errlen, "\"%s\" is not a valid DNS name",
			    sans[k] ? sans[k] : "(null)");
			goto out;
		}
	}
	if (days < 1 || days > CRYPTO_DAYS_MAX) {
		crypto_errf(err, errlen, "validity of %d days is outside 1..%d",
		    days, CRYPTO_DAYS_MAX);
		goto out;
	}
	if (cert_path == NULL || key_path == NULL ||
	    strcmp(cert_path, key_path) == 0) {
		crypto_errf(err, errlen, "certificate and key need two "
		    "different paths");
		goto out;
	}

	/* --- key, then the certificate --- */
	if (crypto_keygen_ec_p256(&entropy, &drbg, crypto_pers, &key, err,
	    errlen) == -1)
		goto out;
	snprintf(subject, sizeof(subject), "CN=%s", fqdn);
	now = time(NULL);
	if (crypto_crt_setup(&crt, &key, &drbg, subject,
	    now - CRYPTO_BACKDATE_SECS, now + (time_t)days * CRYPTO_SECS_PER_DAY,
	    err, errlen) == -1)
		goto out;

	/* --- extension values mbedTLS 2.28 cannot write itself --- */
	sansize = crypto_ext_san_size(fqdn, sans, nsans);
	if ((sanbuf = malloc(sansize)) == NULL) {
		crypto_errf(err, errlen, "out of memory");
		goto out;
	}
	if (crypto_ext_eku(CRYPTO_EKU_SERVER_AUTH, ekubuf, sizeof(ekubuf), &der,
	    &derlen) == -1 ||
	    (r = mbedtls_x509write_crt_set_extension(&crt,
	    MBEDTLS_OID_EXTENDED_KEY_USAGE,
	    MBEDTLS_OID_SIZE(MBEDTLS_OID_EXTENDED_KEY_USAGE), 0, der,
	    derlen)) != 0) {
		crypto_errf(err, errlen, "cannot add extendedKeyUsage");
		goto out;
	}
	if (crypto_ext_san(fqdn, sans, nsans, sanbuf, sansize, &der,
	    &derlen) == -1 ||
	    (r = mbedtls_x509write_crt_set_extension(&crt,
	    MBEDTLS_OID_SUBJECT_ALT_NAME,
	    MBEDTLS_OID_SIZE(MBEDTLS_OID_SUBJECT_ALT_NAME), 0, der,
	    derlen)) != 0) {
		crypto_errf(err, errlen, "cannot add subjectAltName");
		goto out;
	}
	certsize = CRYPTO_CERT_PEM_BYTES + 2 * sansize;
	if ((certpem = calloc(1, certsize)) == NULL) {
		crypto_errf(err, errlen, "out of memory");
		goto out;
	}
	if ((r = mbedtls_x509write_crt_pem(&crt, certpem, certsize,
	    mbedtls_ctr_drbg_random, &drbg)) != 0 ||
	    (r = mbedtls_pk_write_key_pem(&key, keypem, sizeof(keypem))) != 0) {
		crypto_strerror(r, why, sizeof(why));
		crypto_errf(err, errlen, "cannot encode certificate or key: %s",
		    why);
		goto out;
	}

	/* --- on disk: both under temporary names, then renamed --- */
	if (crypto_unlink_stale(key_path, err, errlen) == -1 ||
	    crypto_unlink_stale(cert_path, err, errlen) == -1)
		goto out;
	if (crypto_write_tmp(key_path, keypem, strlen((char *)keypem), 0600,
	    ktmp, sizeof(ktmp), err, errlen) == -1 ||
	    crypto_write_tmp(cert_path, certpem, strlen((char *)certpem), 0644,
	    ctmp, sizeof(ctmp), err, errlen) == -1)
		goto out;
	if (crypto_place_file(ktmp, key_path, 0, err, errlen) == -1)
		goto out;
	key_placed = 1;
	ktmp[0] = '\0';
	if (crypto_place_file(ctmp, cert_path, 0, err, errlen) == -1)
		goto out;
	cert_placed = 1;
	ctmp[0] = '\0';
	crypto_sync_dir(key_path);
	crypto_sync_dir(cert_path);
	rc = 0;
out:
	/* Remove what this call wrote, and only that. */
	if (ktmp[0] != '\0')
		unlink(ktmp);
	if (ctmp[0] != '\0')
		unlink(ctmp);
	if (rc == -1) {
		if (key_placed)
			unlink(key_path);
		if (cert_placed)
			unlink(cert_path);
	}
	mbedtls_platform_zeroize(keypem, sizeof(keypem));
	free(certpem);
	free(sanbuf);
	mbedtls_x509write_crt_free(&crt);
	mbedtls_pk_free(&key);
	mbedtls_ctr_drbg_free(&drbg);
	mbedtls_entropy_free(&entropy);
	return rc;
}

/* --- randomness ------------------------------------------------------------- */

int
crypto_random(void *buf, size_t len)
{
	unsigned char *p = buf;
	ssize_t        n;

	while (len > 0) {
		/* getrandom(2) returns at most 32 MiB - 1 per call. */
		n = getrandom(p, len, 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* --- digests ------------------------------------------------------------------ */

/*
 * The *_ret variants fail only on a NULL context or hardware accelerator
 * error; neither happens with the software implementation, so a failure
 * is a broken invariant.  out is zeroed first so that it never holds a
 * stale digest either way.
 */
void
crypto_sha1(const void *p, size_t n, uint8_t out[20])
{
	memset(out, 0, 20);
	if (mbedtls_sha1_ret(p, n, out) != 0)
		abort();
}

void
crypto_sha256(const void *p, size_t n, uint8_t out[32])
{
	memset(out, 0, 32);
	if (mbedtls_sha256_ret(p, n, out, 0) != 0)
		abort();
}

/*
 * MD4 (RFC 1320) for the NT hash only: NTLM's password hash is
 * MD4(UTF-16LE(password)).  Debian's mbedTLS 2.28 builds MBEDTLS_MD4_C.
 * MD4 is broken as a hash; nothing else may use it.
 */
void
crypto_md4(const void *p, size_t n, uint8_t out[16])
{
	memset(out, 0, 16);
	if (mbedtls_md4_ret(p, n, out) != 0)
		abort();
}

int
crypto_nt_hash(const char *pw, size_t len, uint8_t out[16])
{
	uint8_t u16[2 * CRYPTO_PASSWORD_MAX];
	size_t n = 0;
	int rc = -1;

	memset(out, 0, 16);
	if (len > CRYPTO_PASSWORD_MAX)
		return -1;
	/* UTF-8 -> UTF-16LE, strictly: no overlong forms, no surrogates. */
	for (size_t i = 0; i < len;) {
		const unsigned char *b = (const unsigned char *)pw + i;
		uint32_t cp;
		size_t k;

		if (b[0] < 0x80) {
			cp = b[0];
			k = 1;
		} else if ((b[0] & 0xe0) == 0xc0 && i + 1 < len &&
		    (b[1] & 0xc0) == 0x80) {
			cp = ((uint32_t)(b[0] & 0x1f) << 6) | (b[1] & 0x3f);
			k = 2;
			if (cp < 0x80)
				goto out;
		} else if ((b[0] & 0xf0) == 0xe0 && i + 2 < len &&
		    (b[1] & 0xc0) == 0x80 && (b[2] & 0xc0) == 0x80) {
			cp = ((uint32_t)(b[0] & 0x0f) << 12) |
			    ((uint32_t)(b[1] & 0x3f) << 6) | (b[2] & 0x3f);
			k = 3;
			if (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))
				goto out;
		} else if ((b[0] & 0xf8) == 0xf0 && i + 3 < len &&
		    (b[1] & 0xc0) == 0x80 && (b[2] & 0xc0) == 0x80 &&
		    (b[3] & 0xc0) == 0x80) {
			cp = ((uint32_t)(b[0] & 0x07) << 18) |
			    ((uint32_t)(b[1] & 0x3f) << 12) |
			    ((uint32_t)(b[2] & 0x3f) << 6) | (b[3] & 0x3f);
			k = 4;
			if (cp < 0x10000 || cp > 0x10ffff)
				goto out;
		} else
			goto out;
		if (cp >= 0x10000) {
			/* A surrogate pair; len bytes give at most len units. */
			cp -= 0x10000;
			u16[n++] = (uint8_t)((0xd800 | (cp >> 10)) & 0xff);
			u16[n++] = (uint8_t)((0xd800 | (cp >> 10)) >> 8);
			cp = 0xdc00 | (cp & 0x3ff);
		}
		u16[n++] = (uint8_t)(cp & 0xff);
		u16[n++] = (uint8_t)(cp >> 8);
		i += k;
	}
	crypto_md4(u16, n, out);
	rc = 0;
out:
	mbedtls_platform_zeroize(u16, sizeof(u16));
	return rc;
}

int
crypto_pbkdf2_sha256(const void *pw, size_t len, const uint8_t *salt,
    size_t saltlen, unsigned iterations, uint8_t *out, size_t outlen)
{
	mbedtls_md_context_t md;
	int rc = -1;

	memset(out, 0, outlen);
	if (iterations == 0 || outlen == 0)
		return -1;
	mbedtls_md_init(&md);
	if (mbedtls_md_setup(&md, mbedtls_md_info_from_type(MBEDTLS_MD_SHA256),
	    1) == 0 &&
	    mbedtls_pkcs5_pbkdf2_hmac(&md, pw, len, salt, saltlen, iterations,
	    (uint32_t)outlen, out) == 0)
		rc = 0;
	/* mbedtls_md_free wipes the HMAC pads (derived from the password). */
	mbedtls_md_free(&md);
	if (rc == -1)
		mbedtls_platform_zeroize(out, outlen);
	return rc;
}

/* --- AES-256-GCM -------------------------------------------------------------- */

/*
 * The nonce is 12 random bytes per message.  With a random 96-bit nonce a
 * key stays within NIST SP 800-38D's 2^-32 collision bound for 2^32
 * messages; the cookie key (the only user) seals one cookie per client
 * handshake, far below that.  A tag mismatch and any other failure look
 * the same to the caller: -1.
 */
long
crypto_aead_seal(const uint8_t key[32], const void *aad, size_t aadlen,
    const void *pt, size_t n, uint8_t *out, size_t outcap)
{
	mbedtls_gcm_context gcm;
	size_t              written = 0;   /* bytes of out this call may dirty */
	long                rc = -1;

	mbedtls_gcm_init(&gcm);
	if (n > (size_t)LONG_MAX - CRYPTO_AEAD_OVERHEAD ||
	    outcap < n + CRYPTO_AEAD_OVERHEAD || out == NULL ||
	    (aad == NULL && aadlen > 0) || (pt == NULL && n > 0))
		goto out;
	written = n + CRYPTO_AEAD_OVERHEAD;
	if (crypto_random(out, CRYPTO_AEAD_NONCE_BYTES) == -1)
		goto out;
	if (mbedtls_gcm_setkey(&gcm, MBEDTLS_CIPHER_ID_AES, key,
	    CRYPTO_AEAD_KEY_BYTES * 8) != 0)
		goto out;
	if (mbedtls_gcm_crypt_and_tag(&gcm, MBEDTLS_GCM_ENCRYPT, n, out,
	    CRYPTO_AEAD_NONCE_BYTES, aad, aadlen, pt,
	    out + CRYPTO_AEAD_NONCE_BYTES, CRYPTO_AEAD_TAG_BYTES,
	    out + CRYPTO_AEAD_NONCE_BYTES + n) != 0)
		goto out;
	rc = (long)(n + CRYPTO_AEAD_OVERHEAD);
out:
	/* Never hand back a half-made message. */
	if (rc == -1 && written > 0)
		mbedtls_platform_zeroize(out, written);
	mbedtls_gcm_free(&gcm);   /* zeroizes the key schedule */
	return rc;
}

long
crypto_aead_open(const uint8_t key[32], const void *aad, size_t aadlen,
    const uint8_t *in, size_t n, uint8_t *out, size_t outcap)
{
	mbedtls_gcm_context gcm;
	size_t              len = 0;
	long                rc = -1;

	mbedtls_gcm_init(&gcm);
	if (in == NULL || n < CRYPTO_AEAD_OVERHEAD ||
	    n - CRYPTO_AEAD_OVERHEAD > (size_t)LONG_MAX ||
	    (aad == NULL && aadlen > 0))
		goto out;
	len = n - CRYPTO_AEAD_OVERHEAD;
	if (outcap < len || (out == NULL && len > 0))
		goto out;
	if (mbedtls_gcm_setkey(&gcm, MBEDTLS_CIPHER_ID_AES, key,
	    CRYPTO_AEAD_KEY_BYTES * 8) != 0)
		goto out;
	/* Decrypts, then compares the tag in constant time. */
	if (mbedtls_gcm_auth_decrypt(&gcm, len, in, CRYPTO_AEAD_NONCE_BYTES,
	    aad, aadlen, in + CRYPTO_AEAD_NONCE_BYTES + len,
	    CRYPTO_AEAD_TAG_BYTES, in + CRYPTO_AEAD_NONCE_BYTES, out) != 0)
		goto out;
	rc = (long)len;
out:
	/* Unauthenticated plaintext must never reach the caller. */
	if (rc == -1 && out != NULL && outcap > 0)
		mbedtls_platform_zeroize(out, outcap);
	mbedtls_gcm_free(&gcm);
	return rc;
}

/* --- base64 ------------------------------------------------------------------ */

/* Value of one base64 alphabet character (RFC 4648 table 1), or -1. */
static int
crypto_b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * crypto_b64_canonical - whether (in, n) is the one encoding its bytes
 * have: a multiple of 4 characters from the alphabet, '=' only as the
 * last one or two, and the bits padding leaves unused all zero ("QR=="
 * and "QQ==" decode alike; only the latter is canonical).  No whitespace,
 * no line breaks (mbedtls_base64_decode would skip those).  Sets *declen
 * to the decoded length.  Variable time: only ever given public data
 * (cookies are ciphertext).
 */
static int
crypto_b64_canonical(const char *in, size_t n, size_t *declen)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t               i, pad = 0;
	int                  v;

	if (n % 4 != 0)
		return 0;
	if (n > 0 && s[n - 1] == '=')
		pad = (s[n - 2] == '=') ? 2 : 1;
	for (i = 0; i < n - pad; i++)
		if (crypto_b64_value(s[i]) == -1)
			return 0;
	if (pad > 0) {
		v = crypto_b64_value(s[n - pad - 1]);
		if ((pad == 2 && (v & 0x0f) != 0) ||
		    (pad == 1 && (v & 0x03) != 0))
			return 0;
	}
	*declen = n / 4 * 3 - pad;
	return 1;
}

long
crypto_b64_encode(const void *in, size_t n, char *out, size_t outcap)
{
	size_t olen = 0;

	if (out == NULL || outcap == 0 || (in == NULL && n > 0))
		return -1;
	out[0] = '\0';
	if (n > ((size_t)LONG_MAX - 1) / 4 * 3 - 3)
		return -1;
	if (n == 0)
		return 0;
	/* Fails without writing when outcap < 4 * ceil(n / 3) + 1. */
	if (mbedtls_base64_encode((unsigned char *)out, outcap, &olen, in,
	    n) != 0) {
		out[0] = '\0';
		return -1;
	}
	return (long)olen;
}

long
crypto_b64_decode(const char *in, size_t n, uint8_t *out, size_t outcap)
{
	size_t declen = 0, olen = 0;

	if ((in == NULL && n > 0) || n > (size_t)LONG_MAX)
		return -1;
	if (!crypto_b64_canonical(in, n, &declen))
		return -1;
	if (declen == 0)
		return 0;
	/* Checked here as well as by mbedTLS: out is never written past outcap. */
	if (out == NULL || declen > outcap)
		return -1;
	if (mbedtls_base64_decode(out, outcap, &olen,
	    (const unsigned char *)in, n) != 0 || olen != declen) {
		mbedtls_platform_zeroize(out, outcap < declen ? outcap : declen);
		return -1;
	}
	return (long)olen;
}

/* --- comparing and wiping ----------------------------------------------------- */

int
crypto_ct_equal(const void *a, const void *b, size_t n)
{
	const volatile unsigned char *x = a, *y = b;
	unsigned char                 d = 0;
	size_t                        i;

	/* Every byte is read whatever the earlier ones held. */
	for (i = 0; i < n; i++)
		d |= (unsigned char)(x[i] ^ y[i]);
	/* 1 when d == 0, without a data-dependent branch. */
	return (int)(1 & (((unsigned)d - 1) >> 8));
}

void
crypto_wipe(void *p, size_t n)
{
	if (p != NULL)
		mbedtls_platform_zeroize(p, n);
}
