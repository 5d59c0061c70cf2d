/*
 * console.c - the admin console's queries (console.h): updates and
 * computers under a scope, per-update and per-computer summaries,
 * approvals, installation states, event history, home-page counters.
 *
 * Owns: binding a scope to the fixed statements of stmt.c (?101..?115
 * for an UpdateScope, ?201..?210 for a ComputerTargetScope) and choosing
 * between a summary table and a live count.  The summary tables are
 * written by the schema's triggers (schema version 5), never here: this
 * file only reads.  Every function is one read transaction's worth of
 * statements; none writes.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "console.h"
#include "log.h"
#include "store_int.h"

void
store_update_scope_init(struct store_update_scope *s)
{
	memset(s, 0, sizeof(*s));
	s->publication = STORE_PUB_PUBLISHED;
	s->revision_number = -1;
}

void
store_computer_scope_init(struct store_computer_scope *s)
{
	memset(s, 0, sizeof(*s));
	s->include_subgroups = 1;
}

int
store_update_scope_is_all(const struct store_update_scope *s)
{
	struct store_update_scope all;

	store_update_scope_init(&all);
	all.publication = s->publication;
	return memcmp(s, &all, sizeof(all)) == 0;
}

/* Bind text, or NULL for "". */
static int
console_bind_opt(sqlite3_stmt *s, int i, const char *text)
{
	if (text == NULL || text[0] == '\0')
		return sqlite3_bind_null(s, i);
	return sqlite3_bind_text(s, i, text, -1, SQLITE_TRANSIENT);
}

/* Bind a time, or NULL for 0. */
static int
console_bind_time(sqlite3_stmt *s, int i, time_t t)
{
	return t == 0 ? sqlite3_bind_null(s, i) :
	    sqlite3_bind_int64(s, i, (sqlite3_int64)t);
}

/* Bind ASCII-lowercased text (the statements lower() the columns). */
static int
console_bind_lower(sqlite3_stmt *s, int i, const char *text)
{
	char low[STORE_SCOPE_TEXT_MAX];
	size_t n = strnlen(text, sizeof(low) - 1);

	for (size_t k = 0; k < n; k++)
		low[k] = (char)tolower((unsigned char)text[k]);
	low[n] = '\0';
	return console_bind_opt(s, i, low);
}

static int
console_bind_update(sqlite3_stmt *s, const struct store_update_scope *u)
{
	unsigned actions = u->approval_actions;

	/* Approved for the listed groups: install or uninstall, unless narrowed. */
	if (u->approved_groups[0] != '\0' && actions == 0)
		actions = STORE_APPROVAL_INSTALL | STORE_APPROVAL_UNINSTALL;
	if (sqlite3_bind_int(s, 101, (int)u->publication) != SQLITE_OK ||
	    sqlite3_bind_int(s, 102, (int)(u->approved_states & 0xf)) != SQLITE_OK ||
	    console_bind_time(s, 103, u->from_arrival) != SQLITE_OK ||
	    console_bind_time(s, 104, u->to_arrival) != SQLITE_OK ||
	    console_bind_lower(s, 105, u->text_includes) != SQLITE_OK ||
	    console_bind_lower(s, 106, u->text_not_includes) != SQLITE_OK ||
	    console_bind_opt(s, 107, u->classifications) != SQLITE_OK ||
	    console_bind_opt(s, 108, u->categories) != SQLITE_OK ||
	    console_bind_opt(s, 109, u->approved_groups) != SQLITE_OK ||
	    sqlite3_bind_int(s, 110, (int)actions) != SQLITE_OK ||
	    sqlite3_bind_int(s, 111, u->infrastructure_only != 0) != SQLITE_OK ||
	    sqlite3_bind_int(s, 112, (int)u->states_in) != SQLITE_OK ||
	    sqlite3_bind_int(s, 113, (int)u->states_out) != SQLITE_OK ||
	    console_bind_opt(s, 114, u->update_id) != SQLITE_OK ||
	    (u->update_id[0] != '\0' && u->revision_number >= 0 ?
	    sqlite3_bind_int(s, 115, u->revision_number) :
	    sqlite3_bind_null(s, 115)) != SQLITE_OK)
		return -1;
	return 0;
}

