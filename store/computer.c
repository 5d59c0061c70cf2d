/*
 * computer.c - client computers and their target-group memberships.
 *
 * Owns: the computers rows (RegisterComputer's fields and our times),
 * the cap on new computers per client address, and computer_groups with
 * the origin of each membership: 'admin' (wsusutil assign, the admin API)
 * or 'client' (client-side targeting, only when server_settings says
 * so).  A computer in no group is in Unassigned Computers.  Never lets a
 * client request replace an administrator's assignment, never lets an
 * empty registration field wipe a stored one, and never trusts a computer
 * id's spelling: GUIDs are keyed in canonical form.
 */
#include <string.h>
#include <time.h>

#include "log.h"
#include "store_int.h"

int
computer_key(const char *in, char out[STORE_GUID_LEN + 1])
{
	size_t len;

	if (in == NULL)
		return -1;
	if (guid_canon(in, out) == 0)
		return 0;
	len = strnlen(in, STORE_GUID_LEN + 1);
	if (len == 0 || len > STORE_GUID_LEN)
		return -1;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)in[i] <= 0x20 ||
		    (unsigned char)in[i] >= 0x7f)
			return -1;
	memcpy(out, in, len);
	out[len] = '\0';
	return 0;
}

/* computer_terminated - every text field of *c ends inside its buffer. */
static int
computer_terminated(const struct store_computer *c)
{
	return memchr(c->computer_id, '\0', sizeof(c->computer_id)) != NULL &&
	    memchr(c->dns_name, '\0', sizeof(c->dns_name)) != NULL &&
	    memchr(c->ip, '\0', sizeof(c->ip)) != NULL &&
	    memchr(c->os_description, '\0', sizeof(c->os_description)) !=
	    NULL &&
	    memchr(c->client_version, '\0', sizeof(c->client_version)) !=
	    NULL &&
	    memchr(c->target_groups, '\0', sizeof(c->target_groups)) != NULL;
}

/* computer_bind_time - bind t, or NULL for 0 (never happened). */
static int
computer_bind_time(sqlite3_stmt *s, int i, time_t t)
{
	return t != 0 ? sqlite3_bind_int64(s, i, (sqlite3_int64)t) :
	    sqlite3_bind_null(s, i);
}

/*
 * store_computer_upsert - see store.h.  registered is kept from the first
 * registration (c->registered, or now when 0); last_sync/last_report of
 * 0 keep the stored value.  Returns 0 or -1.
 */
int
store_computer_upsert(struct store *st, const struct store_computer *c)
{
	char key[STORE_GUID_LEN + 1];
	sqlite3_stmt *s;
	time_t now = time(NULL);

	if (c == NULL || !computer_terminated(c) ||
	    computer_key(c->computer_id, key) == -1) {
		log_warnx("%s: bad computer id or unterminated field",
		    __func__);
		return -1;
	}
	s = stmt_get(st, STMT_COMPUTER_UPSERT);
	if (sqlite3_bind_text(s, 1, key, -1, SQLITE_TRANSIENT) != SQLITE_OK ||
	    sqlite3_bind_text(s, 2, c->dns_name, -1, SQLITE_TRANSIENT) !=
	    SQLITE_OK ||
	    sqlite3_bind_text(s, 3, c->ip, -1, SQLITE_TRANSIENT) != SQLITE_OK ||
	    sqlite3_bind_text(s, 4, c->os_description, -1, SQLITE_TRANSIENT) !=
	    SQLITE_OK ||
	    sqlite3_bind_text(s, 5, c->client_version, -1, SQLITE_TRANSIENT) !=
	    SQLITE_OK ||
	    sqlite3_bind_text(s, 6, c->target_groups, -1, SQLITE_TRANSIENT) !=
	    SQLITE_OK ||
	    sqlite3_bind_int64(s, 7, (sqlite3_int64)(c->registered != 0 ?
	    c->registered : now)) != SQLITE_OK ||
	    computer_bind_time(s, 8, c->last_sync) != SQLITE_OK ||
	    computer_bind_time(s, 9, c->last_report) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 10, (sqlite3_int64)now) != SQLITE_OK ||
	    sqlite3_bind_int(s, 11, c->product_type) != SQLITE_OK)
		return stmt_bind_failed(st, s, __func__);
	return stmt_run(st, s, NULL, __func__) == -1 ? -1 : 0;
}

