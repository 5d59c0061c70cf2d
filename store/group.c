/*
 * group.c - computer target groups.
 *
 * Owns: target_groups (a tree rooted at All Computers, with the WSUS
 * built-ins made by the first migration): lookups by GUID or name, adding
 * groups, walking the tree.  Never deletes a built-in group (the schema's
 * trigger refuses it too), never makes a name that reads as a GUID (a
 * group argument may be either), never changes a parent (so the tree
 * cannot grow a cycle).
 */
#include <string.h>
#include <time.h>

#include "log.h"
#include "store_int.h"

/*
 * group_row - fill *g (may be NULL) and *ref (may be NULL) from the
 * current row of a GROUP_BY_GUID/GROUP_BY_NAME statement.  Returns 0, or
 * -1 after logging a row that is not ours.
 */
static int
group_row(struct store *st, sqlite3_stmt *s, struct store_group *g,
    int64_t *ref, const char *caller)
{
	struct store_group tmp;

	if (g == NULL)
		g = &tmp;
	if (stmt_text(s, 0, g->guid, sizeof(g->guid)) == -1 ||
	    stmt_text(s, 1, g->parent, sizeof(g->parent)) == -1 ||
	    stmt_text(s, 2, g->name, sizeof(g->name)) == -1) {
		log_warnx("%s: %s: malformed target group row", caller,
		    st->path);
		return -1;
	}
	g->builtin = sqlite3_column_int(s, 3);
	if (ref != NULL)
		*ref = sqlite3_column_int64(s, 4);
	return 0;
}

int
group_lookup(struct store *st, const char *name_or_guid,
    struct store_group *g, int64_t *ref)
{
	char id[STORE_GUID_LEN + 1];
	sqlite3_stmt *s;
	int rc;

	if (name_or_guid == NULL || name_or_guid[0] == '\0')
		return 0;
	if (guid_canon(name_or_guid, id) == 0)
		s = stmt_get_text(st, STMT_GROUP_BY_GUID, id, __func__);
	else if (strnlen(name_or_guid, STORE_GROUP_NAME_MAX) >=
	    STORE_GROUP_NAME_MAX)
		return 0;   /* longer than any name we store: cannot match */
	else
		s = stmt_get_text(st, STMT_GROUP_BY_NAME, name_or_guid,
		    __func__);
	if (s == NULL)
		return -1;
	if ((rc = store_step(st, s, __func__)) == 1 &&
	    group_row(st, s, g, ref, __func__) == -1)
		rc = -1;
	stmt_release(s);
	return rc;
}

int
store_group_find_by_guid(struct store *st, const char *guid,
    struct store_group *g)
{
	char id[STORE_GUID_LEN + 1];

	/* Not a GUID cannot name a group; the text may come from a peer. */
	if (guid == NULL || guid_canon(guid, id) == -1)
		return 0;
	return group_lookup(st, id, g, NULL);
}

int
store_group_find(struct store *st, const char *name_or_guid,
    struct store_group *g)
{
	return group_lookup(st, name_or_guid, g, NULL);
}

/*
 * group_name_ok - a name we accept for a new group: 1..255 bytes, no
 * control characters, no leading or trailing space, and not a GUID.
 */
static int
group_name_ok(const char *name)
{
	char id[STORE_GUID_LEN + 1];
	size_t len;

	if (name == NULL)
		return 0;
	len = strnlen(name, STORE_GROUP_NAME_MAX);
	if (len == 0 || len >= STORE_GROUP_NAME_MAX)
		return 0;
	if (name[0] == ' ' || name[len - 1] == ' ')
		return 0;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
			return 0;
	return guid_canon(name, id) == -1;
}

/*
 * store_group_add - see store.h.  Names follow group_name_ok (-1 and a
 * log line otherwise); the parent and the name are checked under the
 * write lock.  The GUID is a random v4, lowercase.
 */
int
store_group_add(struct store *st, const char *name, const char *parent,
    char guid_out[STORE_GUID_LEN + 1], const struct store_actor *who)
{
	char id[STORE_GUID_LEN + 1];
	struct store_group pg;
	struct audit_json after;
	sqlite3_stmt *s;
	int64_t pref = 0;
	int rc = -1, r;

	if (!audit_actor_ok(who, __func__))
		return -1;

	if (!group_name_ok(name)) {
		log_warnx("%s: bad group name (1..%d bytes, no control "
		    "characters or outer spaces, not a GUID)", __func__,
		    STORE_GROUP_NAME_MAX - 1);
		return -1;
	}
	if (parent == NULL || parent[0] == '\0')
		parent = STORE_GROUP_ALL_COMPUTERS;
	if (guid_new(id) == -1)
		return -1;
	if (store_begin(st, __func__) == -1)
		return -1;
	/* Both checks under the write lock: nobody adds the name between. */
	if ((r = group_lookup(st, parent, &pg, &pref)) != 1) {
		rc = r == 0 ? -2 : -1;
		goto out;
	}
	if ((r = group_lookup(st, name, NULL, NULL)) != 0) {
		rc = r == 1 ? -3 : -1;
		goto out;
	}
	s = stmt_get(st, STMT_GROUP_INSERT);
	if (sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT) != SQLITE_OK ||
	    sqlite3_bind_text(s, 2, name, -1, SQLITE_TRANSIENT) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 3, pref) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 4, (sqlite3_int64)time(NULL)) != SQLITE_OK) {
		stmt_bind_failed(st, s, __func__);
		goto out;
	}
	audit_json_init(&after);
	audit_json_str(&after, "name", name);
	audit_json_str(&after, "id", id);
	audit_json_str(&after, "parent", pg.name);
	if (stmt_run(st, s, NULL, __func__) == -1 ||
	    audit_write(st, who, "group.add", name, "",
	    audit_json_end(&after), __func__) == -1 ||
	    catalog_commit(st, __func__) == -1)
		goto out;
	if (guid_out != NULL)
		memcpy(guid_out, id, sizeof(id));
	log_info("%s: %s: group %s (%s) added", __func__, st->path, name, id);
	rc = 0;