static int
console_bind_computer(sqlite3_stmt *s, const struct store_computer_scope *c)
{
	char key[STORE_GUID_LEN + 1] = "";

	/* An id that is no key matches nothing: bind it as given. */
	if (c->computer_id[0] != '\0' && computer_key(c->computer_id, key) == -1)
		snprintf(key, sizeof(key), "%s", "-");
	if (console_bind_lower(s, 201, c->name_includes) != SQLITE_OK ||
	    console_bind_opt(s, 202, c->groups) != SQLITE_OK ||
	    sqlite3_bind_int(s, 203, c->include_subgroups != 0) != SQLITE_OK ||
	    console_bind_time(s, 204, c->from_sync) != SQLITE_OK ||
	    console_bind_time(s, 205, c->to_sync) != SQLITE_OK ||
	    console_bind_time(s, 206, c->from_report) != SQLITE_OK ||
	    console_bind_time(s, 207, c->to_report) != SQLITE_OK ||
	    sqlite3_bind_int(s, 208, (int)c->states_in) != SQLITE_OK ||
	    sqlite3_bind_int(s, 209, (int)c->states_out) != SQLITE_OK ||
	    console_bind_opt(s, 210, key) != SQLITE_OK)
		return -1;
	return 0;
}

/*
 * console_get - statement id with the scopes bound (either may be NULL
 * when the statement has no such parameters).  NULL after logging.
 */
static sqlite3_stmt *
console_get(struct store *st, enum stmt_id id,
    const struct store_update_scope *us, const struct store_computer_scope *cs,
    const char *caller)
{
	sqlite3_stmt *s = stmt_get(st, id);

	if ((us != NULL && console_bind_update(s, us) == -1) ||
	    (cs != NULL && console_bind_computer(s, cs) == -1)) {
		stmt_bind_failed(st, s, caller);
		return NULL;
	}
	return s;
}

/* Column text, "" for NULL (display text; never a key). */
static const char *
console_col(sqlite3_stmt *s, int col)
{
	const unsigned char *t = sqlite3_column_text(s, col);

	return t != NULL ? (const char *)t : "";
}

/* The console's name of a schema category type. */
static const char *
console_category_type(const char *t)
{
	static const struct { const char *schema, *wire; } types[] = {
		{ "company", "Company" },
		{ "product_family", "ProductFamily" },
		{ "product", "Product" },
		{ "update_classification", "UpdateClassification" },
	};

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(t, types[i].schema) == 0)
			return types[i].wire;
	return "";
}

/*
 * console_each - step s (bound) to its end, calling row(st, s, arg) per
 * row; release s.  Returns the number of rows or -1.
 */
static int
console_each(struct store *st, sqlite3_stmt *s,
    int (*row)(struct store *, sqlite3_stmt *, void *), void *arg,
    const char *caller)
{
	int r, n = 0;

	if (s == NULL)
		return -1;
	while ((r = store_step(st, s, caller)) == 1) {
		if (row(st, s, arg) != 0) {
			r = -1;
			break;
		}
		n++;
	}
	stmt_release(s);
	return r == 0 ? n : -1;
}

struct console_cb {
	int (*upd)(void *, const struct store_console_update *);
	int (*cat)(void *, const struct store_console_category *);
	int (*sum)(void *, const struct store_console_summary *);
	int (*dep)(void *, const struct store_console_deployment *);
	int (*comp)(void *, const struct store_console_computer *);
	int (*mem)(void *, const char *, const char *);
	int (*inst)(void *, const struct store_console_install *);
	int (*ev)(void *, const struct store_console_event *);
	void *arg;
};