/* computer_fill - columns 0..8 of COMPUTER_GET/COMPUTER_EACH into *c. */
static int
computer_fill(sqlite3_stmt *s, struct store_computer *c)
{
	memset(c, 0, sizeof(*c));
	if (stmt_text(s, 0, c->computer_id, sizeof(c->computer_id)) == -1)
		return -1;
	/* Display text: a truncated copy is fine. */
	(void)stmt_text(s, 1, c->dns_name, sizeof(c->dns_name));
	(void)stmt_text(s, 2, c->ip, sizeof(c->ip));
	(void)stmt_text(s, 3, c->os_description, sizeof(c->os_description));
	(void)stmt_text(s, 4, c->client_version, sizeof(c->client_version));
	(void)stmt_text(s, 5, c->target_groups, sizeof(c->target_groups));
	c->last_sync = (time_t)sqlite3_column_int64(s, 6);
	c->last_report = (time_t)sqlite3_column_int64(s, 7);
	c->registered = (time_t)sqlite3_column_int64(s, 8);
	return 0;
}

int
store_computer_get(struct store *st, const char *computer_id,
    struct store_computer *c)
{
	char key[STORE_GUID_LEN + 1];
	sqlite3_stmt *s;
	int rc;

	if (computer_key(computer_id, key) == -1)
		return 0;
	if ((s = stmt_get_text(st, STMT_COMPUTER_GET, key, __func__)) == NULL)
		return -1;
	if ((rc = store_step(st, s, __func__)) == 1) {
		if (computer_fill(s, c) == -1) {
			log_warnx("%s: %s: malformed computer row", __func__,
			    st->path);
			rc = -1;
		} else
			c->product_type = sqlite3_column_int(s, 9);
	}
	stmt_release(s);
	return rc;
}

/*
 * store_computer_admit - see store.h.  BEGIN IMMEDIATE serialises the
 * count and the insert against every other writer, so two threads cannot
 * both take the last place.
 */
int
store_computer_admit(struct store *st, const char *computer_id,
    const char *from, time_t now, time_t window_s, unsigned max)
{
	char key[STORE_GUID_LEN + 1];
	sqlite3_stmt *s;
	int64_t n = 0;
	int rc = -1, r;

	if (computer_key(computer_id, key) == -1 || from == NULL ||
	    strlen(from) > 64)
		return -1;
	if (store_begin(st, __func__) == -1)
		return -1;
	if ((r = stmt_run_text(st, STMT_COMPUTER_REF, key, NULL,
	    __func__)) != 0) {
		rc = r == 1 ? 1 : -1;
		goto out;
	}
	if ((s = stmt_get_text(st, STMT_COMPUTER_NEW_FROM, from,
	    __func__)) == NULL)
		goto out;
	if (sqlite3_bind_int64(s, 2, (sqlite3_int64)(now - window_s)) !=
	    SQLITE_OK) {
		stmt_bind_failed(st, s, __func__);
		goto out;
	}
	if (stmt_run(st, s, &n, __func__) != 1)
		goto out;
	if (n >= (int64_t)max) {
		rc = -2;
		goto out;
	}
	if ((s = stmt_get_text(st, STMT_COMPUTER_ADMIT, key, __func__)) ==
	    NULL)
		goto out;
	if (sqlite3_bind_text(s, 2, from, -1, SQLITE_TRANSIENT) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 3, (sqlite3_int64)now) != SQLITE_OK) {
		stmt_bind_failed(st, s, __func__);
		goto out;
	}
	if (stmt_run(st, s, NULL, __func__) == -1 ||
	    store_commit(st, __func__) == -1)
		goto out;
	rc = 0;
out:
	/* 1 and -2 wrote nothing: end the transaction the same way. */
	if (rc == 1 || rc == -2) {
		store_rollback(st, __func__);
		return rc;
	}
	return store_end(st, rc, __func__);
}

