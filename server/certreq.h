/*
 * certreq.h - the TLS certificate's life cycle as wsusutil sees it: a key
 * and PKCS#10 request for the enterprise CA's Web Server template, the
 * checks `checkcert` makes beyond crypto.h (the chain against a CA file,
 * key strength, the start of validity, what the PEM file carries), and DER
 * copies of certificates for Windows clients' certificate stores.
 *
 * All mbedTLS use stays in certreq.c; this header carries no mbedTLS or
 * other project types, so the verbs in wsusutil_tls.c never see them.
 * Every function reports failure as one sentence in the caller's buffer
 * and logs nothing.
 */
#ifndef WSUSD_CERTREQ_H
#define WSUSD_CERTREQ_H

#include <stddef.h>

#define CERTREQ_SANS_MAX  64     /* extra subjectAltName dNSNames in a request */
#define CERTREQ_TOP       (-1)   /* certreq_export_der: the file's last certificate */

/*
 * certreq_make - a new P-256 key and a PKCS#10 request signed with it
 * (SHA-256): subject CN=fqdn; an extensionRequest attribute with
 * keyUsage digitalSignature, extendedKeyUsage serverAuth, and
 * subjectAltName dNSName fqdn followed by each of the nsans names in sans
 * (duplicates, compared case-insensitively, listed once).  fqdn must be a
 * DNS name (letters, digits, '-', '.'; labels 1..63 bytes; at most
 * LIMIT_FQDN_BYTES); a name in sans may start with "*." over two or more
 * labels.  Writes key_path (PEM, created 0600 whatever the umask) and
 * csr_path (PEM, 0644).  Neither may exist: an existing key is never
 * overwritten.  Each is written under "<path>.XXXXXX" (mkstemp) and
 * linked into place, so no half-written file appears under the final name.  Returns 0, or -1
 * with the reason in err after removing whatever this call created.  The
 * private key's bytes are wiped from memory before returning.
 */
int certreq_make(const char *fqdn, const char *const *sans, int nsans,
    const char *key_path, const char *csr_path, char *err, size_t errlen);

/* What certreq_chain_info() finds in a certificate file. */
struct certreq_chain {
	int   count;             /* certificates in the file (leaf first) */
	int   key_strong;        /* leaf key is NIST P-256/384/521, or RSA >= 2048 bits */
	char  key_desc[64];      /* "EC P-256", "RSA 1024", "EC brainpoolP256r1" */
	int   not_yet_valid;     /* leaf notBefore is after now */
	int   leaf_self_signed;  /* leaf is self-issued and its signature verifies */
	int   top_self_signed;   /* the same for the file's last certificate */
};

/*
 * certreq_chain_info - parse every certificate of a PEM file (or one DER
 * certificate) of at most 1 MiB and fill *ch.  A file in which any
 * certificate fails to parse is refused.  Returns 0, or -1 with the reason
 * in err.
 */
int certreq_chain_info(const char *pem_path, struct certreq_chain *ch,
    char *err, size_t errlen);

/*
 * certreq_verify_chain - mbedtls_x509_crt_verify() of the first
 * certificate of pem_path, with the file's further certificates offered
 * as intermediates, against the CA certificates in ca_path (PEM, may hold
 * several), under mbedTLS's default profile (SHA-256 or better, RSA >=
 * 2048 bits).  The server name is not checked here (crypto.h does that).
 * Returns 0 when the chain verifies, or -1 with the reason in err (every
 * verification flag as text when the chain was built but failed).
 */
int certreq_verify_chain(const char *pem_path, const char *ca_path,
    char *err, size_t errlen);

/*
 * certreq_export_der - write certificate number idx of pem_path (0 is the
 * first, the leaf; CERTREQ_TOP is the last) to out_path as DER, 0644,
 * replacing out_path atomically (written under "<out_path>.XXXXXX", then
 * renamed).  *self_signed (may be NULL) says whether that certificate is
 * self-signed.  Returns 0, or -1 with the reason in err (out_path
 * unchanged).
 */
int certreq_export_der(const char *pem_path, int idx, const char *out_path,
    int *self_signed, char *err, size_t errlen);

#endif