static int
console_update_row(struct store *st, sqlite3_stmt *s, void *p)
{
	struct console_cb *cb = p;
	struct store_console_update u;

	memset(&u, 0, sizeof(u));
	if (stmt_text(s, 0, u.update_id, sizeof(u.update_id)) == -1) {
		log_warnx("%s: %s: malformed update row", __func__, st->path);
		return -1;
	}
	u.revision_number = sqlite3_column_int(s, 1);
	u.revision_id = sqlite3_column_int64(s, 2);
	u.local_id = sqlite3_column_int64(s, 3);
	u.is_leaf = sqlite3_column_int(s, 4);
	u.is_driver = sqlite3_column_int(s, 5);
	u.expired = sqlite3_column_int(s, 6);
	u.approved = sqlite3_column_int(s, 7);
	u.declined = sqlite3_column_int(s, 8);
	u.is_latest = sqlite3_column_int(s, 9);
	u.supersedes = sqlite3_column_int(s, 10);
	u.superseded = sqlite3_column_int(s, 11);
	u.has_earlier = sqlite3_column_int(s, 12);
	u.arrival = (time_t)sqlite3_column_int64(s, 13);
	u.title = console_col(s, 14);
	return cb->upd(cb->arg, &u);
}

static int
console_category_row(struct store *st, sqlite3_stmt *s, void *p)
{
	struct console_cb *cb = p;
	struct store_console_category c;

	(void)st;
	c.revision_id = sqlite3_column_int64(s, 0);
	c.type = console_category_type(console_col(s, 1));
	c.title = console_col(s, 2);
	return cb->cat(cb->arg, &c);
}

int
store_console_updates(struct store *st, const struct store_update_scope *us,
    int (*fn)(void *, const struct store_console_update *),
    int (*cat_fn)(void *, const struct store_console_category *), void *arg)
{
	struct console_cb cb = { .upd = fn, .cat = cat_fn, .arg = arg };
	int n;

	n = console_each(st, console_get(st, STMT_CONSOLE_UPDATES, us, NULL,
	    __func__), console_update_row, &cb, __func__);
	if (n > 0 && cat_fn != NULL &&
	    console_each(st, console_get(st, STMT_CONSOLE_UPDATE_CATEGORIES, us,
	    NULL, __func__), console_category_row, &cb, __func__) == -1)
		return -1;
	return n;
}

/* One count(*) statement: the count or -1. */
static int
console_count(struct store *st, enum stmt_id id,
    const struct store_update_scope *us, const struct store_computer_scope *cs,
    const char *caller)
{
	sqlite3_stmt *s = console_get(st, id, us, cs, caller);
	int64_t v = 0;

	if (s == NULL || stmt_run(st, s, &v, caller) != 1)
		return -1;
	return v > INT32_MAX ? INT32_MAX : (int)v;
}

int
store_console_update_count(struct store *st, const struct store_update_scope *us)
{
	return console_count(st, STMT_CONSOLE_UPDATE_COUNT, us, NULL, __func__);
}

static int
console_summary_row(struct store *st, sqlite3_stmt *s, void *p)
{
	struct console_cb *cb = p;
	struct store_console_summary r;
	int state = sqlite3_column_int(s, 1);

	(void)st;
	r.key = console_col(s, 0);
	r.state = state >= 0 && state < STORE_STATE__COUNT ?
	    (enum store_inst_state)state : STORE_STATE_UNKNOWN;
	r.count = sqlite3_column_int64(s, 2);
	r.changed = (time_t)sqlite3_column_int64(s, 3);
	return cb->sum(cb->arg, &r);
}

/*
 * console_summary_group - the one group whose update_group_summary rows
 * answer computer scope cs, into *gref: 1 found, 0 when cs needs a live
 * count (a filter other than groups, several groups, or a group whose
 * direct members differ from its tree), -1 on error.
 */
