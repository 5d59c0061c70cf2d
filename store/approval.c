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
 * approval_of - the approval of update uref for group gref, if any, as
 * the "before" of an approve: action and deadline (nothing when none).
 */
static int
approval_of(struct store *st, int64_t uref, int64_t gref,
    struct audit_json *j)
{
	sqlite3_stmt *s = stmt_get(st, STMT_AUDIT_APPROVAL_OF);
	int r;

	if (sqlite3_bind_int64(s, 1, uref) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 2, gref) != SQLITE_OK)
		return stmt_bind_failed(st, s, __func__);
	if ((r = store_step(st, s, __func__)) == 1) {
		const unsigned char *a = sqlite3_column_text(s, 0);

		audit_json_str(j, "action", a != NULL ? (const char *)a : "");
		audit_json_int(j, "deadline", sqlite3_column_int64(s, 1));
	}
	stmt_release(s);
	return r == -1 ? -1 : 0;
}

/*
 * store_approve - see store.h.  Update and group are looked up under the
 * write lock.  An approval of this update for this group, of any of its
 * revisions, is deleted and a new row inserted (new deployment id);
 * STORE_ACTION_NOT_APPROVED stores an explicit row that overrides a parent
 * group's approval but is not listed by store_deployment_each.  The
 * actor's account is recorded in the row (deployments.admin), the audit
 * row and the log.
 */
int
store_approve(struct store *st, const char *update_id, const char *group,
    enum store_action action, time_t deadline, const struct store_actor *who)
{
	char id[STORE_GUID_LEN + 1];
	struct store_group g;
	struct audit_json before, after;
	sqlite3_stmt *s = NULL;
	int64_t uref = 0, rev = 0, gref = 0;
	time_t now = time(NULL);
	int rc = -1, r;

	if ((unsigned)action >= APPROVAL_NACTIONS) {
		log_warnx("%s: unknown action %d", __func__, (int)action);
		return -1;
	}
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
	if ((r = group_lookup(st, group, &g, &gref)) != 1) {
		rc = r == -1 ? -1 : -2;
		goto out;
	}
	audit_json_init(&before);
	if (approval_of(st, uref, gref, &before) == -1)
		goto out;
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
	    sqlite3_bind_text(s, 5, who->account, -1, SQLITE_TRANSIENT) !=
	    SQLITE_OK ||
	    sqlite3_bind_int64(s, 6, (sqlite3_int64)now) != SQLITE_OK) {
		stmt_bind_failed(st, s, __func__);
		goto out;
	}
	audit_json_init(&after);
	audit_json_str(&after, "group", g.name);
	audit_json_str(&after, "action", approval_actions[action]);
	audit_json_int(&after, "deadline", (int64_t)deadline);
	if (stmt_run(st, s, NULL, __func__) == -1 ||
	    approval_declined(st, uref, 0, now, __func__) == -1 ||
	    audit_write(st, who, "approve", id, audit_json_end(&before),
	    audit_json_end(&after), __func__) == -1 ||
	    catalog_commit(st, __func__) == -1)
		goto out;
	log_info("%s: %s: %s %s for %s by %s", __func__, st->path, id,
	    approval_actions[action], g.name, who->account);
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
store_decline(struct store *st, const char *update_id,
    const struct store_actor *who)
{
	char id[STORE_GUID_LEN + 1], list[STORE_AUDIT_VALUE_MAX - 64];
	struct audit_json before, after;
	int64_t uref = 0, rev = 0, declined = 0;
	int rc = -1, r;

	if (!audit_actor_ok(who, __func__))
		return -1;
	if (update_id == NULL || guid_canon(update_id, id) == -1)
		return -2;
	if (store_begin(st, __func__) == -1)
		return -1;
	if ((r = approval_update(st, id, &uref, &rev, __func__)) != 1) {
		rc = r == 0 ? -2 : -1;
		goto out;
	}
	if (stmt_run_ints(st, STMT_AUDIT_DECLINED, &uref, 1, &declined,
	    __func__) == -1 ||
	    audit_list(st, STMT_AUDIT_APPROVALS, uref, list, sizeof(list),
	    __func__) == -1)
		goto out;
	audit_json_init(&before);
	audit_json_int(&before, "declined", declined);
	audit_json_raw(&before, "approvals", list);
	audit_json_init(&after);
	audit_json_int(&after, "declined", 1);
	audit_json_raw(&after, "approvals", "[]");
	if (approval_declined(st, uref, 1, time(NULL), __func__) == -1 ||
	    approval_drop(st, uref, __func__) == -1 ||
	    audit_write(st, who, "decline", id, audit_json_end(&before),
	    audit_json_end(&after), __func__) == -1 ||
	    catalog_commit(st, __func__) == -1)
		goto out;
	log_info("%s: %s: %s declined by %s", __func__, st->path, id,
	    who->account);
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
