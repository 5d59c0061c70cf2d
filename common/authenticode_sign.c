/*
 * authenticode_sign.c - Authenticode-sign a cabinet made by cab_build: the
 * PKCS#7 SignedData Windows (WinVerifyTrust) and `osslsigncode verify`
 * accept, written with mbedTLS's ASN.1 writer.
 *
 * Owns: loading the signing certificate (chain may follow) and key, the
 * DER of SpcIndirectDataContent, the authenticated attributes, the
 * SignerInfo and the SignedData, and the signature itself (ctr_drbg for
 * the RNG; RSA PKCS#1 v1.5 or ECDSA, SHA-256).
 *
 * Never does: cabinet layout (cab.c computes the digest and places the
 * blob: cab_digest, cab_signature_attach in authenticode_int.h),
 * verification (authenticode_verify.c), logging, or keeping key material:
 * mbedtls_pk_free and mbedtls_ctr_drbg_free wipe their state, and the key
 * is parsed by mbedTLS from the file or the caller's string, never copied
 * here.
 *
 * What is signed (the layout osslsigncode's helpers.c and cab.c write,
 * which is signtool's):
 *
 *   ContentInfo { signedData, [0] SignedData {
 *     version 1, digestAlgorithms { sha256 },
 *     contentInfo { SPC_INDIRECT_DATA_OBJID 1.3.6.1.4.1.311.2.1.4,
 *       [0] SpcIndirectDataContent {
 *         data SpcAttributeTypeAndOptionalValue {
 *           SPC_CAB_DATA_OBJID 1.3.6.1.4.1.311.2.1.25,
 *           SpcLink file [2] { unicode [0] "<<<Obsolete>>>" } },
 *         messageDigest DigestInfo { sha256, cabinet digest } } },
 *     certificates [0] { signer, then the rest of the PEM chain },
 *     signerInfos { SignerInfo {
 *       version 1, issuerAndSerialNumber, sha256,
 *       authenticatedAttributes [0] {        (DER order, see below)
 *         contentType = SPC_INDIRECT_DATA_OBJID,
 *         messageDigest = SHA-256 of the SpcIndirectDataContent's
 *           contents (its DER without the SEQUENCE tag and length:
 *           osslsigncode pkcs7_set_spc_indirect_data_content, and what
 *           PKCS7_verify hashes),
 *         SpcStatementType { individualCodeSigning 1.3.6.1.4.1.311.2.1.21 },
 *         SpcSpOpusInfo {} (empty, as signtool writes it) },
 *       rsaEncryption (NULL) | ecdsa-with-SHA256,
 *       encryptedDigest = signature over the attributes' DER with the
 *         SET OF tag 0x31 in place of [0] } } } }
 *
 * The attributes are a DER SET OF, so they are sorted by their encodings:
 * verifiers (OpenSSL) re-encode them before checking the signature, and an
 * unsorted set would not match what was signed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/asn1write.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/md.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

#include "authenticode.h"
#include "common_int.h"
#include "crypto.h"

#define AC_CHAIN_MAX      16      /* certificates in the signing PEM */
#define AC_ATTRS          4       /* authenticated attributes we write */
#define AC_ATTR_MAX       128     /* DER bytes of one of them (largest ~50) */
#define AC_IDC_MAX        256     /* DER of SpcIndirectDataContent (~110) */
#define AC_DER_SLACK      1024    /* tags, lengths, OIDs around the big parts */
#define AC_SHA256_BYTES   32
#define AC_PEM_MARK       "-----BEGIN"

/* DER OIDs (content octets) that mbedTLS 2.28 does not name. */
#define AC_OID_SIGNED_DATA      "\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02"
#define AC_OID_CONTENT_TYPE     "\x2a\x86\x48\x86\xf7\x0d\x01\x09\x03"
#define AC_OID_MESSAGE_DIGEST   "\x2a\x86\x48\x86\xf7\x0d\x01\x09\x04"
#define AC_OID_MS_SPC           "\x2b\x06\x01\x04\x01\x82\x37\x02\x01"
#define AC_OID_SPC_INDIRECT     AC_OID_MS_SPC "\x04"   /* .4 */
#define AC_OID_SPC_STATEMENT    AC_OID_MS_SPC "\x0b"   /* .11 */
#define AC_OID_SPC_OPUS_INFO    AC_OID_MS_SPC "\x0c"   /* .12 */
#define AC_OID_SPC_INDIVIDUAL   AC_OID_MS_SPC "\x15"   /* .21 */
#define AC_OID_SPC_CAB_DATA     AC_OID_MS_SPC "\x19"   /* .25 */
#define AC_OIDLEN(o)            (sizeof(o) - 1)

