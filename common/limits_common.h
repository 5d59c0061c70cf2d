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

/* --- admin accounts (crypto.c NT hash, store/account.c, the admin API) ---
 * A password or account name from a person or from a peer's Basic or NTLM
 * credentials: bounded before any hashing. */
#define LIMIT_PASSWORD_BYTES        256   /* one password, UTF-8 */
#define LIMIT_ACCOUNT_NAME_BYTES    255   /* one account name or Kerberos principal */

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
