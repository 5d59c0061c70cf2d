/*
 * pki.h - the update server's certificates for the Updates Publisher role:
 * the signing certificate (current and retired), the server's certificate
 * stores (TrustedPublisher, Root), and the TLS certificate's request and
 * checks.  Used by wsusutil; all key material through mbedTLS.
 *
 * Layout under data_dir (every key file mode 0600, directories 0700):
 *   signing/current.crt, signing/current.key     the signing certificate
 *   signing/retired/<SHA1>.crt                   replaced ones, kept listed
 *   trust/TrustedPublisher/<SHA1>.cer            DER
 *   trust/Root/<SHA1>.cer                        DER
 */
#ifndef WSUSD_PKI_H
#define WSUSD_PKI_H

#include <stddef.h>

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

#endif
