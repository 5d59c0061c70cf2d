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
 * their DER comes from crypto_ext_eku() and crypto_ext_san() (crypto.c,
 * shared with crypto_selfsigned()); mbedtls_x509write_csr_set_extension()
 * puts them in the request's extensionRequest attribute (PKCS#9), which
 * the Web Server template copies into the certificate.  Reading, writing
 * and loading files are crypto.h's too.
 *
 * Secrets: the private key exists in memory as an mbedtls_pk_context
 * (mbedtls_pk_free wipes it) and as PEM in a stack buffer wiped with
 * mbedtls_platform_zeroize() on every path.  The key file is written by
 * crypto_write_tmp() (mkstemp, so O_EXCL and 0600, then fchmod 0600), so
 * neither the umask nor a file planted under the temporary name can widen
 * it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/md.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/x509_crt.h>
#include <mbedtls/x509_csr.h>

#include "admin.h"
#include "crypto.h"
#include "limits.h"

/* Bounds on operator-supplied files and names (not peer input). */
#define CERTREQ_KEY_PEM_BYTES  2048       /* PEM of a P-256 key (~230 bytes) */
#define CERTREQ_CSR_PEM_BYTES  4096       /* PEM of a request, plus twice the SAN DER */
#define CERTREQ_RSA_MIN_BITS   2048       /* weakest RSA key checkcert accepts */

static const char certreq_pers[] = "wsusd certreq_make";

/* --- small helpers -------------------------------------------------------- */

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
	unsigned char            ekubuf[CRYPTO_EKU_DER_MAX];
	unsigned char           *sanbuf = NULL, *csrpem = NULL, *der;
	size_t                   sansize, csrsize, derlen;
	char                     subject[LIMIT_FQDN_BYTES + 8], why[200];
	char                     ktmp[CRYPTO_TMP_MAX] = "";
	char                     ctmp[CRYPTO_TMP_MAX] = "";
	int                      r, rc = -1;
	int                      key_placed = 0, csr_placed = 0;

	/* Every handle initialised before the first goto out. */
	mbedtls_entropy_init(&entropy);
	mbedtls_ctr_drbg_init(&drbg);
	mbedtls_pk_init(&key);
	mbedtls_x509write_csr_init(&csr);
	memset(keypem, 0, sizeof(keypem));

	/* --- the request is checked before anything is made --- */
	if (!crypto_dns_ok(fqdn, 0)) {
		crypto_errf(err, errlen, "\"%s\" is not a valid DNS name",
		    fqdn ? fqdn : "(null)");
		goto out;
	}
	if (nsans < 0 || nsans > CERTREQ_SANS_MAX || (nsans > 0 && !sans)) {
		crypto_errf(err, errlen, "between 0 and %d extra names allowed",
		    CERTREQ_SANS_MAX);
		goto out;
	}
	for (int k = 0; k < nsans; k++) {
		if (!crypto_dns_ok(sans[k], 1)) {
			crypto_errf(err, errlen, "\"%s\" is not a valid DNS name",
			    sans[k] ? sans[k] : "(null)");
			goto out;
		}
	}
	if (key_path == NULL || csr_path == NULL ||
	    strcmp(key_path, csr_path) == 0) {
		crypto_errf(err, errlen, "key and request need two different "
		    "paths");
		goto out;
	}
	if (access(key_path, F_OK) == 0 || errno != ENOENT) {
		crypto_errf(err, errlen, "%s exists: an existing key is never "
		    "overwritten", key_path);
		goto out;
	}
	if (access(csr_path, F_OK) == 0 || errno != ENOENT) {
		crypto_errf(err, errlen, "%s exists", csr_path);
		goto out;
	}

	/* --- the key --- */
	if (crypto_keygen_ec_p256(&entropy, &drbg, certreq_pers, &key, err,
	    errlen) == -1)
		goto out;

	/* --- the request --- */
	snprintf(subject, sizeof(subject), "CN=%s", fqdn);
	sansize = crypto_ext_san_size(fqdn, sans, nsans);
	if ((sanbuf = malloc(sansize)) == NULL) {
		crypto_errf(err, errlen, "out of memory");
		goto out;
	}
	mbedtls_x509write_csr_set_md_alg(&csr, MBEDTLS_MD_SHA256);
	mbedtls_x509write_csr_set_key(&csr, &key);
	if ((r = mbedtls_x509write_csr_set_subject_name(&csr, subject)) != 0 ||
	    (r = mbedtls_x509write_csr_set_key_usage(&csr,
	    MBEDTLS_X509_KU_DIGITAL_SIGNATURE)) != 0) {
		crypto_strerror(r, why, sizeof(why));
		crypto_errf(err, errlen, "cannot build request: %s", why);
		goto out;
	}
	if (crypto_ext_eku(CRYPTO_EKU_SERVER_AUTH, ekubuf, sizeof(ekubuf), &der,
	    &derlen) == -1 ||
	    mbedtls_x509write_csr_set_extension(&csr,
	    MBEDTLS_OID_EXTENDED_KEY_USAGE,
	    MBEDTLS_OID_SIZE(MBEDTLS_OID_EXTENDED_KEY_USAGE), der, derlen) != 0) {
		crypto_errf(err, errlen, "cannot add extendedKeyUsage");
		goto out;
	}
	if (crypto_ext_san(fqdn, sans, nsans, sanbuf, sansize, &der,
	    &derlen) == -1 ||
	    mbedtls_x509write_csr_set_extension(&csr,
	    MBEDTLS_OID_SUBJECT_ALT_NAME,
	    MBEDTLS_OID_SIZE(MBEDTLS_OID_SUBJECT_ALT_NAME), der, derlen) != 0) {
		crypto_errf(err, errlen, "cannot add subjectAltName");
		goto out;
	}
	csrsize = CERTREQ_CSR_PEM_BYTES + 2 * sansize;
	if ((csrpem = calloc(1, csrsize)) == NULL) {
		crypto_errf(err, errlen, "out of memory");
		goto out;
	}
	if ((r = mbedtls_x509write_csr_pem(&csr, csrpem, csrsize,
	    mbedtls_ctr_drbg_random, &drbg)) != 0 ||
	    (r = mbedtls_pk_write_key_pem(&key, keypem, sizeof(keypem))) != 0) {
		crypto_strerror(r, why, sizeof(why));
		crypto_errf(err, errlen, "cannot encode request or key: %s", why);
		goto out;
	}

	/*
	 * --- on disk: temporary names, then link(2), which unlike rename
	 * refuses to replace a file that appeared under the final name ---
	 */
	if (crypto_write_tmp(key_path, keypem, strlen((char *)keypem), 0600,
	    ktmp, sizeof(ktmp), err, errlen) == -1 ||
	    crypto_write_tmp(csr_path, csrpem, strlen((char *)csrpem), 0644,
	    ctmp, sizeof(ctmp), err, errlen) == -1)
		goto out;
	if (crypto_place_file(ktmp, key_path, CRYPTO_WRITE_NOREPLACE, err,
	    errlen) == -1)
		goto out;
	key_placed = 1;
	ktmp[0] = '\0';
	if (crypto_place_file(ctmp, csr_path, CRYPTO_WRITE_NOREPLACE, err,
	    errlen) == -1)
		goto out;
	csr_placed = 1;
	ctmp[0] = '\0';
	rc = 0;