/*
 * SpcLink for a cabinet: file [2] EXPLICIT SpcString, unicode [0] IMPLICIT
 * BMPString "<<<Obsolete>>>" - the constant osslsigncode
 * (spc_link_obsolete_get) and signtool write.
 */
static const uint8_t ac_spclink_obsolete[] = {
	0xa2, 0x1e, 0x80, 0x1c,
	0x00, '<', 0x00, '<', 0x00, '<', 0x00, 'O', 0x00, 'b', 0x00, 's',
	0x00, 'o', 0x00, 'l', 0x00, 'e', 0x00, 't', 0x00, 'e', 0x00, '>',
	0x00, '>', 0x00, '>',
};

static const char ac_pers[] = "wsusd authenticode_sign_cab";

/* One encoded attribute, for sorting. */
struct ac_attr {
	uint8_t buf[AC_ATTR_MAX];
	size_t  off;        /* the DER is buf[off .. off + len) (qsort moves buf) */
	size_t  len;
};

/* --- helpers ------------------------------------------------------------ */

/* "what: mbedTLS text (-0xNNNN)" into err. */
static void
authenticode_sign_mbed_err(char *err, size_t errlen, const char *what, int rc)
{
	char text[200];

	crypto_strerror(rc, text, sizeof(text));
	crypto_errf(err, errlen, "%s: %s", what, text);
}

/*
 * The writers below follow mbedtls_asn1_write_*: they write backwards
 * ending at *p (never before start) and return the number of bytes
 * written or a negative MBEDTLS_ERR_ASN1_* code.  They own nothing, so
 * MBEDTLS_ASN1_CHK_ADD's early return is their only error path.
 */

/* Tag and length in front of len bytes already written. */
static int
authenticode_sign_write_hdr(unsigned char **p, unsigned char *start, size_t len,
    unsigned char tag)
{
	int    ret;
	size_t n = 0;

	MBEDTLS_ASN1_CHK_ADD(n, mbedtls_asn1_write_len(p, start, len));
	MBEDTLS_ASN1_CHK_ADD(n, mbedtls_asn1_write_tag(p, start, tag));
	return (int)n;
}

/* AlgorithmIdentifier: with NULL parameters (null) or none. */
static int
authenticode_sign_write_alg(unsigned char **p, unsigned char *start,
    const char *oid, size_t oidlen, int null)
{
	int    ret;
	size_t len = 0;

	if (null)
		return mbedtls_asn1_write_algorithm_identifier(p, start, oid,
		    oidlen, 0);
	MBEDTLS_ASN1_CHK_ADD(len, mbedtls_asn1_write_oid(p, start, oid, oidlen));
	MBEDTLS_ASN1_CHK_ADD(len, authenticode_sign_write_hdr(p, start, len,
	    MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE));
	return (int)len;
}

