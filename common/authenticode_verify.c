/*
 * authenticode_verify.c - the client side of Authenticode for cabinets:
 * what the Windows Update Agent checks before it installs locally
 * published content (System Center Updates Publisher, wsusutil publish).
 *
 * Owns: parsing the PKCS#7 SignedData stored in a cabinet's signature
 * area (mbedTLS 2.28 has no PKCS#7 parser, so this walks the DER with
 * mbedtls_asn1_get_*), checking it end to end, and reading the two trust
 * stores (directories of *.cer / *.crt / *.pem, DER or PEM).
 *
 * What is checked, in this order (the first failure is the reason):
 *  1. the cabinet has an Authenticode signature (cab_signature_find);
 *  2. ContentInfo(signedData) -> SignedData v1 whose content is an
 *     SpcIndirectDataContent (1.3.6.1.4.1.311.2.1.4) for cabinet data
 *     (1.3.6.1.4.1.311.2.1.25), with its DigestInfo (algorithm, digest);
 *     the embedded certificates; exactly one SignerInfo v1 naming its
 *     certificate by issuer and serial number;
 *  3. the authenticated attributes: contentType is SpcIndirectDataContent
 *     and messageDigest is the hash, under the SignerInfo's digest
 *     algorithm, of the SpcIndirectDataContent's content octets (the
 *     SEQUENCE without its tag and length - what osslsigncode and signtool
 *     feed to PKCS7_dataFinal);
 *  4. encryptedDigest verifies (mbedtls_pk_verify, PKCS#1 v1.5 or ECDSA)
 *     with the signer's key over the hash of the authenticated attributes
 *     re-tagged as SET OF (0x31), as PKCS#7 section 9.3 requires;
 *  5. the cabinet digest (cab_digest, osslsigncode's byte ranges) under
 *     the DigestInfo algorithm equals the signed one;
 *  6. the signer certificate allows code signing (EKU absent or has
 *     codeSigning; keyUsage absent or has digitalSignature) and is within
 *     its validity period;
 *  7. trust, modelled on Windows: the chain (signer plus the certificates
 *     in the signature) verifies to a certificate of root_dir (a
 *     self-signed signer must itself be in root_dir), and the signer
 *     certificate itself is in publishers_dir.
 *
 * Never does: time-stamp countersignatures (an expired signer fails even
 * if the signature was time-stamped in time), revocation, nested
 * signatures, page hashes; logging beyond debug (the reason goes back to
 * the caller, who prints it once with the file name).  Every length comes
 * from mbedtls_asn1_get_tag, which refuses a length past the end of its
 * buffer, so nothing here reads outside (cab, len).
 *
 * Static helpers are prefixed av_.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mbedtls/asn1.h>
#include <mbedtls/md.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

#include "authenticode.h"
#include "common_int.h"
#include "crypto.h"
#include "limits_common.h"
#include "log.h"

/* Bounds on what one signature may make us parse: limits.h (LIMIT_AV_*). */

/* Object identifiers, DER content octets. */
static const uint8_t av_oid_signed_data[] =       /* 1.2.840.113549.1.7.2 */
    { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02 };
static const uint8_t av_oid_spc_indirect[] =      /* 1.3.6.1.4.1.311.2.1.4 */
    { 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x01, 0x04 };
static const uint8_t av_oid_spc_cab_data[] =      /* 1.3.6.1.4.1.311.2.1.25 */
    { 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x01, 0x19 };
static const uint8_t av_oid_content_type[] =      /* 1.2.840.113549.1.9.3 */
    { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x03 };
static const uint8_t av_oid_message_digest[] =    /* 1.2.840.113549.1.9.4 */
    { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x04 };

#define AV_CONS_CTX0 (MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_ASN1_CONSTRUCTED | 0)
#define AV_CONS_CTX1 (MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_ASN1_CONSTRUCTED | 1)
#define AV_SEQ       (MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE)
#define AV_SET       (MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SET)

