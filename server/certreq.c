/*
 * certreq.c - the mbedTLS side of wsusutil's TLS certificate verbs
 * (x509write_csr, x509_crt_verify, pk, ctr_drbg, asn1write).
 *
 * Owns: making a P-256 key and a PKCS#10 request for the enterprise CA,
 * describing what a certificate file carries (count, key strength,
 * self-signed ends, start of validity), verifying a served chain against a
 * CA file, and writing single certificates as DER for Windows certificate
 * stores.
 *
 * Never does: TLS (server/tls.c), the checks crypto.c already makes (name
 * coverage, EKU, expiry, key match: wsusutil_tls.c calls those), logging
 * (failures come back as one sentence in the caller's buffer), or leaving
 * a half-written file under a final name.
 *
 * mbedTLS 2.28 has no writer for extendedKeyUsage or subjectAltName, so
 * their DER is built here with mbedtls_asn1_write_* exactly as
 * crypto_selfsigned() builds it (those helpers are private to crypto.c):
 * the functions write backwards from the end of a buffer, so the last
 * element goes first.  mbedtls_x509write_csr_set_extension() then puts
 * them in the request's extensionRequest attribute (PKCS#9), which the
 * Web Server template copies into the certificate.
 *
 * Secrets: the private key exists in memory as an mbedtls_pk_context
 * (mbedtls_pk_free wipes it) and as PEM in a stack buffer wiped with
 * mbedtls_platform_zeroize() on every path.  The key file is created with
 * O_EXCL and mode 0600, then fchmod 0600, so neither the umask nor a file
 * planted under the temporary name can widen it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mbedtls/asn1write.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/md.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/x509_crt.h>
#include <mbedtls/x509_csr.h>

#include "certreq.h"
#include "limits.h"

/* Bounds on operator-supplied files and names (not peer input). */
#define CERTREQ_FILE_MAX_BYTES (1u << 20) /* certificate file read into memory */
#define CERTREQ_KEY_PEM_BYTES  2048       /* PEM of a P-256 key (~230 bytes) */
#define CERTREQ_CSR_PEM_BYTES  4096       /* PEM of a request, plus twice the SAN DER */
#define CERTREQ_DNS_LABEL_MAX  63         /* bytes in one DNS label, RFC 1035 */
#define CERTREQ_RSA_MIN_BITS   2048       /* weakest RSA key checkcert accepts */

static const char certreq_pers[] = "wsusd certreq_make";

/* --- small helpers -------------------------------------------------------- */

static void certreq_errf(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void
certreq_errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* mbedTLS error code -> "text (-0xNNNN)". */
static void
certreq_strerror(int rc, char *buf, size_t len)
{
	char text[160];

	mbedtls_strerror(rc, text, sizeof(text));
	snprintf(buf, len, "%s (-0x%04x)", text, (unsigned)-rc);
}

/* ASCII case-insensitive equality of two NUL-terminated names. */
static int
certreq_caseeq(const char *a, const char *b)
{
	for (; *a != '\0' && *b != '\0'; a++, b++) {
		unsigned char x = (unsigned char)*a, y = (unsigned char)*b;

		if (x >= 'A' && x <= 'Z')
			x += 'a' - 'A';
		if (y >= 'A' && y <= 'Z')
			y += 'a' - 'A';
		if (x != y)
			return 0;
	}
	return *a == *b;
}

/*
 * certreq_dns_ok - whether name may go into a request: 1..LIMIT_FQDN_BYTES
 * of letters, digits, '-' and '.', labels of 1..63 bytes, no trailing dot;
 * with wildcard set the leftmost label may be "*" when two or more labels
 * follow.  This also keeps "CN=%s" free of the ',', '=' and '\\' that the
 * DN parser of mbedtls_x509write_csr_set_subject_name would interpret.
 */
static int
certreq_dns_ok(const char *name, int wildcard)
{
	size_t i = 0, n, label = 0, dots = 0;

	if (name == NULL || (n = strlen(name)) == 0 || n > LIMIT_FQDN_BYTES)
		return 0;
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
		if (++label > CERTREQ_DNS_LABEL_MAX)
			return 0;
	}
	if (label == 0)
		return 0;
	if (name[0] == '*' && dots == 0)   /* "*.com": one label after "*." */
		return 0;
	return 1;
}

/*
 * certreq_read_file - a whole regular file of at most
 * CERTREQ_FILE_MAX_BYTES into a new heap buffer, NUL-terminated; *len is
 * what mbedtls_x509_crt_parse expects (the NUL counted for PEM text).
 * The caller frees.  Returns 0, or -1 with the reason in err.
 */
