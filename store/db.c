/*
 * db.c - the connection under wsusd.db: file and directory modes,
 * connection PRAGMAs and schema migrations (open.c calls them in order).
 *
 * Owns: the sqlite3 connection of a struct store.  The only SQL here is
 * fixed PRAGMA text and the migration strings of schema.c, run before the
 * statement table can be prepared; everything later goes through stmt.c.
 * Never formats SQL, never shares a handle between threads, and never
 * opens a database whose schema is newer than this build knows.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "store_int.h"

/*
 * db_exec - run fixed SQL text (PRAGMAs, BEGIN/COMMIT around a migration,
 * a migration).  Returns 0 or -1 after logging.
 */
static int
db_exec(struct store *st, const char *sql, const char *what)
{
	char *err = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &err) != SQLITE_OK) {
		log_warnx("%s: %s: %s: %s", __func__, st->path, what,
		    err != NULL ? err : sqlite3_errmsg(st->db));
		sqlite3_free(err);
		return -1;
	}
	return 0;
}

/*
 * db_pragma - prepare fixed sql (a PRAGMA, or a query of the schema
 * before the statement table exists) into *s and step it to its first
 * row.  Returns 0, or -1 after logging; either way the caller finalizes
 * *s (NULL if the prepare failed).
 */
static int
db_pragma(struct store *st, const char *sql, sqlite3_stmt **s,
    const char *caller)
{
	int rc;

	*s = NULL;
	if (sqlite3_prepare_v2(st->db, sql, -1, s, NULL) != SQLITE_OK) {
		log_warnx("%s: %s: %s: %s", caller, st->path, sql,
		    sqlite3_errmsg(st->db));
		return -1;
	}
	if ((rc = store_step(st, *s, caller)) == 0)
		log_warnx("%s: %s: %s returned no value", caller, st->path,
		    sql);
	return rc == 1 ? 0 : -1;
}

/*
 * db_pragma_int - read a one-row integer PRAGMA (fixed text) into *v.
 * Returns 0 or -1 after logging.
 */
static int
db_pragma_int(struct store *st, const char *sql, int64_t *v)
{
	sqlite3_stmt *s;
	int rc;

	rc = db_pragma(st, sql, &s, __func__);
	*v = rc == 0 ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_finalize(s);
	return rc;
}

/*
 * db_wal - switch to WAL (persistent in the file) and check that it took:
 * SQLite silently keeps the old mode where WAL is impossible (e.g. no
 * shared memory), and we rely on readers not blocking the writer.
 */