/* store_computer_touch_sync - 0, -1, or -2 (no such computer). */
int
store_computer_touch_sync(struct store *st, const char *computer_id,
    time_t t)
{
	char key[STORE_GUID_LEN + 1];
	sqlite3_stmt *s;

	if (computer_key(computer_id, key) == -1)
		return -2;
	if ((s = stmt_get_text(st, STMT_COMPUTER_TOUCH_SYNC, key,
	    __func__)) == NULL)
		return -1;
	if (sqlite3_bind_int64(s, 2, (sqlite3_int64)t) != SQLITE_OK)
		return stmt_bind_failed(st, s, __func__);
	if (stmt_run(st, s, NULL, __func__) == -1)
		return -1;
	return sqlite3_changes(st->db) == 1 ? 0 : -2;
}

/*
 * computer_find - the row id of a computer named by id (any GUID
 * spelling) or else by DNS name (any case).  1, 0, -1.
 */
static int
computer_find(struct store *st, const char *computer, int64_t *ref)
{
	char key[STORE_GUID_LEN + 1];
	int rc;

	if (computer == NULL || computer[0] == '\0')
		return 0;
	if (computer_key(computer, key) == 0 &&
	    (rc = stmt_run_text(st, STMT_COMPUTER_REF, key, ref,
	    __func__)) != 0)
		return rc;
	if (strnlen(computer, STORE_NAME_MAX) >= STORE_NAME_MAX)
		return 0;
	return stmt_run_text(st, STMT_COMPUTER_BY_DNS, computer, ref,
	    __func__);
}

/* computer_member - add the membership (cref, gref) made by origin. */
static int
computer_member(struct store *st, int64_t cref, int64_t gref,
    const char *origin)
{
	sqlite3_stmt *s = stmt_get(st, STMT_COMPUTER_GROUP_INSERT);

	if (sqlite3_bind_int64(s, 1, cref) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 2, gref) != SQLITE_OK ||
	    sqlite3_bind_text(s, 3, origin, -1, SQLITE_STATIC) != SQLITE_OK)
		return stmt_bind_failed(st, s, __func__);
	return stmt_run(st, s, NULL, __func__) == -1 ? -1 : 0;
}

/*
 * store_computer_assign - see store.h.  Every membership goes, client-made
 * ones included, and the new one is the administrator's; an assignment to
 * Unassigned Computers is kept as a row too, so that it pins the computer
 * against client-side targeting like any other.
 */
/*
 * computer_audit_groups - the computer's memberships as a JSON object
 * {"groups":[...]} into j, for the before and after of a change to them.
 */
static int
computer_audit_groups(struct store *st, int64_t cref, struct audit_json *j,
    const char *caller)
{
	char list[STORE_AUDIT_VALUE_MAX - 64];

	audit_json_init(j);
	if (audit_list(st, STMT_AUDIT_MEMBERSHIPS, cref, list, sizeof(list),
	    caller) == -1)
		return -1;
	audit_json_raw(j, "groups", list);
	audit_json_end(j);
	return 0;
}

int
store_computer_assign(struct store *st, const char *computer,
    const char *group, const struct store_actor *who)
{
	struct store_group g;
	struct audit_json before, after;
	int64_t cref = 0, gref = 0;
	int rc = -1, r;

	if (!audit_actor_ok(who, __func__))
		return -1;
	if (store_begin(st, __func__) == -1)
		return -1;
	if ((r = computer_find(st, computer, &cref)) != 1) {
		rc = r == 0 ? -2 : -1;
		goto out;
	}
	if ((r = group_lookup(st, group, &g, &gref)) != 1) {
		rc = r == 0 ? -3 : -1;
		goto out;
	}
	if (computer_audit_groups(st, cref, &before, __func__) == -1)
		goto out;
	if (stmt_run_ints(st, STMT_COMPUTER_UNGROUP, &cref, 1, NULL,
	    __func__) == -1)
		goto out;
	if (computer_member(st, cref, gref, "admin") == -1 ||
	    computer_audit_groups(st, cref, &after, __func__) == -1 ||
	    audit_write(st, who, "computer.assign", computer, before.s,
	    after.s, __func__) == -1)
		goto out;
	/*
	 * No catalogue-generation bump: memberships are looked up per scan
	 * (store_computer_groups), not part of the scan snapshot, so moving
	 * computers never makes every thread rebuild it.
	 */
	if (store_commit(st, __func__) == -1)
		goto out;
	log_info("%s: %s: %s assigned to %s", __func__, st->path, computer,
	    g.name);
	rc = 0;
out:
	return store_end(st, rc, __func__);
}

