/*
 * membership.c - the admin console's group and membership changes
 * (console.h): deleting a custom group, adding a computer to one more
 * group, removing it from one.
 *
 * Owns: those writes, each one transaction.  The summaries follow by
 * the schema's triggers in the same transaction (a computer that loses
 * its last group is counted under Unassigned Computers again).  Never
 * deletes a built-in group or a group with subgroups, and never makes a
 * membership of All Computers or Unassigned Computers, which the server
 * keeps itself.
 */
#include <string.h>

#include "console.h"
#include "log.h"
#include "store_int.h"

/* The row id of computer_id (a key): 1, 0 (none), -1. */
static int
membership_computer(struct store *st, const char *computer_id, int64_t *cref)
{
	char key[STORE_GUID_LEN + 1];

	if (computer_id == NULL || computer_key(computer_id, key) == -1)
		return 0;
	return stmt_run_text(st, STMT_COMPUTER_REF, key, cref, __func__);
}

int
store_group_delete(struct store *st, const char *group_id,
    struct store_group *deleted)
{
	char id[STORE_GUID_LEN + 1];
	struct store_group g;
	int64_t gref = 0, kids = 0;
	int rc = -1, r;

	if (group_id == NULL || guid_canon(group_id, id) == -1)
		return -2;
	if (store_begin(st, __func__) == -1)
		return -1;
	if ((r = group_lookup(st, id, &g, &gref)) != 1) {
		rc = r == 0 ? -2 : -1;
		goto out;
	}
	if (g.builtin) {
		rc = -3;
		goto out;
	}
	if (stmt_run_ints(st, STMT_CONSOLE_GROUP_HAS_CHILDREN, &gref, 1, &kids,
	    __func__) != 1)
		goto out;
	if (kids) {
		rc = -4;
		goto out;
	}
	/* Memberships and approvals go by ON DELETE CASCADE. */
	if (stmt_run_ints(st, STMT_GROUP_DELETE, &gref, 1, NULL, __func__) ==
	    -1 || catalog_commit(st, __func__) == -1)
		goto out;
	log_info("%s: %s: group %s (%s) deleted", __func__, st->path, g.name,
	    g.guid);
	if (deleted != NULL)
		*deleted = g;
	rc = 0;
out:
	return store_end(st, rc, __func__);
}

/*
 * membership_edit - add (1) or remove (0) the administrator's membership
 * of computer_id in group_id, in one transaction.  Returns 0 changed,
 * 1 nothing to change, -1, -2 no computer, -3 no such (custom) group.
 */
static int
membership_edit(struct store *st, const char *computer_id,
    const char *group_id, int add, const char *caller)
{
	struct store_group g;
	int64_t cref = 0, gref = 0, uref = 0;
	int rc = -1, r;

	if (store_begin(st, caller) == -1)
		return -1;
	if ((r = membership_computer(st, computer_id, &cref)) != 1) {
		rc = r == 0 ? -2 : -1;
		goto out;
	}
	if (group_id == NULL || strlen(group_id) > STORE_GUID_LEN + 2 ||
	    (r = store_group_find_by_guid(st, group_id, &g)) == 0 ||
	    (r == 1 && (strcmp(g.guid, STORE_GROUP_ALL_COMPUTERS) == 0 ||
	    strcmp(g.guid, STORE_GROUP_UNASSIGNED) == 0))) {
		rc = -3;
		goto out;
	}
	if (r == -1 || group_lookup(st, g.guid, NULL, &gref) != 1)
		goto out;
	if (add) {
		/* An explicit Unassigned row would contradict the new one. */
		if (group_lookup(st, STORE_GROUP_UNASSIGNED, NULL, &uref) != 1 ||
		    stmt_run_ints(st, STMT_COMPUTER_GROUP_DELETE,
		    (const int64_t[]){ cref, uref }, 2, NULL, caller) == -1)
			goto out;
		{
			sqlite3_stmt *s = stmt_get(st, STMT_COMPUTER_GROUP_INSERT);

			if (sqlite3_bind_int64(s, 1, cref) != SQLITE_OK ||
			    sqlite3_bind_int64(s, 2, gref) != SQLITE_OK ||
			    sqlite3_bind_text(s, 3, "admin", -1, SQLITE_STATIC) !=
			    SQLITE_OK) {
				stmt_bind_failed(st, s, caller);
				goto out;
			}
			if (stmt_run(st, s, NULL, caller) == -1)
				goto out;
		}
	} else if (stmt_run_ints(st, STMT_COMPUTER_GROUP_DELETE,
	    (const int64_t[]){ cref, gref }, 2, NULL, caller) == -1)
		goto out;
	r = sqlite3_changes(st->db);
	if (store_commit(st, caller) == -1)
		goto out;
	if (r > 0)
		log_info("%s: %s: %s %s %s", caller, st->path, computer_id,
		    add ? "added to" : "removed from", g.name);
	rc = r > 0 ? 0 : 1;
out:
	return store_end(st, rc, caller);
}

int
store_computer_group_add(struct store *st, const char *computer_id,
    const char *group_id)
{
	return membership_edit(st, computer_id, group_id, 1, __func__);
}

int
store_computer_group_remove(struct store *st, const char *computer_id,
    const char *group_id)
{
	return membership_edit(st, computer_id, group_id, 0, __func__);
}