static int
db_wal(struct store *st)
{
	sqlite3_stmt *s;
	const unsigned char *mode;
	int rc = -1;

	if (db_pragma(st, "PRAGMA journal_mode = WAL", &s, __func__) == -1)
		goto out;
	mode = sqlite3_column_text(s, 0);
	if (mode == NULL || strcmp((const char *)mode, "wal") != 0) {
		log_warnx("%s: %s: journal mode is %s, not wal", __func__,
		    st->path, mode != NULL ? (const char *)mode : "unknown");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(s);
	return rc;
}

/*
 * db_file - make data_dir (0750) if it is missing, then create or open
 * data_dir/wsusd.db as a regular file that others cannot read, before
 * SQLite touches it: SQLite gives -wal and -shm the database file's mode.
 * Returns 0 or -1 after logging.
 */
int
db_file(struct store *st, const char *data_dir)
{
	struct stat sb;
	int fd = -1, n, rc = -1;

	if (mkdir(data_dir, STORE_DIR_MODE) == -1 && errno != EEXIST) {
		log_warn("%s: mkdir %s", __func__, data_dir);
		goto out;
	}
	if (stat(data_dir, &sb) == -1) {
		log_warn("%s: %s", __func__, data_dir);
		goto out;
	}
	if (!S_ISDIR(sb.st_mode)) {
		log_warnx("%s: %s: not a directory", __func__, data_dir);
		goto out;
	}
	n = snprintf(st->path, sizeof(st->path), "%s/%s", data_dir,
	    STORE_DB_NAME);
	if (n < 0 || (size_t)n >= sizeof(st->path)) {
		log_warnx("%s: %s: path too long", __func__, data_dir);
		goto out;
	}
	/*
	 * Never open(2) and close(2) a database file that exists: SQLite
	 * holds POSIX advisory locks on it, and closing ANY descriptor of
	 * the file drops every lock this process holds (a second handle
	 * opened by another thread would then let another process delete
	 * the WAL under the first).  Only a file we create ourselves
	 * (O_EXCL) is opened here; an existing one is checked by path.
	 */
	fd = open(st->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
	    STORE_FILE_MODE);
	if (fd == -1 && errno != EEXIST) {
		log_warn("%s: %s", __func__, st->path);
		goto out;
	}
	/* lstat: never let a planted symlink choose our database. */
	if (lstat(st->path, &sb) == -1) {
		log_warn("%s: lstat %s", __func__, st->path);
		goto out;
	}
	if (!S_ISREG(sb.st_mode)) {
		log_warnx("%s: %s: not a regular file", __func__, st->path);
		goto out;
	}
	/* An existing file others can read or write: take that away. */
	if ((sb.st_mode & S_IRWXO) != 0) {
		if (chmod(st->path, sb.st_mode & 0770) == -1) {
			log_warn("%s: chmod %s", __func__, st->path);
			goto out;
		}
		log_info("%s: %s: removed access for others", __func__,
		    st->path);
	}
	rc = 0;
out:
	if (fd != -1)
		close(fd);
	return rc;
}

/*
 * db_connect - open the connection and set what every connection needs:
 * extended error codes, defensive mode, no double-quoted string literals,
 * the busy timeout, WAL, synchronous=NORMAL (durable at checkpoints; safe
 * with WAL), foreign keys (checked: a build without them must not run).
 */
int
db_connect(struct store *st)
{
	int64_t fk;

	if (sqlite3_open_v2(st->path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		log_warnx("%s: %s: %s", __func__, st->path, st->db != NULL ?
		    sqlite3_errmsg(st->db) : "out of memory");
		return -1;
	}
	sqlite3_extended_result_codes(st->db, 1);
	if (sqlite3_db_config(st->db, SQLITE_DBCONFIG_DEFENSIVE, 1,
	    NULL) != SQLITE_OK ||
	    sqlite3_db_config(st->db, SQLITE_DBCONFIG_DQS_DML, 0,
	    NULL) != SQLITE_OK ||
	    sqlite3_db_config(st->db, SQLITE_DBCONFIG_DQS_DDL, 0,
	    NULL) != SQLITE_OK ||
	    sqlite3_busy_timeout(st->db, STORE_BUSY_TIMEOUT_MS) != SQLITE_OK) {
		log_warnx("%s: %s: %s", __func__, st->path,
		    sqlite3_errmsg(st->db));
		return -1;
	}
	if (db_wal(st) == -1 ||
	    db_exec(st, "PRAGMA synchronous = NORMAL", "synchronous") == -1 ||
	    db_exec(st, "PRAGMA foreign_keys = ON", "foreign_keys") == -1 ||
	    db_exec(st, "PRAGMA trusted_schema = OFF", "trusted_schema") == -1)
		return -1;
	if (db_pragma_int(st, "PRAGMA foreign_keys", &fk) == -1)
		return -1;
	if (fk != 1) {
		log_warnx("%s: %s: SQLite lacks foreign key support", __func__,
		    st->path);
		return -1;
	}
	return 0;
}

/*
 * db_check_owner - refuse a database we cannot migrate: one newer than
 * this build, one that is not ours (another application_id), or a
 * version-0 file that already holds tables.  Called inside the migration
 * transaction so the answer cannot change under us.
 */
static int
db_check_owner(struct store *st, int64_t version)
{
	int64_t app, objects;

	if (version > schema_latest()) {
		log_warnx("%s: %s: schema version %lld is newer than this "
		    "build knows (%d); refusing to open (upgrade wsusd)",
		    __func__, st->path, (long long)version, schema_latest());
		return -1;
	}
	if (db_pragma_int(st, "PRAGMA application_id", &app) == -1)
		return -1;
	if (version > 0 && app != STORE_APPLICATION_ID) {
		log_warnx("%s: %s: not a wsusd database (application_id %lld)",
		    __func__, st->path, (long long)app);
		return -1;
	}
	if (version == 0) {
		if (db_pragma_int(st, "SELECT count(*) FROM sqlite_schema",
		    &objects) == -1)
			return -1;
		if (app != 0 || objects != 0) {
			log_warnx("%s: %s: not empty and not a wsusd "
			    "database; refusing to add tables to it",
			    __func__, st->path);
			return -1;
		}
	}
	return 0;
}

/*
 * db_migrate - apply each pending migration in its own BEGIN IMMEDIATE
 * transaction.  The version is re-read under the write lock, so two
 * processes opening a new database at once apply each step exactly once.
 */
int
db_migrate(struct store *st)
{
	int64_t v, after;
	const char *sql;

	for (;;) {
		if (db_exec(st, "BEGIN IMMEDIATE", "begin migration") == -1)
			return -1;
		if (db_pragma_int(st, "PRAGMA user_version", &v) == -1 ||
		    db_check_owner(st, v) == -1)
			goto fail;
		if (v == schema_latest())
			break;
		sql = schema_sql((int)v + 1);
		if (db_exec(st, sql, "migration") == -1)
			goto fail;
		if (db_pragma_int(st, "PRAGMA user_version", &after) == -1)
			goto fail;
		if (after != v + 1) {
			log_warnx("%s: %s: migration %lld left version %lld",
			    __func__, st->path, (long long)v + 1,
			    (long long)after);
			goto fail;
		}
		if (db_exec(st, "COMMIT", "commit migration") == -1)
			goto fail;
		st->migrated++;
		log_info("%s: %s: schema migrated to version %lld", __func__,
		    st->path, (long long)after);
	}
	/* Up to date: end the (read-only) transaction. */
	if (db_exec(st, "COMMIT", "commit") == -1)
		goto fail;
	st->version = (int)v;
	return 0;
fail:
	/* Does nothing (and fails harmlessly) if COMMIT already ended it. */
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}