static int
certreq_read_file(const char *path, unsigned char **out, size_t *len,
    char *err, size_t errlen)
{
	struct stat    st;
	unsigned char *buf = NULL;
	size_t         got = 0;
	ssize_t        n;
	int            fd, rc = -1;

	*out = NULL;
	*len = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		certreq_errf(err, errlen, "cannot open %s: %s", path,
		    strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size > (off_t)CERTREQ_FILE_MAX_BYTES) {
		certreq_errf(err, errlen, "%s is not a regular file of at most "
		    "%u bytes", path, CERTREQ_FILE_MAX_BYTES);
		goto out;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		certreq_errf(err, errlen, "out of memory reading %s", path);
		goto out;
	}
	while (got < (size_t)st.st_size) {
		n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			certreq_errf(err, errlen, "cannot read %s: %s", path,
			    strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (got == 0) {
		certreq_errf(err, errlen, "%s is empty", path);
		goto out;
	}
	buf[got] = '\0';
	*len = got + (strstr((const char *)buf, "-----BEGIN ") != NULL);
	*out = buf;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	close(fd);
	return rc;
}

/*
 * certreq_load - every certificate of path into chain (initialised and
 * freed by the caller); *count is how many.  Any certificate that fails to
 * parse refuses the whole file.  Returns 0, or -1 with the reason in err.
 */
static int
certreq_load(const char *path, mbedtls_x509_crt *chain, int *count,
    char *err, size_t errlen)
{
	const mbedtls_x509_crt *c;
	unsigned char *buf = NULL;
	size_t         len = 0;
	char           why[200];
	int            r, rc = -1;

	*count = 0;
	if (certreq_read_file(path, &buf, &len, err, errlen) == -1)
		return -1;
	r = mbedtls_x509_crt_parse(chain, buf, len);
	if (r < 0) {
		certreq_strerror(r, why, sizeof(why));
		certreq_errf(err, errlen, "%s: no certificate could be parsed: "
		    "%s", path, why);
		goto out;
	}
	if (r > 0) {
		certreq_errf(err, errlen, "%s: %d certificate%s could not be "
		    "parsed", path, r, r == 1 ? "" : "s");
		goto out;
	}
	for (c = chain; c != NULL && c->version != 0; c = c->next)
		(*count)++;
	if (*count == 0) {
		certreq_errf(err, errlen, "%s: no certificate found", path);
		goto out;
	}
	rc = 0;
out:
	free(buf);
	return rc;
}

/* Self-issued (issuer == subject) and signed by its own key. */
static int
certreq_self_signed(const mbedtls_x509_crt *crt)
{
	unsigned char            hash[MBEDTLS_MD_MAX_SIZE];
	const mbedtls_md_info_t *md;

	if (crt->issuer_raw.len != crt->subject_raw.len ||
	    memcmp(crt->issuer_raw.p, crt->subject_raw.p,
	    crt->subject_raw.len) != 0)
		return 0;
	if ((md = mbedtls_md_info_from_type(crt->sig_md)) == NULL ||
	    mbedtls_md(md, crt->tbs.p, crt->tbs.len, hash) != 0)
		return 0;
	return mbedtls_pk_verify_ext(crt->sig_pk, crt->sig_opts,
	    (mbedtls_pk_context *)&crt->pk, crt->sig_md, hash,
	    mbedtls_md_get_size(md), crt->sig.p, crt->sig.len) == 0;
}

/*
 * certreq_key_strength - describe a public key and say whether Windows
 * clients and the house rule accept it: the NIST curves Schannel offers
 * for ECDSA (P-256, P-384, P-521) or RSA of CERTREQ_RSA_MIN_BITS or more.
 */
static int
certreq_key_strength(const mbedtls_pk_context *pk, char *desc, size_t len)
{
	const mbedtls_ecp_curve_info *ci;
	mbedtls_ecp_group_id          gid;
	size_t                        bits = mbedtls_pk_get_bitlen(pk);

	switch (mbedtls_pk_get_type(pk)) {
	case MBEDTLS_PK_RSA:
	case MBEDTLS_PK_RSASSA_PSS:
		snprintf(desc, len, "RSA %zu", bits);
		return bits >= CERTREQ_RSA_MIN_BITS;
	case MBEDTLS_PK_ECKEY:
	case MBEDTLS_PK_ECKEY_DH:
	case MBEDTLS_PK_ECDSA:
		gid = mbedtls_pk_ec(*pk)->grp.id;
		switch (gid) {
		case MBEDTLS_ECP_DP_SECP256R1:
			snprintf(desc, len, "EC P-256");
			return 1;
		case MBEDTLS_ECP_DP_SECP384R1:
			snprintf(desc, len, "EC P-384");
			return 1;
		case MBEDTLS_ECP_DP_SECP521R1:
			snprintf(desc, len, "EC P-521");
			return 1;
		default:
			ci = mbedtls_ecp_curve_info_from_grp_id(gid);
			snprintf(desc, len, "EC %s", ci ? ci->name : "(unknown curve)");
			return 0;
		}
	default:
		snprintf(desc, len, "%s %zu", mbedtls_pk_get_name(pk), bits);
		return 0;
	}
}

/* Add an mbedtls_asn1_write_* result to *total; -1 on its error. */
static int
certreq_asn1_add(size_t *total, int r)
{
	if (r < 0)
		return -1;
	*total += (size_t)r;
	return 0;
}

/* Name k of the SAN list: 0 is fqdn, k >= 1 is sans[k - 1]. */
static const char *
certreq_san_name(const char *fqdn, const char *const *sans, int k)
{
	return k == 0 ? fqdn : sans[k - 1];
}

/* Whether name k repeats (case-insensitively) one of names 0..k-1. */
static int
certreq_san_dup(const char *fqdn, const char *const *sans, int k)
{
	const char *a = certreq_san_name(fqdn, sans, k);

	for (int j = 0; j < k; j++)
		if (certreq_caseeq(a, certreq_san_name(fqdn, sans, j)))
			return 1;
	return 0;
}

/*
 * certreq_san_der - the value of a subjectAltName extension: SEQUENCE OF
 * GeneralName, one dNSName ([2] IA5String) per distinct name, fqdn first.
 * Written backwards into buf (size bytes); *der and *derlen locate it.
 * Returns 0 or -1 (buffer too small).
 */
static int
certreq_san_der(const char *fqdn, const char *const *sans, int nsans,
    unsigned char *buf, size_t size, unsigned char **der, size_t *derlen)
{
	unsigned char *p = buf + size;
	const char    *name;
	size_t         len = 0, n;

	for (int k = nsans; k >= 0; k--) {
		if (certreq_san_dup(fqdn, sans, k))
			continue;
		name = certreq_san_name(fqdn, sans, k);
		n = strlen(name);
		if (certreq_asn1_add(&len, mbedtls_asn1_write_raw_buffer(&p, buf,
		    (const unsigned char *)name, n)) == -1 ||
		    certreq_asn1_add(&len, mbedtls_asn1_write_len(&p, buf, n)) == -1 ||
		    certreq_asn1_add(&len, mbedtls_asn1_write_tag(&p, buf,
		    MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_X509_SAN_DNS_NAME)) == -1)
			return -1;
	}
	if (certreq_asn1_add(&len, mbedtls_asn1_write_len(&p, buf, len)) == -1 ||
	    certreq_asn1_add(&len, mbedtls_asn1_write_tag(&p, buf,
	    MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE)) == -1)
		return -1;
	*der = p;
	*derlen = len;
	return 0;
}

/* The value of an extendedKeyUsage extension: SEQUENCE { serverAuth }. */
static int
certreq_eku_der(unsigned char *buf, size_t size, unsigned char **der,
    size_t *derlen)
{
	unsigned char *p = buf + size;
	size_t         len = 0;

	if (certreq_asn1_add(&len, mbedtls_asn1_write_oid(&p, buf,
	    MBEDTLS_OID_SERVER_AUTH,
	    MBEDTLS_OID_SIZE(MBEDTLS_OID_SERVER_AUTH))) == -1 ||
	    certreq_asn1_add(&len, mbedtls_asn1_write_len(&p, buf, len)) == -1 ||
	    certreq_asn1_add(&len, mbedtls_asn1_write_tag(&p, buf,
	    MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE)) == -1)
		return -1;
	*der = p;
	*derlen = len;
	return 0;
}

/* path + ".tmp" in a new heap string (caller frees), or NULL. */
static char *
certreq_tmp_name(const char *path)
{
	char *t;

	if (asprintf(&t, "%s.tmp", path) == -1)
		return NULL;
	return t;
}

/*
 * certreq_write_tmp - write (data, len) to tmp, which must not exist
 * (O_EXCL, O_NOFOLLOW: nothing planted there is written through), with
 * exactly mode, then fsync.  A stale tmp from a crashed run is removed
 * first.  *made is set once tmp exists.  Returns 0 or -1 with err.
 */
static int
certreq_write_tmp(const char *tmp, const void *data, size_t len, mode_t mode,
    int *made, char *err, size_t errlen)
{
	const unsigned char *p = data;
	size_t  off = 0;
	ssize_t n;
	int     fd, rc = -1;

	if (unlink(tmp) == -1 && errno != ENOENT) {
		certreq_errf(err, errlen, "cannot remove stale %s: %s", tmp,
		    strerror(errno));
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    mode);
	if (fd == -1) {
		certreq_errf(err, errlen, "cannot create %s: %s", tmp,
		    strerror(errno));
		return -1;
	}
	*made = 1;
	if (fchmod(fd, mode) == -1) {
		certreq_errf(err, errlen, "cannot chmod %s: %s", tmp,
		    strerror(errno));
		goto out;
	}
	while (off < len) {
		n = write(fd, p + off, len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			certreq_errf(err, errlen, "cannot write %s: %s", tmp,
			    strerror(errno));
			goto out;
		}
		off += (size_t)n;
	}
	if (fsync(fd) == -1) {
		certreq_errf(err, errlen, "cannot fsync %s: %s", tmp,
		    strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (close(fd) == -1 && rc == 0) {
		certreq_errf(err, errlen, "cannot close %s: %s", tmp,
		    strerror(errno));
		rc = -1;
	}
	return rc;
}

/* --- the request ------------------------------------------------------------ */

int
certreq_make(const char *fqdn, const char *const *sans, int nsans,
    const char *key_path, const char *csr_path, char *err, size_t errlen)
{
	mbedtls_entropy_context  entropy;
	mbedtls_ctr_drbg_context drbg;
	mbedtls_pk_context       key;
	mbedtls_x509write_csr    csr;
	unsigned char            keypem[CERTREQ_KEY_PEM_BYTES];
	unsigned char            ekubuf[32];
	unsigned char           *sanbuf = NULL, *csrpem = NULL, *der;
	size_t                   sansize, csrsize, derlen;
	char                     subject[LIMIT_FQDN_BYTES + 8], why[200];
	char                    *ktmp = NULL, *ctmp = NULL;
	int                      r, rc = -1;
	int                      ktmp_made = 0, ctmp_made = 0;
	int                      key_placed = 0, csr_placed = 0;

	/* Every handle initialised before the first goto out. */
	mbedtls_entropy_init(&entropy);
	mbedtls_ctr_drbg_init(&drbg);
	mbedtls_pk_init(&key);
	mbedtls_x509write_csr_init(&csr);
	memset(keypem, 0, sizeof(keypem));

	/* --- the request is checked before anything is made --- */
	if (!certreq_dns_ok(fqdn, 0)) {
		certreq_errf(err, errlen, "\"%s\" is not a valid DNS name",
		    fqdn ? fqdn : "(null)");
		goto out;
	}
	if (nsans < 0 || nsans > CERTREQ_SANS_MAX || (nsans > 0 && !sans)) {
		certreq_errf(err, errlen, "between 0 and %d extra names allowed",
		    CERTREQ_SANS_MAX);
		goto out;
	}
	for (int k = 0; k < nsans; k++) {
		if (!certreq_dns_ok(sans[k], 1)) {
			certreq_errf(err, errlen, "\"%s\" is not a valid DNS name",
			    sans[k] ? sans[k] : "(null)");
			goto out;
		}
	}
	if (key_path == NULL || csr_path == NULL ||
	    strcmp(key_path, csr_path) == 0) {
		certreq_errf(err, errlen, "key and request need two different "
		    "paths");
		goto out;
	}
	if (access(key_path, F_OK) == 0 || errno != ENOENT) {
		certreq_errf(err, errlen, "%s exists: an existing key is never "
		    "overwritten", key_path);
		goto out;
	}
	if (access(csr_path, F_OK) == 0 || errno != ENOENT) {
		certreq_errf(err, errlen, "%s exists", csr_path);
		goto out;
	}
	if ((ktmp = certreq_tmp_name(key_path)) == NULL ||
	    (ctmp = certreq_tmp_name(csr_path)) == NULL) {
		certreq_errf(err, errlen, "out of memory");
		goto out;
	}

	/* --- the key --- */
	r = mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy,
	    (const unsigned char *)certreq_pers, sizeof(certreq_pers) - 1);
	if (r == 0)
		r = mbedtls_pk_setup(&key,
		    mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY));
	if (r == 0)
		r = mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1,
		    mbedtls_pk_ec(key), mbedtls_ctr_drbg_random, &drbg);
	if (r != 0) {
		certreq_strerror(r, why, sizeof(why));
		certreq_errf(err, errlen, "cannot generate key: %s", why);
		goto out;
	}

	/* --- the request --- */
	snprintf(subject, sizeof(subject), "CN=%s", fqdn);
	sansize = 16;
	for (int k = 0; k <= nsans; k++)
		sansize += strlen(certreq_san_name(fqdn, sans, k)) + 4;
	if ((sanbuf = malloc(sansize)) == NULL) {
		certreq_errf(err, errlen, "out of memory");
		goto out;
	}
	mbedtls_x509write_csr_set_md_alg(&csr, MBEDTLS_MD_SHA256);
	mbedtls_x509write_csr_set_key(&csr, &key);
	if ((r = mbedtls_x509write_csr_set_subject_name(&csr, subject)) != 0 ||
	    (r = mbedtls_x509write_csr_set_key_usage(&csr,
	    MBEDTLS_X509_KU_DIGITAL_SIGNATURE)) != 0) {
		certreq_strerror(r, why, sizeof(why));
		certreq_errf(err, errlen, "cannot build request: %s", why);
		goto out;
	}
	if (certreq_eku_der(ekubuf, sizeof(ekubuf), &der, &derlen) == -1 ||
	    mbedtls_x509write_csr_set_extension(&csr,
	    MBEDTLS_OID_EXTENDED_KEY_USAGE,
	    MBEDTLS_OID_SIZE(MBEDTLS_OID_EXTENDED_KEY_USAGE), der, derlen) != 0) {
		certreq_errf(err, errlen, "cannot add extendedKeyUsage");
		goto out;
	}
	if (certreq_san_der(fqdn, sans, nsans, sanbuf, sansize, &der,
	    &derlen) == -1 ||
	    mbedtls_x509write_csr_set_extension(&csr,
	    MBEDTLS_OID_SUBJECT_ALT_NAME,
	    MBEDTLS_OID_SIZE(MBEDTLS_OID_SUBJECT_ALT_NAME), der, derlen) != 0) {
		certreq_errf(err, errlen, "cannot add subjectAltName");
		goto out;
	}
	csrsize = CERTREQ_CSR_PEM_BYTES + 2 * sansize;
	if ((csrpem = calloc(1, csrsize)) == NULL) {
		certreq_errf(err, errlen, "out of memory");
		goto out;
	}
	if ((r = mbedtls_x509write_csr_pem(&csr, csrpem, csrsize,
	    mbedtls_ctr_drbg_random, &drbg)) != 0 ||
	    (r = mbedtls_pk_write_key_pem(&key, keypem, sizeof(keypem))) != 0) {
		certreq_strerror(r, why, sizeof(why));
		certreq_errf(err, errlen, "cannot encode request or key: %s", why);
		goto out;
	}

	/*
	 * --- on disk: temporary names, then link(2), which unlike rename
	 * refuses to replace a file that appeared under the final name ---
	 */
	if (certreq_write_tmp(ktmp, keypem, strlen((char *)keypem), 0600,
	    &ktmp_made, err, errlen) == -1 ||
	    certreq_write_tmp(ctmp, csrpem, strlen((char *)csrpem), 0644,
	    &ctmp_made, err, errlen) == -1)
		goto out;
	if (link(ktmp, key_path) == -1) {
		certreq_errf(err, errlen, "cannot create %s: %s", key_path,
		    strerror(errno));
		goto out;
	}
	key_placed = 1;
	if (link(ctmp, csr_path) == -1) {
		certreq_errf(err, errlen, "cannot create %s: %s", csr_path,
		    strerror(errno));
		goto out;
	}
	csr_placed = 1;
	rc = 0;
out:
	if (ktmp_made)
		unlink(ktmp);
	if (ctmp_made)
		unlink(ctmp);
	if (rc == -1) {
		/* Remove what this call created, and only that. */
		if (key_placed)
			unlink(key_path);
		if (csr_placed)
			unlink(csr_path);
	}
	mbedtls_platform_zeroize(keypem, sizeof(keypem));
	free(csrpem);
	free(sanbuf);
	free(ktmp);
	free(ctmp);
	mbedtls_x509write_csr_free(&csr);
	mbedtls_pk_free(&key);
	mbedtls_ctr_drbg_free(&drbg);
	mbedtls_entropy_free(&entropy);
	return rc;
}

/* --- what a certificate file carries ---------------------------------------- */

int
certreq_chain_info(const char *pem_path, struct certreq_chain *ch, char *err,
    size_t errlen)
{
	mbedtls_x509_crt        chain;
	const mbedtls_x509_crt *top;
	int                     rc = -1;

	memset(ch, 0, sizeof(*ch));
	mbedtls_x509_crt_init(&chain);
	if (certreq_load(pem_path, &chain, &ch->count, err, errlen) == -1)
		goto out;
	ch->key_strong = certreq_key_strength(&chain.pk, ch->key_desc,
	    sizeof(ch->key_desc));
	ch->not_yet_valid = mbedtls_x509_time_is_future(&chain.valid_from);
	ch->leaf_self_signed = certreq_self_signed(&chain);
	for (top = &chain; top->next != NULL && top->next->version != 0;
	    top = top->next)
		;
	ch->top_self_signed = certreq_self_signed(top);
	rc = 0;
out:
	mbedtls_x509_crt_free(&chain);
	return rc;
}

int
certreq_verify_chain(const char *pem_path, const char *ca_path, char *err,
    size_t errlen)
{
	mbedtls_x509_crt chain, ca;
	uint32_t         flags = 0;
	char             info[1024], *nl;
	int              n = 0, r, rc = -1;

	mbedtls_x509_crt_init(&chain);
	mbedtls_x509_crt_init(&ca);
	if (certreq_load(pem_path, &chain, &n, err, errlen) == -1 ||
	    certreq_load(ca_path, &ca, &n, err, errlen) == -1)
		goto out;
	/* The leaf's further certificates are the intermediates it sends. */
	r = mbedtls_x509_crt_verify(&chain, &ca, NULL, NULL, &flags, NULL,
	    NULL);
	if (r == 0) {
		rc = 0;
		goto out;
	}
	if (r != MBEDTLS_ERR_X509_CERT_VERIFY_FAILED) {
		certreq_strerror(r, info, sizeof(info));
		certreq_errf(err, errlen, "cannot verify %s: %s", pem_path, info);
		goto out;
	}
	/* One line per flag, "  reason\n": joined into one sentence. */
	if (mbedtls_x509_crt_verify_info(info, sizeof(info), "", flags) < 0)
		snprintf(info, sizeof(info), "flags 0x%08x", (unsigned)flags);
	while ((nl = strchr(info, '\n')) != NULL)
		*nl = nl[1] != '\0' ? ';' : '\0';
	certreq_errf(err, errlen, "%s does not verify against %s: %s",
	    pem_path, ca_path, info);
out:
	mbedtls_x509_crt_free(&ca);
	mbedtls_x509_crt_free(&chain);
	return rc;
}

/* --- DER copies ------------------------------------------------------------- */

int
certreq_export_der(const char *pem_path, int idx, const char *out_path,
    int *self_signed, char *err, size_t errlen)
{
	mbedtls_x509_crt        chain;
	const mbedtls_x509_crt *c;
	char                   *tmp = NULL;
	int                     count = 0, made = 0, rc = -1;

	mbedtls_x509_crt_init(&chain);
	if (certreq_load(pem_path, &chain, &count, err, errlen) == -1)
		goto out;
	if (idx == CERTREQ_TOP)
		idx = count - 1;
	if (idx < 0 || idx >= count) {
		certreq_errf(err, errlen, "%s holds %d certificate%s, not %d",
		    pem_path, count, count == 1 ? "" : "s", idx + 1);
		goto out;
	}
	for (c = &chain; idx > 0; idx--)
		c = c->next;
	if (self_signed != NULL)
		*self_signed = certreq_self_signed(c);
	if ((tmp = certreq_tmp_name(out_path)) == NULL) {
		certreq_errf(err, errlen, "out of memory");
		goto out;
	}
	if (certreq_write_tmp(tmp, c->raw.p, c->raw.len, 0644, &made, err,
	    errlen) == -1)
		goto out;
	if (rename(tmp, out_path) == -1) {
		certreq_errf(err, errlen, "cannot rename %s to %s: %s", tmp,
		    out_path, strerror(errno));
		goto out;
	}
	made = 0;
	rc = 0;
out:
	if (made)
		unlink(tmp);
	free(tmp);
	mbedtls_x509_crt_free(&chain);
	return rc;
}
