/*
 * admin.h - the map of admin/: what wsusutil is made of, one banner per
 * file.  Private to admin/ (and its unit tests); nothing in server/,
 * webservices/, tools/ or common/ includes it.
 *
 * admin/ owns the server-side administration that only wsusutil does:
 * the verbs (wsusutil.c), the TLS certificate's request and checks
 * (certreq.c, wsusutil_tls.c), the signing certificate and the server's
 * certificate stores (pki.c, wsusutil_pki.c), publishing (publish.c), the
 * audit log and the admin accounts (wsusutil_audit.c, wsusutil_user.c)
 * and who makes each change (actor.c).
 * It builds on common/ (crypto, Authenticode, CAB, XML, log), conf/ and
 * the store's domain functions; it never opens a socket to the daemon.
 */
#ifndef WSUSD_ADMIN_H
#define WSUSD_ADMIN_H

#include <stddef.h>

struct config;

/* --- wsusutil.c, wsusutil_pki.c, wsusutil_tls.c, publish.c: the verbs --- */

/*
 * Each *_verb returns -1 when argv[0] is not one of its verbs, else the
 * exit status of running it (0 success, 1 failure, 2 usage).
 */
int pki_verb(const struct config *c, int argc, char *argv[]);      /* signingcert, trust */
int tlscert_verb(const struct config *c, const char *conf_path, int argc,
    char *argv[]);                                                   /* certreq, checkcert, clientconfig */
int publish_verb(const struct config *c, int argc, char *argv[]);  /* publish */

/* --- wsusutil_audit.c, wsusutil_user.c: the audit and user verbs ------- */
int audit_verb(const struct config *c, int argc, char *argv[]);    /* audit */
int user_verb(const struct config *c, int argc, char *argv[]);     /* user */

/* --- actor.c: who makes wsusutil's changes; the door for file changes ----
 * Every changing store call of admin/ passes actor_local(); a change that
 * lives in a file (certificate and trust stores) is recorded with
 * actor_record() once it took effect. */
struct store;
struct store_actor;

/* actor_local - {"wsusutil", $SUDO_USER or the login name, "local"};
 * static storage. */
const struct store_actor *actor_local(void);

/* actor_note - print "wsusutil: Audit head SEQ HASH" to stderr (nothing
 * for an empty log), after a change. */
void actor_note(struct store *st);

/*
 * actor_record - open the store of c, write one audit row through
 * store_audit_record (before/after: compact JSON or NULL), print the new
 * head, close.  Returns 0, or -1 after saying on stderr that the change
 * was made but not recorded.
 */
int actor_record(const struct config *c, const char *action,
    const char *object, const char *before, const char *after);

/* Building a small JSON object for actor_record: buf starts as "{";
 * actor_json_str appends "key":"value" (escaped, cut to fit len),
 * actor_json_end closes it. */
void actor_json_str(char *buf, size_t len, const char *key, const char *v);
void actor_json_end(char *buf, size_t len);

/* --- pki.c: signing certificate and the server's certificate stores ------
 * The update server's certificates for the Updates Publisher role: the
 * signing certificate (current and retired) and the server's certificate
 * stores (TrustedPublisher, Root).  All key material through mbedTLS.
 *
 * Layout under data_dir (every key file mode 0600, directories 0700):
 *   signing/current.crt, signing/current.key     the signing certificate
 *   signing/retired/<SHA1>.crt                   replaced ones, kept listed
 *   trust/TrustedPublisher/<SHA1>.cer            DER
 *   trust/Root/<SHA1>.cer                        DER
 */
#define PKI_PATH_MAX 1024

enum pki_store { PKI_STORE_PUBLISHER, PKI_STORE_ROOT };

/* Paths of the current signing certificate and key (they may not exist). */
void pki_signing_paths(const char *data_dir, char cert[PKI_PATH_MAX],
    char key[PKI_PATH_MAX]);

/*
 * pki_signing_create - a self-signed code-signing certificate (RSA-2048,
 * codeSigning EKU, digitalSignature KU, subject as given, e.g. "CN=WSUS
 * Publishers Self-signed", valid years years) and its key; an existing
 * one is moved to signing/retired/.  0, or -1 + err (nothing changed).
 */
int pki_signing_create(const char *data_dir, const char *subject, int years,
    char *err, size_t errlen);

/*
 * pki_signing_import - a CA-issued signing certificate: PEM certificate +
 * PEM key (key_path), or a PKCS#12 file with the password in
 * password_file (key_path NULL).  Refuses one without the codeSigning
 * EKU, expired or not yet valid, or whose key does not match.
 */
int pki_signing_import(const char *data_dir, const char *cert_path,
    const char *key_path, const char *password_file, char *err, size_t errlen);

/* pki_signing_export - write the current signing certificate as DER. */
int pki_signing_export(const char *data_dir, const char *out_path,
    char *err, size_t errlen);

/* pki_signing_show - print subject, issuer, validity, SHA-1 thumbprint,
 * SHA-256, key, and the retired certificates, to stdout. */
int pki_signing_show(const char *data_dir);

/*
 * pki_signing_check - is the current signing pair usable for publishing?
 * Both files present, the key file not readable by group or others, the
 * key matching, codeSigning EKU, an RSA key of 2048 bits or more, within
 * validity.  0, or -1 with the first problem in err.
 */
int pki_signing_check(const char *data_dir, char *err, size_t errlen);

/* Trust stores: add a certificate file (PEM or DER), list, remove by SHA-1
 * thumbprint (any case, colons allowed).  0 or -1 + err. */
int pki_trust_add(const char *data_dir, const char *file, enum pki_store s,
    char *err, size_t errlen);
int pki_trust_list(const char *data_dir);
int pki_trust_remove(const char *data_dir, const char *thumbprint,
    char *err, size_t errlen);
/* Directory of a store (for authenticode_verify_cab). */
void pki_trust_dir(const char *data_dir, enum pki_store s, char out[PKI_PATH_MAX]);

/*
 * pki_trust_check_signer - may this signing certificate publish? It must be
 * in TrustedPublisher and, when self-signed, in Root (the seed's rule).
 * 0, or -1 with a message naming the missing store.
 */
int pki_trust_check_signer(const char *data_dir, const char *cert_path,
    char *err, size_t errlen);

/* --- certreq.c: the TLS certificate's request, chain and exports --------
 * The TLS certificate's life cycle as wsusutil sees it: a key and PKCS#10 request for the enterprise CA's Web Server template, the
 * checks `checkcert` makes beyond crypto.h (the chain against a CA file,
 * key strength, the start of validity, what the PEM file carries), and DER
 * copies of certificates for Windows clients' certificate stores.
 *
 * All mbedTLS use stays in certreq.c; this header carries no mbedTLS or
 * other project types, so the verbs in wsusutil_tls.c never see them.
 * Every function reports failure as one sentence in the caller's buffer
 * and logs nothing.
 */
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

#endif /* WSUSD_ADMIN_H */
