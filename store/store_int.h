/*
 * store_int.h - the map of store/: private prototypes, one banner per file.
 *
 * store/ is the only place that includes sqlite3.h.  Nothing declared here
 * may leak into store.h: callers outside store/ see domain functions only.
 * Public functions are store_*; helpers private to store/ are prefixed by
 * their file (stmt_*, schema_*, guid_*, advert_*, catalog_*, group_*,
 * computer_*, audit_*, account_*), except the transaction
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
#define STORE_FRAGMENT_MAX    (16u << 20)  /* bytes of one plain fragment */
#define STORE_FRAGMENT_LEVEL  6      /* zlib level of stored fragments */
#define STORE_GROUP_DEPTH_MAX 64     /* group tree levels walked (cycle guard) */
#define STORE_RETENTION_INTERVAL_S 600  /* seconds between retention runs with nothing left */
#define STORE_RETENTION_BATCH      500  /* events deleted per transaction (write lock: a few ms) */
#define STORE_RETENTION_BATCHES      4  /* transactions per store_retention_run call */

/* --- stmt.c: the fixed table of named statements --------------------- */

/*
 * One id per SQL statement the store runs after open.  Later features
 * add rows here and in stmt.c's table; nothing else builds SQL.
 */
enum stmt_id {
	STMT_BEGIN,            /* BEGIN IMMEDIATE */
	STMT_COMMIT,
	STMT_ROLLBACK,
	STMT_SERVER_ID_GET,
	STMT_SERVER_ID_INSERT,
	STMT_ADVERT_GET,
	STMT_ADVERT_INSERT,    /* the default, only if no row yet */
	STMT_ADVERT_UPSERT,    /* set fields, bump generation */
	STMT_GENERATION_GET,
	STMT_GROUP_BY_GUID,

	/* catalog.c */
	STMT_CATALOG_GEN_GET,
	STMT_CATALOG_BUMP,
	STMT_REVISION_FIND,    /* (update GUID, revision number) -> id */
	STMT_UPDATE_UPSERT,
	STMT_REVISION_LATEST,  /* latest revision of an update ref */
	STMT_REVISION_UNLATEST,
	STMT_REVISION_INSERT,
	STMT_DEPLOYMENT_MOVE,  /* approvals follow the new latest revision */
	STMT_FRAGMENT_INSERT,
	STMT_FILE_UPSERT,
	STMT_REVISION_FILE_INSERT,
	STMT_PREREQ_INSERT,
	STMT_REV_CATEGORY_INSERT,
	STMT_BUNDLE_INSERT,
	STMT_SUPERSEDE_INSERT,
	STMT_CATALOG_REVS,     /* catalog_each: the revisions ... */
	STMT_CATALOG_PREREQS,  /* ... their prerequisites ... */
	STMT_CATALOG_BUNDLES,  /* ... and bundle members, all by revision_id */
	STMT_FRAGMENT_GET,
	STMT_FRAGMENT_LOC_FIRST,
	STMT_REVISION_FILES,
	STMT_FILE_BY_SHA1,
	STMT_REVISION_OF,

	/* approval.c */
	STMT_UPDATE_REF,       /* update GUID -> updates.id */
	STMT_DEPLOYMENT_DELETE_GROUP,
	STMT_DEPLOYMENT_INSERT,
	STMT_DECLINED_SET,
	STMT_DEPLOYMENT_DELETE_UPDATE,
	STMT_DEPLOYMENT_EACH,

	/* group.c */
	STMT_GROUP_BY_NAME,
	STMT_GROUP_INSERT,
	STMT_GROUP_EACH,
	STMT_GROUP_ANCESTORS,

	/* computer.c */
	STMT_COMPUTER_UPSERT,
	STMT_COMPUTER_ENSURE,  /* a bare row for a reporting computer */
	STMT_COMPUTER_ADMIT,   /* a new computer's row, with its address */
	STMT_COMPUTER_NEW_FROM, /* computers first seen from an address since */
	STMT_COMPUTER_GET,
	STMT_COMPUTER_TOUCH_SYNC,
	STMT_COMPUTER_REF,     /* computer_id -> computers.id */
	STMT_COMPUTER_BY_DNS,
	STMT_COMPUTER_UNGROUP,
	STMT_COMPUTER_UNGROUP_CLIENT,
	STMT_COMPUTER_GROUP_INSERT,
	STMT_COMPUTER_ADMIN_HELD,
	STMT_COMPUTER_GROUPS,
	STMT_COMPUTER_EACH,

	/* report.c */
	STMT_EVENT_INSERT,
	STMT_EVENT_TRIM,       /* the per-computer cap */
	STMT_EVENT_EXPIRE,     /* retention, one batch */
	STMT_STATUS_UPSERT,
	STMT_COMPUTER_REPORTED,
	STMT_UPDATE_EACH,

	/* settings.c */
	STMT_SETTINGS_GET,
	STMT_SETTINGS_SEED,
	STMT_TARGETING_SET,

	/* expire.c */
	STMT_REVISION_EXPIRE,  /* latest revision -> expired, not latest */
	STMT_REVISION_NUMBER_MAX,