/*
 * computer_membership - the body of store_computer_group_add/_remove:
 * find both, then add (an administrator's membership beside the others;
 * a pinned Unassigned Computers row goes, since the computer is now
 * assigned) or remove one membership.  Returns 0, -1, -2 (no computer),
 * -3 (no group), -4 (remove: not a member).
 */
static int
computer_membership(struct store *st, const char *computer, const char *group,
    int add, const struct store_actor *who, const char *caller)
{
	struct store_group g, un;
	struct audit_json before, after;
	int64_t cref = 0, gref = 0, uref = 0;
	int rc = -1, r;

	if (!audit_actor_ok(who, caller))
		return -1;
	if (store_begin(st, caller) == -1)
		return -1;
	if ((r = computer_find(st, computer, &cref)) != 1) {
		rc = r == 0 ? -2 : -1;
		goto out;
	}
	if ((r = group_lookup(st, group, &g, &gref)) != 1) {
		rc = r == 0 ? -3 : -1;
		goto out;
	}
	if (computer_audit_groups(st, cref, &before, caller) == -1)
		goto out;
	if (add) {
		if (strcmp(g.guid, STORE_GROUP_UNASSIGNED) != 0 &&
		    group_lookup(st, STORE_GROUP_UNASSIGNED, &un, &uref) == 1 &&
		    stmt_run_ints(st, STMT_COMPUTER_GROUP_DELETE,
		    (const int64_t[]){ cref, uref }, 2, NULL, caller) == -1)
			goto out;
		if (stmt_run_ints(st, STMT_COMPUTER_GROUP_ADMIN,
		    (const int64_t[]){ cref, gref }, 2, NULL, caller) == -1)
			goto out;
	} else {
		if (stmt_run_ints(st, STMT_COMPUTER_GROUP_DELETE,
		    (const int64_t[]){ cref, gref }, 2, NULL, caller) == -1)
			goto out;
		if (sqlite3_changes(st->db) == 0) {
			rc = -4;
			goto out;
		}
	}
	if (computer_audit_groups(st, cref, &after, caller) == -1 ||
	    audit_write(st, who, add ? "computer.group.add" :
	    "computer.group.remove", computer, before.s, after.s,
	    caller) == -1 ||
	    store_commit(st, caller) == -1)
		goto out;
	log_info("%s: %s: %s %s %s by %s", caller, st->path, computer,
	    add ? "added to" : "removed from", g.name, who->account);
	rc = 0;
out:
	return store_end(st, rc, caller);
}

int
store_computer_group_add(struct store *st, const char *computer,
    const char *group, const struct store_actor *who)
{
	return computer_membership(st, computer, group, 1, who, __func__);
}

int
store_computer_group_remove(struct store *st, const char *computer,
    const char *group, const struct store_actor *who)
{
	return computer_membership(st, computer, group, 0, who, __func__);
}

/*
 * store_computer_request - see store.h.  Server-side targeting answers
 * without taking the write lock.  The administrator's rows are read
 * inside the transaction that writes, so a concurrent `wsusutil assign`
 * is never undone.
 */
