/*
 * store_int.h - the map of store/: private prototypes, one banner per file.
 *
 * store/ is the only place that includes sqlite3.h.  Nothing declared here
 * may leak into store.h: callers outside store/ see domain functions only.
 * Public functions are store_*; helpers private to store/ are prefixed by
 * their file (stmt_*, schema_*, guid_*, advert_*), except the transaction
 * and step primitives of db.c, which every store file calls by the
 * folder's name (store_begin, store_commit, store_rollback, store_step).
 */
#ifndef WSUSD_STORE_INT_H
#define WSUSD_STORE_INT_H

#include <stdint.h>

#include <sqlite3.h>

#include "store.h"

/*
 * Not PATH_MAX: <limits.h> is unusable in this tree (GCC's syslimits.h
 * include_next finds server/limits.h through -iquote server).
 */
#define STORE_PATH_MAX        4096   /* bytes of data_dir/wsusd.db + NUL */
#define STORE_DB_NAME         "wsusd.db"
#define STORE_DIR_MODE        0750   /* data_dir, when we create it */
#define STORE_FILE_MODE       0640   /* wsusd.db; -wal/-shm inherit it */
#define STORE_BUSY_TIMEOUT_MS 5000   /* sqlite3_busy_timeout per lock wait */
#define STORE_BUSY_RETRIES    5      /* extra tries of a BUSY/LOCKED step */
#define STORE_BUSY_SLEEP_MS   20     /* back-off unit between those tries */
#define STORE_APPLICATION_ID  0x57535544  /* PRAGMA application_id: "WSUD" */

/* --- stmt.c: the fixed table of named statements --------------------- */

/*
 * One id per SQL statement the store runs after open.  Later features
 * add rows here and in stmt.c's table; nothing else builds SQL.
 */
enum stmt_id {
	STMT_BEGIN,            /* BEGIN IMMEDIATE */
	STMT_COMMIT,
	STMT_ROLLBACK,
	STMT_DATA_VERSION,     /* PRAGMA data_version */
	STMT_SERVER_ID_GET,
	STMT_SERVER_ID_INSERT,
	STMT_ADVERT_GET,
	STMT_ADVERT_INSERT,    /* the default, only if no row yet */
	STMT_ADVERT_UPSERT,    /* set fields, bump generation */
	STMT_GENERATION_GET,
	STMT_GROUP_BY_GUID,
	STMT__COUNT
};

/*
 * stmt_prepare_all - prepare every row of the table on st->db.  A row
 * that fails to prepare (or is missing) is logged and makes this fail:
 * store_open must then fail.  Returns 0 or -1; on -1 the statements
 * already prepared stay in st and are finalized by stmt_finalize_all.
 */
int stmt_prepare_all(struct store *st);

/* stmt_finalize_all - finalize every prepared statement; idempotent. */
void stmt_finalize_all(struct store *st);

/*
 * stmt_get - the prepared statement for id, reset and with its bindings
 * cleared, ready for sqlite3_bind_*.  Owned by st: never finalize it;
 * hand it to stmt_release when done.  Never NULL after a good open.
 */
sqlite3_stmt *stmt_get(struct store *st, enum stmt_id id);

/*
 * stmt_release - reset s and clear its bindings so that it holds no read
 * transaction (which would pin a WAL snapshot) and no bound copies.
 * Accepts NULL.
 */
void stmt_release(sqlite3_stmt *s);

/* stmt_name - the table row's name for s, for log lines. */
const char *stmt_name(struct store *st, sqlite3_stmt *s);

/* --- db.c: open/close, PRAGMAs, migrations, transactions, BUSY retry -- */

struct store {
	sqlite3      *db;
	char          path[STORE_PATH_MAX];        /* data_dir/wsusd.db */
	int           version;               /* user_version after migrations */
	int           migrated;              /* migrations this open applied */
	int           in_tx;                 /* inside store_begin .. commit */
	sqlite3_stmt *stmts[STMT__COUNT];

	/*
	 * store_generation's cache: the generation read when PRAGMA
	 * data_version last returned gen_dv.  Any write on this handle
	 * clears gen_valid, because data_version only moves for commits
	 * made by *other* connections.
	 */
	int           gen_valid;
	int64_t       gen_dv;
	int64_t       gen_cached;
};

/*
 * store_step - step s once.  BUSY/LOCKED left over after the busy
 * timeout are retried here, and only here, STORE_BUSY_RETRIES times with
 * a growing sleep.  Any write invalidates the generation cache.  Returns
 * 1 for a row, 0 for done, or -1 after logging caller, statement name
 * and sqlite3_errmsg once.
 */
int store_step(struct store *st, sqlite3_stmt *s, const char *caller);

/*
 * Transactions: store_begin takes the write lock up front (BEGIN
 * IMMEDIATE) so a transaction never fails half-way with BUSY_SNAPSHOT.
 * Not nested: beginning twice is a bug and fails.  store_rollback is
 * safe to call after a failed begin or commit (it then does nothing).
 */
int  store_begin(struct store *st, const char *caller);
int  store_commit(struct store *st, const char *caller);
void store_rollback(struct store *st, const char *caller);

/* --- schema.c: ordered migrations ----------------------------------- */

/* The schema version this build creates (the number of migrations). */
int schema_latest(void);

/*
 * schema_sql - the SQL that takes the schema from version - 1 to
 * version, ending with "PRAGMA user_version = version".  NULL if version
 * is out of range.  Static storage.
 */
const char *schema_sql(int version);

/* --- advert.c: server identity and advertised configuration -------- */

/*
 * advert_identity_init - create the server-id row once (a random v4
 * GUID); a later open, or a racing process, keeps the first one.
 * Returns 0 or -1.
 */
int advert_identity_init(struct store *st);

/* --- guid.c: GUID text ---------------------------------------------- */

/* guid_new - a random (v4) GUID, canonical lowercase.  Returns 0 or -1. */
int guid_new(char out[STORE_GUID_LEN + 1]);

/*
 * guid_canon - copy a GUID given as 36 hex-and-hyphen characters,
 * optionally in braces, any case, into out as canonical lowercase.
 * Reads at most 39 bytes of in: it must be NUL-terminated or longer.  Returns
 * 0, or -1 if in is not a GUID (not logged: input may come from a peer).
 */
int guid_canon(const char *in, char out[STORE_GUID_LEN + 1]);

#endif
