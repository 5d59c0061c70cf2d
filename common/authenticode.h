/*
 * authenticode.h - Microsoft cabinet files and their Authenticode
 * signatures: what Updates Publisher produces and what the Windows Update
 * Agent checks before it installs locally published content.
 *
 * cab.c builds a cabinet (one folder, MSZIP compression through zlib) with
 * the header reserve area Authenticode needs; authenticode.c signs it
 * (PKCS#7 SignedData, SpcIndirectDataContent over the cabinet digest,
 * SHA-256, signer certificate embedded; written with mbedTLS's ASN.1
 * writer) and verifies signatures (the client side).  Both follow the
 * layout osslsigncode reads and writes, so `osslsigncode verify` and
 * `cabextract` are the independent checks.
 */
#ifndef WSUSD_AUTHENTICODE_H
#define WSUSD_AUTHENTICODE_H

#include <stddef.h>
#include <stdint.h>

#include "limits_common.h"   /* CAB_MAX_FILES, CAB_MAX_BYTES */

struct cab_file {
	const char *name;      /* name inside the cabinet (no directories) */
	const char *path;      /* file to read */
};

/*
 * cab_build - a cabinet of n files in one MSZIP folder, with an empty
 * Authenticode reserve area in the header.  *out is malloc'd (caller
 * frees).  Returns 0, or -1 with the reason in err.
 */
int cab_build(const struct cab_file *files, int n, uint8_t **out,
    size_t *outlen, char *err, size_t errlen);

/*
 * authenticode_sign_cab - sign the cabinet (cab, len) built by cab_build
 * with the PEM certificate (chain may follow) and PEM key: computes the
 * cabinet digest (SHA-256), writes PKCS#7 SignedData and stores it in the
 * cabinet's signature area.  *out is malloc'd.  Returns 0 or -1 + err.
 */
int authenticode_sign_cab(const uint8_t *cab, size_t len,
    const char *cert_pem, const char *key_pem, uint8_t **out, size_t *outlen,
    char *err, size_t errlen);

/* What a verification found out about the signer. */
struct authenticode_signer {
	char subject[512];
	char issuer[512];
	char sha1[41];          /* signer certificate thumbprint, upper hex */
	int  self_signed;
};

/*
 * authenticode_verify_cab - check the signature of (cab, len): PKCS#7
 * structure, signed attributes, message digest, the cabinet digest it
 * covers, the signature with the signer certificate's key, the signer's
 * codeSigning EKU and validity, and that the signer chains to a
 * certificate in publishers_dir (*.cer, *.crt, *.pem; DER or PEM; a
 * self-signed signer must also be in root_dir).  Fills *who when the
 * signature itself verifies.  Returns 0 when all holds, or -1 with a
 * reason a WSUS admin recognises in reason (e.g. "the signer is not in
 * Trusted Publishers", "the file has been altered: digest mismatch").
 */
int authenticode_verify_cab(const uint8_t *cab, size_t len,
    const char *publishers_dir, const char *root_dir,
    struct authenticode_signer *who, char *reason, size_t reasonlen);

#endif