static int
console_summary_group(struct store *st, const struct store_computer_scope *cs,
    int64_t *gref)
{
	struct store_computer_scope only;
	struct store_group g;
	int64_t kids = 0;
	int r;

	store_computer_scope_init(&only);
	only.include_subgroups = cs->include_subgroups;
	memcpy(only.groups, cs->groups, sizeof(only.groups));
	if (memcmp(&only, cs, sizeof(only)) != 0)
		return 0;
	if (cs->groups[0] == '\0')
		return group_lookup(st, STORE_GROUP_ALL_COMPUTERS, NULL, gref);
	if (strlen(cs->groups) != STORE_GUID_LEN)
		return 0;
	if ((r = group_lookup(st, cs->groups, &g, gref)) != 1)
		return r;   /* 0: no such group, counted live (as nothing) */
	if (cs->include_subgroups ||
	    strcmp(g.guid, STORE_GROUP_ALL_COMPUTERS) == 0)
		return 1;
	if (stmt_run_ints(st, STMT_CONSOLE_GROUP_HAS_CHILDREN, gref, 1, &kids,
	    __func__) != 1)
		return -1;
	return kids == 0;
}

int
store_console_update_summaries(struct store *st,
    const struct store_update_scope *us, const struct store_computer_scope *cs,
    int (*fn)(void *, const struct store_console_summary *), void *arg,
    int *live)
{
	struct console_cb cb = { .sum = fn, .arg = arg };
	sqlite3_stmt *s;
	int64_t gref = 0;
	int r;

	*live = 0;
	if ((r = console_summary_group(st, cs, &gref)) == -1)
		return -1;
	if (r == 1) {
		if ((s = console_get(st, STMT_CONSOLE_SUMMARY_UPDATE, us, NULL,
		    __func__)) == NULL)
			return -1;
		if (sqlite3_bind_int64(s, 301, gref) != SQLITE_OK)
			return stmt_bind_failed(st, s, __func__);
	} else {
		*live = 1;
		s = console_get(st, STMT_CONSOLE_SUMMARY_UPDATE_LIVE, us, cs,
		    __func__);
	}
	return console_each(st, s, console_summary_row, &cb, __func__);
}

int
store_console_computer_summaries(struct store *st,
    const struct store_update_scope *us, const struct store_computer_scope *cs,
    int (*fn)(void *, const struct store_console_summary *), void *arg,
    int *live)
{
	struct console_cb cb = { .sum = fn, .arg = arg };
	sqlite3_stmt *s;

	/* computer_summary counts every reported update, published or not. */
	*live = !store_update_scope_is_all(us) || us->publication != STORE_PUB_ANY;
	if (!*live)
		s = console_get(st, STMT_CONSOLE_SUMMARY_COMPUTER, NULL, cs,
		    __func__);
	else
		s = console_get(st, STMT_CONSOLE_SUMMARY_COMPUTER_LIVE, us, cs,
		    __func__);
	return console_each(st, s, console_summary_row, &cb, __func__);
}

/* Fill *d from a STMT_DEPLOYMENT_COLS row. */
static int
console_deployment_fill(struct store *st, sqlite3_stmt *s,
    struct store_console_deployment *d)
{
	const char *action = console_col(s, 4);

	memset(d, 0, sizeof(*d));
	d->deployment_id = sqlite3_column_int64(s, 0);
	if (stmt_text(s, 1, d->update_id, sizeof(d->update_id)) == -1 ||
	    stmt_text(s, 3, d->group_id, sizeof(d->group_id)) == -1) {
		log_warnx("%s: %s: malformed deployment row", __func__, st->path);
		return -1;
	}
	d->revision_number = sqlite3_column_int(s, 2);
	d->action = strcmp(action, "install") == 0 ? STORE_ACTION_INSTALL :
	    strcmp(action, "uninstall") == 0 ? STORE_ACTION_UNINSTALL :
	    STORE_ACTION_NOT_APPROVED;
	d->is_assigned = sqlite3_column_int(s, 5);
	d->created = (time_t)sqlite3_column_int64(s, 6);
	d->deadline = (time_t)sqlite3_column_int64(s, 7);
	d->admin = console_col(s, 8);
	return 0;
}