/* SpcIndirectDataContent over the cabinet digest (SHA-256). */
static int
authenticode_sign_write_idc(unsigned char **p, unsigned char *start,
    const uint8_t digest[AC_SHA256_BYTES])
{
	int    ret;
	size_t len = 0, sub = 0;

	/* messageDigest DigestInfo { sha256, digest } */
	MBEDTLS_ASN1_CHK_ADD(sub, mbedtls_asn1_write_octet_string(p, start,
	    digest, AC_SHA256_BYTES));
	MBEDTLS_ASN1_CHK_ADD(sub, authenticode_sign_write_alg(p, start,
	    MBEDTLS_OID_DIGEST_ALG_SHA256,
	    AC_OIDLEN(MBEDTLS_OID_DIGEST_ALG_SHA256), 1));
	MBEDTLS_ASN1_CHK_ADD(sub, authenticode_sign_write_hdr(p, start, sub,
	    MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE));
	len += sub;
	/* data { SPC_CAB_DATA_OBJID, SpcLink } */
	sub = 0;
	MBEDTLS_ASN1_CHK_ADD(sub, mbedtls_asn1_write_raw_buffer(p, start,
	    ac_spclink_obsolete, sizeof(ac_spclink_obsolete)));
	MBEDTLS_ASN1_CHK_ADD(sub, mbedtls_asn1_write_oid(p, start,
	    AC_OID_SPC_CAB_DATA, AC_OIDLEN(AC_OID_SPC_CAB_DATA)));
	MBEDTLS_ASN1_CHK_ADD(sub, authenticode_sign_write_hdr(p, start, sub,
	    MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE));
	len += sub;
	MBEDTLS_ASN1_CHK_ADD(len, authenticode_sign_write_hdr(p, start, len,
	    MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE));
	return (int)len;
}

/* Attribute ::= SEQUENCE { type, values SET { value (DER given) } } */
static int
authenticode_sign_write_attr(unsigned char **p, unsigned char *start,
    const char *oid, size_t oidlen, const uint8_t *value, size_t vlen)
{
	int    ret;
	size_t len = 0;

	MBEDTLS_ASN1_CHK_ADD(len, mbedtls_asn1_write_raw_buffer(p, start,
	    value, vlen));
	MBEDTLS_ASN1_CHK_ADD(len, authenticode_sign_write_hdr(p, start, len,
	    MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SET));
	MBEDTLS_ASN1_CHK_ADD(len, mbedtls_asn1_write_oid(p, start, oid, oidlen));
	MBEDTLS_ASN1_CHK_ADD(len, authenticode_sign_write_hdr(p, start, len,
	    MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE));
	return (int)len;
}

/* Certificates of the chain, in chain order (written last first). */
static int
authenticode_sign_write_certs(unsigned char **p, unsigned char *start,
    const mbedtls_x509_crt *crt)
{
	int    ret;
	size_t len = 0;

	if (crt == NULL || crt->raw.p == NULL)
		return 0;
	MBEDTLS_ASN1_CHK_ADD(len, authenticode_sign_write_certs(p, start, crt->next));
	MBEDTLS_ASN1_CHK_ADD(len, mbedtls_asn1_write_raw_buffer(p, start,
	    crt->raw.p, crt->raw.len));
	return (int)len;
}

