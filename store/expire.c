/*
 * expire.c - expiring published revisions (the Updates Publisher's
 * "Expire"), and the revision numbers a new publish continues from.
 *
 * Owns: the state column of revisions ('published' -> 'expired').  An
 * expired revision is kept (its fragments and files stay readable for
 * reports and for clients that still hold it) but is no longer the
 * latest revision of its update, so nothing offers it any more: the scan
 * engine reads latest published revisions only (store_catalog_each),
 * `wsusutil updates` lists latest revisions, and the approvals that named
 * it are deleted in the same transaction.  Never expires a revision that
 * is not the latest, and never reuses a revision number: a new publish of
 * the update continues from the highest number stored, expired included.
 */
#include <time.h>

#include "log.h"
#include "store_int.h"

/*
 * expire_update - the row id of update id (canonical) and of its latest
 * revision (0 when it has none).  Returns 1 found, 0 not, -1 after
 * logging.
 */
static int
expire_update(struct store *st, const char *id, int64_t *uref, int64_t *rev)
{
	sqlite3_stmt *s = stmt_get(st, STMT_UPDATE_REF);
	int rc;

	if (sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT) != SQLITE_OK) {
		rc = stmt_bind_failed(st, s, __func__);
		goto out;
	}
	if ((rc = store_step(st, s, __func__)) == 1) {
		*uref = sqlite3_column_int64(s, 0);
		*rev = sqlite3_column_int64(s, 1);
	}
out:
	stmt_release(s);
	return rc;
}

/*
 * store_expire - see store.h.  Everything runs under the write lock taken
 * by store_begin, so a concurrent import cannot slip a new latest revision
 * in between the lookup and the update.
 */
int
store_expire(struct store *st, const char *update_id)
{
	char id[STORE_GUID_LEN + 1];
	sqlite3_stmt *s = NULL;
	int64_t uref = 0, rev = 0;
	time_t now = time(NULL);
	int rc = -1, r;

	if (update_id == NULL || guid_canon(update_id, id) == -1)
		return -2;
	if (store_begin(st, __func__) == -1)
		return -1;
	if ((r = expire_update(st, id, &uref, &rev)) != 1 || rev == 0) {
		rc = r == -1 ? -1 : -2;
		goto out;
	}
	s = stmt_get(st, STMT_REVISION_EXPIRE);
	if (sqlite3_bind_int64(s, 1, rev) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 2, (sqlite3_int64)now) != SQLITE_OK) {
		stmt_bind_failed(st, s, __func__);
		goto out;
	}
	if (store_step(st, s, __func__) == -1)
		goto out;
	if (sqlite3_changes(st->db) != 1) {
		log_warnx("%s: %s: revision %lld of %s is no longer the latest",
		    __func__, st->path, (long long)rev, id);
		goto out;
	}
	stmt_release(s);
	/* Approvals name the latest revision; an expired one has none. */
	s = stmt_get(st, STMT_DEPLOYMENT_DELETE_UPDATE);
	if (sqlite3_bind_int64(s, 1, uref) != SQLITE_OK) {
		stmt_bind_failed(st, s, __func__);
		goto out;
	}
	if (store_step(st, s, __func__) == -1)
		goto out;
	stmt_release(s);
	s = NULL;
	if (catalog_bump(st, __func__) == -1 ||
	    store_commit(st, __func__) == -1)
		goto out;
	log_info("%s: %s: %s revision id %lld expired", __func__, st->path, id,
	    (long long)rev);
	rc = 0;
out:
	stmt_release(s);
	if (rc != 0)
		store_rollback(st, __func__);
	return rc;
}

/* store_revision_number - see store.h. */
int
store_revision_number(struct store *st, const char *update_id)
{
	char id[STORE_GUID_LEN + 1];
	sqlite3_stmt *s;
	int rc;

	if (update_id == NULL || guid_canon(update_id, id) == -1)
		return -2;
	s = stmt_get(st, STMT_REVISION_NUMBER_MAX);
	if (sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT) != SQLITE_OK) {
		rc = stmt_bind_failed(st, s, __func__);
		goto out;
	}
	/* An aggregate always gives one row: NULL when there is none. */
	if ((rc = store_step(st, s, __func__)) == 1)
		rc = sqlite3_column_type(s, 0) == SQLITE_NULL ? -2 :
		    sqlite3_column_int(s, 0);
	else if (rc == 0)
		rc = -2;
out:
	stmt_release(s);
	return rc;
}