/* What the parser found; every pointer points into the caller's buffer. */
struct av_sig {
	const uint8_t     *idc;           /* SpcIndirectDataContent content octets */
	size_t             idclen;
	mbedtls_md_type_t  file_md;       /* DigestInfo algorithm */
	const uint8_t     *file_digest;   /* DigestInfo digest */
	size_t             file_digestlen;
	const uint8_t     *certs;         /* content of certificates [0] (NULL: none) */
	size_t             certslen;
	const uint8_t     *issuer;        /* signer's issuer Name, whole TLV */
	size_t             issuerlen;
	const uint8_t     *serial;        /* signer's serial, INTEGER content */
	size_t             seriallen;
	mbedtls_md_type_t  si_md;         /* SignerInfo digestAlgorithm */
	const uint8_t     *attrs;         /* authenticatedAttributes, whole [0] TLV */
	size_t             attrslen;
	const uint8_t     *msg_digest;    /* the messageDigest attribute value */
	size_t             msg_digestlen;
	mbedtls_pk_type_t  sig_pk;        /* digestEncryptionAlgorithm's key type */
	mbedtls_md_type_t  sig_md;        /* ... its hash when it names one, else NONE */
	const uint8_t     *sig;           /* encryptedDigest */
	size_t             siglen;
};

