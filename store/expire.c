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
 * store_expire - see store.h.  Everything runs under the write lock taken
 * by store_begin, so a concurrent import cannot slip a new latest revision
 * in between the lookup and the update.
 */
int
store_expire(struct store *st, const char *update_id,
    const struct store_actor *who)
{
	char id[STORE_GUID_LEN + 1], list[STORE_AUDIT_VALUE_MAX - 128];
	struct audit_json before, after;
	int64_t uref = 0, rev = 0;
	int64_t now = (int64_t)time(NULL);
	int rc = -1, r;

	if (!audit_actor_ok(who, __func__))
		return -1;
	if (update_id == NULL || guid_canon(update_id, id) == -1)
		return -2;
	if (store_begin(st, __func__) == -1)
		return -1;
	if ((r = approval_update(st, id, &uref, &rev, __func__)) != 1 ||
	    rev == 0) {
		rc = r == -1 ? -1 : -2;
		goto out;
	}
	if (audit_list(st, STMT_AUDIT_APPROVALS, uref, list, sizeof(list),
	    __func__) == -1)
		goto out;
	audit_json_init(&before);
	audit_json_int(&before, "revision_id", rev);
	audit_json_str(&before, "state", "published");
	audit_json_raw(&before, "approvals", list);
	audit_json_init(&after);
	audit_json_int(&after, "revision_id", rev);
	audit_json_str(&after, "state", "expired");
	audit_json_raw(&after, "approvals", "[]");
	if (stmt_run_ints(st, STMT_REVISION_EXPIRE, (const int64_t[]){ rev,
	    now }, 2, NULL, __func__) == -1)
		goto out;
	if (sqlite3_changes(st->db) != 1) {
		log_warnx("%s: %s: revision %lld of %s is no longer the latest",
		    __func__, st->path, (long long)rev, id);
		goto out;
	}
	/* Approvals name the latest revision; an expired one has none. */
	if (approval_drop(st, uref, __func__) == -1 ||
	    audit_write(st, who, "expire", id, audit_json_end(&before),
	    audit_json_end(&after), __func__) == -1 ||
	    catalog_commit(st, __func__) == -1)
		goto out;
	log_info("%s: %s: %s revision id %lld expired", __func__, st->path, id,
	    (long long)rev);
	rc = 0;
out:
	return store_end(st, rc, __func__);
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
	if ((s = stmt_get_text(st, STMT_REVISION_NUMBER_MAX, id,
	    __func__)) == NULL)
		return -1;
	/* An aggregate always gives one row: NULL when there is none. */
	if ((rc = store_step(st, s, __func__)) == 1)
		rc = sqlite3_column_type(s, 0) == SQLITE_NULL ? -2 :
		    sqlite3_column_int(s, 0);
	else if (rc == 0)
		rc = -2;
	stmt_release(s);
	return rc;
}