/* DER SET OF order: bytewise, a prefix first. */
static int
authenticode_sign_attr_cmp(const void *a, const void *b)
{
	const struct ac_attr *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int    c = memcmp(x->buf + x->off, y->buf + y->off, n);

	if (c != 0)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

/*
 * authenticode_sign_attrs - the authenticated attributes, sorted,
 * concatenated into (out, *outlen) (contents of the SET, no tag).  out holds
 * AC_ATTRS * AC_ATTR_MAX bytes.
 */
static int
authenticode_sign_attrs(const uint8_t idc_hash[AC_SHA256_BYTES], uint8_t *out,
    size_t *outlen, char *err, size_t errlen)
{
	static const uint8_t ct[] = { 0x06, 0x0a,
	    0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x01, 0x04 };
	static const uint8_t stmt[] = { 0x30, 0x0c, 0x06, 0x0a,
	    0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x01, 0x15 };
	static const uint8_t opus[] = { 0x30, 0x00 };
	struct ac_attr a[AC_ATTRS];
	uint8_t        md[2 + AC_SHA256_BYTES];
	const uint8_t *val[AC_ATTRS] = { ct, md, stmt, opus };
	size_t         vlen[AC_ATTRS] = { sizeof(ct), sizeof(md), sizeof(stmt),
	    sizeof(opus) };
	const char    *oid[AC_ATTRS] = { AC_OID_CONTENT_TYPE,
	    AC_OID_MESSAGE_DIGEST, AC_OID_SPC_STATEMENT, AC_OID_SPC_OPUS_INFO };
	size_t         oidlen[AC_ATTRS] = { AC_OIDLEN(AC_OID_CONTENT_TYPE),
	    AC_OIDLEN(AC_OID_MESSAGE_DIGEST), AC_OIDLEN(AC_OID_SPC_STATEMENT),
	    AC_OIDLEN(AC_OID_SPC_OPUS_INFO) };
	size_t         i, off = 0;
	int            n;

	md[0] = MBEDTLS_ASN1_OCTET_STRING;
	md[1] = AC_SHA256_BYTES;
	memcpy(md + 2, idc_hash, AC_SHA256_BYTES);
	for (i = 0; i < AC_ATTRS; i++) {
		unsigned char *p = a[i].buf + sizeof(a[i].buf);

		n = authenticode_sign_write_attr(&p, a[i].buf, oid[i], oidlen[i], val[i],
		    vlen[i]);
		if (n < 0) {
			authenticode_sign_mbed_err(err, errlen, "authenticated attributes", n);
			return -1;
		}
		a[i].off = (size_t)(p - a[i].buf);
		a[i].len = (size_t)n;
	}
	qsort(a, AC_ATTRS, sizeof(a[0]), authenticode_sign_attr_cmp);
	for (i = 0; i < AC_ATTRS; i++) {
		memcpy(out + off, a[i].buf + a[i].off, a[i].len);
		off += a[i].len;
	}
	*outlen = off;
	return 0;
}

/*
 * authenticode_sign_load - the certificate chain (signer first) and the
 * private key, each from a PEM file or, when the string starts with
 * "-----BEGIN", from the PEM text itself.  Checks that the key is the
 * signer's, is RSA or EC, and that the signer may sign code (EKU and key
 * usage, when present).
 */
static int
authenticode_sign_load(const char *cert_pem, const char *key_pem,
    mbedtls_x509_crt *crt, mbedtls_pk_context *pk, char *err, size_t errlen)
{
	const mbedtls_x509_crt *c;
	int                     rc, n = 0;

	if (cert_pem == NULL || key_pem == NULL) {
		crypto_errf(err, errlen, "no signing certificate or key");
		return -1;
	}
	if (strncmp(cert_pem, AC_PEM_MARK, strlen(AC_PEM_MARK)) == 0)
		rc = mbedtls_x509_crt_parse(crt, (const unsigned char *)cert_pem,
		    strlen(cert_pem) + 1);
	else
		rc = mbedtls_x509_crt_parse_file(crt, cert_pem);
	if (rc != 0) {
		if (rc > 0)
			crypto_errf(err, errlen, "signing certificate: %d "
			    "certificate(s) could not be parsed", rc);
		else
			authenticode_sign_mbed_err(err, errlen, "signing certificate", rc);
		return -1;
	}
	for (c = crt; c != NULL && c->raw.p != NULL; c = c->next)
		n++;
	if (n == 0 || n > AC_CHAIN_MAX) {
		crypto_errf(err, errlen, "signing certificate file: %d "
		    "certificates (1 to %d expected)", n, AC_CHAIN_MAX);
		return -1;
	}
	if (strncmp(key_pem, AC_PEM_MARK, strlen(AC_PEM_MARK)) == 0)
		rc = mbedtls_pk_parse_key(pk, (const unsigned char *)key_pem,
		    strlen(key_pem) + 1, NULL, 0);
	else
		rc = mbedtls_pk_parse_keyfile(pk, key_pem, NULL);
	if (rc != 0) {
		authenticode_sign_mbed_err(err, errlen, "signing key", rc);
		return -1;
	}
	if (mbedtls_pk_get_type(pk) != MBEDTLS_PK_RSA &&
	    mbedtls_pk_get_type(pk) != MBEDTLS_PK_ECKEY) {
		crypto_errf(err, errlen, "signing key: only RSA and EC keys are "
		    "supported");
		return -1;
	}
	if ((rc = mbedtls_pk_check_pair(&crt->pk, pk)) != 0) {
		crypto_errf(err, errlen, "the signing key does not belong to the "
		    "(first) certificate");
		return -1;
	}
	if (mbedtls_x509_crt_check_extended_key_usage(crt,
	    MBEDTLS_OID_CODE_SIGNING,
	    MBEDTLS_OID_SIZE(MBEDTLS_OID_CODE_SIGNING)) != 0) {
		crypto_errf(err, errlen, "the signing certificate's extended key "
		    "usage does not include codeSigning");
		return -1;
	}
	if (mbedtls_x509_crt_check_key_usage(crt,
	    MBEDTLS_X509_KU_DIGITAL_SIGNATURE) != 0) {
		crypto_errf(err, errlen, "the signing certificate's key usage "
		    "does not include digitalSignature");
		return -1;
	}
	return 0;
}

/*
 * authenticode_sign_attrs_hash - SHA-256 of (SET OF tag, length, attrs):
 * what the signature covers.  Returns 0 or an mbedTLS error code.
 */
static int
authenticode_sign_attrs_hash(const uint8_t *attrs, size_t len,
    uint8_t out[AC_SHA256_BYTES])
{
	mbedtls_md_context_t ctx;
	unsigned char        hdr[8];
	unsigned char       *p = hdr + sizeof(hdr);
	int                  rc;

	mbedtls_md_init(&ctx);
	if ((rc = authenticode_sign_write_hdr(&p, hdr, len,
	    MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SET)) >= 0 &&
	    (rc = mbedtls_md_setup(&ctx,
	    mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), 0)) == 0 &&
	    (rc = mbedtls_md_starts(&ctx)) == 0 &&
	    (rc = mbedtls_md_update(&ctx, p, (size_t)(hdr + sizeof(hdr) - p)))
	    == 0 && (rc = mbedtls_md_update(&ctx, attrs, len)) == 0)
		rc = mbedtls_md_finish(&ctx, out);
	mbedtls_md_free(&ctx);
	return rc;
}

