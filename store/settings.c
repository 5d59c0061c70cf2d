/*
 * settings.c - server settings an administrator may change while the
 * daemon runs: the targeting mode and the event retention.
 *
 * Owns: the server_settings row.  wsusd.conf seeds it at every daemon
 * start (store_settings_seed); the admin API (a later ExecuteSPSetConfiguration)
 * sets the targeting mode with store_targeting_set, and from then on that
 * value wins over wsusd.conf's, across restarts, as a setting made in the
 * WSUS console stays whatever a file says.  Every reader goes to the row
 * (one indexed read), so a change applies to the next request without any
 * cache to invalidate.  Never decides what a setting means: computer.c
 * (targeting) and report.c (retention) do.
 */
#include <string.h>
#include <time.h>

#include "log.h"
#include "store_int.h"

static const char *const settings_targeting[] = {
	[STORE_TARGETING_SERVER] = "server",
	[STORE_TARGETING_CLIENT] = "client",
};

const char *
store_targeting_name(enum store_targeting t)
{
	return (unsigned)t <= STORE_TARGETING_CLIENT ? settings_targeting[t] :
	    "?";
}

int
store_settings_get(struct store *st, struct store_settings *s)
{
	sqlite3_stmt *q = stmt_get(st, STMT_SETTINGS_GET);
	const char *t, *src;
	int rc;

	memset(s, 0, sizeof(*s));
	if ((rc = store_step(st, q, __func__)) == 1) {
		t = (const char *)sqlite3_column_text(q, 0);
		src = (const char *)sqlite3_column_text(q, 1);
		s->targeting = t != NULL && strcmp(t, "client") == 0 ?
		    STORE_TARGETING_CLIENT : STORE_TARGETING_SERVER;
		s->targeting_by_admin = src != NULL && strcmp(src, "admin") == 0;
		s->event_days_workstation = (unsigned)sqlite3_column_int(q, 2);
		s->event_days_server = (unsigned)sqlite3_column_int(q, 3);
	} else if (rc == 0) {
		log_warnx("%s: %s: no server_settings row", __func__, st->path);
	}
	stmt_release(q);
	return rc == 1 ? 0 : -1;
}

/* settings_json - the settings as an audit value. */
static const char *
settings_json(const struct store_settings *v, struct audit_json *j)
{
	audit_json_init(j);
	audit_json_str(j, "targeting", store_targeting_name(v->targeting));
	audit_json_str(j, "targeting_source", v->targeting_by_admin ?
	    "admin" : "config");
	audit_json_int(j, "event_days_workstation",
	    (int64_t)v->event_days_workstation);
	audit_json_int(j, "event_days_server", (int64_t)v->event_days_server);
	return audit_json_end(j);
}

/*
 * store_settings_seed - see store.h.  In one transaction: the values
 * before, the write, the values after and, when they differ, the audit
 * row (a restart with an unchanged wsusd.conf changes nothing and writes
 * no row).
 */
int
store_settings_seed(struct store *st, const struct store_settings *conf,
    struct store_settings *out, const struct store_actor *who)
{
	struct store_settings was, now;
	struct audit_json jb, ja;
	sqlite3_stmt *q;
	int rc = -1;

	if (!audit_actor_ok(who, __func__))
		return -1;
	if (store_begin(st, __func__) == -1)
		return -1;
	if (store_settings_get(st, &was) == -1)
		goto out;
	q = stmt_get(st, STMT_SETTINGS_SEED);
	if (sqlite3_bind_text(q, 1, store_targeting_name(conf->targeting), -1,
	    SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_int(q, 2, (int)conf->event_days_workstation) !=
	    SQLITE_OK ||
	    sqlite3_bind_int(q, 3, (int)conf->event_days_server) != SQLITE_OK ||
	    sqlite3_bind_int64(q, 4, (sqlite3_int64)time(NULL)) != SQLITE_OK) {
		stmt_bind_failed(st, q, __func__);
		goto out;
	}
	if (stmt_run(st, q, NULL, __func__) == -1 ||
	    store_settings_get(st, &now) == -1)
		goto out;
	if (memcmp(&was, &now, sizeof(was)) != 0 &&
	    audit_write(st, who, "settings.seed", "server_settings",
	    settings_json(&was, &jb), settings_json(&now, &ja),
	    __func__) == -1)
		goto out;
	if (store_commit(st, __func__) == -1)
		goto out;
	if (now.targeting != conf->targeting)
		log_info("%s: %s: targeting stays %s (set through the admin "
		    "API), not %s as wsusd.conf says", __func__, st->path,
		    store_targeting_name(now.targeting),
		    store_targeting_name(conf->targeting));
	if (out != NULL)
		*out = now;
	rc = 0;
out:
	return store_end(st, rc, __func__);
}

int
store_targeting_set(struct store *st, enum store_targeting t,
    const struct store_actor *who)
{
	struct store_settings was, now;
	struct audit_json jb, ja;
	sqlite3_stmt *q;
	int rc = -1;

	if ((unsigned)t > STORE_TARGETING_CLIENT) {
		log_warnx("%s: targeting mode %d", __func__, (int)t);
		return -1;
	}
	if (!audit_actor_ok(who, __func__))
		return -1;
	if (store_begin(st, __func__) == -1)
		return -1;
	if (store_settings_get(st, &was) == -1)
		goto out;
	q = stmt_get(st, STMT_TARGETING_SET);
	if (sqlite3_bind_text(q, 1, settings_targeting[t], -1, SQLITE_STATIC) !=
	    SQLITE_OK ||
	    sqlite3_bind_int64(q, 2, (sqlite3_int64)time(NULL)) != SQLITE_OK) {
		stmt_bind_failed(st, q, __func__);
		goto out;
	}
	if (stmt_run(st, q, NULL, __func__) == -1 ||
	    store_settings_get(st, &now) == -1 ||
	    audit_write(st, who, "settings.targeting", "server_settings",
	    settings_json(&was, &jb), settings_json(&now, &ja),
	    __func__) == -1 ||
	    store_commit(st, __func__) == -1)
		goto out;
	log_info("%s: %s: targeting is now %s-side (by %s)", __func__,
	    st->path, settings_targeting[t], who->account);
	rc = 0;
out:
	return store_end(st, rc, __func__);
}
