/*
 * approval.c - approvals (WSUS deployments) and declines.
 *
 * Owns: the deployments rows and the revisions' declined flag.  An
 * approval names the latest revision of an update and one target group;
 * it is replaced, never edited (delete + insert gives a new deployment id,
 * which is how clients notice the change).  Every change bumps the
 * catalogue generation in the same transaction.  Never approves an update
 * or a group that does not exist, and never keeps approvals of a declined
 * update.
 */
#include <string.h>
#include <time.h>

#include "log.h"
#include "store_int.h"

/* Schema text of enum store_action. */
static const char *const approval_actions[] = {
	[STORE_ACTION_INSTALL] = "install",
	[STORE_ACTION_UNINSTALL] = "uninstall",
	[STORE_ACTION_NOT_APPROVED] = "not_approved",
};
#define APPROVAL_NACTIONS \
	(sizeof(approval_actions) / sizeof(approval_actions[0]))

int
approval_update(struct store *st, const char *id, int64_t *uref,
    int64_t *rev, const char *caller)
{
	sqlite3_stmt *s = stmt_get_text(st, STMT_UPDATE_REF, id, caller);
	int rc;

	if (s == NULL)
		return -1;
	if ((rc = store_step(st, s, caller)) == 1) {
		*uref = sqlite3_column_int64(s, 0);
		*rev = sqlite3_column_int64(s, 1);
	}
	stmt_release(s);
	return rc;
}

/* approval_declined - set the update's declined flag (all revisions). */
static int
approval_declined(struct store *st, int64_t uref, int declined,
    time_t now, const char *caller)
{
	return stmt_run_ints(st, STMT_DECLINED_SET, (const int64_t[]){ uref,
	    declined, (int64_t)now }, 3, NULL, caller) == -1 ? -1 : 0;
}

int
approval_drop(struct store *st, int64_t uref, const char *caller)
{
	return stmt_run_ints(st, STMT_DEPLOYMENT_DELETE_UPDATE, &uref, 1, NULL,
	    caller) == -1 ? -1 : 0;
}

/*
 * store_approve - see store.h.  Update and group are looked up under the
 * write lock.  An approval of this update for this group, of any of its
 * revisions, is deleted and a new row inserted (new deployment id);
 * STORE_ACTION_NOT_APPROVED stores an explicit row that overrides a parent
 * group's approval but is not listed by store_deployment_each.  admin
 * (NULL = "") is recorded in the row and the log.
 */
int
store_approve(struct store *st, const char *update_id, const char *group,
    enum store_action action, time_t deadline, const char *admin)
{
	char id[STORE_GUID_LEN + 1];
	struct store_group g;
	sqlite3_stmt *s = NULL;
	int64_t uref = 0, rev = 0, gref = 0;
	time_t now = time(NULL);
	int rc = -1, r;

	if ((unsigned)action >= APPROVAL_NACTIONS) {
		log_warnx("%s: unknown action %d", __func__, (int)action);
		return -1;
	}
	if (update_id == NULL || guid_canon(update_id, id) == -1)
		return -2;
	if (admin == NULL)
		admin = "";
	if (store_begin(st, __func__) == -1)
		return -1;
	if ((r = approval_update(st, id, &uref, &rev, __func__)) != 1 ||
	    rev == 0) {
		rc = r == -1 ? -1 : -2;
		goto out;
	}
	if ((r = group_lookup(st, group, &g, &gref)) != 1) {
		rc = r == -1 ? -1 : -2;
		goto out;
	}
	/* Replace: any approval of this update for this group goes. */
	if (stmt_run_ints(st, STMT_DEPLOYMENT_DELETE_GROUP,
	    (const int64_t[]){ uref, gref }, 2, NULL, __func__) == -1)
		goto out;
	s = stmt_get(st, STMT_DEPLOYMENT_INSERT);
	if (sqlite3_bind_int64(s, 1, rev) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 2, gref) != SQLITE_OK ||
	    sqlite3_bind_text(s, 3, approval_actions[action], -1,
	    SQLITE_STATIC) != SQLITE_OK ||
	    (deadline != 0 ? sqlite3_bind_int64(s, 4,
	    (sqlite3_int64)deadline) : sqlite3_bind_null(s, 4)) != SQLITE_OK ||
	    sqlite3_bind_text(s, 5, admin, -1, SQLITE_TRANSIENT) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 6, (sqlite3_int64)now) != SQLITE_OK) {
		stmt_bind_failed(st, s, __func__);
		goto out;
	}
	if (stmt_run(st, s, NULL, __func__) == -1 ||
	    approval_declined(st, uref, 0, now, __func__) == -1 ||
	    catalog_commit(st, __func__) == -1)
		goto out;
	log_info("%s: %s: %s %s for %s by %s", __func__, st->path, id,
	    approval_actions[action], g.name, admin[0] != '\0' ? admin : "?");
	rc = 0;
out:
	return store_end(st, rc, __func__);
}

/*
 * store_decline - see store.h.  Every revision of the update is marked, so
 * a later revision inherits the decline at import; every approval of it
 * (not_approved rows included) is deleted.
 */
int
store_decline(struct store *st, const char *update_id, const char *admin)
{
	char id[STORE_GUID_LEN + 1];
	int64_t uref = 0, rev = 0;
	int rc = -1, r;

	if (update_id == NULL || guid_canon(update_id, id) == -1)
		return -2;
	if (store_begin(st, __func__) == -1)
		return -1;
	if ((r = approval_update(st, id, &uref, &rev, __func__)) != 1) {
		rc = r == 0 ? -2 : -1;
		goto out;
	}
	if (approval_declined(st, uref, 1, time(NULL), __func__) == -1 ||
	    approval_drop(st, uref, __func__) == -1 ||
	    catalog_commit(st, __func__) == -1)
		goto out;
	log_info("%s: %s: %s declined by %s", __func__, st->path, id,
	    admin != NULL && admin[0] != '\0' ? admin : "?");
	rc = 0;
out:
	return store_end(st, rc, __func__);
}

/*
 * store_deployment_each - see store.h: install and uninstall approvals, in
 * deployment id order.  An approval always names its update's latest
 * revision (import moves them), so no filter on is_latest is needed.
 */
int
store_deployment_each(struct store *st,
    int (*fn)(void *arg, const struct store_deployment *d), void *arg)
{
	sqlite3_stmt *s = stmt_get(st, STMT_DEPLOYMENT_EACH);
	struct store_deployment d;
	const char *action;
	int r, rc = -1;

	while ((r = store_step(st, s, __func__)) == 1) {
		memset(&d, 0, sizeof(d));
		d.deployment_id = sqlite3_column_int64(s, 0);
		action = (const char *)sqlite3_column_text(s, 3);
		if (stmt_text(s, 1, d.update_id, sizeof(d.update_id)) == -1 ||
		    stmt_text(s, 2, d.group_guid, sizeof(d.group_guid)) == -1 ||
		    action == NULL) {
			log_warnx("%s: %s: malformed deployment row", __func__,
			    st->path);
			goto out;
		}
		d.action = strcmp(action, "install") == 0 ?
		    STORE_ACTION_INSTALL : STORE_ACTION_UNINSTALL;
		d.deadline = (time_t)sqlite3_column_int64(s, 4);
		d.last_change = (time_t)sqlite3_column_int64(s, 5);
		if (fn(arg, &d) != 0)
			goto out;
	}
	if (r == 0)
		rc = 0;
out:
	stmt_release(s);
	return rc;
}
