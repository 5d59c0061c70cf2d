/*
 * group.c - computer target groups.
 *
 * Owns: lookups in target_groups (a tree rooted at All Computers, with the
 * WSUS built-ins made by the first migration).  Never deletes a built-in
 * group (the schema's trigger refuses it too).
 */
#include <string.h>

#include "log.h"
#include "store_int.h"

/*
 * group_copy - copy column col of s, a text of at most len - 1 bytes, into
 * out.  Returns 0, or -1 if it is NULL or too long (not ours).
 */
static int
group_copy(sqlite3_stmt *s, int col, char *out, size_t len)
{
	const unsigned char *t = sqlite3_column_text(s, col);
	int n = sqlite3_column_bytes(s, col);

	if (t == NULL || n < 0 || (size_t)n >= len)
		return -1;
	memcpy(out, t, (size_t)n);
	out[n] = '\0';
	return 0;
}

int
store_group_find_by_guid(struct store *st, const char *guid,
    struct store_group *g)
{
	char id[STORE_GUID_LEN + 1];
	sqlite3_stmt *s = NULL;
	int rc;

	/* Not a GUID cannot name a group; the text may come from a peer. */
	if (guid_canon(guid, id) == -1)
		return 0;
	s = stmt_get(st, STMT_GROUP_BY_GUID);
	if (sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT) != SQLITE_OK) {
		log_warnx("%s: bind: %s", __func__, sqlite3_errmsg(st->db));
		rc = -1;
		goto out;
	}
	if ((rc = store_step(st, s, __func__)) != 1)
		goto out;
	if (group_copy(s, 0, g->guid, sizeof(g->guid)) == -1 ||
	    group_copy(s, 1, g->parent, sizeof(g->parent)) == -1 ||
	    group_copy(s, 2, g->name, sizeof(g->name)) == -1) {
		log_warnx("%s: %s: malformed target group %s", __func__,
		    st->path, id);
		rc = -1;
		goto out;
	}
	g->builtin = sqlite3_column_int(s, 3);
out:
	stmt_release(s);
	return rc;
}
