/*
 * open.c - store_open and store_close: the order in which a struct store
 * comes up (file, connection, migrations, statement table, identity) and
 * goes down, and its read-only accessors.
 *
 * Owns: the life cycle of struct store.  It sits above db.c, stmt.c and
 * advert.c and calls each of them; none of them calls back into it.
 */
#include <stdio.h>
#include <stdlib.h>

#include "log.h"
#include "store_int.h"

/*
 * store_open - see store.h.  The order matters: the file's mode before
 * SQLite creates -wal/-shm from it; PRAGMAs before any transaction (WAL
 * and foreign_keys cannot change inside one); migrations before the
 * statement table (its statements name the tables); identity last.
 */
struct store *
store_open(const char *data_dir)
{
	struct store *st;

	if ((st = calloc(1, sizeof(*st))) == NULL) {
		log_warn("%s: calloc", __func__);
		return NULL;
	}
	if (snprintf(st->data_dir, sizeof(st->data_dir), "%s", data_dir) >=
	    (int)sizeof(st->data_dir) ||
	    snprintf(st->ntlm_path, sizeof(st->ntlm_path),
	    "%s/admin/ntlm-users", data_dir) >= (int)sizeof(st->ntlm_path)) {
		log_warnx("%s: %s: path too long", __func__, data_dir);
		goto fail;
	}
	if (db_file(st, data_dir) == -1 ||
	    db_connect(st) == -1 ||
	    db_migrate(st) == -1 ||
	    stmt_prepare_all(st) == -1 ||
	    advert_identity_init(st) == -1)
		goto fail;
	return st;
fail:
	store_close(st);
	return NULL;
}

/*
 * store_close - roll back a transaction left open by a failed caller,
 * finalize the statement table, close the connection (the last one to
 * close checkpoints the WAL into the main file and removes it), free st.
 */
void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	if (st->in_tx)
		store_rollback(st, __func__);
	stmt_finalize_all(st);
	/* Every statement is finalized, so this cannot return BUSY. */
	if (st->db != NULL && sqlite3_close(st->db) != SQLITE_OK)
		log_warnx("%s: %s: %s", __func__, st->path,
		    sqlite3_errmsg(st->db));
	free(st);
}

int
store_schema_version(struct store *st)
{
	return st->version;
}

int
store_migrations_applied(struct store *st)
{
	return st->migrated;
}

const char *
store_path(struct store *st)
{
	return st->path;
}