out:
	if (ktmp[0] != '\0')
		unlink(ktmp);
	if (ctmp[0] != '\0')
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
	if (crypto_crt_load(pem_path, &chain, &ch->count, err, errlen) == -1)
		goto out;
	ch->key_strong = certreq_key_strength(&chain.pk, ch->key_desc,
	    sizeof(ch->key_desc));
	ch->not_yet_valid = mbedtls_x509_time_is_future(&chain.valid_from);
	ch->leaf_self_signed = crypto_crt_self_signed(&chain);
	for (top = &chain; top->next != NULL && top->next->version != 0;
	    top = top->next)
		;
	ch->top_self_signed = crypto_crt_self_signed(top);
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
	if (crypto_crt_load(pem_path, &chain, &n, err, errlen) == -1 ||
	    crypto_crt_load(ca_path, &ca, &n, err, errlen) == -1)
		goto out;
	/* The leaf's further certificates are the intermediates it sends. */
	r = mbedtls_x509_crt_verify(&chain, &ca, NULL, NULL, &flags, NULL,
	    NULL);
	if (r == 0) {
		rc = 0;
		goto out;
	}
	if (r != MBEDTLS_ERR_X509_CERT_VERIFY_FAILED) {
		crypto_strerror(r, info, sizeof(info));
		crypto_errf(err, errlen, "cannot verify %s: %s", pem_path, info);
		goto out;
	}
	/* One line per flag, "  reason\n": joined into one sentence. */
	if (mbedtls_x509_crt_verify_info(info, sizeof(info), "", flags) < 0)
		snprintf(info, sizeof(info), "flags 0x%08x", (unsigned)flags);
	while ((nl = strchr(info, '\n')) != NULL)
		*nl = nl[1] != '\0' ? ';' : '\0';
	crypto_errf(err, errlen, "%s does not verify against %s: %s",
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
	int                     count = 0, rc = -1;

	mbedtls_x509_crt_init(&chain);
	if (crypto_crt_load(pem_path, &chain, &count, err, errlen) == -1)
		goto out;
	if (idx == CERTREQ_TOP)
		idx = count - 1;
	if (idx < 0 || idx >= count) {
		crypto_errf(err, errlen, "%s holds %d certificate%s, not %d",
		    pem_path, count, count == 1 ? "" : "s", idx + 1);
		goto out;
	}
	for (c = &chain; idx > 0; idx--)
		c = c->next;
	if (self_signed != NULL)
		*self_signed = crypto_crt_self_signed(c);
	if (crypto_write_file(out_path, c->raw.p, c->raw.len, 0644, 0, err,
	    errlen) == -1)
		goto out;
	rc = 0;
out:
	mbedtls_x509_crt_free(&chain);
	return rc;
}
