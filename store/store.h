/*
 * store.h - the metadata store: domain functions over SQLite.
 *
 * Owns: data_dir/wsusd.db (WAL), its versioned schema and migrations, and
 * every SQL statement (a fixed table of named statements in stmt.c).
 * Callers never see sqlite3 types or SQL.  One struct store per thread:
 * handles are not shared between threads.  Every write that changes more
 * than one row runs in one transaction.
 */
#ifndef WSUSD_STORE_H
#define WSUSD_STORE_H

#include <stdint.h>
#include <time.h>

struct store;

#define STORE_GUID_LEN  36            /* canonical lowercase, no braces */
#define STORE_FQDN_MAX  256
#define STORE_GROUP_NAME_MAX 256      /* bytes incl. NUL */

/* The WSUS built-in target groups, created by the first migration. */
#define STORE_GROUP_ALL_COMPUTERS "a0a08746-4dbe-4a37-9adf-9e7652c0b421"
#define STORE_GROUP_UNASSIGNED    "b73ca6ed-5727-47f3-84de-015e03f6a88a"
#define STORE_GROUP_DOWNSTREAM    "d374f42a-9be2-4163-a0fa-3c86a401b7a7"

/* What the server advertises to clients; changed by `wsusutil configuressl`. */
struct store_advert {
	char     fqdn[STORE_FQDN_MAX];
	int      using_ssl;               /* 1: SOAP URL is https */
	unsigned http_port;               /* content port */
	unsigned https_port;              /* SOAP port when using_ssl */
	int64_t  generation;              /* bumped by every change */
	time_t   changed_at;              /* UTC seconds of the last change */
};

/*
 * store_open - open (creating if needed) data_dir/wsusd.db, set PRAGMAs
 * (WAL, foreign keys, busy handling), apply pending migrations in one
 * transaction each, create the server identity once, and prepare every
 * named statement.  Returns a handle owned by the caller (store_close), or
 * NULL after logging why.
 */
struct store *store_open(const char *data_dir);
void store_close(struct store *st);   /* accepts NULL */

/* Schema version after migrations (for logs and tests). */
int store_schema_version(struct store *st);

/* How many migrations this store_open applied (0 when already current). */
int store_migrations_applied(struct store *st);

/* Path of the database file (owned by st). */
const char *store_path(struct store *st);

/* The server-id GUID made on first open (36 chars + NUL into out). */
int store_server_id(struct store *st, char out[STORE_GUID_LEN + 1]);

/*
 * store_advert_get - read the advertised configuration.  If none was ever
 * written, *a is filled from dflt and written with generation 1.
 * Returns 0 or -1.
 */
int store_advert_get(struct store *st, const struct store_advert *dflt,
    struct store_advert *a);

/*
 * store_advert_set - write fqdn/using_ssl/ports from *a, bump the
 * generation and set changed_at = now, in one transaction.  On success
 * a->generation and a->changed_at hold the new values.  Returns 0 or -1.
 */
int store_advert_set(struct store *st, struct store_advert *a);

/*
 * store_generation - the current configuration generation (0 before the
 * advert was first written), or -1.  Cheap enough to poll once a second:
 * re-reads the row only when this or another process committed since.
 */
int64_t store_generation(struct store *st);

/* A computer target group. */
struct store_group {
	char guid[STORE_GUID_LEN + 1];
	char parent[STORE_GUID_LEN + 1];  /* "" for All Computers, the root */
	char name[STORE_GROUP_NAME_MAX];
	int  builtin;                     /* 1: WSUS built-in, never deleted */
};

/*
 * store_group_find_by_guid - look a target group up by GUID (any case,
 * braces allowed) and fill *g.  Returns 1 if found, 0 if not (also for
 * text that is not a GUID), -1 on a database error.
 */
int store_group_find_by_guid(struct store *st, const char *guid,
    struct store_group *g);

#endif