/* Format into reason (if any) and return -1. */
static int av_fail(char *reason, size_t reasonlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int
av_fail(char *reason, size_t reasonlen, const char *fmt, ...)
{
	va_list ap;

	if (reason != NULL && reasonlen > 0) {
		va_start(ap, fmt);
		vsnprintf(reason, reasonlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* Whether the OID (p, n) is the DER content octets oid. */
static int
av_oid_is(const mbedtls_asn1_buf *oid, const uint8_t *want, size_t wantlen)
{
	return oid->tag == MBEDTLS_ASN1_OID && oid->len == wantlen &&
	    memcmp(oid->p, want, wantlen) == 0;
}

/* Read an OBJECT IDENTIFIER at *p into *oid; 0 or -1. */
static int
av_get_oid(uint8_t **p, const uint8_t *end, mbedtls_asn1_buf *oid)
{
	if (mbedtls_asn1_get_tag(p, end, &oid->len, MBEDTLS_ASN1_OID) != 0)
		return -1;
	oid->tag = MBEDTLS_ASN1_OID;
	oid->p = *p;
	*p += oid->len;
	return 0;
}

/*
 * av_get_md - an AlgorithmIdentifier naming a digest we accept (SHA-1,
 * SHA-256, SHA-384, SHA-512; parameters absent or NULL).  0 or -1.
 */
static int
av_get_md(uint8_t **p, const uint8_t *end, mbedtls_md_type_t *md)
{
	mbedtls_asn1_buf alg, params;

	if (mbedtls_asn1_get_alg(p, end, &alg, &params) != 0 ||
	    (params.tag != MBEDTLS_ASN1_NULL && params.tag != 0) ||
	    (params.tag == MBEDTLS_ASN1_NULL && params.len != 0) ||
	    mbedtls_oid_get_md_alg(&alg, md) != 0)
		return -1;
	switch (*md) {
	case MBEDTLS_MD_SHA1:
	case MBEDTLS_MD_SHA256:
	case MBEDTLS_MD_SHA384:
	case MBEDTLS_MD_SHA512:
		return 0;
	default:
		return -1;
	}
}

/*
 * av_parse_idc - SpcIndirectDataContent ::= SEQUENCE { data
 * SpcAttributeTypeAndOptionalValue, messageDigest DigestInfo } at *p,
 * ending exactly at end.  Records its content octets and the DigestInfo.
 */
static int
av_parse_idc(uint8_t **p, const uint8_t *end, struct av_sig *s)
{
	mbedtls_asn1_buf type;
	uint8_t *q, *qend;
	size_t len;

	if (mbedtls_asn1_get_tag(p, end, &len, AV_SEQ) != 0 || *p + len != end)
		return -1;
	s->idc = *p;
	s->idclen = len;
	/* data: SEQUENCE { type OID (cabinet data), value ANY OPTIONAL } */
	if (mbedtls_asn1_get_tag(p, end, &len, AV_SEQ) != 0)
		return -1;
	q = *p;
	qend = q + len;
	if (av_get_oid(&q, qend, &type) != 0 ||
	    !av_oid_is(&type, av_oid_spc_cab_data, sizeof(av_oid_spc_cab_data)))
		return -1;
	*p = qend;
	/* messageDigest: DigestInfo ::= SEQUENCE { AlgorithmIdentifier, OCTET STRING } */
	if (mbedtls_asn1_get_tag(p, end, &len, AV_SEQ) != 0 || *p + len != end)
		return -1;
	if (av_get_md(p, end, &s->file_md) != 0 ||
	    mbedtls_asn1_get_tag(p, end, &len, MBEDTLS_ASN1_OCTET_STRING) != 0 ||
	    *p + len != end ||
	    len != mbedtls_md_get_size(mbedtls_md_info_from_type(s->file_md)))
		return -1;
	s->file_digest = *p;
	s->file_digestlen = len;
	*p = (uint8_t *)end;
	return 0;
}

/*
 * av_parse_attrs - authenticatedAttributes [0] IMPLICIT SET OF Attribute
 * at *p: exactly one contentType (SpcIndirectDataContent) and exactly one
 * messageDigest (an OCTET STRING); others are allowed (signingTime,
 * SpcStatementType, SpcSpOpusInfo) and ignored, up to LIMIT_AV_ATTRS_MAX.
 */
static int
av_parse_attrs(uint8_t **p, const uint8_t *end, struct av_sig *s)
{
	const uint8_t *start = *p;
	uint8_t *aend;
	size_t len;
	int n = 0, have_type = 0;

	if (mbedtls_asn1_get_tag(p, end, &len, AV_CONS_CTX0) != 0)
		return -1;
	aend = *p + len;
	s->attrs = start;
	s->attrslen = (size_t)(aend - start);
	while (*p < aend) {
		mbedtls_asn1_buf type;
		uint8_t *vend, *seqend;

		if (++n > LIMIT_AV_ATTRS_MAX ||
		    mbedtls_asn1_get_tag(p, aend, &len, AV_SEQ) != 0)
			return -1;
		seqend = *p + len;
		if (av_get_oid(p, seqend, &type) != 0 ||
		    mbedtls_asn1_get_tag(p, seqend, &len, AV_SET) != 0 ||
		    *p + len != seqend)
			return -1;
		vend = seqend;
		if (av_oid_is(&type, av_oid_content_type, sizeof(av_oid_content_type))) {
			mbedtls_asn1_buf v;

			if (have_type++ || av_get_oid(p, vend, &v) != 0 || *p != vend ||
			    !av_oid_is(&v, av_oid_spc_indirect, sizeof(av_oid_spc_indirect)))
				return -1;
		} else if (av_oid_is(&type, av_oid_message_digest,
		    sizeof(av_oid_message_digest))) {
			if (s->msg_digest != NULL ||
			    mbedtls_asn1_get_tag(p, vend, &len, MBEDTLS_ASN1_OCTET_STRING) != 0 ||
			    *p + len != vend)
				return -1;
			s->msg_digest = *p;
			s->msg_digestlen = len;
		}
		*p = seqend;
	}
	return have_type && s->msg_digest != NULL ? 0 : -1;
}

/*
 * av_parse_signer - SignerInfo ::= SEQUENCE { version 1,
 * issuerAndSerialNumber, digestAlgorithm, [0] authenticatedAttributes,
 * digestEncryptionAlgorithm, encryptedDigest, [1] unauthenticated
 * OPTIONAL } filling *s from the buffer (*p, end), which holds exactly it.
 */
static int
av_parse_signer(uint8_t **p, const uint8_t *end, struct av_sig *s)
{
	mbedtls_asn1_buf alg, params;
	uint8_t *isend;
	size_t len;
	int version;

	if (mbedtls_asn1_get_int(p, end, &version) != 0 || version != 1)
		return -1;
	/* issuerAndSerialNumber ::= SEQUENCE { issuer Name, serialNumber INTEGER } */
	if (mbedtls_asn1_get_tag(p, end, &len, AV_SEQ) != 0)
		return -1;
	isend = *p + len;
	s->issuer = *p;
	if (mbedtls_asn1_get_tag(p, isend, &len, AV_SEQ) != 0)
		return -1;
	*p += len;
	s->issuerlen = (size_t)(*p - s->issuer);
	if (mbedtls_asn1_get_tag(p, isend, &len, MBEDTLS_ASN1_INTEGER) != 0 ||
	    *p + len != isend || len == 0)
		return -1;
	s->serial = *p;
	s->seriallen = len;
	*p = isend;
	if (av_get_md(p, end, &s->si_md) != 0)
		return -1;
	if (*p >= end || **p != AV_CONS_CTX0 || av_parse_attrs(p, end, s) != 0)
		return -1;
	/* digestEncryptionAlgorithm: rsaEncryption/ecPublicKey, or a signature OID */
	if (mbedtls_asn1_get_alg(p, end, &alg, &params) != 0 ||
	    (params.tag != 0 && params.tag != MBEDTLS_ASN1_NULL &&
	    params.tag != MBEDTLS_ASN1_OID) ||
	    (params.tag == MBEDTLS_ASN1_NULL && params.len != 0))
		return -1;
	s->sig_md = MBEDTLS_MD_NONE;
	if (mbedtls_oid_get_pk_alg(&alg, &s->sig_pk) != 0 &&
	    mbedtls_oid_get_sig_alg(&alg, &s->sig_md, &s->sig_pk) != 0)
		return -1;
	/* Parameters: absent or NULL; a named curve only for ecPublicKey. */
	if ((s->sig_pk != MBEDTLS_PK_RSA && s->sig_pk != MBEDTLS_PK_ECKEY &&
	    s->sig_pk != MBEDTLS_PK_ECDSA) ||
	    (params.tag == MBEDTLS_ASN1_OID && s->sig_pk != MBEDTLS_PK_ECKEY))
		return -1;
	if (mbedtls_asn1_get_tag(p, end, &len, MBEDTLS_ASN1_OCTET_STRING) != 0 ||
	    len == 0)
		return -1;
	s->sig = *p;
	s->siglen = len;
	*p += len;
	/* unauthenticatedAttributes (time stamps, nested signatures): not used */
	if (*p < end) {
		if (mbedtls_asn1_get_tag(p, end, &len, AV_CONS_CTX1) != 0)
			return -1;
		*p += len;
	}
	return *p == end ? 0 : -1;
}

/*
 * av_parse - ContentInfo { signedData, [0] SignedData } in (der, n),
 * which may be followed by zero padding only.  0 or -1.
 */
static int
av_parse(const uint8_t *der, size_t n, struct av_sig *s)
{
	mbedtls_asn1_buf oid;
	uint8_t *p = (uint8_t *)der, *end = p + n, *sdend, *ciend, *siend;
	mbedtls_md_type_t md;
	size_t len;
	int version, found_md = 0;

	memset(s, 0, sizeof(*s));
	if (mbedtls_asn1_get_tag(&p, end, &len, AV_SEQ) != 0)
		return -1;
	for (const uint8_t *z = p + len; z < end; z++)
		if (*z != 0)
			return -1;
	end = p + len;
	if (av_get_oid(&p, end, &oid) != 0 ||
	    !av_oid_is(&oid, av_oid_signed_data, sizeof(av_oid_signed_data)) ||
	    mbedtls_asn1_get_tag(&p, end, &len, AV_CONS_CTX0) != 0 || p + len != end ||
	    mbedtls_asn1_get_tag(&p, end, &len, AV_SEQ) != 0 || p + len != end)
		return -1;
	sdend = end;
	/* SignedData: version 1, digestAlgorithms SET OF AlgorithmIdentifier */
	if (mbedtls_asn1_get_int(&p, sdend, &version) != 0 || version != 1 ||
	    mbedtls_asn1_get_tag(&p, sdend, &len, AV_SET) != 0)
		return -1;
	{
		uint8_t *q = p, *qend = p + len;

		while (q < qend) {
			if (av_get_md(&q, qend, &md) != 0)
				return -1;
			found_md |= 1 << md;
		}
		p = qend;
	}
	/* contentInfo: SEQUENCE { SPC_INDIRECT_DATA, [0] EXPLICIT SpcIndirectDataContent } */
	if (mbedtls_asn1_get_tag(&p, sdend, &len, AV_SEQ) != 0)
		return -1;
	ciend = p + len;
	if (av_get_oid(&p, ciend, &oid) != 0 ||
	    !av_oid_is(&oid, av_oid_spc_indirect, sizeof(av_oid_spc_indirect)) ||
	    mbedtls_asn1_get_tag(&p, ciend, &len, AV_CONS_CTX0) != 0 || p + len != ciend ||
	    av_parse_idc(&p, ciend, s) != 0)
		return -1;
	/* certificates [0] IMPLICIT, crls [1] IMPLICIT: both optional */
	if (p < sdend && *p == AV_CONS_CTX0) {
		if (mbedtls_asn1_get_tag(&p, sdend, &len, AV_CONS_CTX0) != 0)
			return -1;
		s->certs = p;
		s->certslen = len;
		p += len;
	}
	if (p < sdend && *p == AV_CONS_CTX1) {
		if (mbedtls_asn1_get_tag(&p, sdend, &len, AV_CONS_CTX1) != 0)
			return -1;
		p += len;
	}
	/* signerInfos: exactly one SignerInfo, as Authenticode requires */
	if (mbedtls_asn1_get_tag(&p, sdend, &len, AV_SET) != 0 || p + len != sdend ||
	    mbedtls_asn1_get_tag(&p, sdend, &len, AV_SEQ) != 0 || p + len != sdend)
		return -1;
	siend = sdend;
	if (av_parse_signer(&p, siend, s) != 0)
		return -1;
	/* The signer's digest algorithm must be one the SignedData announced. */
	return (found_md & (1 << s->si_md)) ? 0 : -1;
}

/*
 * av_parse_certs - every certificate of the certificates [0] field into
 * *chain (mbedtls copies the DER).  0, or -1 when one is unreadable or
 * there are more than LIMIT_AV_CERTS_MAX.
 */
static int
av_parse_certs(const struct av_sig *s, mbedtls_x509_crt *chain, int *ncerts)
{
	uint8_t *p = (uint8_t *)s->certs, *end;
	size_t len;

	*ncerts = 0;
	if (p == NULL)
		return 0;
	end = p + s->certslen;
	while (p < end) {
		uint8_t *start = p;

		if (++*ncerts > LIMIT_AV_CERTS_MAX ||
		    mbedtls_asn1_get_tag(&p, end, &len, AV_SEQ) != 0)
			return -1;
		p += len;
		if (mbedtls_x509_crt_parse_der(chain, start, (size_t)(p - start)) != 0)
			return -1;
	}
	return 0;
}

/* The certificate of chain named by the SignerInfo, or NULL. */
static const mbedtls_x509_crt *
av_find_signer(const mbedtls_x509_crt *chain, const struct av_sig *s)
{
	for (const mbedtls_x509_crt *c = chain; c != NULL && c->version != 0; c = c->next)
		if (c->issuer_raw.len == s->issuerlen &&
		    memcmp(c->issuer_raw.p, s->issuer, s->issuerlen) == 0 &&
		    c->serial.len == s->seriallen &&
		    memcmp(c->serial.p, s->serial, s->seriallen) == 0)
			return c;
	return NULL;
}

/* Whether a certificate with exactly crt's DER is in store. */
static int
av_in_store(const mbedtls_x509_crt *store, const mbedtls_x509_crt *crt)
{
	for (const mbedtls_x509_crt *c = store; c != NULL && c->version != 0; c = c->next)
		if (c->raw.len == crt->raw.len &&
		    memcmp(c->raw.p, crt->raw.p, crt->raw.len) == 0)
			return 1;
	return 0;
}

/* Whether name ends in .cer, .crt or .pem (any case). */
static int
av_cert_name(const char *name)
{
	size_t n = strlen(name);

	return n > 4 && name[0] != '.' && (strcasecmp(name + n - 4, ".cer") == 0 ||
	    strcasecmp(name + n - 4, ".crt") == 0 || strcasecmp(name + n - 4, ".pem") == 0);
}

/*
 * av_load_file - add the certificates of one file (PEM: every
 * CERTIFICATE block; else one DER certificate) to *store.  Unreadable or
 * unparsable files are skipped (debug log): one bad file in a store must
 * not hide the others.
 */
static void
av_load_file(const char *path, mbedtls_x509_crt *store)
{
	struct stat st;
	uint8_t *buf = NULL;
	ssize_t r;
	size_t got = 0;
	int fd, rc;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1) {
		log_debug("%s: %s: %s", __func__, path, strerror(errno));
		return;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    (uint64_t)st.st_size > LIMIT_AV_STORE_FILE_BYTES ||
	    (buf = malloc((size_t)st.st_size + 1)) == NULL)
		goto out;
	while (got < (size_t)st.st_size &&
	    (r = read(fd, buf + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)r;
	if (got != (size_t)st.st_size)
		goto out;
	buf[got] = '\0';
	if (memmem(buf, got, "-----BEGIN CERTIFICATE-----", 27) != NULL)
		rc = mbedtls_x509_crt_parse(store, buf, got + 1);
	else
		rc = mbedtls_x509_crt_parse_der(store, buf, got);
	if (rc != 0)
		log_debug("%s: %s: %d certificate(s) not readable (%d)", __func__, path,
		    rc > 0 ? rc : 1, rc);
out:
	free(buf);
	close(fd);
}

/*
 * av_load_store - every certificate file of dir into *store (which the
 * caller has initialised and frees).  A missing or unreadable directory is
 * an empty store.  At most LIMIT_AV_STORE_FILES_MAX files are read.
 */
static void
av_load_store(const char *dir, mbedtls_x509_crt *store)
{
	struct dirent *de;
	char path[4096];
	DIR *d;
	int n = 0;

	if (dir == NULL || (d = opendir(dir)) == NULL) {
		if (dir != NULL)
			log_debug("%s: %s: %s", __func__, dir, strerror(errno));
		return;
	}
	while ((de = readdir(d)) != NULL && n < LIMIT_AV_STORE_FILES_MAX) {
		if (!av_cert_name(de->d_name))
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >=
		    sizeof(path))
			continue;
		n++;
		av_load_file(path, store);
	}
	closedir(d);
}

/* Hash (p, n) with md into out (CAB_DIGEST_MAX bytes); 0 or -1. */
static int
av_hash(mbedtls_md_type_t md, const uint8_t *p, size_t n, uint8_t *out)
{
	const mbedtls_md_info_t *mi = mbedtls_md_info_from_type(md);

	return mi != NULL && mbedtls_md(mi, p, n, out) == 0 ? 0 : -1;
}

/*
 * av_hash_attrs - the hash the signature covers: the authenticated
 * attributes with their [0] IMPLICIT tag replaced by SET OF (0x31).
 */
static int
av_hash_attrs(const struct av_sig *s, uint8_t *out)
{
	const mbedtls_md_info_t *mi = mbedtls_md_info_from_type(s->si_md);
	static const uint8_t set_tag = AV_SET;
	mbedtls_md_context_t ctx;
	int rc = -1;

	mbedtls_md_init(&ctx);
	if (mi != NULL && mbedtls_md_setup(&ctx, mi, 0) == 0 &&
	    mbedtls_md_starts(&ctx) == 0 &&
	    mbedtls_md_update(&ctx, &set_tag, 1) == 0 &&
	    mbedtls_md_update(&ctx, s->attrs + 1, s->attrslen - 1) == 0 &&
	    mbedtls_md_finish(&ctx, out) == 0)
		rc = 0;
	mbedtls_md_free(&ctx);
	return rc;
}

/* Fill *who from the signer certificate. */
static void
av_describe(const mbedtls_x509_crt *crt, int self_signed,
    struct authenticode_signer *who)
{
	uint8_t sha1[20];
	static const char hex[] = "0123456789ABCDEF";

	if (who == NULL)
		return;
	memset(who, 0, sizeof(*who));
	if (mbedtls_x509_dn_gets(who->subject, sizeof(who->subject), &crt->subject) < 0)
		who->subject[0] = '\0';
	if (mbedtls_x509_dn_gets(who->issuer, sizeof(who->issuer), &crt->issuer) < 0)
		who->issuer[0] = '\0';
	crypto_sha1(crt->raw.p, crt->raw.len, sha1);
	for (int i = 0; i < 20; i++) {
		who->sha1[2 * i] = hex[sha1[i] >> 4];
		who->sha1[2 * i + 1] = hex[sha1[i] & 15];
	}
	who->sha1[40] = '\0';
	who->self_signed = self_signed;
}

/*
 * av_check_trust - step 7: signer (with the signature's other certificates
 * as intermediates) against the roots of root_dir, then the signer in
 * publishers_dir.  0 or -1 with the reason.
 */
static int
av_check_trust(const mbedtls_x509_crt *signer, const mbedtls_x509_crt *embedded,
    int self_signed, const char *publishers_dir, const char *root_dir,
    char *reason, size_t reasonlen)
{
	mbedtls_x509_crt roots, pubs, chain;
	uint32_t flags = 0;
	int rc = -1, vrc;

	mbedtls_x509_crt_init(&roots);
	mbedtls_x509_crt_init(&pubs);
	mbedtls_x509_crt_init(&chain);
	av_load_store(root_dir, &roots);
	if (self_signed && !av_in_store(&roots, signer)) {
		av_fail(reason, reasonlen, "the self-signed signer is not in Trusted Root "
		    "Certification Authorities");
		goto out;
	}
	/* The chain to verify: the signer first, then the other embedded ones. */
	if (mbedtls_x509_crt_parse_der(&chain, signer->raw.p, signer->raw.len) != 0) {
		av_fail(reason, reasonlen, "the signer's certificate cannot be read");
		goto out;
	}
	for (const mbedtls_x509_crt *c = embedded; c != NULL && c->version != 0; c = c->next)
		if (c != signer && mbedtls_x509_crt_parse_der(&chain, c->raw.p,
		    c->raw.len) != 0) {
			av_fail(reason, reasonlen, "a certificate in the signature cannot be read");
			goto out;
		}
	if (roots.version == 0) {
		av_fail(reason, reasonlen, "the signer's certificate does not chain to a "
		    "certificate in Trusted Root Certification Authorities (the store is "
		    "empty)");
		goto out;
	}
	vrc = mbedtls_x509_crt_verify(&chain, &roots, NULL, NULL, &flags, NULL, NULL);
	if (vrc != 0 || flags != 0) {
		char info[256];

		if (flags & (MBEDTLS_X509_BADCERT_NOT_TRUSTED | MBEDTLS_X509_BADCERT_MISSING)) {
			av_fail(reason, reasonlen, "the signer's certificate does not chain to "
			    "a certificate in Trusted Root Certification Authorities");
		} else if (flags & (MBEDTLS_X509_BADCERT_EXPIRED | MBEDTLS_X509_BADCERT_FUTURE)) {
			av_fail(reason, reasonlen, "a certificate in the signer's chain has "
			    "expired or is not yet valid");
		} else {
			if (mbedtls_x509_crt_verify_info(info, sizeof(info), "", flags) < 0)
				info[0] = '\0';
			info[strcspn(info, "\n")] = '\0';
			av_fail(reason, reasonlen, "the signer's certificate chain is not "
			    "valid: %s", info[0] ? info : "verification failed");
		}
		goto out;
	}
	av_load_store(publishers_dir, &pubs);
	if (!av_in_store(&pubs, signer)) {
		av_fail(reason, reasonlen, "the signer is not in Trusted Publishers");
		goto out;
	}
	rc = 0;
out:
	mbedtls_x509_crt_free(&chain);
	mbedtls_x509_crt_free(&pubs);
	mbedtls_x509_crt_free(&roots);
	return rc;
}

/*
 * authenticode_verify_cab - see authenticode.h.  The steps and their
 * order are in the comment at the top of this file.
 */
int
authenticode_verify_cab(const uint8_t *cab, size_t len,
    const char *publishers_dir, const char *root_dir,
    struct authenticode_signer *who, char *reason, size_t reasonlen)
{
	uint8_t want[CAB_DIGEST_MAX], got[CAB_DIGEST_MAX];
	const mbedtls_x509_crt *signer;
	mbedtls_x509_crt certs;
	const uint8_t *der;
	struct av_sig s;
	char err[256];
	size_t derlen, dlen, hlen;
	int ncerts, self_signed, rc = -1;

	mbedtls_x509_crt_init(&certs);
	if (reason != NULL && reasonlen > 0)
		reason[0] = '\0';
	if (who != NULL)
		memset(who, 0, sizeof(*who));
	if (cab == NULL || len > CAB_MAX_BYTES) {
		av_fail(reason, reasonlen, "the file is not a cabinet of at most %u bytes",
		    CAB_MAX_BYTES);
		goto out;
	}
	/* 1. the signature */
	if (cab_signature_find(cab, len, &der, &derlen, err, sizeof(err)) == -1) {
		av_fail(reason, reasonlen, "%s", err);
		goto out;
	}
	/* 2. its structure and certificates */
	if (derlen > CAB_SIG_MAX_BYTES || av_parse(der, derlen, &s) != 0) {
		av_fail(reason, reasonlen, "the signature is malformed (not an "
		    "Authenticode PKCS#7 SignedData for a cabinet)");
		goto out;
	}
	if (av_parse_certs(&s, &certs, &ncerts) != 0) {
		av_fail(reason, reasonlen, "the signature holds an unreadable certificate "
		    "or more than %d", LIMIT_AV_CERTS_MAX);
		goto out;
	}
	if ((signer = av_find_signer(&certs, &s)) == NULL) {
		av_fail(reason, reasonlen, "the signer's certificate is not in the signature");
		goto out;
	}
	/* 3. messageDigest covers the SpcIndirectDataContent */
	hlen = mbedtls_md_get_size(mbedtls_md_info_from_type(s.si_md));
	if (av_hash(s.si_md, s.idc, s.idclen, got) != 0 || s.msg_digestlen != hlen ||
	    memcmp(got, s.msg_digest, hlen) != 0) {
		av_fail(reason, reasonlen, "the signature is invalid: the signed attributes "
		    "do not match the signed content");
		goto out;
	}
	/* 4. the signature over the authenticated attributes */
	if ((s.sig_md != MBEDTLS_MD_NONE && s.sig_md != s.si_md) ||
	    !mbedtls_pk_can_do(&signer->pk, s.sig_pk) ||
	    av_hash_attrs(&s, got) != 0 ||
	    mbedtls_pk_verify((mbedtls_pk_context *)&signer->pk, s.si_md, got, hlen,
	    s.sig, s.siglen) != 0) {
		av_fail(reason, reasonlen, "the signature is invalid: it does not verify "
		    "with the signer's key");
		goto out;
	}
	self_signed = signer->subject_raw.len == signer->issuer_raw.len &&
	    memcmp(signer->subject_raw.p, signer->issuer_raw.p,
	    signer->issuer_raw.len) == 0;
	av_describe(signer, self_signed, who);
	/* 5. the cabinet itself */
	memcpy(want, s.file_digest, s.file_digestlen);
	if (cab_digest(cab, len, (int)s.file_md, got, &dlen, err, sizeof(err)) == -1) {
		av_fail(reason, reasonlen, "the file has been altered: %s", err);
		goto out;
	}
	if (dlen != s.file_digestlen || memcmp(got, want, dlen) != 0) {
		av_fail(reason, reasonlen, "the file has been altered: digest mismatch");
		goto out;
	}
	/* 6. the signer certificate is fit for code signing, now */
	if (mbedtls_x509_crt_check_extended_key_usage(signer, MBEDTLS_OID_CODE_SIGNING,
	    MBEDTLS_OID_SIZE(MBEDTLS_OID_CODE_SIGNING)) != 0 ||
	    mbedtls_x509_crt_check_key_usage(signer, MBEDTLS_X509_KU_DIGITAL_SIGNATURE) != 0) {
		av_fail(reason, reasonlen, "the signing certificate is not valid for code "
		    "signing (extended key usage)");
		goto out;
	}
	if (mbedtls_x509_time_is_past(&signer->valid_to)) {
		av_fail(reason, reasonlen, "the signing certificate has expired");
		goto out;
	}
	if (mbedtls_x509_time_is_future(&signer->valid_from)) {
		av_fail(reason, reasonlen, "the signing certificate is not yet valid");
		goto out;
	}
	/* 7. trust */
	if (av_check_trust(signer, &certs, self_signed, publishers_dir, root_dir,
	    reason, reasonlen) != 0)
		goto out;
	rc = 0;
out:
	if (rc != 0)
		log_debug("%s: %s", __func__, reason != NULL ? reason : "failed");
	mbedtls_x509_crt_free(&certs);
	return rc;
}