/*
 * authenticode_sign_write_signed_data - the whole ContentInfo, backwards
 * from *p: see the file comment for the layout.
 */
static int
authenticode_sign_write_signed_data(unsigned char **p, unsigned char *start,
    const mbedtls_x509_crt *crt, int ec, const uint8_t *idc, size_t idclen,
    const uint8_t *attrs, size_t attrslen, const uint8_t *sig, size_t siglen)
{
	int    ret;
	size_t len = 0, si = 0, sub = 0;

	/* signerInfos SET { SignerInfo } */
	MBEDTLS_ASN1_CHK_ADD(si, mbedtls_asn1_write_octet_string(p, start,
	    sig, siglen));
	if (ec)
		MBEDTLS_ASN1_CHK_ADD(si, authenticode_sign_write_alg(p, start,
		    MBEDTLS_OID_ECDSA_SHA256,
		    AC_OIDLEN(MBEDTLS_OID_ECDSA_SHA256), 0));
	else
		MBEDTLS_ASN1_CHK_ADD(si, authenticode_sign_write_alg(p, start,
		    MBEDTLS_OID_PKCS1_RSA, AC_OIDLEN(MBEDTLS_OID_PKCS1_RSA), 1));
	MBEDTLS_ASN1_CHK_ADD(si, mbedtls_asn1_write_raw_buffer(p, start,
	    attrs, attrslen));
	MBEDTLS_ASN1_CHK_ADD(si, authenticode_sign_write_hdr(p, start, attrslen,
	    MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_ASN1_CONSTRUCTED | 0));
	MBEDTLS_ASN1_CHK_ADD(si, authenticode_sign_write_alg(p, start,
	    MBEDTLS_OID_DIGEST_ALG_SHA256,
	    AC_OIDLEN(MBEDTLS_OID_DIGEST_ALG_SHA256), 1));
	/* issuerAndSerialNumber { issuer Name, serialNumber } */
	MBEDTLS_ASN1_CHK_ADD(sub, mbedtls_asn1_write_raw_buffer(p, start,
	    crt->serial.p, crt->serial.len));
	MBEDTLS_ASN1_CHK_ADD(sub, authenticode_sign_write_hdr(p, start,
	    crt->serial.len, MBEDTLS_ASN1_INTEGER));
	MBEDTLS_ASN1_CHK_ADD(sub, mbedtls_asn1_write_raw_buffer(p, start,
	    crt->issuer_raw.p, crt->issuer_raw.len));
	MBEDTLS_ASN1_CHK_ADD(sub, authenticode_sign_write_hdr(p, start, sub,
	    MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE));
	si += sub;
	MBEDTLS_ASN1_CHK_ADD(si, mbedtls_asn1_write_int(p, start, 1));
	MBEDTLS_ASN1_CHK_ADD(si, authenticode_sign_write_hdr(p, start, si,
	    MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE));
	MBEDTLS_ASN1_CHK_ADD(si, authenticode_sign_write_hdr(p, start, si,
	    MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SET));
	len += si;

	/* certificates [0] IMPLICIT */
	sub = 0;
	MBEDTLS_ASN1_CHK_ADD(sub, authenticode_sign_write_certs(p, start, crt));
	MBEDTLS_ASN1_CHK_ADD(sub, authenticode_sign_write_hdr(p, start, sub,
	    MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_ASN1_CONSTRUCTED | 0));
	len += sub;

	/* contentInfo { SPC_INDIRECT_DATA_OBJID, [0] EXPLICIT idc } */
	sub = 0;
	MBEDTLS_ASN1_CHK_ADD(sub, mbedtls_asn1_write_raw_buffer(p, start,
	    idc, idclen));
	MBEDTLS_ASN1_CHK_ADD(sub, authenticode_sign_write_hdr(p, start, sub,
	    MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_ASN1_CONSTRUCTED | 0));
	MBEDTLS_ASN1_CHK_ADD(sub, mbedtls_asn1_write_oid(p, start,
	    AC_OID_SPC_INDIRECT, AC_OIDLEN(AC_OID_SPC_INDIRECT)));
	MBEDTLS_ASN1_CHK_ADD(sub, authenticode_sign_write_hdr(p, start, sub,
	    MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE));
	len += sub;

	/* digestAlgorithms SET { sha256 } */
	sub = 0;
	MBEDTLS_ASN1_CHK_ADD(sub, authenticode_sign_write_alg(p, start,
	    MBEDTLS_OID_DIGEST_ALG_SHA256,
	    AC_OIDLEN(MBEDTLS_OID_DIGEST_ALG_SHA256), 1));
	MBEDTLS_ASN1_CHK_ADD(sub, authenticode_sign_write_hdr(p, start, sub,
	    MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SET));
	len += sub;

	MBEDTLS_ASN1_CHK_ADD(len, mbedtls_asn1_write_int(p, start, 1));
	MBEDTLS_ASN1_CHK_ADD(len, authenticode_sign_write_hdr(p, start, len,
	    MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE));
	/* ContentInfo { signedData, [0] EXPLICIT SignedData } */
	MBEDTLS_ASN1_CHK_ADD(len, authenticode_sign_write_hdr(p, start, len,
	    MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_ASN1_CONSTRUCTED | 0));
	MBEDTLS_ASN1_CHK_ADD(len, mbedtls_asn1_write_oid(p, start,
	    AC_OID_SIGNED_DATA, AC_OIDLEN(AC_OID_SIGNED_DATA)));
	MBEDTLS_ASN1_CHK_ADD(len, authenticode_sign_write_hdr(p, start, len,
	    MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE));
	return (int)len;
}

