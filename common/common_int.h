/*
 * common_int.h - private to common/: what its files share and nobody
 * else sees.  Nothing outside common/ includes it (the unit tests of
 * cab.c and authenticode_*.c excepted).
 *
 * common/ is the code linked by more than one program (wsusd, wsusutil,
 * wsusclient, and the admin console), depending on none of them: it
 * includes nothing from another folder of the tree.  Its files and their
 * public headers:
 *
 *   log.c                  log.h            stderr/syslog, levels
 *   crypto.c               crypto.h         the mbedTLS door: certificates,
 *                                           keys, hashes, AEAD, base64, RNG
 *   xml.c                  xml.h            the expat door: bounded reader,
 *                                           .NET-style writer
 *   xpress.c               xpress.h         MS-XCA plain LZ77 (MS-WUSP)
 *   zip.c                  zip.h            the zlib door: deflate, inflate
 *   cab.c                  authenticode.h   cabinets (MSZIP)
 *   authenticode_sign.c    authenticode.h   Authenticode signing
 *   authenticode_verify.c  authenticode.h   Authenticode verification
 *                          limits_common.h  the bounds of these decoders
 *
 * Below: the cabinet facts both signing and verification need (cab.c,
 * authenticode_sign.c, authenticode_verify.c).
 *
 * The Authenticode reserve (what osslsigncode reads and writes, and what
 * signtool makes): CFHEADER flag RESERVE_PRESENT, cbCFHeader = 20,
 * cbCFFolder = cbCFData = 0, then the 20 reserve bytes at offset 40:
 *
 *   40..43  0x00100000 (little-endian u32: bytes 00 00 10 00)
 *   44..47  signature offset (0 while unsigned)
 *   48..51  signature size, DER plus zero padding to 8 bytes (0 unsigned)
 *   52..59  zero
 *
 * A signed cabinet is the cabinet (cbCabinet == signature offset) followed
 * by the PKCS#7 SignedData, so offset + size == file size.
 */
#ifndef WSUSD_COMMON_INT_H
#define WSUSD_COMMON_INT_H

#include <stddef.h>
#include <stdint.h>

#define CAB_HEADER_BYTES      36u   /* CFHEADER up to iCabinet */
#define CAB_AC_RESERVE_BYTES  20u   /* cbCFHeader of the Authenticode reserve */
#define CAB_AC_HEADER_BYTES   60u   /* 36 + 4 (cbCFHeader..cbCFData) + 20 */
#define CAB_AC_RESERVE_MAGIC  0x00100000u  /* first reserve u32 */
#define CAB_OFF_SIGPOS        44u   /* u32 LE: signature offset */
#define CAB_OFF_SIGLEN        48u   /* u32 LE: signature size (padded) */
#define CAB_SIG_ALIGN         8u    /* the blob is zero-padded to this */
#define CAB_SIG_MAX_BYTES     (1u << 20)   /* PKCS#7 blob we accept: 1 MiB */
#define CAB_DIGEST_MAX        64u   /* room for any digest (MBEDTLS_MD_MAX_SIZE) */

/* cab.c */

/*
 * cab_digest - the Authenticode digest of a cabinet, with md_type an
 * mbedtls_md_type_t (MBEDTLS_MD_SHA256, MBEDTLS_MD_SHA1, ...).  The bytes
 * hashed are osslsigncode's (cab.c, cab_digest_calc):
 *  - a cabinet with the Authenticode reserve (signed or still unsigned):
 *    0..3 ("MSCF"), 8..33 (cbCabinet, reserved2, coffFiles, reserved3,
 *    version, cFolders, cFiles, flags, setID), 56..59 (the last 4
 *    reserve bytes), the CFFOLDER entries (8 bytes each; they must end at
 *    coffFiles), then everything from there up to the signature offset -
 *    or to len while the offset is still 0, which is the digest the
 *    cabinet will have once the signature is appended;
 *    i.e. it skips reserved1 (4..7), iCabinet, cbCFHeader, cbCFFolder,
 *    cbCFData and the first 16 reserve bytes (34..55) and the signature;
 *  - a cabinet without a reserve: 0..3, then 8..len.
 * Multi-volume cabinets (prev/next flags) and reserves other than the
 * 20-byte Authenticode one are refused.  out must hold CAB_DIGEST_MAX
 * bytes; *outlen is set to the digest length (its value on entry is not
 * read).  Returns 0, or -1 with the reason in err.
 */
int cab_digest(const uint8_t *cab, size_t len, int md_type, uint8_t *out,
    size_t *outlen, char *err, size_t errlen);

/*
 * cab_signature_find - locate the PKCS#7 blob of a signed cabinet: *sig
 * points into cab (not a copy), *siglen is the stored size (the DER
 * followed by up to 7 zero bytes of padding; a DER parser stops at the
 * DER's own length).  Checks the header, the Authenticode reserve, that
 * the blob starts after the folder table and that offset + size == len.
 * Returns 0, or -1 with the reason in err ("the cabinet is not signed"
 * when the reserve is absent or empty).
 */
int cab_signature_find(const uint8_t *cab, size_t len, const uint8_t **sig,
    size_t *siglen, char *err, size_t errlen);

/*
 * cab_signature_attach - the signed cabinet: a copy of the unsigned
 * cabinet (cab, len) (with the Authenticode reserve, offset 0) followed by
 * the DER (der, derlen) zero-padded to CAB_SIG_ALIGN; the reserve gets
 * offset = len and size = padded length; cbCabinet stays len (the
 * signature is outside the cabinet proper, as osslsigncode and signtool
 * write it).  *out is malloc'd (caller frees).  0, or -1 + err.
 */
int cab_signature_attach(const uint8_t *cab, size_t len, const uint8_t *der,
    size_t derlen, uint8_t **out, size_t *outlen, char *err, size_t errlen);

#endif