static int
console_deployment_row(struct store *st, sqlite3_stmt *s, void *p)
{
	struct console_cb *cb = p;
	struct store_console_deployment d;

	if (console_deployment_fill(st, s, &d) == -1)
		return -1;
	return cb->dep(cb->arg, &d);
}

int
store_console_deployments(struct store *st, const struct store_update_scope *us,
    int (*fn)(void *, const struct store_console_deployment *), void *arg)
{
	struct console_cb cb = { .dep = fn, .arg = arg };

	return console_each(st, console_get(st, STMT_CONSOLE_DEPLOYMENTS, us,
	    NULL, __func__), console_deployment_row, &cb, __func__);
}

int
store_console_deployment_get(struct store *st, const char *update_id,
    const char *group_id, struct store_console_deployment *d, char *admin,
    size_t admin_len)
{
	char uid[STORE_GUID_LEN + 1], gid[STORE_GUID_LEN + 1];
	sqlite3_stmt *s;
	int rc;

	if (guid_canon(update_id, uid) == -1 || guid_canon(group_id, gid) == -1)
		return 0;
	s = stmt_get(st, STMT_CONSOLE_DEPLOYMENT_GET);
	if (sqlite3_bind_text(s, 1, uid, -1, SQLITE_TRANSIENT) != SQLITE_OK ||
	    sqlite3_bind_text(s, 2, gid, -1, SQLITE_TRANSIENT) != SQLITE_OK)
		return stmt_bind_failed(st, s, __func__);
	if ((rc = store_step(st, s, __func__)) == 1) {
		if (console_deployment_fill(st, s, d) == -1)
			rc = -1;
		else {
			snprintf(admin, admin_len, "%s", d->admin);
			d->admin = admin;
		}
	}
	stmt_release(s);
	return rc;
}

static int
console_computer_row(struct store *st, sqlite3_stmt *s, void *p)
{
	struct console_cb *cb = p;
	struct store_console_computer c;

	memset(&c, 0, sizeof(c));
	c.ref = sqlite3_column_int64(s, 0);
	if (stmt_text(s, 1, c.computer_id, sizeof(c.computer_id)) == -1) {
		log_warnx("%s: %s: malformed computer row", __func__, st->path);
		return -1;
	}
	c.last_sync = (time_t)sqlite3_column_int64(s, 2);
	c.last_report = (time_t)sqlite3_column_int64(s, 3);
	c.ip = console_col(s, 4);
	c.dns_name = console_col(s, 5);
	c.os_major = sqlite3_column_int(s, 6);
	c.os_minor = sqlite3_column_int(s, 7);
	c.os_build = sqlite3_column_int(s, 8);
	c.sp_major = sqlite3_column_int(s, 9);
	c.sp_minor = sqlite3_column_int(s, 10);
	c.os_locale = console_col(s, 11);
	c.make = console_col(s, 12);
	c.model = console_col(s, 13);
	c.bios_version = console_col(s, 14);
	c.bios_name = console_col(s, 15);
	c.bios_date = (time_t)sqlite3_column_int64(s, 16);
	c.arch = console_col(s, 17);
	c.requested_groups = console_col(s, 18);
	c.suite_mask = sqlite3_column_int(s, 19);
	c.old_product_type = sqlite3_column_int(s, 20);
	c.new_product_type = sqlite3_column_int(s, 21);
	c.system_metrics = sqlite3_column_int(s, 22);
	c.client_version = console_col(s, 23);
	c.os_description = console_col(s, 24);
	c.oem = console_col(s, 25);
	c.device_type = console_col(s, 26);
	c.firmware = console_col(s, 27);
	c.mobile_operator = console_col(s, 28);
	return cb->comp(cb->arg, &c);
}