out:
	return store_end(st, rc, __func__);
}

/*
 * store_group_del - see store.h.  The group's approvals and memberships
 * go with it (ON DELETE CASCADE); its computers fall back to their other
 * groups, or to Unassigned Computers.  A group with child groups is
 * refused rather than taking its subtree along.
 */
int
store_group_del(struct store *st, const char *name_or_guid,
    const struct store_actor *who)
{
	struct store_group g;
	struct audit_json before;
	int64_t gref = 0, children = 0;
	int rc = -1, r;

	if (!audit_actor_ok(who, __func__))
		return -1;
	if (store_begin(st, __func__) == -1)
		return -1;
	if ((r = group_lookup(st, name_or_guid, &g, &gref)) != 1) {
		rc = r == 0 ? -2 : -1;
		goto out;
	}
	if (g.builtin) {
		rc = -3;
		goto out;
	}
	if (stmt_run_ints(st, STMT_GROUP_CHILDREN, &gref, 1, &children,
	    __func__) == -1)
		goto out;
	if (children > 0) {
		rc = -4;
		goto out;
	}
	audit_json_init(&before);
	audit_json_str(&before, "name", g.name);
	audit_json_str(&before, "id", g.guid);
	audit_json_str(&before, "parent", g.parent);
	if (stmt_run_ints(st, STMT_GROUP_DELETE, &gref, 1, NULL,
	    __func__) == -1 ||
	    audit_write(st, who, "group.delete", g.name,
	    audit_json_end(&before), "", __func__) == -1 ||
	    catalog_commit(st, __func__) == -1)
		goto out;
	log_info("%s: %s: group %s (%s) deleted by %s", __func__, st->path,
	    g.name, g.guid, who->account);
	rc = 0;
out:
	return store_end(st, rc, __func__);
}

/*
 * store_group_each - see store.h: depth first from All Computers, siblings
 * by name (case-insensitive).  fn returning non-zero stops the walk (-1).
 */
int
store_group_each(struct store *st,
    int (*fn)(void *arg, const struct store_group *g), void *arg)
{
	sqlite3_stmt *s = stmt_get(st, STMT_GROUP_EACH);
	struct store_group g;
	int r, rc = -1;

	while ((r = store_step(st, s, __func__)) == 1) {
		memset(&g, 0, sizeof(g));
		if (group_row(st, s, &g, NULL, __func__) == -1 ||
		    fn(arg, &g) != 0)
			goto out;
	}
	if (r == 0)
		rc = 0;
out:
	stmt_release(s);
	return rc;
}

int
group_guids(struct store *st, enum stmt_id id, const char *key,
    char (*out)[STORE_GUID_LEN + 1], int max, const char *caller)
{
	sqlite3_stmt *s = stmt_get_text(st, id, key, caller);
	int n = 0, r;

	if (s == NULL)
		return -1;
	while ((r = store_step(st, s, caller)) == 1) {
		if (n >= max) {
			log_warnx("%s: %s: more than %d groups for %s", caller,
			    st->path, max, key);
			break;
		}
		if (stmt_text(s, 0, out[n], sizeof(out[n])) == -1) {
			log_warnx("%s: %s: malformed target group row",
			    caller, st->path);
			r = -1;
			break;
		}
		n++;
	}
	stmt_release(s);
	return r == -1 ? -1 : n;
}

/*
 * store_group_ancestors - see store.h.  group_guid may also be a group
 * name (client-side targeting names groups).  Returns the number of GUIDs
 * written (at most max; a deeper tree is truncated, logged), 0 for an
 * unknown group, or -1.
 */
int
store_group_ancestors(struct store *st, const char *group_guid,
    char (*out)[STORE_GUID_LEN + 1], int max)
{
	struct store_group g;
	int r;

	if ((r = group_lookup(st, group_guid, &g, NULL)) != 1)
		return r;
	return group_guids(st, STMT_GROUP_ANCESTORS, g.guid, out, max,
	    __func__);
}