int
store_computer_request(struct store *st, const char *computer_id,
    const char *group_guid)
{
	char key[STORE_GUID_LEN + 1];
	struct store_settings set;
	struct store_group g;
	int64_t cref = 0, gref = 0, held = 0;
	int rc = -1, r;

	if (computer_key(computer_id, key) == -1)
		return -2;
	if (store_settings_get(st, &set) == -1)
		return -1;
	if (set.targeting != STORE_TARGETING_CLIENT)
		return STORE_REQUEST_SERVER_SIDE;
	if (store_begin(st, __func__) == -1)
		return -1;
	if ((r = stmt_run_text(st, STMT_COMPUTER_REF, key, &cref,
	    __func__)) != 1) {
		rc = r == 0 ? -2 : -1;
		goto out;
	}
	if (stmt_run_text(st, STMT_COMPUTER_ADMIN_HELD, key, &held,
	    __func__) != 1)
		goto out;
	if (held) {
		rc = STORE_REQUEST_ADMIN_ASSIGNED;
		goto done;
	}
	if (group_guid != NULL && group_guid[0] != '\0' &&
	    (r = group_lookup(st, group_guid, &g, &gref)) != 1) {
		rc = r == 0 ? -3 : -1;
		goto out;
	}
	if (stmt_run_ints(st, STMT_COMPUTER_UNGROUP_CLIENT, &cref, 1, NULL,
	    __func__) == -1)
		goto out;
	/* Unassigned Computers is the empty set of client-made groups. */
	if (gref != 0 && strcmp(g.guid, STORE_GROUP_UNASSIGNED) != 0 &&
	    computer_member(st, cref, gref, "client") == -1)
		goto out;
	if (store_commit(st, __func__) == -1)
		goto out;
	return STORE_REQUEST_APPLIED;
done:
	/* Nothing written: the read transaction just ends. */
	store_rollback(st, __func__);
	return rc;
out:
	return store_end(st, rc, __func__);
}

/*
 * store_computer_targets - see store.h.  Two reads outside any
 * transaction: a membership changing in between makes this scan see
 * either the old or the new groups, both of which were true.
 */
int
store_computer_targets(struct store *st, const char *computer_id,
    const char *requested, char (*out)[STORE_GUID_LEN + 1], int max)
{
	char key[STORE_GUID_LEN + 1];
	struct store_settings set;
	int64_t held = 1;
	int n;

	if (requested == NULL || requested[0] == '\0')
		return store_computer_groups(st, computer_id, out, max);
	if (store_settings_get(st, &set) == -1)
		return -1;
	if (set.targeting == STORE_TARGETING_CLIENT &&
	    computer_key(computer_id, key) == 0 &&
	    stmt_run_text(st, STMT_COMPUTER_ADMIN_HELD, key, &held,
	    __func__) == -1)
		return -1;
	if (set.targeting != STORE_TARGETING_CLIENT || held)
		return store_computer_groups(st, computer_id, out, max);
	/* A group deleted since the cookie was issued: the memberships. */
	if ((n = store_group_ancestors(st, requested, out, max)) != 0)
		return n;
	return store_computer_groups(st, computer_id, out, max);
}

/*
 * store_computer_groups - see store.h.  An unknown computer (or an id
 * that is no key) gets the default: Unassigned Computers, All Computers.
 * Returns the number of GUIDs written (at most max, nearest group first;
 * more are logged and dropped) or -1.
 */
int
store_computer_groups(struct store *st, const char *computer_id,
    char (*out)[STORE_GUID_LEN + 1], int max)
{
	char key[STORE_GUID_LEN + 1];

	if (computer_key(computer_id, key) == -1)
		key[0] = '\0';   /* matches no computer: the default */
	return group_guids(st, STMT_COMPUTER_GROUPS, key, out, max, __func__);
}

/*
 * store_computer_each - every computer by DNS name, with its direct
 * groups' names (", "-joined, truncated to fit; "Unassigned Computers"
 * when none) and its update counts by status (installed includes
 * installed-pending-reboot; needed is not installed).
 */
int
store_computer_each(struct store *st,
    int (*fn)(void *arg, const struct store_computer_row *r), void *arg)
{
	sqlite3_stmt *s = stmt_get(st, STMT_COMPUTER_EACH);
	struct store_computer_row row;
	int r, rc = -1;

	while ((r = store_step(st, s, __func__)) == 1) {
		if (computer_fill(s, &row.c) == -1) {
			log_warnx("%s: %s: malformed computer row", __func__,
			    st->path);
			goto out;
		}
		(void)stmt_text(s, 9, row.groups, sizeof(row.groups));
		row.installed = sqlite3_column_int(s, 10);
		row.needed = sqlite3_column_int(s, 11);
		row.failed = sqlite3_column_int(s, 12);
		row.downloaded = sqlite3_column_int(s, 13);
		row.c.product_type = sqlite3_column_int(s, 14);
		if (fn(arg, &row) != 0)
			goto out;
	}
	if (r == 0)
		rc = 0;
out:
	stmt_release(s);
	return rc;
}