int
store_console_computers(struct store *st, const struct store_computer_scope *cs,
    int (*fn)(void *, const struct store_console_computer *), void *arg)
{
	struct console_cb cb = { .comp = fn, .arg = arg };

	return console_each(st, console_get(st, STMT_CONSOLE_COMPUTERS, NULL, cs,
	    __func__), console_computer_row, &cb, __func__);
}

static int
console_membership_row(struct store *st, sqlite3_stmt *s, void *p)
{
	struct console_cb *cb = p;

	(void)st;
	return cb->mem(cb->arg, console_col(s, 0), console_col(s, 1));
}

int
store_console_memberships(struct store *st, const struct store_computer_scope *cs,
    int (*fn)(void *, const char *, const char *), void *arg)
{
	struct console_cb cb = { .mem = fn, .arg = arg };

	return console_each(st, console_get(st, STMT_CONSOLE_MEMBERSHIPS, NULL,
	    cs, __func__), console_membership_row, &cb, __func__);
}

int
store_console_computer_count(struct store *st, const struct store_computer_scope *cs)
{
	return console_count(st, STMT_CONSOLE_COMPUTER_COUNT, NULL, cs, __func__);
}

static int
console_install_row(struct store *st, sqlite3_stmt *s, void *p)
{
	struct console_cb *cb = p;
	struct store_console_install r;
	const char *dep = console_col(s, 2);
	int state = sqlite3_column_int(s, 1);

	memset(&r, 0, sizeof(r));
	if (stmt_text(s, 0, r.update_id, sizeof(r.update_id)) == -1) {
		log_warnx("%s: %s: malformed status row", __func__, st->path);
		return -1;
	}
	r.state = state >= 0 && state < STORE_STATE__COUNT ?
	    (enum store_inst_state)state : STORE_STATE_UNKNOWN;
	/* "<action digit><group GUID>", or "" when nothing applies. */
	r.action = 2;
	if (strlen(dep) == 1 + STORE_GUID_LEN) {
		r.action = dep[0] - '0';
		memcpy(r.group_id, dep + 1, STORE_GUID_LEN + 1);
	}
	return cb->inst(cb->arg, &r);
}

int
store_console_installs(struct store *st, const char *computer_id,
    const struct store_update_scope *us,
    int (*fn)(void *, const struct store_console_install *), void *arg)
{
	struct console_cb cb = { .inst = fn, .arg = arg };
	char key[STORE_GUID_LEN + 1];
	sqlite3_stmt *s;
	int64_t cref = 0;
	int r;

	if (computer_key(computer_id, key) == -1)
		return -2;
	if ((r = stmt_run_text(st, STMT_COMPUTER_REF, key, &cref, __func__)) != 1)
		return r == 0 ? -2 : -1;
	if ((s = console_get(st, STMT_CONSOLE_INSTALLS, us, NULL, __func__)) ==
	    NULL)
		return -1;
	if (sqlite3_bind_int64(s, 1, cref) != SQLITE_OK)
		return stmt_bind_failed(st, s, __func__);
	return console_each(st, s, console_install_row, &cb, __func__);
}

static int
console_event_row(struct store *st, sqlite3_stmt *s, void *p)
{
	struct console_cb *cb = p;
	struct store_console_event e;

	memset(&e, 0, sizeof(e));
	if (stmt_text(s, 0, e.instance_id, sizeof(e.instance_id)) == -1 ||
	    stmt_text(s, 1, e.computer_id, sizeof(e.computer_id)) == -1) {
		log_warnx("%s: %s: malformed event row", __func__, st->path);
		return -1;
	}
	(void)stmt_text(s, 2, e.update_id, sizeof(e.update_id));
	e.revision_number = sqlite3_column_int(s, 3);
	e.event_id = sqlite3_column_int(s, 4);
	e.namespace_id = sqlite3_column_int(s, 5);
	e.source_id = sqlite3_column_int(s, 6);
	e.time_at_target = (time_t)sqlite3_column_int64(s, 7);
	e.received = (time_t)sqlite3_column_int64(s, 8);
	e.hresult = sqlite3_column_int64(s, 9);
	e.app_name = console_col(s, 10);
	e.message = console_col(s, 11);
	return cb->ev(cb->arg, &e);
}

