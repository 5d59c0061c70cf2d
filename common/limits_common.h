/*
 * limits_common.h - the bounds of the decoders in common/, which every
 * program links (wsusd, wsusutil, wsusclient).  Included by
 * server/limits.h, the index of every limit; common/ itself includes
 * nothing outside common/, so its numbers live here.
 */
#ifndef WSUSD_LIMITS_COMMON_H
#define WSUSD_LIMITS_COMMON_H

/* --- names (crypto.c, conf/) -------------------------------------------- */
#define LIMIT_FQDN_BYTES                 253   /* DNS name, RFC 1035 */

/* --- Authenticode (authenticode_verify.c, in wsusclient) --------------
 * What one cabinet signature may make us parse, and the trust store
 * directories (operator files, but read on every verification). */
#define LIMIT_AV_CERTS_MAX          16   /* certificates embedded in one signature */
#define LIMIT_AV_ATTRS_MAX          32   /* authenticated attributes of the signer */
#define LIMIT_AV_STORE_FILES_MAX  1024   /* certificate files read from one directory */
#define LIMIT_AV_STORE_FILE_BYTES (256u << 10) /* one certificate file: 256 KiB */

/* --- cabinets (cab.c; authenticode.h users) ----------------------------- */
#define CAB_MAX_FILES                 64   /* files in one cabinet */
#define CAB_MAX_BYTES         (1u << 30)   /* one cabinet, all files: 1 GiB */

#endif /* WSUSD_LIMITS_COMMON_H */
