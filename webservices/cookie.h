/*
 * cookie.h - the two cookies wsusd hands to clients: the authorization
 * cookie (SimpleAuth GetAuthorizationCookie, AuthorizationCookie/CookieData)
 * and the client cookie (ClientWebService GetCookie, Cookie/EncryptedData).
 *
 * Both are one fixed-layout binary record sealed with AES-256-GCM under a
 * server key and sent as base64; see cookie.c for the layout.  Nothing a
 * client sends is ever deserialised beyond that fixed layout.
 *
 * Threads: cookie_seal() and cookie_open() only read the key and may run
 * concurrently; cookie_init() and cookie_shutdown() must not run while
 * either is in progress (start-up, shutdown).
 */
#ifndef WSUSD_COOKIE_H
#define WSUSD_COOKIE_H

#include <stddef.h>
#include <stdint.h>

/* Longest base64 text cookie_open() looks at; anything longer is invalid. */
#define COOKIE_B64_MAX   256
/* Exact length of the base64 text cookie_seal() writes (without its NUL). */
#define COOKIE_B64_LEN   144
/* Canonical GUID text, with its NUL. */
#define COOKIE_GUID_TEXT 37

enum cookie_kind {
	COOKIE_AUTH = 1,      /* SimpleAuth authorization cookie (clients) */
	COOKIE_CLIENT = 2,    /* ClientWebService cookie */
	COOKIE_DSS_AUTH = 3,  /* DssAuth authorization cookie (downstream servers;
	                       * computer_id holds the downstream server id) */
	COOKIE_DSS = 4        /* ServerSyncWebService cookie */
};
#define COOKIE_KIND_OK(k) ((k) >= COOKIE_AUTH && (k) <= COOKIE_DSS)

struct cookie {
	enum cookie_kind kind;
	uint8_t  computer_id[16];   /* the client's SusClientId GUID */
	uint8_t  group_id[16];      /* client-side targeting group GUID, all zero = none */
	int64_t  issued, expires;   /* Unix seconds UTC */
	int64_t  config_gen;        /* server configuration generation at issue */
	uint8_t  server_id[16];
	uint32_t key_id;            /* set by cookie_seal */
};

/* What cookie_open() found, in the order it checks (first failure wins). */
enum cookie_status {
	COOKIE_OK,
	COOKIE_INVALID,          /* malformed, altered, other key or kind -> InvalidCookie */
	COOKIE_SERVER_CHANGED,   /* sealed for another server id -> ServerChanged */
	COOKIE_EXPIRED,          /* expires < now -> CookieExpired */
	COOKIE_CONFIG_CHANGED    /* config_gen differs -> ConfigChanged */
};

/*
 * cookie_init - load data_dir/cookie.key (32 key bytes, then a 4-byte
 * little-endian key id), creating it the first time: random bytes written
 * to a temporary name created 0600, fsync'd, then renamed into place
 * without replacing a key another process made meanwhile.  Refuses, with
 * a logged reason, a key file that is not a regular file (or is a
 * symlink), that group or others may access, or that is not exactly 36
 * bytes.  Replaces (and wipes) a key loaded earlier.  Returns 0, or -1
 * with no key loaded.
 */
int  cookie_init(const char *data_dir);

/* cookie_shutdown - wipe the key; seal and open fail until the next init. */
void cookie_shutdown(void);

/*
 * cookie_seal - seal *c (kind, ids, times, config_gen) under the current
 * key; sets c->key_id.  Writes COOKIE_B64_LEN base64 characters and a NUL
 * to b64 (b64len must be at least COOKIE_B64_LEN + 1).  Fails on a kind
 * outside enum cookie_kind, expires < issued, or no key.
 * Returns 0 or -1 (b64 then holds "").
 */
int  cookie_seal(struct cookie *c, char *b64, size_t b64len);

/*
 * cookie_open - check the base64 text (b64, len) a client sent back
 * (no NUL needed; at most COOKIE_B64_MAX bytes are ever looked at) as a
 * cookie of kind want for this server.  Checks, in order: length, base64,
 * version, reserved bytes, key id, GCM tag, kind -> COOKIE_INVALID;
 * server id -> COOKIE_SERVER_CHANGED; expires < now -> COOKIE_EXPIRED;
 * config_gen -> COOKIE_CONFIG_CHANGED.  *out is zeroed first and filled
 * for every authentic cookie (any status but COOKIE_INVALID), so that a
 * caller may still read the computer id of an expired cookie.
 */
enum cookie_status cookie_open(const char *b64, size_t len,
    enum cookie_kind want, const uint8_t server_id[16], int64_t config_gen,
    int64_t now, struct cookie *out);

/*
 * cookie_guid_parse - parse (s, len), no NUL needed, as
 * xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx (hex digits in either case),
 * optionally inside one pair of braces.  out gets the 16 bytes in the
 * order the digits are written (RFC 4122 order, not the Windows in-memory
 * layout), so that cookie_guid_format() gives the same text back in lower
 * case.  Returns 0, or -1 with out zeroed.
 */
int  cookie_guid_parse(const char *s, size_t len, uint8_t out[16]);

/* cookie_guid_format - g as 36 lowercase characters and a NUL. */
void cookie_guid_format(const uint8_t g[16], char out[COOKIE_GUID_TEXT]);

#endif