/* Length of a DER tag + length header at p (definite, short or long). */
static size_t
authenticode_sign_hdr_len(const uint8_t *p)
{
	return (p[1] & 0x80) ? 2 + (size_t)(p[1] & 0x7f) : 2;
}

/*
 * authenticode_sign_cab - see authenticode.h.  cert_pem and key_pem are
 * paths of PEM files, or PEM text when they start with "-----BEGIN"; the
 * key must be unencrypted.  The cabinet must come from cab_build (the
 * Authenticode reserve present, not yet signed).
 */
int
authenticode_sign_cab(const uint8_t *cab, size_t len,
    const char *cert_pem, const char *key_pem, uint8_t **out, size_t *outlen,
    char *err, size_t errlen)
{
	mbedtls_x509_crt          crt;
	mbedtls_pk_context        pk;
	mbedtls_entropy_context   entropy;
	mbedtls_ctr_drbg_context  drbg;
	const mbedtls_x509_crt   *c;
	uint8_t        cabmd[CAB_DIGEST_MAX], idcbuf[AC_IDC_MAX];
	uint8_t        idcmd[AC_SHA256_BYTES], attrmd[AC_SHA256_BYTES];
	uint8_t        attrs[AC_ATTRS * AC_ATTR_MAX];
	uint8_t        sig[MBEDTLS_PK_SIGNATURE_MAX_SIZE];
	uint8_t       *der = NULL;
	unsigned char *p;
	size_t         mdlen, idclen, hl, attrslen, siglen, cap;
	int            n, rc = -1;

	mbedtls_x509_crt_init(&crt);
	mbedtls_pk_init(&pk);
	mbedtls_entropy_init(&entropy);
	mbedtls_ctr_drbg_init(&drbg);
	*out = NULL;
	*outlen = 0;

	if (authenticode_sign_load(cert_pem, key_pem, &crt, &pk, err, errlen) == -1)
		goto out;
	if (cab_digest(cab, len, MBEDTLS_MD_SHA256, cabmd, &mdlen, err,
	    errlen) == -1)
		goto out;

	/* SpcIndirectDataContent; the attribute hashes its contents. */
	p = idcbuf + sizeof(idcbuf);
	if ((n = authenticode_sign_write_idc(&p, idcbuf, cabmd)) < 0) {
		authenticode_sign_mbed_err(err, errlen, "SpcIndirectDataContent", n);
		goto out;
	}
	idclen = (size_t)n;
	hl = authenticode_sign_hdr_len(p);
	if ((n = mbedtls_md(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256),
	    p + hl, idclen - hl, idcmd)) != 0) {
		authenticode_sign_mbed_err(err, errlen, "content digest", n);
		goto out;
	}
	if (authenticode_sign_attrs(idcmd, attrs, &attrslen, err, errlen) == -1)
		goto out;

	/* The signature over the attributes (as SET OF). */
	if ((n = authenticode_sign_attrs_hash(attrs, attrslen, attrmd)) != 0) {
		authenticode_sign_mbed_err(err, errlen, "attribute digest", n);
		goto out;
	}
	if ((n = mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy,
	    (const unsigned char *)ac_pers, sizeof(ac_pers) - 1)) != 0) {
		authenticode_sign_mbed_err(err, errlen, "random generator", n);
		goto out;
	}
	if ((n = mbedtls_pk_sign(&pk, MBEDTLS_MD_SHA256, attrmd,
	    sizeof(attrmd), sig, &siglen, mbedtls_ctr_drbg_random,
	    &drbg)) != 0) {
		authenticode_sign_mbed_err(err, errlen, "signing", n);
		goto out;
	}

	/* The SignedData, then into the cabinet. */
	cap = idclen + attrslen + siglen + crt.issuer_raw.len +
	    crt.serial.len + AC_DER_SLACK;
	for (c = &crt; c != NULL && c->raw.p != NULL; c = c->next)
		cap += c->raw.len;
	if ((der = malloc(cap)) == NULL) {
		crypto_errf(err, errlen, "out of memory (%zu bytes)", cap);
		goto out;
	}
	{
		unsigned char *q = der + cap;

		n = authenticode_sign_write_signed_data(&q, der, &crt,
		    mbedtls_pk_get_type(&pk) == MBEDTLS_PK_ECKEY, p, idclen,
		    attrs, attrslen, sig, siglen);
		if (n < 0) {
			authenticode_sign_mbed_err(err, errlen, "SignedData", n);
			goto out;
		}
		if (cab_signature_attach(cab, len, q, (size_t)n, out, outlen,
		    err, errlen) == -1)
			goto out;
	}
	rc = 0;
out:
	free(der);
	mbedtls_ctr_drbg_free(&drbg);
	mbedtls_entropy_free(&entropy);
	mbedtls_pk_free(&pk);
	mbedtls_x509_crt_free(&crt);
	return rc;
}