int
store_console_events(struct store *st, const struct store_event_filter *f,
    int (*fn)(void *, const struct store_console_event *), void *arg)
{
	struct console_cb cb = { .ev = fn, .arg = arg };
	char key[STORE_GUID_LEN + 1] = "", uid[STORE_GUID_LEN + 1] = "";
	sqlite3_stmt *s = stmt_get(st, STMT_CONSOLE_EVENTS);

	if (f->computer_id[0] != '\0' && computer_key(f->computer_id, key) == -1)
		snprintf(key, sizeof(key), "-");
	if (f->update_id[0] != '\0' && guid_canon(f->update_id, uid) == -1)
		snprintf(uid, sizeof(uid), "-");
	if (console_bind_time(s, 1, f->from_target) != SQLITE_OK ||
	    console_bind_time(s, 2, f->to_target) != SQLITE_OK ||
	    console_bind_time(s, 3, f->from_server) != SQLITE_OK ||
	    console_bind_time(s, 4, f->to_server) != SQLITE_OK ||
	    console_bind_opt(s, 5, key) != SQLITE_OK ||
	    console_bind_opt(s, 6, uid) != SQLITE_OK ||
	    console_bind_opt(s, 7, f->event_ids) != SQLITE_OK ||
	    console_bind_opt(s, 8, f->instance_ids) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 9, f->max_rows) != SQLITE_OK)
		return stmt_bind_failed(st, s, __func__);
	return console_each(st, s, console_event_row, &cb, __func__);
}

int
store_console_status(struct store *st, const struct store_update_scope *us,
    const struct store_computer_scope *cs, struct store_console_status *o)
{
	sqlite3_stmt *s;
	int rc = -1;

	memset(o, 0, sizeof(*o));
	if ((s = console_get(st, STMT_CONSOLE_STATUS_UPDATES, us, NULL,
	    __func__)) == NULL)
		return -1;
	if (store_step(st, s, __func__) != 1)
		goto out;
	o->updates = sqlite3_column_int64(s, 0);
	o->declined = sqlite3_column_int64(s, 1);
	o->not_approved = sqlite3_column_int64(s, 2);
	o->expired = sqlite3_column_int64(s, 3);
	o->critical_security_not_approved = sqlite3_column_int64(s, 4);
	o->with_client_errors = sqlite3_column_int64(s, 5);
	o->approved = sqlite3_column_int64(s, 6);
	o->updates_needed_by_computers = sqlite3_column_int64(s, 7);
	o->custom_groups = sqlite3_column_int64(s, 8);
	o->updates_up_to_date = o->updates - o->updates_needed_by_computers -
	    o->with_client_errors;
	if (o->updates_up_to_date < 0)
		o->updates_up_to_date = 0;
	stmt_release(s);
	if ((s = console_get(st, STMT_CONSOLE_STATUS_COMPUTERS, NULL, cs,
	    __func__)) == NULL)
		return -1;
	if (store_step(st, s, __func__) != 1)
		goto out;
	o->computers = sqlite3_column_int64(s, 0);
	o->computers_needing = sqlite3_column_int64(s, 1);
	o->computers_with_errors = sqlite3_column_int64(s, 2);
	o->computers_up_to_date = sqlite3_column_int64(s, 3);
	rc = 0;
out:
	stmt_release(s);
	return rc;
}