	/* audit.c */
	STMT_AUDIT_HEAD,       /* last row: seq, hash */
	STMT_AUDIT_INSERT,
	STMT_AUDIT_SINCE,      /* rows with time >= ?1, by seq */
	STMT_AUDIT_ALL,        /* every row, by seq (verify) */

	STMT_AUDIT_APPROVAL_OF,    /* (update ref, group ref) -> action, deadline */
	STMT_AUDIT_APPROVALS,      /* update ref -> "Group (action)" rows */
	STMT_AUDIT_DECLINED,       /* update ref -> declined (0/1) */
	STMT_AUDIT_MEMBERSHIPS,    /* computer ref -> group names */

	/* group.c, computer.c: the admin API's changes */
	STMT_GROUP_CHILDREN,       /* group ref -> number of child groups */
	STMT_GROUP_DELETE,
	STMT_COMPUTER_GROUP_DELETE, /* (computer ref, group ref) */
	STMT_COMPUTER_GROUP_ADMIN,  /* the insert, or the origin becomes 'admin' */

	/* account.c */
	STMT_ACCOUNT_GET,
	STMT_ACCOUNT_INSERT,
	STMT_ACCOUNT_SET_PASSWORD,
	STMT_ACCOUNT_SET_ROLE,
	STMT_ACCOUNT_DELETE,
	STMT_ACCOUNT_EACH,


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

/*
 * stmt_bind_failed - log a failed sqlite3_bind_* on s once (caller,
 * statement name, sqlite3_errmsg), release s and return -1, for
 * "if (bind || bind ...) return stmt_bind_failed(...)".
 */
int stmt_bind_failed(struct store *st, sqlite3_stmt *s, const char *caller);

/*
 * stmt_get_text - stmt_get(id) with text (copied) bound to ?1: a lookup
 * by GUID, key or name.  NULL after logging a failed bind (the statement
 * is then released).
 */
sqlite3_stmt *stmt_get_text(struct store *st, enum stmt_id id,
    const char *text, const char *caller);

/*
 * stmt_run - step s (bound by the caller) once, read column 0 of the row,
 * if there is one, into *v (may be NULL), and release s: a one-row lookup
 * or a one-shot write.  sqlite3_changes stays valid after it.  Returns 1
 * for a row, 0 for none, -1 after logging once with caller.
 */
int stmt_run(struct store *st, sqlite3_stmt *s, int64_t *v,
    const char *caller);

/* stmt_run_text - stmt_run of stmt_get_text(id, text): 1, 0 or -1. */
int stmt_run_text(struct store *st, enum stmt_id id, const char *text,
    int64_t *v, const char *caller);

/*
 * stmt_run_ints - stmt_run of statement id with the n integers of args
 * bound to ?1..?n (row ids, times, flags).  1, 0 or -1.
 */
int stmt_run_ints(struct store *st, enum stmt_id id, const int64_t *args,
    int n, int64_t *v, const char *caller);

/*
 * stmt_text - copy text column col of the current row of s into out
 * (len bytes incl. NUL).  Returns 0, or -1 if the column is NULL (out
 * is then "") or longer than len - 1 bytes (out then holds a truncated
 * copy).  Callers treat -1 as corruption for keys and GUIDs and ignore
 * it for display text.  Never logs.
 */
int stmt_text(sqlite3_stmt *s, int col, char *out, size_t len);

/* --- open.c: store_open/store_close (store.h); the struct ------------- */

struct store {
	sqlite3      *db;
	char          path[STORE_PATH_MAX];        /* data_dir/wsusd.db */
	int           version;               /* user_version after migrations */
	int           migrated;              /* migrations this open applied */
	int           in_tx;                 /* inside store_begin .. commit */
	int           audit_pending;         /* this transaction wrote an audit row */
	int64_t       audit_seq;             /* ... its seq and hash, logged as */
	char          audit_hash[STORE_AUDIT_HASH_HEX + 1];  /* "Audit head" on commit */
	char          data_dir[STORE_PATH_MAX];  /* as given to store_open */
	char          ntlm_path[STORE_PATH_MAX]; /* data_dir/admin/ntlm-users */
	time_t        retention_next;        /* store_retention_run: next run, 0 = now */
	sqlite3_stmt *stmts[STMT__COUNT];

};

/* --- db.c: file, connection PRAGMAs, migrations ---------------------- */

/* db_file - make data_dir (0750) if missing, create or open wsusd.db in
 * it, not readable by others, and set st->path; 0 or -1 after logging. */
int db_file(struct store *st, const char *data_dir);
/* db_connect - open the connection with every PRAGMA a connection needs
 * (WAL, synchronous, foreign keys, defensive); 0 or -1. */
int db_connect(struct store *st);
/* db_migrate - apply every pending migration of schema.c, each in its
 * own transaction; refuses a newer or foreign database; 0 or -1. */
int db_migrate(struct store *st);

/* --- stmt.c (continued): stepping and transactions --------------------- */

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

/*
 * store_end - the one exit of a write: rc 0 (committed) is returned as
 * is; any other rc rolls back the open transaction, if any, and is
 * returned, for "out: return store_end(st, rc, __func__);".
 */
int  store_end(struct store *st, int rc, const char *caller);

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

/* --- catalog.c: the update catalogue -------------------------------- */

/*
 * catalog_bump - add one to the catalogue generation.  Must run inside
 * the caller's transaction, so that the change and the bump commit
 * together.  Returns 0 or -1 after logging.
 */
int catalog_bump(struct store *st, const char *caller);

/*
 * catalog_commit - catalog_bump, then store_commit: how every write that
 * changes what clients are offered ends.  Returns 0 or -1 after logging;
 * the caller's store_rollback then ends the transaction.
 */
int catalog_commit(struct store *st, const char *caller);

/* catalog_kind_name - "software", "driver", ... for k; NULL if out of range. */
const char *catalog_kind_name(enum store_kind k);

/* catalog_kind_parse - the enum for a schema kind text; -1 if unknown. */
int catalog_kind_parse(const char *text);

/* --- approval.c: approvals and declines ------------------------------ */

/*
 * approval_update - the row id of update id (canonical) and of its latest
 * revision (0 if none).  Returns 1 found, 0 not, -1 after logging.
 */
int approval_update(struct store *st, const char *id, int64_t *uref,
    int64_t *rev, const char *caller);

/*
 * approval_drop - delete every approval of update uref (not_approved rows
 * included), inside the caller's transaction.  Returns 0 or -1 after
 * logging.
 */
int approval_drop(struct store *st, int64_t uref, const char *caller);

/* --- group.c: target groups ------------------------------------------ */

/*
 * group_lookup - find a group by GUID (any case, braces allowed) or else
 * by name (case-insensitive); fill *g (may be NULL) and *ref with its
 * row id (may be NULL).  Returns 1 found, 0 not, -1 after logging.
 */
int group_lookup(struct store *st, const char *name_or_guid,
    struct store_group *g, int64_t *ref);

/*
 * group_guids - run statement id (a list of group GUIDs, key bound to ?1)
 * and copy up to max of them into out; more are logged and dropped.
 * Returns the number written or -1 after logging (with caller).
 */
int group_guids(struct store *st, enum stmt_id id, const char *key,
    char (*out)[STORE_GUID_LEN + 1], int max, const char *caller);

/* --- computer.c: client computers ------------------------------------ */

/*
 * computer_key - the stored form of a computer id: a GUID in any case,
 * with or without braces, becomes canonical lowercase; other text of 1..36
 * printable ASCII bytes without spaces is kept as is (SusClientId is a
 * GUID in practice; tools may use other ids).  Returns 0, or -1 (not
 * logged: the text may come from a peer).
 */
int computer_key(const char *in, char out[STORE_GUID_LEN + 1]);

/* --- audit.c: the audit log; the door every change goes through ------- */

/*
 * A before/after value under construction: a compact JSON object built
 * with audit_json_*.  Text that does not fit is cut and marked "…": an
 * audit row never fails for being long.
 */
struct audit_json {
	char   s[STORE_AUDIT_VALUE_MAX];
	size_t n;
	int    fields;
};
void audit_json_init(struct audit_json *j);                      /* "{" */
void audit_json_str(struct audit_json *j, const char *key, const char *v);
void audit_json_int(struct audit_json *j, const char *key, int64_t v);
/* audit_json_raw - v is JSON already (an array, an object, true). */
void audit_json_raw(struct audit_json *j, const char *key, const char *v);
const char *audit_json_end(struct audit_json *j);                /* "}" */

/*
 * audit_actor_ok - whether who is a usable actor (every field 1..its
 * STORE_ACTOR_*_MAX bytes, printable); logs caller and why if not.
 * Changing functions call it before store_begin.  1 or 0.
 */
int audit_actor_ok(const struct store_actor *who, const char *caller);

/*
 * audit_write - append one row for a change made in the caller's open
 * transaction (store_begin'd; the row commits or rolls back with the
 * change).  before/after: NULL = "".  Sets st->audit_pending so that
 * store_commit logs the new head.  Returns 0 or -1 after logging (the
 * caller then rolls back: no change without its row).
 */
int audit_write(struct store *st, const struct store_actor *who,
    const char *action, const char *object, const char *before,
    const char *after, const char *caller);

/*
 * audit_list - run statement id with ref bound to ?1 and write column 0
 * of its rows as a JSON array of strings into out (len bytes; rows that
 * do not fit are dropped and counted as "+N more").  For the before and
 * after of changes that touch a set (approvals, memberships).  0 or -1.
 */
int audit_list(struct store *st, enum stmt_id id, int64_t ref, char *out,
    size_t len, const char *caller);

/* --- account.c: administrator accounts and the NTLM file -------------- */

/* --- settings.c: store.h (server_settings: targeting mode, retention) - */

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

/* --- updatedoc.c: store.h (full update documents -> store_import) ----- */

#endif /* WSUSD_STORE_INT_H */
